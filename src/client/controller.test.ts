import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from './client.js';
import { resources } from '../api/resources.js';
import { FakeClock, settle, FakeApiHandler } from './testing.js';
import { enqueueHandlers, runController } from './controller.js';
import { SharedInformer } from './informer.js';
import type { LogEntry } from './log.js';
import { discardLog } from './log.js';
import { inProcessTransport } from './transport.js';
import { RateLimitingQueue } from './workqueue.js';

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) { if (cond()) return; await settle(5); }
  assert.fail(`never happened: ${what}`);
}

test('controller: workers start after sync; errors retry with backoff and log one line; requeueAfter retries later', async (t) => {
  const fake = new FakeApiHandler();
  fake.put('', 'configmaps', { metadata: { namespace: 'a', name: 'ok' } });
  fake.put('', 'configmaps', { metadata: { namespace: 'a', name: 'flaky' } });
  fake.put('', 'configmaps', { metadata: { namespace: 'a', name: 'timed' } });
  const clock = new FakeClock();
  const client = new Client(inProcessTransport(fake.handler));
  const inf = new SharedInformer(client, resources.configmaps, { clock, log: discardLog });
  const queue = new RateLimitingQueue<string>({ clock });
  inf.addEventHandler(enqueueHandlers(queue));
  const ac = new AbortController();
  t.after(() => ac.abort());

  const calls: string[] = [];
  const logs: LogEntry[] = [];
  let inFlight = 0, maxInFlightSameKey = 0;
  let flakyFailures = 2;
  const done = runController({
    name: 'test-controller', informers: [inf], workers: 3, queue, signal: ac.signal, log: (e) => logs.push(e),
    async reconcile(key) {
      calls.push(key);
      assert.equal(inf.hasSynced(), true, 'reconcile only after sync');
      if (key === 'a/flaky') {
        inFlight++; maxInFlightSameKey = Math.max(maxInFlightSameKey, inFlight);
        await settle(2);
        inFlight--;
        if (flakyFailures-- > 0) throw new Error('transient');
      }
      if (key === 'a/timed' && calls.filter((c) => c === key).length === 1) return { requeueAfter: 30_000 };
    },
  });
  void inf.run(ac.signal);
  await until(() => calls.length >= 3, 'first reconciles');
  queue.add('a/flaky'); // a change arriving while it is being reconciled
  await clock.stepAsync(5);   // first retry after 5 ms
  await clock.stepAsync(10);  // second after 10 ms
  await until(() => calls.filter((c) => c === 'a/flaky').length >= 3, 'flaky retried until success');
  assert.equal(maxInFlightSameKey, 1, 'one key is never reconciled twice at once');
  assert.equal(queue.numRequeues('a/flaky'), 0, 'success forgets the backoff');
  const errors = logs.filter((l) => l.level === 'error');
  assert.equal(errors.length, 2);
  assert.deepEqual({ ...errors[0], requeues: undefined }, { level: 'error', msg: 'reconcile failed', controller: 'test-controller', key: 'a/flaky', requeues: undefined, error: 'transient' });

  assert.equal(calls.filter((c) => c === 'a/timed').length, 1);
  await clock.stepAsync(30_000);
  await until(() => calls.filter((c) => c === 'a/timed').length === 2, 'timed requeue');

  ac.abort();
  await done;
  assert.equal(queue.isShuttingDown, true);
});

test('controller: deleting an object enqueues its key so reconcile can observe NotFound in the cache', async (t) => {
  const fake = new FakeApiHandler();
  fake.put('', 'pods', { metadata: { namespace: 'a', name: 'p' } });
  const clock = new FakeClock();
  const client = new Client(inProcessTransport(fake.handler));
  const inf = new SharedInformer(client, resources.pods, { clock, log: discardLog });
  const queue = new RateLimitingQueue<string>({ clock });
  inf.addEventHandler(enqueueHandlers(queue));
  const ac = new AbortController();
  t.after(() => ac.abort());
  const seen: string[] = [];
  const done = runController({
    name: 'c', informers: [inf], workers: 1, queue, signal: ac.signal, log: discardLog,
    async reconcile(key) { seen.push(`${key} ${inf.get(key) ? 'exists' : 'gone'}`); },
  });
  void inf.run(ac.signal);
  await until(() => seen.length === 1 && fake.openWatches === 1, 'initial reconcile');
  await client.delete(resources.pods, 'a', 'p');
  await until(() => seen.length === 2, 'reconcile after delete');
  assert.deepEqual(seen, ['a/p exists', 'a/p gone']);
  ac.abort();
  await done;
});
