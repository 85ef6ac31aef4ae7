import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../client/testing.js';
import { Backoff } from './backoff.js';

test('container back-off: 10 s, doubling to at most 5 min; after 10 min without a restart it starts over at 10 s', () => {
  const clock = new FakeClock();
  const b = new Backoff(clock);
  const waits: number[] = [];
  for (let i = 0; i < 8; i++) { b.next('pod/c'); waits.push(b.get('pod/c') / 1000); clock.step(1000); }
  assert.deepEqual(waits, [10, 20, 40, 80, 160, 300, 300, 300]);

  const exited = clock.now();
  assert.equal(b.isInBackOffSince('pod/c', exited), true, 'a container that just exited waits');
  clock.step(299_000);
  assert.equal(b.isInBackOffSince('pod/c', exited), true);
  clock.step(1_000);
  assert.equal(b.isInBackOffSince('pod/c', exited), false, 'restarted once the back-off has passed');

  // Ran for more than 10 minutes since the last restart: the next crash waits 10 s again.
  clock.step(600_001);
  assert.equal(b.isInBackOffSince('pod/c', clock.now()), false);
  b.next('pod/c');
  assert.equal(b.get('pod/c'), 10_000);
  assert.equal(b.get('other/c'), 0, 'each container has its own back-off');
});
