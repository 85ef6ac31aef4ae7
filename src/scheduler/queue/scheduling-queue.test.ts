// The scheduling queue's order and retry rules, with a fake clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../client/testing.js';
import { makePod } from '../testing.js';
import { SchedulingQueue } from './scheduling-queue.js';

const pod = (name: string, o: Parameters<typeof makePod>[1] = {}) => {
  const p = makePod(name, o);
  (p.metadata as { uid?: string }).uid = `uid-${name}`;
  return p;
};

test('higher priority first, then the older pod', async (t) => {
  const q = new SchedulingQueue({ clock: new FakeClock() });
  t.after(() => q.close());
  q.add(pod('young', { creationTimestamp: '2025-01-01T00:00:05Z' }));
  q.add(pod('old', { creationTimestamp: '2025-01-01T00:00:01Z' }));
  q.add(pod('important', { priority: 1000, creationTimestamp: '2025-01-01T00:00:09Z' }));
  const order = [];
  for (let i = 0; i < 3; i++) order.push((await q.pop())!.podInfo.name);
  assert.deepEqual(order, ['important', 'old', 'young']);
});

test('an unschedulable pod waits for a cluster event, then for its backoff', async (t) => {
  const clock = new FakeClock();
  const q = new SchedulingQueue({ clock });
  t.after(() => q.close());
  q.add(pod('p'));
  const first = (await q.pop())!;
  q.addUnschedulableIfNotPresent(first, q.schedulingCycle);
  assert.deepEqual(q.stats, { active: 0, backoff: 0, unschedulable: 1, inFlight: 0 });
  clock.step(500);
  q.moveAllToActiveOrBackoff('NodeAdd');
  assert.equal(q.stats.backoff, 1, 'still inside its 1 s backoff');
  assert.equal(q.tryPop(), undefined);
  clock.step(600);
  assert.equal(q.tryPop()?.podInfo.name, 'p');
});

test('backoff doubles per attempt up to 10 s', async (t) => {
  const clock = new FakeClock();
  const q = new SchedulingQueue({ clock });
  t.after(() => q.close());
  q.add(pod('p'));
  const waits: number[] = [];
  for (let attempt = 1; attempt <= 6; attempt++) {
    const item = q.tryPop()!;
    assert.equal(item.attempts, attempt);
    q.addUnschedulableIfNotPresent(item, q.schedulingCycle, { error: true });
    let waited = 0;
    while (q.stats.active === 0) { clock.step(100); waited += 100; }
    waits.push(waited);
  }
  assert.deepEqual(waits, [1000, 2000, 4000, 8000, 10000, 10000]);
});

test('a cluster event during the attempt sends the pod to backoff instead of waiting', async (t) => {
  const clock = new FakeClock();
  const q = new SchedulingQueue({ clock });
  t.after(() => q.close());
  q.add(pod('p'));
  const item = (await q.pop())!;
  const cycle = q.schedulingCycle;
  q.moveAllToActiveOrBackoff('AssignedPodDelete');
  q.addUnschedulableIfNotPresent(item, cycle);
  assert.equal(q.stats.backoff, 1);
});

test('unschedulable pods are retried after 5 minutes without any event', async (t) => {
  const clock = new FakeClock();
  const q = new SchedulingQueue({ clock });
  t.after(() => q.close());
  q.add(pod('p'));
  q.addUnschedulableIfNotPresent((await q.pop())!, q.schedulingCycle);
  clock.step(4 * 60_000);
  assert.equal(q.stats.unschedulable, 1);
  clock.step(90_000);
  assert.equal(q.stats.unschedulable, 0);
  assert.equal(q.tryPop()?.podInfo.name, 'p');
});

test('a deleted pod is not requeued after its attempt', async (t) => {
  const q = new SchedulingQueue({ clock: new FakeClock() });
  t.after(() => q.close());
  q.add(pod('p'));
  const item = (await q.pop())!;
  q.delete(item.podInfo.uid);
  q.addUnschedulableIfNotPresent(item, q.schedulingCycle);
  assert.equal(q.has(item.podInfo.uid), false);
});
