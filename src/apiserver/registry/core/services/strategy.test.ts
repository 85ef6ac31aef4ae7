import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../../../api/errors.js';
import { services, makeServices } from './strategy.js';
import { fakeContext } from '../../testing.js';
import type { KubeObject } from '../../../../api/object.js';

const st = services.strategy;
/** The seed course's flask-service, as kubectl sends it. */
const seedService = (): KubeObject => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name: 'flask-service', namespace: 'default' },
  spec: { type: 'NodePort', selector: { app: 'flask-app' }, ports: [{ protocol: 'TCP', port: 5000, targetPort: 5000, nodePort: 30001 }] },
});

async function create(obj: KubeObject, ctx = fakeContext()): Promise<KubeObject> {
  st.defaults!(obj);
  await st.prepareForCreate!(obj, ctx);
  const errs = await st.validate!(obj, ctx);
  assert.deepEqual(errs.map(String), []);
  await st.allocate!(obj, ctx);
  return obj;
}

test('the seed Service gets upstream defaults and a ClusterIP from 10.96.0.0/12', async () => {
  const svc = await create(seedService());
  const ip = svc.spec.clusterIP as string;
  assert.match(ip, /^10\.(9[6-9]|10\d|11[01])\.\d+\.\d+$/);
  assert.notEqual(ip, '10.96.0.1');
  assert.deepEqual(svc.spec, {
    type: 'NodePort', selector: { app: 'flask-app' },
    ports: [{ protocol: 'TCP', port: 5000, targetPort: 5000, nodePort: 30001 }],
    sessionAffinity: 'None', externalTrafficPolicy: 'Cluster', internalTrafficPolicy: 'Cluster',
    clusterIP: ip, clusterIPs: [ip], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack',
  });
  assert.deepEqual(svc.status, { loadBalancer: {} });
});

test('targetPort defaults to port and a ClusterIP service gets no externalTrafficPolicy', async () => {
  const svc = await create({ metadata: { name: 'db', namespace: 'default' }, spec: { ports: [{ port: 5432 }] } });
  assert.equal(svc.spec.type, 'ClusterIP');
  assert.equal(svc.spec.ports[0].targetPort, 5432);
  assert.equal(svc.spec.ports[0].nodePort, undefined);
  assert.equal(svc.spec.externalTrafficPolicy, undefined);
});

test('the kubernetes Service in default gets 10.96.0.1', async () => {
  const svc = await create({ metadata: { name: 'kubernetes', namespace: 'default' }, spec: { ports: [{ name: 'https', port: 443, targetPort: 6443 }] } });
  assert.equal(svc.spec.clusterIP, '10.96.0.1');
});

test('a nodePort used by another Service is rejected with upstream\'s 422', async () => {
  const other = await create(seedService());
  other.metadata.name = 'other';
  const ctx = fakeContext({ '/services': [other] });
  const svc = seedService();
  st.defaults!(svc);
  await assert.rejects(st.allocate!(svc, ctx) as Promise<void>, (e: unknown) => {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, 422);
    assert.equal(e.status.message, 'Service "flask-service" is invalid: spec.ports[0].nodePort: Invalid value: 30001: provided port is already allocated');
    assert.deepEqual(e.status.details?.causes, [{ reason: 'FieldValueInvalid', message: 'Invalid value: 30001: provided port is already allocated', field: 'spec.ports[0].nodePort' }]);
    return true;
  });
});

test('a nodePort outside 30000-32767 is rejected', async () => {
  const svc = seedService();
  svc.spec.ports[0].nodePort = 8080;
  st.defaults!(svc);
  await assert.rejects(st.allocate!(svc, fakeContext()) as Promise<void>,
    { message: 'Service "flask-service" is invalid: spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767' });
});

test('dynamic nodePorts and ClusterIPs avoid ones in use', async () => {
  const cfg = { serviceCIDR: '10.0.0.0/29', nodePortRange: { min: 30000, max: 30002 } };
  const def = makeServices(cfg);
  const used: KubeObject[] = [{ metadata: { name: 'a', namespace: 'x' }, spec: { type: 'NodePort', clusterIP: '10.0.0.2', clusterIPs: ['10.0.0.2'], ports: [{ port: 1, nodePort: 30000 }, { port: 2, nodePort: 30002 }] } }];
  const svc: KubeObject = { metadata: { name: 'b', namespace: 'y' }, spec: { type: 'NodePort', ports: [{ port: 80 }] } };
  def.strategy.defaults!(svc);
  await def.strategy.allocate!(svc, fakeContext({ '/services': used }));
  assert.equal(svc.spec.ports[0].nodePort, 30001);
  assert.ok(['10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6'].includes(svc.spec.clusterIP), svc.spec.clusterIP);
});

test('a requested clusterIP outside the range or in use is rejected', async () => {
  const svc: KubeObject = { metadata: { name: 'x', namespace: 'default' }, spec: { clusterIP: '10.0.0.5', ports: [{ port: 80 }] } };
  st.defaults!(svc);
  await assert.rejects(st.allocate!(svc, fakeContext()) as Promise<void>,
    { message: 'Service "x" is invalid: spec.clusterIPs: Invalid value: []string{"10.0.0.5"}: failed to allocate IP 10.0.0.5: the provided IP (10.0.0.5) is not in the valid range. The range of valid IPs is 10.96.0.0/12' });
  const taken: KubeObject = { metadata: { name: 'y', namespace: 'default' }, spec: { clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'] } };
  const svc2: KubeObject = { metadata: { name: 'x', namespace: 'default' }, spec: { clusterIP: '10.96.0.10', ports: [{ port: 80 }] } };
  st.defaults!(svc2);
  await assert.rejects(st.allocate!(svc2, fakeContext({ '/services': [taken] })) as Promise<void>,
    { message: 'Service "x" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: provided IP is already allocated' });
});

test('an update keeps the allocated clusterIP and may move to a free nodePort', async () => {
  const old = await create(seedService());
  const upd = seedService();
  upd.spec.ports[0].nodePort = 30002;
  const ctx = fakeContext({ '/services': [old] });
  st.defaults!(upd);
  await st.prepareForUpdate!(upd, old, ctx);
  assert.deepEqual((await st.validateUpdate!(upd, old, ctx)).map(String), []);
  await st.allocate!(upd, ctx, old);
  assert.equal(upd.spec.clusterIP, old.spec.clusterIP);
  assert.equal(upd.spec.ports[0].nodePort, 30002);
});

test('a full update without nodePort keeps the old one; changing the clusterIP is refused', async () => {
  const old = await create(seedService());
  const upd = seedService();
  delete upd.spec.ports[0].nodePort;
  st.defaults!(upd);
  await st.prepareForUpdate!(upd, old, fakeContext());
  assert.equal(upd.spec.ports[0].nodePort, 30001);
  upd.spec.clusterIP = '10.96.0.99';
  upd.spec.clusterIPs = ['10.96.0.99'];
  const errs = await st.validateUpdate!(upd, old, fakeContext());
  assert.deepEqual(errs.map(String), ['spec.clusterIPs[0]: Invalid value: []string{"10.96.0.99"}: may not change once set']);
});

test('validation: ports required, nodePort forbidden on ClusterIP, names required with several ports', async () => {
  const svc: KubeObject = { metadata: { name: 'x', namespace: 'd' }, spec: { ports: [{ port: 80, nodePort: 30005 }, { port: 81 }] } };
  st.defaults!(svc);
  assert.deepEqual((await st.validate!(svc, fakeContext())).map(String), [
    'spec.ports[0].name: Required value',
    "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
    'spec.ports[1].name: Required value',
  ]);
  const none: KubeObject = { metadata: { name: 'x', namespace: 'd' }, spec: {} };
  st.defaults!(none);
  assert.deepEqual((await st.validate!(none, fakeContext())).map(String), ['spec.ports: Required value']);
});

test('the Table row matches kubectl get svc', async () => {
  const svc = await create(seedService());
  svc.metadata.creationTimestamp = '2025-12-31T23:59:54Z';
  const cols = st.table!.columns.map((c) => `${c.name}:${c.priority}`);
  assert.deepEqual(cols, ['Name:0', 'Type:0', 'Cluster-IP:0', 'External-IP:0', 'Port(s):0', 'Age:0', 'Selector:1']);
  assert.deepEqual(st.table!.row(svc, new Date('2026-01-01T00:00:00Z')),
    ['flask-service', 'NodePort', svc.spec.clusterIP, '<none>', '5000:30001/TCP', '6s', 'app=flask-app']);
  const lb: KubeObject = { metadata: { name: 'lb' }, spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] } };
  assert.equal(st.table!.row(lb, new Date())[3], '<pending>');
  assert.equal(st.table!.row(lb, new Date())[2], '<none>');
});

test('dynamic ClusterIPs stay out of the static band, so the kube-dns address 10.96.0.10 stays free to request', async () => {
  for (let i = 0; i < 200; i++) {
    const svc = await create({ apiVersion: 'v1', kind: 'Service', metadata: { name: `s${i}`, namespace: 'default' }, spec: { ports: [{ port: 80 }] } });
    assert.doesNotMatch(svc.spec.clusterIP, /^10\.96\.0\.\d+$/, 'the first 256 addresses are for static requests, as upstream');
  }
  const dns = await create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns', namespace: 'kube-system' }, spec: { clusterIP: '10.96.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] } });
  assert.equal(dns.spec.clusterIP, '10.96.0.10');
});
