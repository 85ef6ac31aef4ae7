// batch/v1 end to end with the real kubectl on a simulated node: Jobs run to completion or stop at their
// backoffLimit, finished Jobs with a TTL go with their pods, CronJobs make Jobs, `kubectl create job --from=cronjob/x`
// works, and the python client's BatchV1Api lists and creates Jobs.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import { startTestCluster, kubectlOk, kubectlGet, type TestCluster } from './helpers/cluster.js';
import { findPython, pythonClientMissing, runPython } from './helpers/python.js';
import { until } from './helpers/until.js';

const EXIT_AFTER = 'nanokube.io/simulated-exit-after';
const EXIT_CODE = 'nanokube.io/simulated-exit-code';

function job(name: string, spec: Record<string, unknown>, annotations: Record<string, string>) {
  return {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name },
    spec: { ...spec, template: { metadata: { annotations }, spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } } },
  };
}

describe('batch/v1 on simulated nodes', () => {
  let c: TestCluster;
  const cleanups: (() => unknown)[] = [];
  before(async () => { c = await startTestCluster({ after: (fn) => cleanups.push(fn) }, { simulatedNodes: 1 }); });
  after(async () => { for (const fn of cleanups.reverse()) await fn(); });

  const kubectl = (args: string[], input?: string) => kubectlOk(c, args, input);

  test('Jobs complete (completions 3, parallelism 2), stop at backoffLimit (BackoffLimitExceeded), and go with their pods after their TTL', async () => {
    await kubectl(['apply', '-f', '-'], [
      job('ok', { completions: 3, parallelism: 2 }, { [EXIT_AFTER]: '1s' }),
      job('bad', { parallelism: 2, backoffLimit: 1 }, { [EXIT_AFTER]: '1s', [EXIT_CODE]: '3' }),
      job('brief', { ttlSecondsAfterFinished: 0 }, { [EXIT_AFTER]: '1s' }),
    ].map((o) => YAML.stringify(o)).join('---\n'));

    await kubectl(['wait', '--for=condition=complete', 'job/ok', '--timeout=60s']);
    const ok = await kubectlGet(c, ['job', 'ok']);
    assert.equal(ok.status.succeeded, 3);
    assert.ok(ok.status.completionTime);
    const pods = (await kubectlGet(c, ['pods', '-l', 'batch.kubernetes.io/job-name=ok'])).items;
    assert.equal(pods.length, 3, 'three pods ran, and stay after the Job completed');
    for (const p of pods) {
      assert.equal(p.status.phase, 'Succeeded');
      assert.equal(p.metadata.finalizers, undefined, 'counted, so the job-tracking finalizer is gone');
    }

    await kubectl(['wait', '--for=condition=failed', 'job/bad', '--timeout=60s']);
    const bad = await kubectlGet(c, ['job', 'bad']);
    const failed = bad.status.conditions.find((x: any) => x.type === 'Failed');
    assert.deepEqual([failed.status, failed.reason, failed.message], ['True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit']);
    assert.ok(bad.status.failed >= 2);
    assert.equal(bad.status.active, undefined);

    const table = (await kubectl(['get', 'jobs', 'ok', 'bad'])).trim().split('\n').map((l) => l.split(/\s{2,}/));
    assert.deepEqual(table[0], ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE']);
    assert.deepEqual(table[1].slice(0, 3), ['ok', 'Complete', '3/3']);
    assert.deepEqual(table[2].slice(0, 3), ['bad', 'Failed', '0/1 of 2']);

    await until('the TTL-expired Job and its pod are deleted', async () => {
      const r = await c.kubectl(['get', 'job', 'brief']);
      const pods = (await kubectlGet(c, ['pods', '-l', 'batch.kubernetes.io/job-name=brief'])).items;
      return r.code !== 0 && /NotFound/.test(r.stderr) && pods.length === 0;
    }, 60_000);
  });

  test('a */1 CronJob creates a Job, kubectl shows its columns, and create job --from=cronjob/x instantiates it by hand', async () => {
    await kubectl(['create', 'cronjob', 'tick', '--image=busybox', '--schedule=*/1 * * * *']);
    // Pretend the last run was two minutes ago: the most recent start time is due now (no waiting for a minute).
    const last = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 120_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    await kubectl(['patch', 'cronjob', 'tick', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { lastScheduleTime: last } })]);
    const cj = await kubectlGet(c, ['cronjob', 'tick']);
    const scheduled = await until('a scheduled Job', async () => (await kubectlGet(c, ['jobs'])).items
      .find((j: any) => j.metadata.ownerReferences?.[0]?.uid === cj.metadata.uid && !j.metadata.annotations?.['cronjob.kubernetes.io/instantiate']));
    assert.match(scheduled.metadata.name, /^tick-\d{8,}$/);
    assert.equal(Number(scheduled.metadata.name.slice(5)) * 60_000, Date.parse(scheduled.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp']));
    await until('status.active and lastScheduleTime', async () => (await kubectlGet(c, ['cronjob', 'tick'])).status?.active?.length === 1);

    const table = (await kubectl(['get', 'cronjobs'])).trim().split('\n').map((l) => l.split(/\s{2,}/));
    assert.deepEqual(table[0], ['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE']);
    assert.deepEqual(table[1].slice(0, 5), ['tick', '*/1 * * * *', '<none>', 'False', '1']);

    await kubectl(['create', 'job', 'by-hand', '--from=cronjob/tick']);
    const manual = await kubectlGet(c, ['job', 'by-hand']);
    assert.equal(manual.metadata.annotations['cronjob.kubernetes.io/instantiate'], 'manual');
    assert.deepEqual(manual.metadata.ownerReferences.map((r: any) => [r.kind, r.name, r.uid, r.controller]), [['CronJob', 'tick', cj.metadata.uid, true]]);
    await until('the manual Job runs a pod', async () => (await kubectlGet(c, ['pods', '-l', 'batch.kubernetes.io/job-name=by-hand'])).items.length === 1);
  });

  test('the python client\'s BatchV1Api creates, reads and lists Jobs and lists CronJobs', async (t) => {
    const python = findPython();
    if (!python) { t.skip(pythonClientMissing); return; }
    const r = await runPython(c, python, 'batch.py', pythonScript);
    assert.equal(r.code, 0, r.stderr);
    const out = r.output();
    assert.deepEqual(out.created, ['py-job', 6, 'NonIndexed']);
    assert.equal(out.complete, true);
    assert.ok(out.jobs.includes('py-job'));
    assert.ok(out.cronjobs.includes('tick'));
  });
});

const pythonScript = String.raw`
import json, sys, time
from kubernetes import client, config

config.load_kube_config(config_file=sys.argv[1])
batch = client.BatchV1Api()
ns = 'default'
out = {}
job = client.V1Job(metadata=client.V1ObjectMeta(name='py-job'), spec=client.V1JobSpec(
    template=client.V1PodTemplateSpec(metadata=client.V1ObjectMeta(annotations={'${EXIT_AFTER}': '1s'}),
        spec=client.V1PodSpec(restart_policy='Never', containers=[client.V1Container(name='c', image='busybox')]))))
created = batch.create_namespaced_job(ns, job)
out['created'] = [created.metadata.name, created.spec.backoff_limit, created.spec.completion_mode]
deadline = time.time() + 60
out['complete'] = False
while time.time() < deadline:
    st = batch.read_namespaced_job_status('py-job', ns).status
    if any(c.type == 'Complete' and c.status == 'True' for c in (st.conditions or [])):
        out['complete'] = True
        break
    time.sleep(0.2)
out['jobs'] = [j.metadata.name for j in batch.list_namespaced_job(ns).items]
out['cronjobs'] = [j.metadata.name for j in batch.list_cron_job_for_all_namespaces().items]
print(json.dumps(out))
`;
