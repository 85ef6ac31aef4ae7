// The scheduler against the client's FakeApiHandler: what a user sees (where pods land, FailedScheduling events
// and the PodScheduled condition worded as upstream, retries when the cluster changes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiHandler } from '../api/transport.js';
import { makeNode, makePod, startFakeCluster, until } from './testing.js';

const nodeOf = (c: { pod(n: string): any }, name: string): string | undefined => c.pod(name)?.spec?.nodeName;

test('a pod is bound to a Ready node and a Scheduled event names the node', async (t) => {
  const c = await startFakeCluster(t);
  c.addNode(makeNode('node-1'));
  c.addPod(makePod('flask-app-abc12', { cpu: '100m', memory: '128Mi' }));
  await until(() => nodeOf(c, 'flask-app-abc12') === 'node-1', 'the pod is bound');
  await until(() => c.scheduler.metrics.scheduled === 1, 'the binding completed');
  await c.scheduler.stop();
  const events = await c.events('flask-app-abc12');
  assert.deepEqual(events.map((e) => [e.type, e.reason, e.message]), [['Normal', 'Scheduled', 'Successfully assigned default/flask-app-abc12 to node-1']]);
});

test('FailedScheduling counts the reasons of every node, sorted, as upstream words it', async (t) => {
  const c = await startFakeCluster(t);
  c.addNode(makeNode('control-plane', { cpu: '8', taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] }));
  c.addNode(makeNode('node-1', { cpu: '1' }));
  c.addNode(makeNode('node-2', { cpu: '1' }));
  await until(() => c.scheduler.cache.nodeCount === 3, 'the scheduler knows the nodes');
  c.addPod(makePod('big', { cpu: '2' }));
  const want = '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. '
    + 'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod..';
  await until(() => c.pod('big')?.status?.conditions?.some((x) => x.type === 'PodScheduled') === true, 'the condition is written');
  const cond = c.pod('big')!.status!.conditions!.find((x) => x.type === 'PodScheduled')!;
  assert.deepEqual([cond.status, cond.reason, cond.message], ['False', 'Unschedulable', want]);
  await c.scheduler.stop();
  const events = await c.events('big');
  assert.deepEqual(events.map((e) => [e.type, e.reason, e.message]), [['Warning', 'FailedScheduling', want]]);
  assert.equal(nodeOf(c, 'big'), undefined);
});

test('nodeSelector, taints with tolerations, and cordoned nodes decide where pods may go', async (t) => {
  const c = await startFakeCluster(t);
  c.addNode(makeNode('plain'));
  c.addNode(makeNode('ssd', { labels: { disk: 'ssd' } }));
  c.addNode(makeNode('gpu', { taints: [{ key: 'gpu', value: 'true', effect: 'NoSchedule' }] }));
  c.addNode(makeNode('cordoned', { unschedulable: true, labels: { disk: 'ssd', only: 'cordoned' } }));
  c.addNode(makeNode('not-ready', { ready: 'False', labels: { only: 'not-ready' } }));
  await until(() => c.scheduler.cache.nodeCount === 5, 'the scheduler knows the nodes');
  c.addPod(makePod('wants-ssd', { nodeSelector: { disk: 'ssd' } }));
  c.addPod(makePod('tolerates-gpu', {
    tolerations: [{ key: 'gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }],
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['gpu'] }] }] } } },
  }));
  c.addPod(makePod('wants-cordoned', { nodeSelector: { only: 'cordoned' } }));
  c.addPod(makePod('wants-not-ready', { nodeSelector: { only: 'not-ready' } }));
  await until(() => nodeOf(c, 'wants-ssd') !== undefined && nodeOf(c, 'tolerates-gpu') !== undefined, 'both pods are bound');
  assert.equal(nodeOf(c, 'wants-ssd'), 'ssd');
  assert.equal(nodeOf(c, 'tolerates-gpu'), 'gpu');
  const msg = (name: string) => c.pod(name)?.status?.conditions?.find((x) => x.type === 'PodScheduled')?.message;
  await until(() => msg('wants-cordoned') !== undefined && msg('wants-not-ready') !== undefined, 'both failures are reported');
  // Filters run in upstream's order and a node reports only its first rejection.
  const want = "0/5 nodes are available: 1 node(s) had untolerated taint {gpu: true}, 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, "
    + "1 node(s) were unschedulable, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/5 nodes are available: 5 Preemption is not helpful for scheduling..";
  assert.equal(msg('wants-cordoned'), want);
  assert.equal(msg('wants-not-ready'), want);
  assert.equal(nodeOf(c, 'wants-cordoned'), undefined);
});

test('replicas of one ReplicaSet spread over the nodes', async (t) => {
  const c = await startFakeCluster(t);
  // node-1 is much larger, so resource scoring alone would put every replica there.
  c.addNode(makeNode('node-1', { cpu: '64', memory: '256Gi' }));
  c.addNode(makeNode('node-2', { cpu: '4', memory: '8Gi' }));
  c.addNode(makeNode('node-3', { cpu: '4', memory: '8Gi' }));
  await until(() => c.scheduler.cache.nodeCount === 3, 'the scheduler knows the nodes');
  const owner = { kind: 'ReplicaSet', name: 'flask-app-6d4b', uid: 'rs-uid-1' };
  for (const p of ['flask-app-6d4b-a', 'flask-app-6d4b-b', 'flask-app-6d4b-c']) c.addPod(makePod(p, { cpu: '100m', owner }));
  await until(() => ['a', 'b', 'c'].every((s) => nodeOf(c, `flask-app-6d4b-${s}`)), 'all replicas are bound');
  const nodes = new Set(['a', 'b', 'c'].map((s) => nodeOf(c, `flask-app-6d4b-${s}`)));
  assert.equal(nodes.size, 3, `replicas landed on ${[...nodes].join(', ')}`);
});

test('a pod that fit nowhere is retried when a node is added', async (t) => {
  const c = await startFakeCluster(t);
  c.addPod(makePod('waiting', { cpu: '500m' }));
  await until(() => c.pod('waiting')?.status?.conditions?.some((x) => x.type === 'PodScheduled') === true, 'the failure is reported');
  const cond = c.pod('waiting')!.status!.conditions!.find((x) => x.type === 'PodScheduled')!;
  assert.equal(cond.message, 'no nodes available to schedule pods');
  assert.equal(c.scheduler.queue.stats.unschedulable, 1);
  c.addNode(makeNode('node-1'));
  await until(() => nodeOf(c, 'waiting') === 'node-1', 'the pod is bound to the new node');
});

test('an assumed pod takes its capacity before the API confirms the binding', async (t) => {
  // Hold every binding until released, so the second pod is scheduled while the first binding is in flight.
  let release!: () => void;
  const held = new Promise<void>((r) => { release = r; });
  const wrap = (h: ApiHandler): ApiHandler => async (req) => {
    if (req.method === 'POST' && req.path.endsWith('/binding')) await held;
    return h(req);
  };
  const c = await startFakeCluster(t, { wrapHandler: wrap });
  c.addNode(makeNode('node-1', { cpu: '1' }));
  c.addPod(makePod('first', { cpu: '600m', creationTimestamp: '2025-01-01T00:00:00Z' }));
  await until(() => c.scheduler.cache.isAssumed(c.pod('first')!.metadata!.uid!), 'the first pod is assumed');
  c.addPod(makePod('second', { cpu: '600m', creationTimestamp: '2025-01-01T00:00:01Z' }));
  await until(() => c.scheduler.metrics.unschedulable >= 1, 'the second pod was found not to fit');
  assert.equal(nodeOf(c, 'first'), undefined, 'the first binding is still held');
  release();
  await until(() => nodeOf(c, 'first') === 'node-1', 'the first pod is bound');
  await until(() => c.pod('second')?.status?.conditions?.some((x) => x.type === 'PodScheduled') === true, 'the failure is reported');
  assert.match(c.pod('second')!.status!.conditions!.find((x) => x.type === 'PodScheduled')!.message!, /^0\/1 nodes are available: 1 Insufficient cpu\./);
  assert.equal(nodeOf(c, 'second'), undefined);
});

test('pods for another scheduler, or already bound, are left alone', async (t) => {
  const c = await startFakeCluster(t);
  c.addNode(makeNode('node-1'));
  c.addPod(makePod('other', { schedulerName: 'my-scheduler' }));
  const bound = makePod('bound');
  bound.spec!.nodeName = 'node-9';
  c.addPod(bound);
  c.addPod(makePod('mine'));
  await until(() => nodeOf(c, 'mine') === 'node-1', 'our pod is bound');
  assert.equal(nodeOf(c, 'other'), undefined);
  assert.equal(nodeOf(c, 'bound'), 'node-9');
  assert.equal(c.api.requests.filter((r) => r.path.endsWith('/binding')).length, 1);
});

test('when a running pod is deleted, a pod waiting for its capacity is scheduled', async (t) => {
  const c = await startFakeCluster(t);
  c.addNode(makeNode('node-1', { cpu: '1' }));
  c.addPod(makePod('holder', { cpu: '800m' }));
  await until(() => nodeOf(c, 'holder') === 'node-1', 'the holder is bound');
  c.addPod(makePod('waiter', { cpu: '800m' }));
  await until(() => c.scheduler.queue.stats.unschedulable === 1, 'the waiter is unschedulable');
  c.api.remove('', 'pods', 'default', 'holder');
  await until(() => nodeOf(c, 'waiter') === 'node-1', 'the waiter is bound');
});

test('topologySpreadConstraints: pods created together spread over zones, and an unsatisfiable one is reported', async (t) => {
  const c = await startFakeCluster(t);
  const zone = 'topology.kubernetes.io/zone';
  for (const z of ['a', 'b', 'c']) c.addNode(makeNode(`node-${z}`, { labels: { [zone]: z } }));
  await until(() => c.scheduler.cache.nodeCount === 3, 'the scheduler knows the nodes');
  // Zone a already runs two matching pods.
  for (const n of ['old-1', 'old-2']) { const p = makePod(n); p.spec!.nodeName = 'node-a'; c.addPod(p); }
  await until(() => c.scheduler.cache.podCount === 2, 'the scheduler knows the running pods');
  const spreadPod = (name: string, minDomains?: number) => {
    const p = makePod(name);
    p.spec!.topologySpreadConstraints = [{ maxSkew: 1, topologyKey: zone, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } }, ...(minDomains ? { minDomains } : {}) }];
    return p;
  };
  const names = ['w-1', 'w-2', 'w-3', 'w-4'];
  for (const n of names) c.addPod(spreadPod(n));
  await until(() => names.every((n) => nodeOf(c, n)), 'all spread pods are bound');
  assert.deepEqual(names.map((n) => nodeOf(c, n)).sort(), ['node-b', 'node-b', 'node-c', 'node-c']);
  // 2/2/2 over 3 zones, but 4 domains required: the global minimum is 0 and every zone is at the limit.
  c.addPod(spreadPod('needs-4-zones', 4));
  const want = "0/3 nodes are available: 3 node(s) didn't match pod topology spread constraints. "
    + 'preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod..';
  await until(() => c.pod('needs-4-zones')?.status?.conditions?.some((x) => x.type === 'PodScheduled') === true, 'the failure is reported');
  assert.equal(c.pod('needs-4-zones')!.status!.conditions!.find((x) => x.type === 'PodScheduled')!.message, want);
  await c.scheduler.stop();
  const events = await c.events('needs-4-zones');
  assert.deepEqual(events.map((e) => [e.type, e.reason, e.message]), [['Warning', 'FailedScheduling', want]]);
});
