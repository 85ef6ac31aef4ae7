import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { resources } from '../../api/resources.js';
import { discardLog } from '../../client/log.js';
import { startReplicaSetController } from './index.js';
import { apiPods, eventMessages, makePodsReady, newTestCluster, until, type TestCluster } from '../shared/testing.js';
import type { Pod, ReplicaSet } from '../shared/types.js';
import { rfc3339 } from '../shared/time.js';

function start(t: TestContext): TestCluster {
  const c = newTestCluster();
  const done = startReplicaSetController({
    client: c.client, informers: c.informers, recorder: c.recorder, clock: c.clock, signal: c.signal, log: discardLog, workers: 2,
  });
  t.after(async () => { c.stop(); await done; });
  return c;
}

function replicaSet(name: string, replicas: number, extra: Partial<ReplicaSet['spec']> = {}): ReplicaSet {
  return {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name, tier: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
      ...extra,
    },
  };
}

const getRS = async (c: TestCluster, name: string) => c.client.get<ReplicaSet>(resources.replicasets, 'default', name);
const scale = async (c: TestCluster, name: string, replicas: number) => {
  await c.client.patch(resources.replicasets, 'default', name, 'merge', { spec: { replicas } });
};

test('a ReplicaSet creates its pods from the template, owned by it, and reports them in its status', async (t) => {
  const c = start(t);
  const rs = await c.client.create<ReplicaSet>(resources.replicasets, 'default', replicaSet('web', 3));
  await until(c, async () => (await apiPods(c)).length === 3, '3 pods');
  const pods = await apiPods(c);
  for (const p of pods) {
    assert.match(p.metadata!.name!, /^web-/);
    assert.equal(p.metadata!.generateName, 'web-');
    assert.deepEqual(p.metadata!.labels, { app: 'web', tier: 'web' });
    assert.deepEqual(p.metadata!.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata!.uid, controller: true, blockOwnerDeletion: true }]);
    assert.equal(p.spec!.containers[0].image, 'nginx');
  }
  await until(c, async () => (await getRS(c, 'web')).status?.replicas === 3, 'status.replicas = 3');
  let st = (await getRS(c, 'web')).status!;
  assert.equal(st.readyReplicas, 0);
  assert.equal(st.fullyLabeledReplicas, 3);
  assert.equal(st.observedGeneration, 1);

  await makePodsReady(c);
  await until(c, async () => (await getRS(c, 'web')).status?.availableReplicas === 3, 'all available');
  st = (await getRS(c, 'web')).status!;
  assert.equal(st.readyReplicas, 3);
  const created = await eventMessages(c, 'SuccessfulCreate');
  assert.deepEqual(created.sort(), pods.map((p) => `Created pod: ${p.metadata!.name}`).sort());
  // Stable: nothing else gets created once the informer has caught up.
  await c.clock.stepAsync(1000);
  assert.equal(c.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/pods')).length, 3);
});

test('creation failures stop after the failing slow-start batch, record FailedCreate and ReplicaFailure, and recover', async (t) => {
  const c = start(t);
  let attempts = 0;
  let failing = true;
  let attemptsWhenFailureReported = -1;
  c.hooks.push((req) => {
    if (req.method === 'PUT' && req.path.endsWith('/replicasets/web/status') && attemptsWhenFailureReported < 0
      && JSON.parse(req.body!.toString()).status?.conditions?.length) attemptsWhenFailureReported = attempts;
    if (req.method !== 'POST' || !req.path.endsWith('/pods')) return;
    attempts++;
    if (failing && attempts > 1) {
      const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Forbidden', code: 403, message: 'pods "web-" is forbidden: exceeded quota' };
      return { status: 403, headers: { 'content-type': 'application/json' }, body: JSON.stringify(status) };
    }
  });
  await c.client.create(resources.replicasets, 'default', replicaSet('web', 10));
  await until(c, async () => !!(await getRS(c, 'web')).status?.conditions?.length, 'ReplicaFailure condition', 0);
  // The first sync: batch 1 (1 pod) succeeded, batch 2 (2 pods) failed, the other 7 were never tried.
  assert.equal(attemptsWhenFailureReported, 3);
  const cond = (await getRS(c, 'web')).status!.conditions![0];
  assert.equal(cond.type, 'ReplicaFailure');
  assert.equal(cond.status, 'True');
  assert.equal(cond.reason, 'FailedCreate');
  assert.match(cond.message!, /exceeded quota/);
  await until(c, async () => (await eventMessages(c, 'FailedCreate')).length > 0, 'FailedCreate event', 0);
  assert.match((await eventMessages(c, 'FailedCreate'))[0], /^Error creating: .*exceeded quota/);

  failing = false;
  await until(c, async () => (await apiPods(c)).length === 10, '10 pods after recovery');
  await until(c, async () => !(await getRS(c, 'web')).status?.conditions?.length, 'condition cleared');
});

test('scaling down deletes unscheduled, then pending, then not-ready pods, then the most recently ready', async (t) => {
  const c = start(t);
  await c.client.create(resources.replicasets, 'default', replicaSet('web', 5));
  await until(c, async () => (await apiPods(c)).length === 5, '5 pods');
  const [a, b, cc, d, e] = await apiPods(c);
  const now = c.clock.now();
  const put = (p: Pod, spec: Partial<Pod['spec']>, status: Pod['status']) => c.fake.put('', 'pods', { ...p, spec: { ...p.spec!, ...spec }, status } as any);
  const ready = (ago: number) => ({ phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: rfc3339(now - ago) }] });
  put(d, { nodeName: 'n1' }, ready(86_400_000));   // ready for a day
  put(e, { nodeName: 'n2' }, ready(60_000));       // ready for a minute
  put(cc, { nodeName: 'n1' }, { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] });
  put(b, { nodeName: 'n2' }, { phase: 'Pending' });
  put(a, {}, { phase: 'Pending' });                // not scheduled
  await until(c, async () => (await getRS(c, 'web')).status?.readyReplicas === 2, 'ready counted');

  const names = (ps: Pod[]) => ps.map((p) => p.metadata!.name).sort();
  await scale(c, 'web', 4);
  await until(c, async () => (await apiPods(c)).length === 4, 'scaled to 4');
  assert.deepEqual(names(await apiPods(c)), names([b, cc, d, e]), 'the unscheduled pod goes first');
  await scale(c, 'web', 3);
  await until(c, async () => (await apiPods(c)).length === 3, 'scaled to 3');
  assert.deepEqual(names(await apiPods(c)), names([cc, d, e]), 'then the pending one');
  await scale(c, 'web', 2);
  await until(c, async () => (await apiPods(c)).length === 2, 'scaled to 2');
  assert.deepEqual(names(await apiPods(c)), names([d, e]), 'then the not-ready one');
  await scale(c, 'web', 1);
  await until(c, async () => (await apiPods(c)).length === 1, 'scaled to 1');
  assert.deepEqual(names(await apiPods(c)), names([d]), 'then the one ready for the shortest time');
  const deleted = await eventMessages(c, 'SuccessfulDelete');
  assert.deepEqual(deleted.sort(), [a, b, cc, e].map((p) => `Deleted pod: ${p.metadata!.name}`).sort());
  await until(c, async () => (await getRS(c, 'web')).status?.replicas === 1, 'status follows');
});

test('a ReplicaSet adopts a matching orphan pod instead of creating one, and releases a pod that stops matching', async (t) => {
  const c = start(t);
  c.fake.put('', 'pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'orphan', namespace: 'default', labels: { app: 'web', tier: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
  c.fake.put('', 'pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'other', namespace: 'default', labels: { app: 'db' } }, spec: { containers: [{ name: 'c', image: 'pg' }] } });
  const rs = await c.client.create<ReplicaSet>(resources.replicasets, 'default', replicaSet('web', 2));
  await until(c, async () => (await apiPods(c, 'default', 'app=web')).length === 2, '2 web pods');
  const orphan = c.fake.peek('', 'pods', 'default', 'orphan')!;
  assert.deepEqual(orphan.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata!.uid, controller: true, blockOwnerDeletion: true }]);
  assert.equal(c.fake.peek('', 'pods', 'default', 'other')!.metadata.ownerReferences, undefined, 'non-matching pods are left alone');
  assert.equal(c.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/pods')).length, 1, 'only the missing pod is created');

  // The adopted pod's labels change: the ReplicaSet lets go of it and replaces it.
  c.fake.put('', 'pods', { ...c.fake.peek('', 'pods', 'default', 'orphan')!, metadata: { ...orphan.metadata, labels: { app: 'debug' } } });
  await until(c, async () => (await apiPods(c, 'default', 'app=web')).length === 2 && !c.fake.peek('', 'pods', 'default', 'orphan')!.metadata.ownerReferences, 'released and replaced');
});

test('pods being deleted do not count, and availableReplicas waits for minReadySeconds', async (t) => {
  const c = start(t);
  await c.client.create(resources.replicasets, 'default', replicaSet('web', 2, { minReadySeconds: 30 }));
  await until(c, async () => (await apiPods(c)).length === 2, '2 pods');
  await makePodsReady(c);
  await until(c, async () => (await getRS(c, 'web')).status?.readyReplicas === 2, 'ready', 0);
  assert.equal((await getRS(c, 'web')).status?.availableReplicas ?? 0, 0, 'not available before minReadySeconds');
  await until(c, async () => (await getRS(c, 'web')).status?.availableReplicas === 2, 'available after minReadySeconds', 1000);

  const [p] = await apiPods(c);
  c.fake.put('', 'pods', { ...p, metadata: { ...p.metadata, deletionTimestamp: rfc3339(c.clock.now()) } } as any);
  await until(c, async () => (await apiPods(c)).length === 3, 'a replacement for the terminating pod');
  await until(c, async () => (await getRS(c, 'web')).status?.replicas === 2, 'terminating pod not counted');
});
