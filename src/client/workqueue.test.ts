import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, settle } from './testing.js';
import { BucketRateLimiter, ItemExponentialFailureRateLimiter, RateLimitingQueue } from './workqueue.js';

/** get() that must not block: fails the test instead of hanging. */
async function getNow<T>(q: RateLimitingQueue<T>): Promise<T | undefined | 'blocked'> {
  const r = await Promise.race([q.get(), settle(3).then(() => 'blocked' as const)]);
  return r;
}

test('a key added several times while waiting is handed out once', async () => {
  const q = new RateLimitingQueue<string>({ clock: new FakeClock() });
  q.add('default/a'); q.add('default/b'); q.add('default/a');
  assert.equal(q.len(), 2);
  assert.equal(await q.get(), 'default/a');
  assert.equal(await q.get(), 'default/b');
  assert.equal(await getNow(q), 'blocked');
});

test('a key being processed is not handed to a second worker; re-added, it comes back after done()', async () => {
  const q = new RateLimitingQueue<string>({ clock: new FakeClock() });
  q.add('k');
  const first = await q.get();
  assert.equal(first, 'k');
  q.add('k');                                  // changed again while a worker reconciles it
  let second: string | undefined;
  const secondWorker = q.get().then((k) => { second = k; });
  await settle();
  assert.equal(second, undefined, 'a second worker must not get the key while it is processing');
  q.done('k');
  await secondWorker;
  assert.equal(second, 'k', 'processed again after done');
});

test('a worker waiting in get() receives a key added later', async () => {
  const q = new RateLimitingQueue<string>({ clock: new FakeClock() });
  const waiting = q.get();
  q.add('x');
  assert.equal(await waiting, 'x');
});

test('addAfter delivers the key only once the clock reaches the delay, and the earliest delay wins', async () => {
  const clock = new FakeClock();
  const q = new RateLimitingQueue<string>({ clock });
  q.addAfter('k', 1000);
  q.addAfter('k', 300);
  q.addAfter('k', 5000);
  clock.step(299);
  assert.equal(q.len(), 0);
  clock.step(1);
  assert.equal(q.len(), 1);
  assert.equal(await q.get(), 'k');
  q.done('k');
  clock.step(10_000);
  assert.equal(q.len(), 0, 'the later duplicate delays were dropped');
});

test('per-item backoff doubles from 5 ms, is capped at 1000 s, and forget() resets it', () => {
  const rl = new ItemExponentialFailureRateLimiter<string>(5, 1000_000);
  assert.deepEqual([rl.when('a'), rl.when('a'), rl.when('a'), rl.when('a')], [5, 10, 20, 40]);
  assert.equal(rl.when('b'), 5, 'items back off independently');
  for (let i = 0; i < 40; i++) rl.when('a');
  assert.equal(rl.when('a'), 1000_000);
  assert.equal(rl.numRequeues('a'), 45);
  rl.forget('a');
  assert.equal(rl.when('a'), 5);
});

test('the overall bucket limiter allows a burst of 100 then 10 per second', () => {
  const clock = new FakeClock();
  const rl = new BucketRateLimiter<string>(10, 100, clock);
  for (let i = 0; i < 100; i++) assert.equal(rl.when(`k${i}`), 0);
  assert.equal(rl.when('x'), 100);
  assert.equal(rl.when('y'), 200);
  clock.step(1000);
  // 10 tokens came back; 2 were owed.
  assert.equal(rl.when('z'), 0);
});

test('addRateLimited waits the exponential delay of the item', async () => {
  const clock = new FakeClock();
  const q = new RateLimitingQueue<string>({ clock });
  q.addRateLimited('k');        // 5 ms
  clock.step(4);
  assert.equal(q.len(), 0);
  clock.step(1);
  assert.equal(await q.get(), 'k');
  q.done('k');
  q.addRateLimited('k');        // 10 ms
  clock.step(9);
  assert.equal(q.len(), 0);
  clock.step(1);
  assert.equal(q.len(), 1);
  assert.equal(q.numRequeues('k'), 2);
  q.forget('k');
  assert.equal(q.numRequeues('k'), 0);
});

test('shutDown wakes idle workers with undefined, drops delayed keys and refuses new ones', async () => {
  const clock = new FakeClock();
  const q = new RateLimitingQueue<string>({ clock });
  const idle = q.get();
  q.addAfter('later', 100);
  q.shutDown();
  assert.equal(await idle, undefined);
  q.add('new');
  clock.step(1000);
  assert.equal(await q.get(), undefined);
  assert.equal(clock.pending, 0);
});
