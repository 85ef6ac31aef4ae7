import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jobs, cronjobs } from './strategies.js';
import { fakeContext } from '../testing.js';
import type { KubeObject } from '../../../api/object.js';

const ctx = fakeContext();
const template = (restartPolicy?: string) => ({ spec: { ...(restartPolicy ? { restartPolicy } : {}), containers: [{ name: 'c', image: 'busybox' }] } });

async function create(def: typeof jobs, obj: KubeObject): Promise<{ obj: KubeObject; errs: string[] }> {
  def.strategy.defaults!(obj);
  await def.strategy.prepareForCreate!(obj, ctx);
  return { obj, errs: (await def.strategy.validate!(obj, ctx)).map(String) };
}

test('a Job gets upstream defaults and a selector on its uid, with the job-name and controller-uid labels on its pods and itself', async () => {
  const { obj, errs } = await create(jobs, { metadata: { name: 'pi', namespace: 'default', uid: 'u-1' }, spec: { template: template('Never') } });
  assert.deepEqual(errs, []);
  const s = obj.spec;
  assert.equal(s.completions, 1); assert.equal(s.parallelism, 1); assert.equal(s.backoffLimit, 6);
  assert.equal(s.completionMode, 'NonIndexed'); assert.equal(s.suspend, false); assert.equal(s.manualSelector, false);
  assert.equal(s.podReplacementPolicy, 'TerminatingOrFailed');
  assert.deepEqual(s.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' } });
  const labels = { 'batch.kubernetes.io/controller-uid': 'u-1', 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': 'u-1', 'job-name': 'pi' };
  assert.deepEqual(s.template.metadata.labels, labels);
  assert.deepEqual(obj.metadata.labels, labels);
  assert.deepEqual(obj.status, {});
});

test('a Job with only parallelism keeps completions unset; backoffLimitPerIndex makes backoffLimit the int32 maximum', async () => {
  const a = await create(jobs, { metadata: { name: 'a', namespace: 'default', uid: 'u' }, spec: { parallelism: 3, template: template('Never') } });
  assert.equal(a.obj.spec.completions, undefined);
  const b = await create(jobs, { metadata: { name: 'b', namespace: 'default', uid: 'u' },
    spec: { completions: 2, completionMode: 'Indexed', backoffLimitPerIndex: 1, template: template('Never'), podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }] } } });
  assert.deepEqual(b.errs, []);
  assert.equal(b.obj.spec.backoffLimit, 2147483647);
  assert.equal(b.obj.spec.podReplacementPolicy, 'Failed');
  assert.equal(b.obj.spec.podFailurePolicy.rules[0].onPodConditions[0].status, 'True');
});

test('a Job must restart OnFailure or Never, and an Indexed one needs completions', async () => {
  const { errs } = await create(jobs, { metadata: { name: 'x', namespace: 'default', uid: 'u' }, spec: { completionMode: 'Indexed', parallelism: 2, template: template() } });
  assert.deepEqual(errs, [
    'spec.completions: Required value: when completion mode is Indexed',
    'spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
  ]);
});

test('a Job\'s selector and template are immutable, except the scheduling directives of a suspended Job that never started', async () => {
  const { obj: old } = await create(jobs, { metadata: { name: 'x', namespace: 'default', uid: 'u' }, spec: { suspend: true, template: template('Never') } });
  const upd = structuredClone(old);
  upd.spec.template.spec.nodeSelector = { disk: 'ssd' };
  assert.deepEqual((await jobs.strategy.validateUpdate!(upd, old, ctx)).map(String), []);
  upd.spec.template.spec.containers[0].image = 'other';
  upd.spec.selector = { matchLabels: { a: 'b' } };
  const errs = (await jobs.strategy.validateUpdate!(upd, old, ctx)).map(String);
  assert.ok(errs.some((e) => e.startsWith('spec.selector: Invalid value') && e.endsWith('field is immutable')), errs.join('\n'));
  assert.ok(errs.some((e) => e.startsWith('spec.template: Invalid value') && e.endsWith('field is immutable')), errs.join('\n'));
});

test('the Job table shows status, completions and duration as kubectl 1.32 prints them', () => {
  const job: KubeObject = {
    metadata: { name: 'pi', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { completions: 3, parallelism: 2, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u' } }, template: { spec: { containers: [{ name: 'pi', image: 'perl' }] } } },
    status: { succeeded: 3, startTime: '2026-01-01T00:00:01Z', completionTime: '2026-01-01T00:00:31Z', conditions: [{ type: 'Complete', status: 'True' }] },
  };
  assert.deepEqual(jobs.strategy.table!.columns.map((c) => c.name), ['Name', 'Status', 'Completions', 'Duration', 'Age', 'Containers', 'Images', 'Selector']);
  assert.deepEqual(jobs.strategy.table!.row(job, new Date('2026-01-01T00:02:00Z')),
    ['pi', 'Complete', '3/3', '30s', '2m', 'pi', 'perl', 'batch.kubernetes.io/controller-uid=u']);
  const running = { ...job, spec: { ...job.spec, completions: undefined }, status: { startTime: '2026-01-01T00:00:00Z' } };
  assert.deepEqual(jobs.strategy.table!.row(running, new Date('2026-01-01T00:00:05Z')).slice(1, 4), ['Running', '0/1 of 2', '5s']);
});

test('a CronJob gets upstream defaults and the SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE columns', async () => {
  const { obj, errs } = await create(cronjobs, { metadata: { name: 'hello', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { schedule: '*/1 * * * *', jobTemplate: { spec: { template: template('OnFailure') } } } });
  assert.deepEqual(errs, []);
  assert.equal(obj.spec.concurrencyPolicy, 'Allow'); assert.equal(obj.spec.suspend, false);
  assert.equal(obj.spec.successfulJobsHistoryLimit, 3); assert.equal(obj.spec.failedJobsHistoryLimit, 1);
  obj.status = { active: [{ name: 'hello-1' }], lastScheduleTime: '2026-01-01T00:01:00Z' };
  assert.deepEqual(cronjobs.strategy.table!.columns.filter((c) => c.priority === 0).map((c) => c.name), ['Name', 'Schedule', 'Timezone', 'Suspend', 'Active', 'Last Schedule', 'Age']);
  assert.deepEqual(cronjobs.strategy.table!.row(obj, new Date('2026-01-01T00:01:30Z')).slice(0, 7), ['hello', '*/1 * * * *', '<none>', 'False', 1, '30s', '90s']);
});

test('a CronJob schedule, time zone and job template are validated with upstream\'s messages', async () => {
  const bad = await create(cronjobs, { metadata: { name: 'x', namespace: 'default' },
    spec: { schedule: '* * *', timeZone: 'Mars/Olympus', concurrencyPolicy: 'Sometimes', jobTemplate: { spec: { template: template() } } } });
  assert.deepEqual(bad.errs, [
    'spec.schedule: Invalid value: "* * *": expected exactly 5 fields, found 3: [* * *]',
    'spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus',
    'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
    'spec.jobTemplate.spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
  ]);
  const tz = await create(cronjobs, { metadata: { name: 'x', namespace: 'default' }, spec: { schedule: 'CRON_TZ=UTC 0 * * * *', jobTemplate: { spec: { template: template('Never') } } } });
  assert.deepEqual(tz.errs, ['spec.schedule: Invalid value: "CRON_TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead']);
  const ok = await create(cronjobs, { metadata: { name: 'x', namespace: 'default' }, spec: { schedule: '@hourly', timeZone: 'Europe/Berlin', jobTemplate: { spec: { template: template('Never') } } } });
  assert.deepEqual(ok.errs, []);
});
