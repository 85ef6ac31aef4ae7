// The scheduler benchmark at a small size, against the real apiserver and SQLite store: every pod gets bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benchScheduler } from '../bench/scheduler.bench.js';

test('the scheduler binds every pod of the benchmark against the real apiserver (50 nodes, 200 pods)', async () => {
  const r = await benchScheduler({ nodes: 50, pods: 200, podsPerOwner: 20 });
  assert.equal(r.pods, 200);
  assert.ok(r.podsPerSecond > 0);
  assert.equal(r.p50PodSchedulingMs >= 0, true);
});
