import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { resources } from '../../api/resources.js';
import { discardLog } from '../../client/log.js';
import { startReplicaSetController } from '../replicaset/index.js';
import { startDeploymentController } from './index.js';
import { apiPods, eventMessages, makePodsReady, newTestCluster, until, type TestCluster } from '../shared/testing.js';
import type { Deployment, Pod, ReplicaSet } from '../shared/types.js';

function start(t: TestContext): TestCluster {
  const c = newTestCluster();
  const common = { client: c.client, informers: c.informers, recorder: c.recorder, clock: c.clock, signal: c.signal, log: discardLog, workers: 2 };
  const done = [startReplicaSetController(common), startDeploymentController(common)];
  t.after(async () => { c.stop(); await Promise.all(done); });
  return c;
}

function deployment(name: string, replicas: number, image: string, spec: Partial<Deployment['spec']> = {}): Deployment {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image }] } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      revisionHistoryLimit: 10, progressDeadlineSeconds: 600,
      ...spec,
    },
  };
}

const getD = (c: TestCluster, name = 'web') => c.client.get<Deployment>(resources.deployments, 'default', name);
const listRS = async (c: TestCluster) => (await c.client.list<ReplicaSet>(resources.replicasets, { namespace: 'default' })).items
  .sort((a, b) => Number(a.metadata!.annotations?.['deployment.kubernetes.io/revision'] ?? 0) - Number(b.metadata!.annotations?.['deployment.kubernetes.io/revision'] ?? 0));
const rev = (o: { metadata?: { annotations?: Record<string, string> } }) => o.metadata?.annotations?.['deployment.kubernetes.io/revision'];
const cond = (d: Deployment, type: string) => d.status?.conditions?.find((x) => x.type === type);

/** What `kubectl rollout status` waits for. */
async function rolledOut(c: TestCluster, name = 'web'): Promise<boolean> {
  const d = await getD(c, name);
  const s = d.status ?? {};
  const r = d.spec!.replicas!;
  return (s.observedGeneration ?? 0) >= d.metadata!.generation! && (s.updatedReplicas ?? 0) === r && (s.replicas ?? 0) === r && (s.availableReplicas ?? 0) === r;
}

/** Runs the "kubelet" (pods become Running and Ready) until cond holds. */
const untilWithKubelet = (c: TestCluster, cond: () => Promise<boolean>, what: string) =>
  until(c, async () => { await makePodsReady(c); return cond(); }, what);

async function setImage(c: TestCluster, image: string, annotations?: Record<string, string>, name = 'web'): Promise<void> {
  const d = await getD(c, name);
  d.spec!.template.spec!.containers[0].image = image;
  if (annotations) d.metadata!.annotations = { ...d.metadata!.annotations, ...annotations };
  await c.client.update(resources.deployments, d);
}

const hashAlphabet = /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/;

test('a new Deployment gets a ReplicaSet <name>-<pod-template-hash> at revision 1, scaled up, and a complete status', async (t) => {
  const c = start(t);
  const d0 = await c.client.create<Deployment>(resources.deployments, 'default', deployment('web', 3, 'app:v1'));
  await untilWithKubelet(c, () => rolledOut(c), 'rolled out');
  const [rs] = await listRS(c);
  const hash = rs.metadata!.labels!['pod-template-hash'];
  assert.match(hash, hashAlphabet);
  assert.ok(hash.length >= 6, `hash ${hash} should be a full FNV-32 rendering`);
  assert.equal(rs.metadata!.name, `web-${hash}`);
  assert.deepEqual(rs.spec!.selector, { matchLabels: { app: 'web', 'pod-template-hash': hash } });
  assert.deepEqual(rs.spec!.template!.metadata!.labels, { app: 'web', 'pod-template-hash': hash });
  assert.deepEqual(rs.metadata!.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: d0.metadata!.uid, controller: true, blockOwnerDeletion: true }]);
  assert.deepEqual(rs.metadata!.annotations, {
    'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4',
  });
  assert.equal(rs.spec!.replicas, 3);
  for (const p of await apiPods(c)) assert.equal(p.metadata!.labels!['pod-template-hash'], hash);

  const d = await getD(c);
  assert.equal(rev(d), '1');
  assert.deepEqual({ ...d.status, conditions: undefined }, {
    observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 0, conditions: undefined,
  });
  const available = cond(d, 'Available')!;
  assert.equal(available.status, 'True');
  assert.equal(available.reason, 'MinimumReplicasAvailable');
  assert.equal(available.message, 'Deployment has minimum availability.');
  const progressing = cond(d, 'Progressing')!;
  assert.equal(progressing.status, 'True');
  assert.equal(progressing.reason, 'NewReplicaSetAvailable');
  assert.equal(progressing.message, `ReplicaSet "web-${hash}" has successfully progressed.`);
  assert.deepEqual(await eventMessages(c, 'ScalingReplicaSet'), [`Scaled up replica set web-${hash} from 0 to 3`]);
});

test('a template change rolls out a revision-2 ReplicaSet with maxSurge 1 / maxUnavailable 0 without losing ready replicas', async (t) => {
  const c = start(t);
  await c.client.create(resources.deployments, 'default', deployment('web', 3, 'app:v1', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }));
  await untilWithKubelet(c, () => rolledOut(c), 'v1 rolled out');

  // Invariants checked at every pod write the controllers make.
  const violations: string[] = [];
  const podsNow = async () => (await c.client.list<Pod>(resources.pods, { namespace: 'default' })).items;
  c.hooks.push(async (req) => {
    if (req.method === 'DELETE' && /\/pods\/[^/]+$/.test(req.path)) {
      const name = req.path.split('/').pop();
      const readyLeft = (await podsNow()).filter((p) => p.metadata!.name !== name && p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True')).length;
      if (readyLeft < 3) violations.push(`deleting ${name} would leave ${readyLeft} ready pods`);
    }
    if (req.method === 'POST' && req.path.endsWith('/pods')) {
      const n = (await podsNow()).length;
      if (n + 1 > 4) violations.push(`creating a pod would make ${n + 1} pods (max 4)`);
    }
  });
  const [oldRS] = await listRS(c);
  await setImage(c, 'app:v2', { 'kubernetes.io/change-cause': 'upgrade to v2' });
  await untilWithKubelet(c, async () => (await rolledOut(c)) && (await apiPods(c)).length === 3, 'v2 rolled out');
  assert.deepEqual(violations, []);

  const rss = await listRS(c);
  assert.equal(rss.length, 2);
  const [old, cur] = rss;
  assert.equal(old.metadata!.name, oldRS.metadata!.name);
  assert.equal(rev(old), '1');
  assert.equal(old.spec!.replicas, 0);
  assert.equal(rev(cur), '2');
  assert.equal(cur.spec!.replicas, 3);
  assert.equal(cur.metadata!.annotations!['kubernetes.io/change-cause'], 'upgrade to v2');
  assert.notEqual(cur.metadata!.name, old.metadata!.name);
  assert.equal(rev(await getD(c)), '2');
  for (const p of await apiPods(c)) assert.equal(p.spec!.containers[0].image, 'app:v2');
  const events = await eventMessages(c, 'ScalingReplicaSet');
  assert.ok(events.includes(`Scaled up replica set ${cur.metadata!.name} from 0 to 1`), events.join('\n'));
  assert.ok(events.includes(`Scaled down replica set ${old.metadata!.name} from 1 to 0`), events.join('\n'));
  const d = await getD(c);
  assert.equal(cond(d, 'Progressing')!.message, `ReplicaSet "${cur.metadata!.name}" has successfully progressed.`);
  assert.equal(d.status!.observedGeneration, 2);
});

test('rolling back to revision 1 (kubectl rollout undo) re-uses the first ReplicaSet under revision 3', async (t) => {
  const c = start(t);
  await c.client.create(resources.deployments, 'default', deployment('web', 2, 'app:v1'));
  await untilWithKubelet(c, () => rolledOut(c), 'v1');
  await setImage(c, 'app:v2');
  await untilWithKubelet(c, async () => (await rolledOut(c)) && (await apiPods(c)).length === 2, 'v2');
  const [first, second] = await listRS(c);

  // What kubectl rollout undo sends: the revision-1 template minus the hash label, and the current annotations.
  const d = await getD(c);
  const template = structuredClone(first.spec!.template!);
  delete template.metadata!.labels!['pod-template-hash'];
  d.spec!.template = template;
  await c.client.update(resources.deployments, d);
  await untilWithKubelet(c, async () => (await rolledOut(c)) && (await apiPods(c)).length === 2, 'undone');

  const rss = await listRS(c);
  assert.equal(rss.length, 2, 'no new ReplicaSet');
  const byName = new Map(rss.map((rs) => [rs.metadata!.name, rs]));
  const reused = byName.get(first.metadata!.name)!;
  assert.equal(rev(reused), '3');
  assert.equal(reused.metadata!.annotations!['deployment.kubernetes.io/revision-history'], '1');
  assert.equal(reused.spec!.replicas, 2);
  assert.equal(byName.get(second.metadata!.name)!.spec!.replicas, 0);
  assert.equal(rev(byName.get(second.metadata!.name)!), '2');
  assert.deepEqual(rss.map(rev).sort(), ['2', '3'], 'revision 1 is gone from the history');
  assert.equal(rev(await getD(c)), '3');
  for (const p of await apiPods(c)) assert.equal(p.spec!.containers[0].image, 'app:v1');
});

test('Recreate scales the old ReplicaSet to zero and waits for its pods to be gone before creating the new one', async (t) => {
  const c = start(t);
  await c.client.create(resources.deployments, 'default', deployment('web', 2, 'app:v1', { strategy: { type: 'Recreate' } }));
  await untilWithKubelet(c, () => rolledOut(c), 'v1');
  const [oldRS] = await listRS(c);
  const violations: string[] = [];
  c.hooks.push(async (req) => {
    if (req.method === 'POST' && req.path.endsWith('/replicasets')) {
      const left = (await c.client.list<Pod>(resources.pods, { namespace: 'default' })).items;
      if (left.length) violations.push(`new ReplicaSet created while ${left.length} old pods exist`);
    }
    if (req.method === 'POST' && req.path.endsWith('/pods')) {
      const old = (await c.client.list<Pod>(resources.pods, { namespace: 'default' })).items.filter((p) => p.spec!.containers[0].image === 'app:v1');
      if (old.length) violations.push('new pod created while old pods exist');
    }
  });
  await setImage(c, 'app:v2');
  await untilWithKubelet(c, async () => (await rolledOut(c)) && (await apiPods(c)).length === 2, 'v2');
  assert.deepEqual(violations, []);
  const rss = await listRS(c);
  assert.equal(rss.length, 2);
  assert.equal(rss[0].metadata!.name, oldRS.metadata!.name);
  assert.equal(rss[0].spec!.replicas, 0);
  assert.equal(rss[1].spec!.replicas, 2);
  assert.equal(rev(rss[1]), '2');
  const events = await eventMessages(c, 'ScalingReplicaSet');
  assert.ok(events.includes(`Scaled down replica set ${oldRS.metadata!.name} from 2 to 0`), events.join('\n'));
  assert.ok(events.includes(`Scaled up replica set ${rss[1].metadata!.name} from 0 to 2`), events.join('\n'));
});

test('a paused Deployment does not roll out a template change but still scales; resuming rolls out', async (t) => {
  const c = start(t);
  await c.client.create(resources.deployments, 'default', deployment('web', 2, 'app:v1'));
  await untilWithKubelet(c, () => rolledOut(c), 'v1');
  let d = await getD(c);
  d.spec!.paused = true;
  await c.client.update(resources.deployments, d);
  await until(c, async () => cond(await getD(c), 'Progressing')?.reason === 'DeploymentPaused', 'paused condition');
  const p = cond(await getD(c), 'Progressing')!;
  assert.equal(p.status, 'Unknown');
  assert.equal(p.message, 'Deployment is paused');

  await setImage(c, 'app:v2');
  d = await getD(c);
  d.spec!.replicas = 4;
  await c.client.update(resources.deployments, d);
  await untilWithKubelet(c, async () => (await apiPods(c)).length === 4 && (await getD(c)).status?.availableReplicas === 4, 'scaled while paused');
  let rss = await listRS(c);
  assert.equal(rss.length, 1, 'no new ReplicaSet while paused');
  assert.equal(rss[0].spec!.replicas, 4);
  assert.equal(rss[0].metadata!.annotations!['deployment.kubernetes.io/desired-replicas'], '4');
  for (const pod of await apiPods(c)) assert.equal(pod.spec!.containers[0].image, 'app:v1');

  d = await getD(c);
  d.spec!.paused = false;
  await c.client.update(resources.deployments, d);
  await untilWithKubelet(c, async () => (await rolledOut(c)) && (await apiPods(c)).length === 4, 'resumed rollout');
  rss = await listRS(c);
  assert.equal(rss.length, 2);
  assert.equal(rev(rss[1]), '2');
  for (const pod of await apiPods(c)) assert.equal(pod.spec!.containers[0].image, 'app:v2');
  assert.equal(cond(await getD(c), 'Progressing')!.reason, 'NewReplicaSetAvailable');
});

test('revisionHistoryLimit deletes the oldest scaled-down ReplicaSets', async (t) => {
  const c = start(t);
  await c.client.create(resources.deployments, 'default', deployment('web', 1, 'app:v1', { revisionHistoryLimit: 1 }));
  await untilWithKubelet(c, () => rolledOut(c), 'v1');
  for (const v of ['v2', 'v3', 'v4']) {
    await setImage(c, `app:${v}`);
    await untilWithKubelet(c, async () => (await rolledOut(c)) && (await apiPods(c)).length === 1, v);
  }
  await until(c, async () => (await listRS(c)).length === 2, 'history trimmed to 1 old ReplicaSet');
  assert.deepEqual((await listRS(c)).map(rev), ['3', '4']);
});

test('a rollout with no progress reports ProgressDeadlineExceeded after progressDeadlineSeconds, and MinimumReplicasUnavailable', async (t) => {
  const c = start(t);
  await c.client.create(resources.deployments, 'default', deployment('web', 2, 'app:v1', { progressDeadlineSeconds: 60 }));
  await until(c, async () => (await apiPods(c)).length === 2, 'pods created (never ready)');
  // NewReplicaSetCreated first, then ReplicaSetUpdated as the pods appear (updatedReplicas grows).
  await until(c, async () => (await getD(c)).status?.updatedReplicas === 2 && cond(await getD(c), 'Progressing')?.reason === 'ReplicaSetUpdated', 'progressing');
  let d = await getD(c);
  const [rs] = await listRS(c);
  assert.equal(cond(d, 'Progressing')!.status, 'True');
  assert.equal(cond(d, 'Progressing')!.message, `ReplicaSet "${rs.metadata!.name}" is progressing.`);
  assert.equal(cond(d, 'Available')!.status, 'False');
  assert.equal(cond(d, 'Available')!.reason, 'MinimumReplicasUnavailable');
  assert.equal(cond(d, 'Available')!.message, 'Deployment does not have minimum availability.');

  await c.clock.stepAsync(61_000);
  await until(c, async () => cond(await getD(c), 'Progressing')?.reason === 'ProgressDeadlineExceeded', 'timed out');
  d = await getD(c);
  assert.equal(cond(d, 'Progressing')!.status, 'False');
  assert.equal(cond(d, 'Progressing')!.message, `ReplicaSet "${rs.metadata!.name}" has timed out progressing.`);
  assert.equal(d.status!.unavailableReplicas, 2);
});

test('a Deployment adopts a matching orphan ReplicaSet with the same template instead of creating one', async (t) => {
  const c = start(t);
  const tmpl = deployment('web', 2, 'app:v1').spec!.template;
  c.fake.put('apps', 'replicasets', {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: { name: 'web-legacy', namespace: 'default', labels: { app: 'web' }, generation: 1 },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: tmpl },
  });
  const d = await c.client.create<Deployment>(resources.deployments, 'default', deployment('web', 2, 'app:v1'));
  await untilWithKubelet(c, () => rolledOut(c), 'rolled out on the adopted ReplicaSet');
  const rss = await listRS(c);
  assert.equal(rss.length, 1);
  assert.equal(rss[0].metadata!.name, 'web-legacy');
  assert.equal(getControllerUid(rss[0]), d.metadata!.uid);
  assert.equal(rev(rss[0]), '1');
});

test('scaling in the middle of a rollout adds replicas to old and new ReplicaSets in proportion', async (t) => {
  const c = start(t);
  await c.client.create(resources.deployments, 'default', deployment('web', 10, 'app:v1', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } }));
  await untilWithKubelet(c, () => rolledOut(c), 'v1');
  // From here on no pod becomes ready: the rollout stalls at old 8 (10 - maxUnavailable) + new 5 (13 - 8).
  await setImage(c, 'app:v2');
  await until(c, async () => (await listRS(c)).map((rs) => rs.spec!.replicas).join() === '8,5', 'stalled rollout');
  const d = await getD(c);
  d.spec!.replicas = 15;
  await c.client.update(resources.deployments, d);
  // Upstream's documented example: 18 allowed, 5 to add; old round(8*18/13) - 8 = 3, new round(5*18/13) - 5 = 2.
  await until(c, async () => (await listRS(c)).map((rs) => rs.spec!.replicas).join() === '11,7', 'proportionally scaled');
  const [old, cur] = await listRS(c);
  assert.equal(old.metadata!.annotations!['deployment.kubernetes.io/desired-replicas'], '15');
  assert.equal(cur.metadata!.annotations!['deployment.kubernetes.io/max-replicas'], '18');
  const events = await eventMessages(c, 'ScalingReplicaSet');
  assert.ok(events.includes(`Scaled up replica set ${old.metadata!.name} from 8 to 11`), events.join('\n'));
  assert.ok(events.includes(`Scaled up replica set ${cur.metadata!.name} from 5 to 7`), events.join('\n'));
});

const getControllerUid = (o: ReplicaSet) => o.metadata?.ownerReferences?.find((r) => r.controller)?.uid;
