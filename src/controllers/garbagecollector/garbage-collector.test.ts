import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resources } from '../../api/resources.js';
import type { KubeObject } from '../../api/object.js';
import { discardLog } from '../../client/log.js';
import { FakeCluster, waitUntil } from '../shared/testing.js';
import { startGarbageCollectorController } from './index.js';
import { sameOwnership } from './garbage-collector.js';

const ns = 'default';

/** A deployment → replicaset → two pods chain, as the workload controllers create it. */
async function chain(c: FakeCluster) {
  const d = await c.client.create(resources.deployments, ns, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: {} });
  const ref = (o: KubeObject, kind: string, apiVersion: string) => [{ apiVersion, kind, name: o.metadata!.name!, uid: o.metadata!.uid!, controller: true, blockOwnerDeletion: true }];
  const rs = await c.client.create(resources.replicasets, ns, { metadata: { name: 'web-1', ownerReferences: ref(d, 'Deployment', 'apps/v1') }, spec: {} });
  for (const n of ['web-1-a', 'web-1-b']) {
    await c.client.create(resources.pods, ns, { metadata: { name: n, ownerReferences: ref(rs, 'ReplicaSet', 'apps/v1') }, spec: {} });
  }
  return { d, rs };
}

function start(c: FakeCluster, t: { after(fn: () => void): void }, res = [resources.deployments, resources.replicasets, resources.pods]) {
  const ac = new AbortController();
  const done = startGarbageCollectorController({ client: c.client, informers: c.informers, clock: c.clock, signal: ac.signal, log: discardLog, workers: 4, resources: res });
  t.after(async () => { ac.abort(); await done; });
}

const exists = (c: FakeCluster, group: string, resource: string, name: string) => !!c.api.peek(group, resource, ns, name);

test('garbage collector: a background delete of a deployment removes its replicaset and then its pods', async (t) => {
  const c = new FakeCluster();
  await chain(c);
  start(c, t);
  await c.client.delete(resources.deployments, ns, 'web');
  await waitUntil(() => !exists(c, 'apps', 'replicasets', 'web-1') && !exists(c, '', 'pods', 'web-1-a') && !exists(c, '', 'pods', 'web-1-b'), 'cascade', c.clock, 1000);
});

test('garbage collector: a foreground delete keeps the owner until its dependents are gone', async (t) => {
  const c = new FakeCluster();
  await chain(c);
  const order: string[] = [];
  for (const r of [resources.deployments, resources.replicasets, resources.pods]) {
    const stop = c.client.watch(r, { namespace: ns, resourceVersion: String(c.api.rev) }, { onEvent: (type, o) => { if (type === 'DELETED') order.push(o.metadata!.name!); } });
    t.after(stop);
  }
  start(c, t);
  const res = await c.client.delete<KubeObject>(resources.deployments, ns, 'web', { propagationPolicy: 'Foreground' });
  assert.deepEqual(res.metadata?.finalizers, ['foregroundDeletion']);
  await waitUntil(() => !exists(c, 'apps', 'deployments', 'web'), 'owner removed', c.clock, 1000);
  assert.equal(exists(c, 'apps', 'replicasets', 'web-1') || exists(c, '', 'pods', 'web-1-a'), false);
  assert.deepEqual(order.slice(0, 2).sort(), ['web-1-a', 'web-1-b'], 'pods go first');
  assert.deepEqual(order.slice(2), ['web-1', 'web'], 'then the replicaset, then the deployment');
});

test('garbage collector: an orphan delete removes the owner and leaves dependents without the reference', async (t) => {
  const c = new FakeCluster();
  const { rs } = await chain(c);
  start(c, t);
  await c.client.delete(resources.deployments, ns, 'web', { propagationPolicy: 'Orphan' });
  await waitUntil(() => !exists(c, 'apps', 'deployments', 'web'), 'owner removed', c.clock, 1000);
  const kept = c.api.peek('apps', 'replicasets', ns, 'web-1');
  assert.ok(kept, 'the replicaset is kept');
  assert.equal(kept.metadata.ownerReferences, undefined);
  assert.equal(c.api.peek('', 'pods', ns, 'web-1-a')?.metadata.ownerReferences[0].uid, rs.metadata!.uid, 'grandchildren keep their owner');
});

test('garbage collector: an owner replaced by a new object of the same name is gone; a live owner outside the caches is not', async (t) => {
  const c = new FakeCluster();
  const rs = await c.client.create(resources.replicasets, ns, { metadata: { name: 'x' }, spec: {} });
  const podOf = (name: string, uid: string) => ({ metadata: { name, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid, controller: true }] }, spec: {} });
  await c.client.create(resources.pods, ns, podOf('stale', 'uid-of-an-older-x'));
  await c.client.create(resources.pods, ns, podOf('owned', rs.metadata!.uid!));
  start(c, t, [resources.pods]); // replicasets are not watched: their existence must be checked live
  const ownerLookups = () => c.requests.filter((r) => r.method === 'GET' && r.path === '/apis/apps/v1/namespaces/default/replicasets/x').length;
  await waitUntil(() => !exists(c, '', 'pods', 'stale') && ownerLookups() >= 2, 'both pods judged, the owner looked up live for each', c.clock, 1000);
  await c.clock.stepAsync(1000);
  assert.ok(exists(c, '', 'pods', 'owned'), 'a pod whose owner exists is kept');
});

test('garbage collector: a dependent with one live and one vanished owner only loses the vanished reference', async (t) => {
  const c = new FakeCluster();
  const a = await c.client.create(resources.replicasets, ns, { metadata: { name: 'a' }, spec: {} });
  await c.client.create(resources.pods, ns, { metadata: { name: 'p', ownerReferences: [
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'a', uid: a.metadata!.uid! },
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'gone', uid: 'gone-uid' },
  ] }, spec: {} });
  start(c, t);
  await waitUntil(() => c.api.peek('', 'pods', ns, 'p')?.metadata.ownerReferences?.length === 1, 'reference removed', c.clock, 1000);
  assert.equal(c.api.peek('', 'pods', ns, 'p')!.metadata.ownerReferences[0].name, 'a');
});

test('garbage collector: a foreground owner waiting for a dependent goes once that dependent drops its reference', async (t) => {
  const c = new FakeCluster();
  const rs = await c.client.create(resources.replicasets, ns, { metadata: { name: 'x' }, spec: {} });
  // The dependent cannot be deleted (another finalizer holds it), so the owner waits for it.
  await c.client.create(resources.pods, ns, { metadata: { name: 'held', finalizers: ['example.com/hold'], ownerReferences: [
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid: rs.metadata!.uid!, controller: true, blockOwnerDeletion: true },
  ] }, spec: {} });
  start(c, t);
  await c.client.delete(resources.replicasets, ns, 'x', { propagationPolicy: 'Foreground' });
  await waitUntil(() => !!c.api.peek('', 'pods', ns, 'held')?.metadata.deletionTimestamp, 'dependent being deleted', c.clock, 1000);
  await c.clock.stepAsync(100);
  assert.ok(exists(c, 'apps', 'replicasets', 'x'), 'the owner waits for its blocking dependent');
  await c.client.patch(resources.pods, ns, 'held', 'merge', { metadata: { ownerReferences: null } });
  await waitUntil(() => !exists(c, 'apps', 'replicasets', 'x'), 'owner removed', c.clock, 1000);
  assert.ok(exists(c, '', 'pods', 'held'), 'the dependent, no longer owned, stays as its finalizer says');
});

test('garbage collector: only changes of owners, deletion or finalizers are worth a look', () => {
  const base = { metadata: { uid: 'u', name: 'p', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid: 'o', controller: true }] }, status: { phase: 'Pending' } };
  const changed = (patch: (o: any) => void) => { const o = structuredClone(base) as any; patch(o); return !sameOwnership(base as KubeObject, o); };
  assert.equal(changed((o) => { o.status.phase = 'Running'; o.metadata.resourceVersion = '9'; o.metadata.labels = { a: 'b' }; }), false);
  assert.equal(changed((o) => { o.metadata.ownerReferences[0].uid = 'other'; }), true);
  assert.equal(changed((o) => { o.metadata.ownerReferences[0].blockOwnerDeletion = true; }), true);
  assert.equal(changed((o) => { o.metadata.ownerReferences = []; }), true);
  assert.equal(changed((o) => { o.metadata.deletionTimestamp = '2026-01-01T00:00:00Z'; }), true);
  assert.equal(changed((o) => { o.metadata.finalizers = ['orphan']; }), true);
  assert.equal(changed((o) => { o.metadata.uid = 'new'; }), true);
});
