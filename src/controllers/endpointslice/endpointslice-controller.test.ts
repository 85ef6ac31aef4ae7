import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resources } from '../../api/resources.js';
import type { KubeObject } from '../../api/object.js';
import { discardLog } from '../../client/log.js';
import { FakeCluster, waitUntil } from '../shared/testing.js';
import { startEndpointSliceController } from './index.js';

const ns = 'default';
function pod(name: string, ip: string, o: { ready?: boolean; deleting?: boolean } = {}) {
  return {
    metadata: { namespace: ns, name, labels: { app: 'web' }, ...(o.deleting ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {}) },
    spec: { nodeName: 'node-1', containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8080 }] }] },
    status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: o.ready ? 'True' : 'False' }] },
  };
}

test('endpointslice controller: slices per service with owner, labels, ports and endpoint conditions, at most N endpoints each', async (t) => {
  const c = new FakeCluster();
  c.api.put('', 'nodes', { metadata: { name: 'node-1', labels: { 'topology.kubernetes.io/zone': 'z1' } } });
  const svc = c.api.put('', 'services', { metadata: { namespace: ns, name: 'web', labels: { tier: 'front' } }, spec: { selector: { app: 'web' }, clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' }] } });
  c.api.put('', 'pods', pod('a', '10.0.0.1', { ready: true }));
  c.api.put('', 'pods', pod('b', '10.0.0.2'));
  c.api.put('', 'pods', pod('c', '10.0.0.3', { ready: true, deleting: true }));
  const ac = new AbortController();
  const done = startEndpointSliceController({ client: c.client, informers: c.informers, clock: c.clock, signal: ac.signal, log: discardLog, maxEndpointsPerSlice: 2 });
  t.after(async () => { ac.abort(); await done; });

  const slices = async () => (await c.client.list(resources.endpointslices, { namespace: ns })).items;
  const endpointsOf = (ss: KubeObject[]) => ss.flatMap((s) => s.endpoints ?? []).sort((x: any, y: any) => x.addresses[0].localeCompare(y.addresses[0]));
  await waitUntil(async () => endpointsOf(await slices()).length === 3, 'three endpoints published', c.clock, 1000);
  const ss = await slices();
  assert.equal(ss.length, 2, 'two slices of at most two endpoints');
  for (const s of ss) {
    assert.ok(s.metadata!.name!.startsWith('web-'));
    assert.deepEqual(s.metadata!.labels, { tier: 'front', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
    assert.deepEqual(s.metadata!.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    assert.equal(s.addressType, 'IPv4');
    assert.deepEqual(s.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    assert.ok(s.endpoints.length <= 2);
  }
  const eps = endpointsOf(ss);
  assert.deepEqual(eps[0], {
    addresses: ['10.0.0.1'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'node-1', zone: 'z1',
    targetRef: { kind: 'Pod', namespace: ns, name: 'a', uid: c.api.peek('', 'pods', ns, 'a')!.metadata.uid },
  });
  assert.deepEqual(eps[1].conditions, { ready: false, serving: false, terminating: false });
  assert.deepEqual(eps[2].conditions, { ready: false, serving: true, terminating: true }, 'a terminating pod is serving but not ready');

  // All pods gone: one placeholder slice with no endpoints and no ports remains.
  for (const n of ['a', 'b', 'c']) await c.client.delete(resources.pods, ns, n);
  await waitUntil(async () => { const s = await slices(); return s.length === 1 && (s[0].endpoints ?? []).length === 0; }, 'placeholder only', c.clock, 1000);
  assert.deepEqual((await slices())[0].ports, []);

  // Pods come back: the placeholder is replaced, without duplicates.
  c.api.put('', 'pods', pod('d', '10.0.0.4', { ready: true }));
  await waitUntil(async () => endpointsOf(await slices()).length === 1 && (await slices()).length === 1, 'one slice with one endpoint', c.clock, 1000);
  await c.clock.stepAsync(5000);
  assert.equal((await slices()).length, 1);
});
