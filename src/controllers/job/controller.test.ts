import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { resources } from '../../api/resources.js';
import { discardLog } from '../../client/log.js';
import { startJobController, type JobControllerOptions } from './index.js';
import { startTTLAfterFinishedController } from '../ttlafterfinished/index.js';
import { apiPods, eventMessages, makePodsReady, newTestCluster, until, type TestCluster } from '../shared/testing.js';
import type { Pod } from '../shared/types.js';
import type { KubeObject } from '../../api/object.js';
import { rfc3339 } from '../shared/time.js';

function start(t: TestContext, opts: Partial<JobControllerOptions> = {}): TestCluster {
  const c = newTestCluster();
  const done = startJobController({
    client: c.client, informers: c.informers, recorder: c.recorder, clock: c.clock, signal: c.signal, log: discardLog, workers: 2,
    podFailureBackoffMs: 0, syncJobBatchPeriodMs: 0, ...opts,
  });
  t.after(async () => { c.stop(); await done; });
  return c;
}

let uidSeq = 0;
/** A Job as the apiserver stores it after defaulting and selector generation. */
function job(name: string, spec: Record<string, unknown> = {}): KubeObject {
  const uid = `job-uid-${++uidSeq}`;
  const labels = { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': name, 'controller-uid': uid, 'job-name': name };
  return {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: { name, namespace: 'default', uid, labels },
    spec: {
      completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false, podReplacementPolicy: 'TerminatingOrFailed',
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } },
      template: { metadata: { labels }, spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } },
      ...spec,
    },
  };
}

async function createJob(c: TestCluster, j: KubeObject): Promise<KubeObject> {
  // Stored as is: the selector was generated from this uid, as the apiserver does.
  return c.fake.put('batch', 'jobs', { ...j, metadata: { ...j.metadata, generation: 1, creationTimestamp: rfc3339(c.clock.now()) }, status: {} } as any) as KubeObject;
}
const getJob = (c: TestCluster, name: string) => c.client.get(resources.jobs, 'default', name);
const condition = (j: KubeObject, type: string) => (j.status?.conditions ?? []).find((x: any) => x.type === type && x.status === 'True');

/** The kubelet's part: the pod's containers ran and exited with this code. */
function finishPod(c: TestCluster, p: Pod, exitCode = 0): void {
  c.fake.put('', 'pods', {
    ...p,
    spec: { ...p.spec!, nodeName: 'node-1' },
    status: {
      phase: exitCode === 0 ? 'Succeeded' : 'Failed',
      containerStatuses: [{ name: 'main', image: 'busybox', imageID: '', ready: false, restartCount: 0,
        state: { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', finishedAt: rfc3339(c.clock.now()) } } }],
    },
  } as any);
}
const activePods = async (c: TestCluster) => (await apiPods(c)).filter((p) => !p.status?.phase || p.status.phase === 'Running' || p.status.phase === 'Pending');

test('a Job with completions 3 and parallelism 2 runs two pods at a time, counts each success once and completes', async (t) => {
  const c = start(t);
  const j = await createJob(c, job('work', { completions: 3, parallelism: 2 }));
  await until(c, async () => (await apiPods(c)).length === 2, '2 pods');
  for (const p of await apiPods(c)) {
    assert.match(p.metadata!.name!, /^work-/);
    assert.deepEqual(p.metadata!.finalizers, ['batch.kubernetes.io/job-tracking']);
    assert.deepEqual(p.metadata!.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'Job', name: 'work', uid: j.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    assert.equal(p.metadata!.labels!['job-name'], 'work');
  }
  await makePodsReady(c);
  await until(c, async () => (await getJob(c, 'work')).status?.ready === 2, 'ready 2');
  let st = (await getJob(c, 'work')).status;
  assert.equal(st.active, 2);
  assert.ok(st.startTime);
  assert.deepEqual(st.uncountedTerminatedPods, {});

  finishPod(c, (await apiPods(c))[0]);
  await until(c, async () => (await apiPods(c)).length === 3, 'a third pod replaces the finished one');
  await until(c, async () => (await getJob(c, 'work')).status?.succeeded === 1, 'succeeded 1');
  // The finished pod stays (until the Job goes) but no longer holds the tracking finalizer.
  const done = (await apiPods(c)).find((p) => p.status?.phase === 'Succeeded')!;
  assert.equal(done.metadata!.finalizers, undefined);

  for (const p of await activePods(c)) finishPod(c, p);
  await until(c, async () => !!condition(await getJob(c, 'work'), 'Complete'), 'Complete');
  st = (await getJob(c, 'work')).status;
  assert.equal(st.succeeded, 3);
  assert.equal(st.failed, undefined);
  assert.equal(st.active, undefined);
  assert.ok(st.completionTime);
  assert.deepEqual(st.conditions.map((x: any) => [x.type, x.status, x.reason]), [
    ['SuccessCriteriaMet', 'True', 'CompletionsReached'], ['Complete', 'True', 'CompletionsReached']]);
  assert.equal((await apiPods(c)).length, 3, 'no pod beyond completions');
  assert.deepEqual(await eventMessages(c, 'Completed'), ['Job completed']);
  assert.equal((await eventMessages(c, 'SuccessfulCreate')).length, 3);
});

test('a Job whose pods keep failing stops at backoffLimit with FailureTarget, then Failed (BackoffLimitExceeded)', async (t) => {
  const c = start(t);
  await createJob(c, job('flaky', { backoffLimit: 2 }));
  for (let i = 1; i <= 3; i++) {
    await until(c, async () => (await activePods(c)).length === 1, `pod ${i}`);
    finishPod(c, (await activePods(c))[0], 1);
    await until(c, async () => ((await getJob(c, 'flaky')).status?.failed ?? 0) === i, `failed ${i}`);
  }
  await until(c, async () => !!condition(await getJob(c, 'flaky'), 'Failed'), 'Failed');
  const st = (await getJob(c, 'flaky')).status;
  assert.deepEqual(st.conditions.map((x: any) => [x.type, x.reason, x.message]), [
    ['FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
    ['Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit']]);
  assert.equal((await apiPods(c)).length, 3, 'no pod after the limit');
  assert.equal(st.completionTime, undefined);
  assert.deepEqual(await eventMessages(c, 'BackoffLimitExceeded'), ['Job has reached the specified backoff limit']);
});

test('replacements of failed pods wait an exponential backoff', async (t) => {
  const c = start(t, { podFailureBackoffMs: 10_000 });
  await createJob(c, job('slow'));
  await until(c, async () => (await activePods(c)).length === 1, 'pod');
  finishPod(c, (await activePods(c))[0], 1);
  await until(c, async () => (await getJob(c, 'slow')).status?.failed === 1, 'failed 1');
  await c.clock.stepAsync(5_000);
  assert.equal((await activePods(c)).length, 0, 'no replacement within the backoff');
  await until(c, async () => (await activePods(c)).length === 1, 'replacement after the backoff', 500);
});

test('an Indexed Job gives each pod its index (annotation, label, env, hostname) and reports completedIndexes', async (t) => {
  const c = start(t);
  await createJob(c, job('idx', { completionMode: 'Indexed', completions: 3, parallelism: 3 }));
  await until(c, async () => (await apiPods(c)).length === 3, '3 pods');
  const pods = await apiPods(c);
  const indexes = pods.map((p) => p.metadata!.annotations!['batch.kubernetes.io/job-completion-index']).sort();
  assert.deepEqual(indexes, ['0', '1', '2']);
  for (const p of pods) {
    const i = p.metadata!.annotations!['batch.kubernetes.io/job-completion-index'];
    assert.equal(p.metadata!.labels!['batch.kubernetes.io/job-completion-index'], i);
    assert.match(p.metadata!.name!, new RegExp(`^idx-${i}-`));
    assert.equal(p.spec!.hostname, `idx-${i}`);
    assert.deepEqual(p.spec!.containers[0].env, [{ name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } }]);
  }
  const byIndex = (i: string) => pods.find((p) => p.metadata!.annotations!['batch.kubernetes.io/job-completion-index'] === i)!;
  finishPod(c, byIndex('1'));
  finishPod(c, byIndex('2'));
  await until(c, async () => (await getJob(c, 'idx')).status?.completedIndexes === '1-2', 'completedIndexes 1-2');
  assert.equal((await getJob(c, 'idx')).status.succeeded, 2);
  // A failed index gets a new pod with the same index.
  finishPod(c, byIndex('0'), 3);
  await until(c, async () => (await activePods(c)).length === 1, 'replacement for index 0');
  assert.equal((await activePods(c))[0].metadata!.annotations!['batch.kubernetes.io/job-completion-index'], '0');
  finishPod(c, (await activePods(c))[0]);
  await until(c, async () => !!condition(await getJob(c, 'idx'), 'Complete'), 'Complete');
  assert.equal((await getJob(c, 'idx')).status.completedIndexes, '0-2');
});

test('backoffLimitPerIndex fails an index after its own retries, and the Job fails with FailedIndexes', async (t) => {
  const c = start(t);
  await createJob(c, job('per', { completionMode: 'Indexed', completions: 2, parallelism: 2, backoffLimit: 2147483647, backoffLimitPerIndex: 1, podReplacementPolicy: 'Failed' }));
  await until(c, async () => (await activePods(c)).length === 2, '2 pods');
  const index = (p: Pod) => p.metadata!.annotations!['batch.kubernetes.io/job-completion-index'];
  finishPod(c, (await activePods(c)).find((p) => index(p) === '1')!);
  for (let round = 0; round < 2; round++) {
    await until(c, async () => (await activePods(c)).some((p) => index(p) === '0' && p.metadata!.annotations!['batch.kubernetes.io/job-index-failure-count'] === String(round)), `index 0 attempt ${round}`);
    finishPod(c, (await activePods(c)).find((p) => index(p) === '0')!, 1);
    await until(c, async () => ((await getJob(c, 'per')).status?.failed ?? 0) === round + 1, `failed ${round + 1}`);
  }
  await until(c, async () => !!condition(await getJob(c, 'per'), 'Failed'), 'Failed');
  const st = (await getJob(c, 'per')).status;
  assert.equal(st.failedIndexes, '0');
  assert.equal(st.completedIndexes, '1');
  assert.equal(condition({ metadata: {}, status: st } as KubeObject, 'Failed').reason, 'FailedIndexes');
});

test('podFailurePolicy: FailJob on a matching exit code fails the Job at once; Ignore does not count the failure', async (t) => {
  const c = start(t);
  const policy = { rules: [
    { action: 'Ignore', onExitCodes: { operator: 'In', values: [137] } },
    { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
  ] };
  await createJob(c, job('pfp', { backoffLimit: 6, podFailurePolicy: policy, podReplacementPolicy: 'Failed' }));
  await until(c, async () => (await activePods(c)).length === 1, 'pod');
  finishPod(c, (await activePods(c))[0], 137);
  await until(c, async () => (await activePods(c)).length === 1, 'replacement after an ignored failure');
  assert.equal((await getJob(c, 'pfp')).status.failed, undefined);
  const p = (await activePods(c))[0];
  finishPod(c, p, 42);
  await until(c, async () => !!condition(await getJob(c, 'pfp'), 'Failed'), 'Failed');
  const failed = condition(await getJob(c, 'pfp'), 'Failed');
  assert.equal(failed.reason, 'PodFailurePolicy');
  assert.equal(failed.message, `Container main for pod default/${p.metadata!.name} failed with exit code 42 matching FailJob rule at index 1`);
  assert.equal((await getJob(c, 'pfp')).status.failed, 1);
});

test('activeDeadlineSeconds fails a running Job with DeadlineExceeded and deletes its pods', async (t) => {
  const c = start(t);
  await createJob(c, job('dl', { activeDeadlineSeconds: 30 }));
  await until(c, async () => (await apiPods(c)).length === 1, 'pod');
  await c.clock.stepAsync(31_000);
  await until(c, async () => !!condition(await getJob(c, 'dl'), 'Failed'), 'Failed');
  assert.equal(condition(await getJob(c, 'dl'), 'Failed').reason, 'DeadlineExceeded');
  assert.equal((await apiPods(c)).length, 0);
  assert.deepEqual(await eventMessages(c, 'DeadlineExceeded'), ['Job was active longer than specified deadline']);
});

test('a suspended Job runs no pods and says Suspended; resuming starts them and resets startTime', async (t) => {
  const c = start(t);
  await createJob(c, job('sus', { suspend: true, parallelism: 2, completions: 2 }));
  await until(c, async () => !!condition(await getJob(c, 'sus'), 'Suspended'), 'Suspended');
  assert.equal((await apiPods(c)).length, 0);
  assert.equal((await getJob(c, 'sus')).status.startTime, undefined);
  const cur = await getJob(c, 'sus');
  await c.client.update(resources.jobs, { ...cur, spec: { ...cur.spec, suspend: false } });
  await until(c, async () => (await apiPods(c)).length === 2, '2 pods after resume');
  await until(c, async () => !!(await getJob(c, 'sus')).status?.startTime, 'startTime');
  const resumed = (await getJob(c, 'sus')).status.conditions.find((x: any) => x.type === 'Suspended');
  assert.deepEqual([resumed.status, resumed.reason, resumed.message], ['False', 'JobResumed', 'Job resumed']);
  // Suspending again deletes the running pods.
  const again = await getJob(c, 'sus');
  await c.client.update(resources.jobs, { ...again, spec: { ...again.spec, suspend: true } });
  await until(c, async () => (await apiPods(c)).length === 0, 'pods deleted on suspend');
});

test('a pod that still holds the tracking finalizer after its Job is gone loses it', async (t) => {
  const c = start(t);
  const j = await createJob(c, job('gone'));
  await until(c, async () => (await apiPods(c)).length === 1, 'pod');
  c.fake.remove('batch', 'jobs', 'default', 'gone');
  await until(c, async () => (await apiPods(c))[0].metadata!.finalizers === undefined, 'finalizer removed');
  assert.equal((await apiPods(c))[0].metadata!.ownerReferences![0].uid, j.metadata.uid);
});

test('the TTL-after-finished controller deletes a finished Job ttlSecondsAfterFinished after it finished, in the foreground', async (t) => {
  const c = newTestCluster();
  const deletes: string[] = [];
  c.hooks.push((req) => { if (req.method === 'DELETE') deletes.push(`${req.path} ${req.body?.toString()}`); });
  const done = startTTLAfterFinishedController({ client: c.client, informers: c.informers, clock: c.clock, signal: c.signal, log: discardLog });
  t.after(async () => { c.stop(); await done; });
  const finishedAt = rfc3339(c.clock.now());
  const j = job('ttl', { ttlSecondsAfterFinished: 60 });
  j.status = { conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: finishedAt }] };
  c.fake.put('batch', 'jobs', j as any);
  await c.clock.stepAsync(30_000);
  assert.deepEqual(deletes, []);
  await until(c, () => deletes.length === 1, 'deleted after the TTL', 1000);
  assert.equal(deletes[0], `/apis/batch/v1/namespaces/default/jobs/ttl ${JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground', preconditions: { uid: j.metadata.uid } })}`);
});
