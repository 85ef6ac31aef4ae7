// client-go's workqueue_* families, as a controller's queue reports them into its component's own registry.
import assert from 'node:assert/strict';
import test from 'node:test';
import { RateLimitingQueue } from './workqueue.js';
import { WorkqueueMetricsProvider } from './workqueue-metrics.js';

/** A counter's or gauge's value, or a histogram's count, for one queue. */
async function sample(p: WorkqueueMetricsProvider, name: string, queue: string): Promise<number | undefined> {
  const values = (await p.registry.getSingleMetric(name)!.get()).values as Array<{ value: number; labels: Record<string, unknown>; metricName?: string }>;
  const wanted = name.endsWith('_seconds') ? `${name}_count` : name;
  return values.find((v) => v.labels.name === queue && (v.metricName ?? name) === wanted)?.value;
}

test('a named queue counts adds, depth, retries and finished work; each provider has its own registry', async () => {
  const p = new WorkqueueMetricsProvider();
  const other = new WorkqueueMetricsProvider();
  const q = new RateLimitingQueue<string>({ name: 'replicaset', metrics: p });
  q.add('a'); q.add('b'); q.add('a');
  assert.equal(await sample(p, 'workqueue_adds_total', 'replicaset'), 2, 'a key already queued is not added again');
  assert.equal(await sample(p, 'workqueue_depth', 'replicaset'), 2);
  const item = await q.get();
  assert.equal(await sample(p, 'workqueue_depth', 'replicaset'), 1);
  q.addRateLimited(item!);
  q.done(item!);
  assert.equal(await sample(p, 'workqueue_retries_total', 'replicaset'), 1);
  assert.equal(await sample(p, 'workqueue_work_duration_seconds', 'replicaset'), 1);
  assert.equal(await sample(p, 'workqueue_queue_duration_seconds', 'replicaset'), 1);
  q.shutDown();
  assert.equal(await sample(other, 'workqueue_adds_total', 'replicaset'), undefined, 'another cluster\'s registry saw nothing');
  new RateLimitingQueue<string>({ metrics: p }).add('x');
  assert.equal((await p.registry.getSingleMetric('workqueue_adds_total')!.get()).values.length, 1, 'an unnamed queue reports nothing');
});
