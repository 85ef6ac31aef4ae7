// Namespaces, nodes, events, endpoints, endpointslices, leases: creation rules and Table rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { namespaces } from './namespaces/strategy.js';
import { nodes } from './nodes/strategy.js';
import { events } from './events/strategy.js';
import { endpoints } from './endpoints/strategy.js';
import { endpointslices } from '../discovery/endpointslices/strategy.js';
import { leases } from '../coordination/leases/strategy.js';
import { eventsV1, coreToEventsV1 } from '../events/events/strategy.js';
import { allResources } from '../all-resources.js';
import { resources } from '../../../api/resources.js';
import { validateMeta } from '../../index.js';
import { fakeContext } from '../testing.js';
import type { KubeObject } from '../../../api/object.js';

const ctx = fakeContext();
const now = new Date('2026-01-01T01:00:00Z');

test('a new namespace is Active with the kubernetes finalizer and its name label', async () => {
  const ns: KubeObject = { metadata: { name: 'dev' } };
  namespaces.strategy.defaults!(ns);
  await namespaces.strategy.prepareForCreate!(ns, ctx);
  assert.deepEqual(ns.status, { phase: 'Active' });
  assert.deepEqual(ns.spec, { finalizers: ['kubernetes'] });
  assert.deepEqual(ns.metadata.labels, { 'kubernetes.io/metadata.name': 'dev' });
  ns.metadata.creationTimestamp = '2026-01-01T00:00:00Z';
  assert.deepEqual(namespaces.strategy.table!.row(ns, now), ['dev', 'Active', '60m']);
  assert.equal(namespaces.verbs?.includes('deletecollection'), false);
});

test('node rows show Ready/NotReady, roles and node info', () => {
  const node: KubeObject = {
    metadata: { name: 'node-1', creationTimestamp: '2026-01-01T00:00:00Z', labels: { 'node-role.kubernetes.io/control-plane': '' } },
    spec: { unschedulable: true },
    status: { conditions: [{ type: 'Ready', status: 'True' }], addresses: [{ type: 'InternalIP', address: '192.168.1.10' }],
      nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0', containerRuntimeVersion: 'nanokube://0.1.0' } },
  };
  assert.deepEqual(nodes.strategy.table!.row(node, now),
    ['node-1', 'Ready,SchedulingDisabled', 'control-plane', '60m', 'v1.32.0', '192.168.1.10', '<none>', 'Debian GNU/Linux 12 (bookworm)', '6.1.0', 'nanokube://0.1.0']);
  assert.equal(nodes.strategy.fieldSelectors!['spec.unschedulable'](node), 'true');
  assert.equal(nodes.strategy.table!.row({ metadata: { name: 'n' } }, now)[1], 'Unknown');
});

test('event rows print LAST SEEN, TYPE, REASON, OBJECT, MESSAGE like kubectl get events', () => {
  const ev: KubeObject = {
    metadata: { name: 'flask-app.1', namespace: 'default' },
    involvedObject: { kind: 'Deployment', name: 'flask-app', namespace: 'default' },
    reason: 'ScalingReplicaSet', message: 'Scaled up replica set flask-app-6d8f to 2\n', type: 'Normal',
    source: { component: 'deployment-controller' }, firstTimestamp: '2026-01-01T00:50:00Z', lastTimestamp: '2026-01-01T00:55:00Z', count: 3,
  };
  assert.deepEqual(events.strategy.table!.row(ev, now),
    ['5m', 'Normal', 'ScalingReplicaSet', 'deployment/flask-app', '', 'deployment-controller', 'Scaled up replica set flask-app-6d8f to 2', '10m', 3, 'flask-app.1']);
  assert.equal(events.strategy.fieldSelectors!['involvedObject.kind'](ev), 'Deployment');
  // The same event read through events.k8s.io/v1 prints identically.
  assert.deepEqual(eventsV1.strategy.table!.row(coreToEventsV1(ev), now), events.strategy.table!.row(ev, now));
});

test('an event\'s involvedObject.namespace must match its namespace', async () => {
  const ev: KubeObject = { metadata: { name: 'e', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'other' } };
  assert.deepEqual((await events.strategy.validate!(ev, ctx)).map(String), ['involvedObject.namespace: Invalid value: "other": does not match event.namespace']);
});

test('endpoints and endpointslices print their addresses, at most three', () => {
  const ep: KubeObject = { metadata: { name: 'flask-service' }, subsets: [{ addresses: [{ ip: '10.244.0.5' }, { ip: '10.244.0.6' }, { ip: '10.244.0.7' }, { ip: '10.244.0.8' }], ports: [{ port: 5000 }] }] };
  endpoints.strategy.defaults!(ep);
  assert.equal(ep.subsets[0].ports[0].protocol, 'TCP');
  assert.equal(endpoints.strategy.table!.row(ep, now)[1], '10.244.0.5:5000,10.244.0.6:5000,10.244.0.7:5000 + 1 more...');
  assert.equal(endpoints.strategy.table!.row({ metadata: { name: 'x' } }, now)[1], '<none>');
  const es: KubeObject = { metadata: { name: 'flask-service-abcde' }, addressType: 'IPv4', ports: [{ port: 5000 }], endpoints: [{ addresses: ['10.244.0.5'] }] };
  assert.deepEqual(endpointslices.strategy.table!.row(es, now).slice(0, 4), ['flask-service-abcde', 'IPv4', '5000', '10.244.0.5']);
  assert.equal(endpointslices.strategy.table!.row({ metadata: { name: 'e' } }, now)[2], '<unset>');
});

test('an endpointslice\'s addressType is immutable and its addresses must match it', async () => {
  const old: KubeObject = { metadata: { name: 's', namespace: 'd', generation: 1 }, addressType: 'IPv4', endpoints: [] };
  const bad = { ...structuredClone(old), endpoints: [{ addresses: ['fd00::1'] }] };
  assert.deepEqual((await endpointslices.strategy.validate!(bad, ctx)).map(String), ['endpoints[0].addresses[0]: Invalid value: "fd00::1": must be a valid IPv4 address']);
  const moved = { ...structuredClone(old), addressType: 'IPv6' };
  assert.deepEqual((await endpointslices.strategy.validateUpdate!(moved, old, ctx)).map(String), ['addressType: Invalid value: "IPv6": field is immutable']);
});

test('lease rows show the holder', async () => {
  const l: KubeObject = { metadata: { name: 'node-1', namespace: 'kube-node-lease' }, spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40 } };
  assert.deepEqual(leases.strategy.table!.row(l, now).slice(0, 2), ['node-1', 'node-1']);
  l.spec.leaseDurationSeconds = 0;
  assert.deepEqual((await leases.strategy.validate!(l, ctx)).map(String), ['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0']);
});

test('every resource is registered once with upstream discovery facts', () => {
  const keys = allResources.map((r) => `${r.group}/${r.version}/${r.resource}`);
  assert.equal(new Set(keys).size, keys.length);
  const get = (k: string) => allResources.find((r) => `${r.group}/${r.resource}` === k)!;
  assert.deepEqual(get('/pods').shortNames, ['po']);
  assert.deepEqual(get('apps/deployments').categories, ['all']);
  assert.equal(get('/nodes').namespaced, false);
  for (const r of allResources) {
    // Review APIs (create-only, never stored or listed) have no table, as upstream.
    if (r.review) assert.deepEqual(r.verbs, ['create'], r.resource);
    else assert.ok((r.strategy.table?.columns.length ?? 0) > 0, r.resource);
    assert.equal(typeof r.singular, 'string');
  }
});

test('every served resource takes its group, version, kind, scope and discovery facts from the one registry', () => {
  const facts = ['group', 'version', 'resource', 'kind', 'namespaced', 'singular', 'shortNames', 'categories', 'verbs', 'subresources'] as const;
  for (const def of allResources) {
    const entry = Object.values(resources).find((r) => r.group === def.group && r.version === def.version && r.resource === def.resource);
    assert.ok(entry, `${def.group}/${def.resource} is in api/resources.ts`);
    for (const f of facts) assert.deepEqual(def[f], entry[f], `${def.group}/${def.resource} ${f}`);
  }
});

test('names follow upstream rules per resource: services DNS-1035 labels, pods DNS-1123 subdomains', () => {
  const named = (name: string): KubeObject => ({ metadata: { name, namespace: 'default' } });
  const get = (resource: string) => allResources.find((r) => r.group === '' && r.resource === resource)!;
  assert.equal(validateMeta(named('1svc'), get('services')).filter((e) => e.field === 'metadata.name').length, 1);
  assert.deepEqual(validateMeta(named('1pod.a'), get('pods')), []);
});
