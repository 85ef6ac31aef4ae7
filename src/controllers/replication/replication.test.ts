import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { resources } from '../../api/resources.js';
import type { KubeObject } from '../../api/object.js';
import { discardLog } from '../../client/log.js';
import { startReplicationManager } from './index.js';
import { apiPods, eventMessages, makePodsReady, newTestCluster, until, type TestCluster } from '../shared/testing.js';

function start(t: TestContext): TestCluster {
  const c = newTestCluster();
  const done = startReplicationManager({ client: c.client, informers: c.informers, recorder: c.recorder, clock: c.clock, signal: c.signal, log: discardLog, workers: 2 });
  t.after(async () => { c.stop(); await done; });
  return c;
}

const rc = (replicas: number): KubeObject => ({
  apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'web', namespace: 'default' },
  spec: { replicas, selector: { app: 'web' }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
});
const getRC = (c: TestCluster) => c.client.get<KubeObject>(resources.replicationcontrollers, 'default', 'web');

test('a ReplicationController keeps its replicas as pods it owns, scales both ways and reports its status', async (t) => {
  const c = start(t);
  const created = await c.client.create<KubeObject>(resources.replicationcontrollers, 'default', rc(2));
  await until(c, async () => (await apiPods(c)).length === 2, '2 pods');
  for (const p of await apiPods(c)) {
    assert.match(p.metadata!.name!, /^web-/);
    assert.deepEqual(p.metadata!.ownerReferences, [{ apiVersion: 'v1', kind: 'ReplicationController', name: 'web', uid: created.metadata.uid, controller: true, blockOwnerDeletion: true }]);
  }
  await makePodsReady(c);
  await until(c, async () => (await getRC(c)).status?.readyReplicas === 2, 'readyReplicas 2');
  const st = (await getRC(c)).status;
  assert.deepEqual({ ...st, observedGeneration: st.observedGeneration }, { replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 2, observedGeneration: 1 });
  assert.equal((await eventMessages(c, 'SuccessfulCreate')).length, 2);

  await c.client.patch(resources.replicationcontrollers, 'default', 'web', 'merge', { spec: { replicas: 1 } });
  await until(c, async () => (await apiPods(c)).length === 1 && (await getRC(c)).status?.replicas === 1, 'scaled down to 1');
  await c.client.patch(resources.replicationcontrollers, 'default', 'web', 'merge', { spec: { replicas: 3 } });
  await until(c, async () => (await apiPods(c)).length === 3, 'scaled up to 3');
});

test('a ReplicationController adopts a matching orphan pod instead of creating one', async (t) => {
  const c = start(t);
  await c.client.create(resources.pods, 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'orphan', namespace: 'default', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
  await c.client.create(resources.replicationcontrollers, 'default', rc(1));
  await until(c, async () => (await apiPods(c))[0]?.metadata?.ownerReferences?.[0]?.kind === 'ReplicationController', 'adopted');
  await c.clock.stepAsync(1000);
  assert.deepEqual((await apiPods(c)).map((p) => p.metadata!.name), ['orphan']);
});
