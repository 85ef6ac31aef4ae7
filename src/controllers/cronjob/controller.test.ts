import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { resources } from '../../api/resources.js';
import { discardLog } from '../../client/log.js';
import { startCronJobController } from './index.js';
import { eventMessages, newTestCluster, until, type TestCluster } from '../shared/testing.js';
import type { KubeObject } from '../../api/object.js';
import { rfc3339 } from '../shared/time.js';
import { parseCronSchedule } from '../../api/cron.js';
import { formatInZone, mostRecentScheduleTime, scheduledJobName } from './schedule-times.js';

function start(t: TestContext): TestCluster {
  const c = newTestCluster();
  const done = startCronJobController({ client: c.client, informers: c.informers, recorder: c.recorder, clock: c.clock, signal: c.signal, log: discardLog, workers: 2 });
  t.after(async () => { c.stop(); await done; });
  return c;
}

function cronJob(c: TestCluster, name: string, spec: Record<string, unknown> = {}, status: Record<string, unknown> = {}, createdMs = c.clock.now()): KubeObject {
  return c.fake.put('batch', 'cronjobs', {
    apiVersion: 'batch/v1', kind: 'CronJob',
    metadata: { name, namespace: 'default', uid: `cj-${name}`, generation: 1, creationTimestamp: rfc3339(createdMs) },
    spec: {
      schedule: '*/1 * * * *', concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1,
      jobTemplate: { metadata: { labels: { app: name } }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } },
      ...spec,
    },
    status,
  } as any) as KubeObject;
}

const jobs = async (c: TestCluster): Promise<any[]> => (await c.client.list(resources.jobs, { namespace: 'default' })).items;
const getCJ = (c: TestCluster, name: string) => c.client.get(resources.cronjobs, 'default', name);
const minute = 60_000;

/** The Job controller's part: the Job finished with this condition. */
function finishJob(c: TestCluster, job: KubeObject, type: 'Complete' | 'Failed'): void {
  const now = rfc3339(c.clock.now());
  c.fake.put('batch', 'jobs', { ...job, status: { startTime: job.metadata.creationTimestamp, ...(type === 'Complete' ? { completionTime: now, succeeded: 1 } : { failed: 1 }),
    conditions: [{ type, status: 'True', lastTransitionTime: now }] } } as any);
}

test('schedule times: the most recent unmet time, missed counts, and upstream\'s job names', () => {
  const cj = { metadata: { name: 'hello', creationTimestamp: '2026-01-01T00:00:30Z' }, spec: {}, status: {} } as KubeObject;
  const every = parseCronSchedule('*/1 * * * *');
  assert.deepEqual(mostRecentScheduleTime(cj, Date.parse('2026-01-01T00:00:59Z'), every, true), { missed: 0 });
  assert.deepEqual(mostRecentScheduleTime(cj, Date.parse('2026-01-01T00:03:10Z'), every, true), { scheduledMs: Date.parse('2026-01-01T00:03:00Z'), missed: 3 });
  assert.equal(scheduledJobName(cj, Date.parse('2026-01-01T00:03:00Z')), `hello-${Date.parse('2026-01-01T00:03:00Z') / minute}`);
  assert.equal(parseCronSchedule('@hourly').next(Date.parse('2026-01-01T10:20:00Z')), Date.parse('2026-01-01T11:00:00Z'));
  assert.equal(parseCronSchedule('0 9 * * *', 'Asia/Tokyo').next(Date.parse('2026-01-01T01:00:00Z')), Date.parse('2026-01-02T00:00:00Z'));
  assert.equal(parseCronSchedule('CRON_TZ=America/New_York 0 9 * * *').next(Date.parse('2026-01-01T00:00:00Z')), Date.parse('2026-01-01T14:00:00Z'));
  assert.equal(formatInZone(Date.parse('2026-01-02T00:00:00Z'), 'Asia/Tokyo'), '2026-01-02T09:00:00+09:00');
  assert.throws(() => parseCronSchedule('* * * * * *'), /expected exactly 5 fields, found 6/);
  assert.throws(() => parseCronSchedule('@fortnightly'), /unrecognized descriptor: @fortnightly/);
  assert.throws(() => parseCronSchedule('61 * * * *'), /^Error: end of range \(61\) above maximum \(59\): 61$/);
  assert.throws(() => parseCronSchedule('0 0 * * 7'), /end of range \(7\) above maximum \(6\): 7/);
  assert.throws(() => parseCronSchedule('x * * * *'), /failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax/);
  assert.equal(parseCronSchedule('0 12 * JAN-MAR mon-fri').next(Date.parse('2026-01-03T00:00:00Z')), Date.parse('2026-01-05T12:00:00Z'));
});

test('a */1 CronJob creates a Job from its template at the next minute, owned by it and annotated with the scheduled time', async (t) => {
  const c = start(t);
  cronJob(c, 'hello');
  await c.clock.stepAsync(30_000);
  assert.equal((await jobs(c)).length, 0, 'nothing before the schedule time');
  await c.clock.stepAsync(31_000);
  await until(c, async () => (await jobs(c)).length === 1, 'a Job at the minute');
  const scheduled = Date.UTC(2025, 0, 1, 0, 1);
  const [job] = await jobs(c);
  assert.equal(job.metadata.name, `hello-${scheduled / minute}`);
  assert.deepEqual(job.metadata.labels, { app: 'hello' });
  assert.equal(job.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp'], '2025-01-01T00:01:00Z');
  assert.deepEqual(job.metadata.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'hello', uid: 'cj-hello', controller: true, blockOwnerDeletion: true }]);
  assert.equal(job.spec.template.spec.containers[0].image, 'busybox');
  await until(c, async () => (await getCJ(c, 'hello')).status?.active?.length === 1, 'status.active');
  const st = (await getCJ(c, 'hello')).status;
  assert.equal(st.lastScheduleTime, '2025-01-01T00:01:00Z');
  assert.deepEqual(st.active[0], { apiVersion: 'batch/v1', kind: 'Job', name: job.metadata.name, namespace: 'default', uid: job.metadata.uid, resourceVersion: job.metadata.resourceVersion });
  assert.deepEqual(await eventMessages(c, 'SuccessfulCreate'), [`Created job ${job.metadata.name}`]);

  // Finished: out of active, lastSuccessfulTime set; the next minute brings the next Job.
  finishJob(c, job, 'Complete');
  await until(c, async () => (await getCJ(c, 'hello')).status?.active === undefined, 'finished job leaves active');
  assert.ok((await getCJ(c, 'hello')).status.lastSuccessfulTime);
  await c.clock.stepAsync(minute);
  await until(c, async () => (await jobs(c)).length === 2, 'the next Job');
});

test('concurrencyPolicy Forbid skips a run while one is active; Replace deletes the running Job and starts a new one', async (t) => {
  const c = start(t);
  cronJob(c, 'forbid', { concurrencyPolicy: 'Forbid' });
  cronJob(c, 'replace', { concurrencyPolicy: 'Replace' });
  await c.clock.stepAsync(61_000);
  await until(c, async () => (await jobs(c)).length === 2, 'one Job each');
  await until(c, async () => (await getCJ(c, 'replace')).status?.active?.length === 1 && (await getCJ(c, 'forbid')).status?.active?.length === 1, 'both active');
  const firstReplace = (await jobs(c)).find((j) => j.metadata.name.startsWith('replace-'))!;
  await c.clock.stepAsync(minute);
  await until(c, async () => (await eventMessages(c, 'JobAlreadyActive')).length > 0, 'Forbid noticed');
  await until(c, async () => (await jobs(c)).filter((j) => j.metadata.name.startsWith('replace-')).length === 1
    && !(await jobs(c)).some((j) => j.metadata.uid === firstReplace.metadata.uid), 'replaced');
  assert.equal((await jobs(c)).filter((j) => j.metadata.name.startsWith('forbid-')).length, 1);
  assert.deepEqual(await eventMessages(c, 'JobAlreadyActive'), ['Not starting job because prior execution is running and concurrency policy is Forbid']);
});

test('a suspended CronJob creates nothing; a start missed by more than startingDeadlineSeconds is skipped, without it the latest missed start runs at once', async (t) => {
  const c = start(t);
  await c.clock.stepAsync(30_000);
  const created = c.clock.now() - 2 * minute; // 23:58:30: the 23:59 and 00:00 starts were missed
  cronJob(c, 'off', { suspend: true }, {}, created);
  cronJob(c, 'late', { startingDeadlineSeconds: 10 }, {}, created);
  cronJob(c, 'eager', {}, {}, created);
  await until(c, async () => (await jobs(c)).length === 1, 'the eager run');
  assert.equal((await jobs(c))[0].metadata.name, `eager-${Date.UTC(2025, 0, 1) / minute}`);
  await c.clock.stepAsync(31_000);
  await until(c, async () => (await jobs(c)).some((j) => j.metadata.name.startsWith('late-')), 'late runs at 00:01');
  assert.equal((await jobs(c)).find((j) => j.metadata.name.startsWith('late-'))!.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp'], '2025-01-01T00:01:00Z');
  assert.ok(!(await jobs(c)).some((j) => j.metadata.name.startsWith('off-')));
});

test('more than 100 missed start times are reported and only the most recent runs', async (t) => {
  const c = start(t);
  cronJob(c, 'behind', {}, { lastScheduleTime: rfc3339(c.clock.now() - 200 * minute) });
  await until(c, async () => (await jobs(c)).length === 1, 'one Job');
  assert.deepEqual(await eventMessages(c, 'TooManyMissedTimes'), ['too many missed start times: 200. Set or decrease .spec.startingDeadlineSeconds or check clock skew']);
  assert.equal((await jobs(c))[0].metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp'], '2025-01-01T00:00:00Z');
});

test('finished Jobs beyond the history limits are deleted, oldest first', async (t) => {
  const c = start(t);
  cronJob(c, 'hist', { successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 0 });
  for (let i = 1; i <= 3; i++) {
    await c.clock.stepAsync(minute);
    await until(c, async () => (await jobs(c)).some((j) => j.metadata.name === `hist-${Date.UTC(2025, 0, 1, 0, i) / minute}`), `run ${i}`);
    const job = (await jobs(c)).find((j) => j.metadata.name === `hist-${Date.UTC(2025, 0, 1, 0, i) / minute}`)!;
    finishJob(c, job, i === 2 ? 'Failed' : 'Complete');
  }
  await until(c, async () => (await jobs(c)).length === 1, 'only the newest successful Job is kept');
  assert.equal((await jobs(c))[0].metadata.name, `hist-${Date.UTC(2025, 0, 1, 0, 3) / minute}`);
});
