import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { resources } from '../../api/resources.js';
import type { KubeObject } from '../../api/object.js';
import { discardLog } from '../../client/log.js';
import { startStatefulSetController } from './index.js';
import { apiPods, makePodsReady, newTestCluster, until, type TestCluster } from '../shared/testing.js';

function start(t: TestContext): TestCluster {
  const c = newTestCluster();
  const done = startStatefulSetController({ client: c.client, informers: c.informers, recorder: c.recorder, clock: c.clock, signal: c.signal, log: discardLog, workers: 2 });
  t.after(async () => { c.stop(); await done; });
  return c;
}

const sts = (replicas: number, spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'default' },
  spec: {
    replicas, serviceName: 'nginx', podManagementPolicy: 'OrderedReady', revisionHistoryLimit: 10,
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
    persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1' }] } },
    ...spec,
  },
});
const names = async (c: TestCluster) => (await apiPods(c)).map((p) => p.metadata!.name!).sort();
const getSet = (c: TestCluster) => c.client.get<KubeObject>(resources.statefulsets, 'default', 'web');
/** Plays the kubelet for one pod at a time, and checks after each step which pods exist. */
async function readyOneByOne(c: TestCluster, expected: string[][]): Promise<void> {
  for (const want of expected) {
    await until(c, async () => (await names(c)).join() === want.join(), `pods ${want.join()}`);
    await c.clock.stepAsync(50);
    assert.deepEqual(await names(c), want, 'no pod runs ahead of its predecessor becoming ready');
    await makePodsReady(c);
  }
}

test('OrderedReady creates web-0, then web-1 once web-0 is ready, with stable identities and claims', async (t) => {
  const c = start(t);
  await c.client.create(resources.statefulsets, 'default', sts(2, {
    volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
  }));
  await readyOneByOne(c, [['web-0'], ['web-0', 'web-1']]);
  const [p0] = await apiPods(c);
  assert.equal(p0.spec!.hostname, 'web-0');
  assert.equal(p0.spec!.subdomain, 'nginx');
  assert.equal(p0.metadata!.labels!['statefulset.kubernetes.io/pod-name'], 'web-0');
  assert.equal(p0.metadata!.labels!['apps.kubernetes.io/pod-index'], '0');
  assert.deepEqual(p0.spec!.volumes, [{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-0' } }]);
  const claims = (await c.client.list(resources.persistentvolumeclaims, { namespace: 'default' })).items.map((x) => x.metadata.name).sort();
  assert.deepEqual(claims, ['www-web-0', 'www-web-1']);
  await until(c, async () => (await getSet(c)).status?.readyReplicas === 2, 'status ready 2');
  const st = (await getSet(c)).status;
  assert.equal(st.replicas, 2);
  assert.equal(st.currentReplicas, 2);
  assert.equal(st.updatedReplicas, 2);
  assert.equal(st.currentRevision, st.updateRevision);
  assert.equal(p0.metadata!.labels!['controller-revision-hash'], st.updateRevision);
  const revs = (await c.client.list(resources.controllerrevisions, { namespace: 'default' })).items;
  assert.deepEqual(revs.map((r) => [r.metadata.name, r.revision]), [[st.updateRevision, 1]]);
});

test('scaling down removes the highest ordinal first, one at a time', async (t) => {
  const c = start(t);
  await c.client.create(resources.statefulsets, 'default', sts(3));
  await readyOneByOne(c, [['web-0'], ['web-0', 'web-1'], ['web-0', 'web-1', 'web-2']]);
  await c.client.patch(resources.statefulsets, 'default', 'web', 'merge', { spec: { replicas: 1 } });
  const deletes: string[] = [];
  c.hooks.push((req) => { if (req.method === 'DELETE' && req.path.includes('/pods/')) deletes.push(req.path.split('/').pop()!); });
  await until(c, async () => (await names(c)).join() === 'web-0', 'scaled down to web-0');
  assert.deepEqual([...new Set(deletes)], ['web-2', 'web-1']);
});

test('Parallel creates every pod at once; a RollingUpdate replaces pods from the highest ordinal down to the partition', async (t) => {
  const c = start(t);
  await c.client.create(resources.statefulsets, 'default', sts(3, { podManagementPolicy: 'Parallel', updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } }));
  await until(c, async () => (await names(c)).length === 3, '3 pods at once');
  await makePodsReady(c);
  await until(c, async () => (await getSet(c)).status?.readyReplicas === 3, 'ready');
  const first = (await getSet(c)).status.updateRevision;
  await c.client.patch(resources.statefulsets, 'default', 'web', 'merge', { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:2' }] } } } });
  for (let i = 0; i < 30; i++) { await makePodsReady(c); await c.clock.stepAsync(20); }
  await until(c, async () => (await getSet(c)).status?.updatedReplicas === 2, 'two updated');
  const images = Object.fromEntries((await apiPods(c)).map((p) => [p.metadata!.name, p.spec!.containers[0].image]));
  assert.deepEqual(images, { 'web-0': 'nginx:1', 'web-1': 'nginx:2', 'web-2': 'nginx:2' });
  const st = (await getSet(c)).status;
  assert.notEqual(st.updateRevision, first);
  assert.equal(st.currentRevision, first, 'the partition keeps the set at its current revision');
});

test('whenScaled: Delete hands a condemned pod\'s claim to the pod; whenDeleted: Delete gives claims the set as owner', async (t) => {
  const c = start(t);
  const created = await c.client.create<KubeObject>(resources.statefulsets, 'default', sts(2, {
    persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' },
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
  }));
  await readyOneByOne(c, [['web-0'], ['web-0', 'web-1']]);
  const owners = async (name: string) => (await c.client.get<KubeObject>(resources.persistentvolumeclaims, 'default', name)).metadata.ownerReferences?.map((r) => `${r.kind}/${r.name}`);
  assert.deepEqual(await owners('data-web-1'), ['StatefulSet/web']);
  assert.equal((await c.client.get<KubeObject>(resources.persistentvolumeclaims, 'default', 'data-web-0')).metadata.ownerReferences?.[0].uid, created.metadata.uid);
  const web1 = (await apiPods(c)).find((p) => p.metadata!.name === 'web-1')!;
  await c.client.patch(resources.statefulsets, 'default', 'web', 'merge', { spec: { replicas: 1 } });
  await until(c, async () => (await names(c)).join() === 'web-0', 'web-1 removed');
  assert.deepEqual(await owners('data-web-1'), ['Pod/web-1']);
  assert.equal((await c.client.get<KubeObject>(resources.persistentvolumeclaims, 'default', 'data-web-1')).metadata.ownerReferences?.[0].uid, web1.metadata!.uid);
  assert.deepEqual(await owners('data-web-0'), ['StatefulSet/web']);
});

test('a changed retention policy updates existing claims\' owners, and a Pending pod gets a deleted claim back', async (t) => {
  const c = start(t);
  await c.client.create(resources.statefulsets, 'default', sts(1, {
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
  }));
  await until(c, async () => (await names(c)).join() === 'web-0', 'web-0');
  const claim = () => c.client.get<KubeObject>(resources.persistentvolumeclaims, 'default', 'data-web-0');
  assert.equal((await claim()).metadata.ownerReferences, undefined, 'Retain: no owner');
  await c.client.delete(resources.persistentvolumeclaims, 'default', 'data-web-0');
  await until(c, async () => { try { return !!(await claim()); } catch { return false; } }, 'the claim of the pending pod is created again');
  await c.client.patch(resources.statefulsets, 'default', 'web', 'merge', { spec: { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' } } });
  await until(c, async () => (await claim()).metadata.ownerReferences?.[0]?.kind === 'StatefulSet', 'whenDeleted: Delete makes the set the claim\'s owner');
});
