import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WriteLimiter } from './write-limiter.js';

test('the write limiter never runs more than its limit at once, and admits high-priority writes first', async () => {
  const lim = new WriteLimiter(2);
  const release: (() => void)[] = [];
  const order: string[] = [];
  let running = 0, peak = 0;
  const write = (name: string) => lim.run(name.startsWith('lease') ? 'high' : 'normal', async () => {
    order.push(name);
    running++; peak = Math.max(peak, running);
    await new Promise<void>((r) => release.push(r));
    running--;
  });
  const all = ['pod-1', 'pod-2', 'pod-3', 'pod-4', 'lease-1'].map(write);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(order, ['pod-1', 'pod-2']);
  while (order.length < 5 || release.length) { release.shift()?.(); await new Promise((r) => setImmediate(r)); }
  await Promise.all(all);
  assert.equal(peak, 2);
  assert.equal(order[2], 'lease-1', 'the lease renewal overtook the queued pod writes');
  assert.equal(lim.active, 0);
});
