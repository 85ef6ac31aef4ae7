import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { resources } from '../../api/resources.js';
import type { KubeObject } from '../../api/object.js';
import { discardLog } from '../../client/log.js';
import { startDaemonSetController } from './index.js';
import { nodeShouldRunDaemonPod, targetNodeName } from './daemon-pod.js';
import { apiPods, makePodsReady, newTestCluster, until, type TestCluster } from '../shared/testing.js';
import type { Pod } from '../shared/types.js';

function start(t: TestContext): TestCluster {
  const c = newTestCluster();
  const done = startDaemonSetController({ client: c.client, informers: c.informers, recorder: c.recorder, clock: c.clock, signal: c.signal, log: discardLog, workers: 1 });
  t.after(async () => { c.stop(); await done; });
  return c;
}

const node = (name: string, extra: Record<string, any> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(extra.labels ?? {}) } }, spec: extra.spec ?? {} });
const ds = (spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'default', annotations: { 'deprecated.daemonset.template.generation': '1' } },
  spec: {
    selector: { matchLabels: { app: 'agent' } }, revisionHistoryLimit: 10,
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
    template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'agent:1' }] } },
    ...spec,
  },
});
/** The scheduler's part: binds each daemon pod to the node its affinity names. */
async function bindAndReady(c: TestCluster): Promise<void> {
  const pods = (await apiPods(c)).filter((p) => !p.metadata?.deletionTimestamp);
  for (const p of pods) if (!p.spec?.nodeName) p.spec!.nodeName = targetNodeName(p);
  await makePodsReady(c, pods);
}
const podNodes = async (c: TestCluster) => (await apiPods(c)).map((p) => targetNodeName(p)).sort();
const getDS = (c: TestCluster) => c.client.get<KubeObject>(resources.daemonsets, 'default', 'agent');

test('a DaemonSet runs one pod per node, pinned by node affinity with the daemon tolerations, and follows a new node', async (t) => {
  const c = start(t);
  for (const n of ['node-a', 'node-b']) await c.client.create(resources.nodes, undefined, node(n));
  await c.client.create(resources.daemonsets, 'default', ds());
  await until(c, async () => (await podNodes(c)).join() === 'node-a,node-b', 'one pod per node');
  const [p] = await apiPods(c);
  assert.deepEqual(p.spec!.affinity, { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [targetNodeName(p)] }] }] } } });
  assert.deepEqual(p.spec!.tolerations!.map((x) => `${x.key}:${x.effect}`), ['node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/unreachable:NoExecute',
    'node.kubernetes.io/disk-pressure:NoSchedule', 'node.kubernetes.io/memory-pressure:NoSchedule', 'node.kubernetes.io/pid-pressure:NoSchedule', 'node.kubernetes.io/unschedulable:NoSchedule']);
  assert.equal(p.metadata!.labels!['pod-template-generation'], '1');
  await bindAndReady(c);
  await until(c, async () => (await getDS(c)).status?.numberReady === 2, 'numberReady 2');
  assert.deepEqual((await getDS(c)).status, { currentNumberScheduled: 2, numberMisscheduled: 0, desiredNumberScheduled: 2, numberReady: 2, observedGeneration: 1, updatedNumberScheduled: 2, numberAvailable: 2 });

  await c.client.create(resources.nodes, undefined, node('node-c'));
  await until(c, async () => (await podNodes(c)).join() === 'node-a,node-b,node-c', 'a pod on the new node');
  await c.client.delete(resources.nodes, undefined, 'node-a');
  await until(c, async () => (await podNodes(c)).join() === 'node-b,node-c', 'the pod of the removed node deleted');
});

test('nodeSelector and untolerated taints keep pods off a node', async (t) => {
  const d = ds({ template: { metadata: { labels: { app: 'agent' } }, spec: { nodeSelector: { disk: 'ssd' }, containers: [{ name: 'a', image: 'agent:1' }] } } });
  assert.deepEqual(nodeShouldRunDaemonPod(d, node('n', { labels: { disk: 'hdd' } })), { shouldRun: false, shouldContinueRunning: false });
  assert.deepEqual(nodeShouldRunDaemonPod(d, node('n', { labels: { disk: 'ssd' } })), { shouldRun: true, shouldContinueRunning: true });
  const tainted = node('n', { labels: { disk: 'ssd' }, spec: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] } });
  assert.deepEqual(nodeShouldRunDaemonPod(d, tainted), { shouldRun: false, shouldContinueRunning: true });
  const unschedulable = node('n', { labels: { disk: 'ssd' }, spec: { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] } });
  assert.equal(nodeShouldRunDaemonPod(d, unschedulable).shouldRun, true, 'daemon pods tolerate cordoned nodes');
  const c = start(t);
  await c.client.create(resources.nodes, undefined, node('ssd-1', { labels: { disk: 'ssd' } }));
  await c.client.create(resources.nodes, undefined, node('hdd-1', { labels: { disk: 'hdd' } }));
  await c.client.create(resources.daemonsets, 'default', d);
  await until(c, async () => (await podNodes(c)).join() === 'ssd-1', 'only on the ssd node');
});

test('a RollingUpdate replaces one node\'s pod at a time (maxUnavailable 1); maxSurge starts the new pod first', async (t) => {
  const c = start(t);
  for (const n of ['node-a', 'node-b']) await c.client.create(resources.nodes, undefined, node(n));
  await c.client.create(resources.daemonsets, 'default', ds());
  await until(c, async () => (await apiPods(c)).length === 2, 'two pods');
  await bindAndReady(c);
  await until(c, async () => (await getDS(c)).status?.numberAvailable === 2, 'available');
  const image = (p: Pod) => p.spec!.containers[0].image;
  await c.client.patch(resources.daemonsets, 'default', 'agent', 'merge', { spec: { template: { spec: { containers: [{ name: 'a', image: 'agent:2' }] } } } });
  let maxLive = 0;
  await until(c, async () => {
    const live = (await apiPods(c)).filter((p) => !p.metadata?.deletionTimestamp);
    maxLive = Math.max(maxLive, live.length);
    assert.ok(live.length >= 1, 'never more than one node without its pod');
    await bindAndReady(c);
    return live.length === 2 && live.every((p) => image(p) === 'agent:2');
  }, 'all pods updated');
  assert.equal(maxLive, 2);
  await c.client.patch(resources.daemonsets, 'default', 'agent', 'merge', { spec: { updateStrategy: { rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
    template: { spec: { containers: [{ name: 'a', image: 'agent:3' }] } } } });
  let surged = false;
  await until(c, async () => {
    const live = (await apiPods(c)).filter((p) => !p.metadata?.deletionTimestamp);
    if (live.length === 3) surged = true;
    await bindAndReady(c);
    return live.length === 2 && live.every((p) => image(p) === 'agent:3');
  }, 'all pods updated by surge');
  assert.ok(surged, 'the new pod ran beside the old one');
  const revs = (await c.client.list(resources.controllerrevisions, { namespace: 'default' })).items.map((r) => r.revision).sort();
  assert.deepEqual(revs, [1, 2, 3]);
});
