import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../client/testing.js';
import { LeaseWheel } from './lease-wheel.js';

test('every member of the lease wheel is due exactly once per renew interval, spread over the slots, with one timer', () => {
  const clock = new FakeClock();
  const due = new Map<string, number>();
  const batches: number[] = [];
  const wheel = new LeaseWheel({ clock, intervalMs: 10_000, onDue: (names) => { batches.push(names.length); for (const n of names) due.set(n, (due.get(n) ?? 0) + 1); } });
  for (let i = 0; i < 1000; i++) wheel.add(`n${i}`);
  wheel.start();
  assert.equal(clock.pending, 1, 'one timer for all members');
  clock.step(30_000);
  assert.equal(due.size, 1000);
  for (const [n, c] of due) assert.equal(c, 3, `${n} was due once per interval`);
  assert.ok(Math.max(...batches) <= 100, 'no slot holds more than its share');

  wheel.remove('n1');
  due.clear();
  clock.step(10_000);
  assert.equal(due.has('n1'), false, 'a removed member is no longer due');
  assert.equal(due.size, 999);
  wheel.stop();
  assert.equal(clock.pending, 0);
});
