// Prometheus /metrics on the API server, with the real kubectl: the API server's request and storage families, the
// in-process controller manager's work queues and the scheduler's attempts and latencies, under upstream's names and
// labels, readable by the admin and by the system:monitoring group, refused to others.
// Samples are looked up in the parsed text and asserted one by one: a failing assert.match over the whole
// (~1 MB) text puts it all in the error, which Node 20's test runner, with --test-force-exit, never finishes reading.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster } from './helpers/cluster.js';
import { until } from './helpers/until.js';

interface Sample { name: string; labels: Record<string, string>; value: number }

function parse(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** The value of the one sample called name whose labels include `labels` (undefined if none). */
function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

test('GET /metrics: API server, storage, work queue and scheduler families with upstream names and labels; for admins and system:monitoring only', async (t) => {
  const c = await startTestCluster(t, { simulatedNodes: 1 });
  const r = await c.kubectl(['create', 'deployment', 'm', '--image=nginx', '--replicas=2']);
  assert.equal(r.code, 0, r.stderr);
  const scrape = async () => {
    const out = await c.kubectl(['get', '--raw', '/metrics']);
    assert.equal(out.code, 0, out.stderr.slice(0, 500));
    return parse(out.stdout);
  };
  const samples = await until('both pods to be scheduled, as the scheduler counts them', async () => {
    const s = await scrape();
    return (value(s, 'scheduler_schedule_attempts_total', { result: 'scheduled', profile: 'default-scheduler' }) ?? 0) >= 2 ? s : undefined;
  });

  assert.equal(value(samples, 'apiserver_request_total', { verb: 'POST', dry_run: '', group: 'apps', version: 'v1', resource: 'deployments', subresource: '', scope: 'namespace', component: 'apiserver', code: '201' }), 1,
    'the one deployment created');
  assert.ok((value(samples, 'apiserver_request_total', { verb: 'LIST', resource: 'pods', scope: 'cluster', code: '200' }) ?? 0) >= 1, 'informers list pods');
  assert.ok((value(samples, 'apiserver_request_total', { verb: 'WATCH', resource: 'pods' }) ?? 0) >= 1, 'and watch them');
  assert.ok((value(samples, 'apiserver_request_total', { verb: 'POST', resource: 'pods', subresource: 'binding', code: '201' }) ?? 0) >= 2, 'bindings are a subresource');
  assert.ok((value(samples, 'apiserver_request_duration_seconds_count', { verb: 'POST', resource: 'deployments', scope: 'namespace' }) ?? 0) >= 1, 'request latency');
  assert.ok(value(samples, 'apiserver_request_duration_seconds_bucket', { verb: 'POST', resource: 'deployments', le: '+Inf' }) !== undefined, 'as a histogram');
  assert.ok((value(samples, 'etcd_request_duration_seconds_count', { operation: 'create', type: 'deployments.apps' }) ?? 0) >= 1, 'storage latency by operation and type');
  assert.ok((value(samples, 'apiserver_storage_objects', { resource: 'deployments.apps' }) ?? 0) >= 1, 'stored objects by resource');
  assert.ok((value(samples, 'apiserver_storage_objects', { resource: 'pods' }) ?? 0) >= 2);
  assert.ok((value(samples, 'workqueue_adds_total', { name: 'replicaset' }) ?? 0) >= 1, 'the ReplicaSet controller\'s queue');
  assert.ok(value(samples, 'workqueue_depth', { name: 'deployment' }) !== undefined, 'queue depth');
  assert.ok((value(samples, 'workqueue_work_duration_seconds_count', { name: 'deployment' }) ?? 0) >= 1, 'time spent on items');
  assert.ok((value(samples, 'workqueue_queue_duration_seconds_count', { name: 'deployment' }) ?? 0) >= 1, 'time items waited');
  assert.ok(value(samples, 'workqueue_longest_running_processor_seconds', { name: 'deployment' }) !== undefined);
  const sli = samples.filter((s) => s.name === 'scheduler_pod_scheduling_sli_duration_seconds_count');
  assert.ok(sli.every((s) => /^([1-9]|1[0-4]|15\+)$/.test(s.labels.attempts ?? '')), 'end-to-end scheduling latency by attempts');
  assert.equal(sli.reduce((n, s) => n + s.value, 0), 2, 'one observation per bound pod');
  assert.ok(value(samples, 'scheduler_pending_pods', { queue: 'active' }) !== undefined, 'pending pods by queue');

  const jane = await c.kubectl(['get', '--raw', '/metrics', '--as=jane']);
  assert.notEqual(jane.code, 0, 'a user without a role may not read metrics');
  assert.match(jane.stderr, /forbidden/i);
  const monitoring = await c.kubectl(['get', '--raw', '/metrics', '--as=prometheus', '--as-group=system:monitoring']);
  assert.equal(monitoring.code, 0, 'the system:monitoring group may (upstream\'s system:monitoring ClusterRole)');
  const anonymous = await c.request('GET', '/metrics', { anonymous: true });
  assert.equal(anonymous.status, 401, 'no credentials, no metrics');
});
