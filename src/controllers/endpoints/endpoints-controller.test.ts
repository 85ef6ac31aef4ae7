import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resources } from '../../api/resources.js';
import { discardLog } from '../../client/log.js';
import { FakeCluster, waitUntil } from '../shared/testing.js';
import { startEndpointsController } from './index.js';

const ns = 'default';
function pod(name: string, o: { ip?: string; ready?: boolean; port?: number; labels?: Record<string, string>; deleting?: boolean }) {
  return {
    metadata: { namespace: ns, name, labels: o.labels ?? { app: 'web' }, ...(o.deleting ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {}) },
    spec: { nodeName: 'node-1', containers: [{ name: 'c', ports: [{ name: 'http', containerPort: o.port ?? 8080, protocol: 'TCP' }] }] },
    status: {
      phase: 'Running', ...(o.ip ? { podIP: o.ip } : {}),
      conditions: [{ type: 'Ready', status: o.ready ? 'True' : 'False', lastTransitionTime: '2025-01-01T00:00:05Z' }],
    },
  };
}

test('endpoints controller: ready and not-ready pod addresses, named targetPort resolved per pod', async (t) => {
  const c = new FakeCluster();
  c.api.put('', 'services', { metadata: { namespace: ns, name: 'web', labels: { tier: 'front' }, creationTimestamp: '2025-01-01T00:00:00Z' }, spec: { selector: { app: 'web' }, clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' }] } });
  const p1 = c.api.put('', 'pods', pod('p1', { ip: '10.0.0.1', ready: true }));
  const p2 = c.api.put('', 'pods', pod('p2', { ip: '10.0.0.2', ready: false }));
  c.api.put('', 'pods', pod('p3', { ip: '10.0.0.3', ready: true, port: 9090 }));
  c.api.put('', 'pods', pod('no-ip', { ready: true }));
  c.api.put('', 'pods', pod('other', { ip: '10.0.0.5', ready: true, labels: { app: 'db' } }));
  c.api.put('', 'pods', pod('leaving', { ip: '10.0.0.6', ready: true, deleting: true }));
  const ac = new AbortController();
  const done = startEndpointsController({ client: c.client, informers: c.informers, clock: c.clock, signal: ac.signal, log: discardLog });
  t.after(async () => { ac.abort(); await done; });

  await waitUntil(() => !!c.api.peek('', 'endpoints', ns, 'web'), 'endpoints created');
  const ep = c.api.peek('', 'endpoints', ns, 'web')!;
  assert.deepEqual(ep.metadata.labels, { tier: 'front' });
  assert.equal(ep.metadata.annotations['endpoints.kubernetes.io/last-change-trigger-time'], '2025-01-01T00:00:05Z');
  const ref = (p: any) => ({ kind: 'Pod', namespace: ns, name: p.metadata.name, uid: p.metadata.uid });
  assert.deepEqual(ep.subsets, [
    {
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      addresses: [{ ip: '10.0.0.1', nodeName: 'node-1', targetRef: ref(p1) }],
      notReadyAddresses: [{ ip: '10.0.0.2', nodeName: 'node-1', targetRef: ref(p2) }],
    },
    {
      ports: [{ name: 'http', port: 9090, protocol: 'TCP' }],
      addresses: [{ ip: '10.0.0.3', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: ns, name: 'p3', uid: c.api.peek('', 'pods', ns, 'p3')!.metadata.uid } }],
    },
  ]);

  // p2 becomes ready: it moves to addresses.
  c.api.put('', 'pods', { ...p2, status: { ...p2.status, conditions: [{ type: 'Ready', status: 'True' }] } });
  await waitUntil(() => c.api.peek('', 'endpoints', ns, 'web')!.subsets[0].addresses.length === 2, 'p2 ready');
  assert.equal(c.api.peek('', 'endpoints', ns, 'web')!.subsets[0].notReadyAddresses, undefined);

  // The service goes: so do its endpoints.
  await c.client.delete(resources.services, ns, 'web');
  await waitUntil(() => !c.api.peek('', 'endpoints', ns, 'web'), 'endpoints deleted with the service');
});

test('endpoints controller: the Endpoints of a service without selector are left alone', async (t) => {
  const c = new FakeCluster();
  c.api.put('', 'services', { metadata: { namespace: ns, name: 'kubernetes' }, spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] } });
  const manual = { metadata: { namespace: ns, name: 'kubernetes' }, subsets: [{ addresses: [{ ip: '192.168.1.10' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }] };
  c.api.put('', 'endpoints', manual);
  c.api.put('', 'services', { metadata: { namespace: ns, name: 'web' }, spec: { selector: { app: 'web' }, clusterIP: 'None', ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }] } });
  const ac = new AbortController();
  const done = startEndpointsController({ client: c.client, informers: c.informers, clock: c.clock, signal: ac.signal, log: discardLog });
  t.after(async () => { ac.abort(); await done; });
  await waitUntil(() => !!c.api.peek('', 'endpoints', ns, 'web'), 'headless endpoints created');
  assert.deepEqual(c.api.peek('', 'endpoints', ns, 'web')!.metadata.labels, { 'service.kubernetes.io/headless': '' });
  assert.equal(c.api.peek('', 'endpoints', ns, 'web')!.subsets, undefined, 'no pods, no subsets');
  assert.deepEqual(c.api.peek('', 'endpoints', ns, 'kubernetes')!.subsets, manual.subsets);
  assert.equal(c.requests.some((r) => r.method !== 'GET' && r.path.endsWith('/endpoints/kubernetes')), false);
});
