import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../client/testing.js';
import { FakeRuntime } from './testing.js';
import { ImagePuller } from './image-puller.js';

test('image puller: a failed pull is ErrImagePull, and the pod is synced again before the back-off ends so it reads ImagePullBackOff, as upstream shows within a second', async () => {
  const clock = new FakeClock();
  const puller = new ImagePuller(new FakeRuntime(), clock);
  const c = { name: 'x', image: 'nope/missing:1' };
  const first = await puller.ensure('uid1', c);
  assert.equal(first.ok, false);
  assert.equal(!first.ok && first.reason, 'ErrImagePull');
  const retry = !first.ok ? first.retryAfterMs ?? 10_000 : 0;
  assert.ok(retry < 10_000, `next sync after ${retry} ms, inside the 10 s back-off`);
  clock.step(retry);
  const second = await puller.ensure('uid1', c);
  assert.equal(!second.ok && second.reason, 'ImagePullBackOff');
  assert.equal(!second.ok && second.message, 'Back-off pulling image "nope/missing:1"');
  // The back-off's end brings the next real pull, which fails again and doubles the back-off.
  clock.step(!second.ok ? second.retryAfterMs ?? 0 : 0);
  const third = await puller.ensure('uid1', c);
  assert.equal(!third.ok && third.reason, 'ErrImagePull');
  clock.step(!third.ok ? third.retryAfterMs ?? 0 : 0);
  const fourth = await puller.ensure('uid1', c);
  assert.equal(!fourth.ok && fourth.reason, 'ImagePullBackOff');
  assert.ok(!fourth.ok && fourth.retryAfterMs! > 10_000, 'the second back-off is 20 s');
});
