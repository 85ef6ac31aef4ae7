import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CODE_TTL_MS, SESSION_IDLE_MS, SessionStore } from './sessions.js';

const user = { username: 'alice', groups: ['system:authenticated'] };
const token = { kind: 'token' as const, token: 't' };

test('a login code works once, and only within its minute', () => {
  let now = 1_000_000;
  const store = new SessionStore(() => now);
  const code = store.createCode(token, user);
  const session = store.redeemCode(code);
  assert.equal(session?.user.username, 'alice');
  assert.equal(store.redeemCode(code), undefined, 'a second use');
  const late = store.createCode(token, user);
  now += CODE_TTL_MS + 1;
  assert.equal(store.redeemCode(late), undefined, 'an expired code');
  assert.equal(store.redeemCode('made-up'), undefined);
});

test('a session ends when its token expires, and after an idle day', () => {
  let now = 1_000_000;
  const store = new SessionStore(() => now);
  const short = store.create(token, user, now + 60_000);
  const long = store.create(token, user);
  now += 30_000;
  assert.ok(store.get(short.id), 'still valid');
  now += 31_000;
  assert.equal(store.get(short.id), undefined, 'past the token\'s exp');
  assert.ok(store.get(long.id), 'used: its idle limit starts again');
  now += SESSION_IDLE_MS - 1;
  assert.ok(store.get(long.id));
  now += SESSION_IDLE_MS + 1;
  assert.equal(store.get(long.id), undefined, 'idle too long');
  store.delete(long.id);
  assert.equal(store.get(undefined), undefined);
});
