import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyMergePatch } from './merge-patch.js';
import { StatusError } from '../../api/errors.js';

test('kubectl scale: {"spec":{"replicas":3}} changes only replicas', () => {
  const live = { spec: { replicas: 2, selector: { matchLabels: { app: 'x' } } }, status: { replicas: 2 } };
  assert.deepEqual(applyMergePatch(live, { spec: { replicas: 3 } }),
    { spec: { replicas: 3, selector: { matchLabels: { app: 'x' } } }, status: { replicas: 2 } });
});

test('null deletes a key, nested maps merge, arrays are replaced whole', () => {
  const live = { metadata: { labels: { a: '1', b: '2' } }, spec: { ports: [{ port: 80 }, { port: 443 }] } };
  const out = applyMergePatch(live, { metadata: { labels: { a: null, c: '3' } }, spec: { ports: [{ port: 8080 }] } });
  assert.deepEqual(out, { metadata: { labels: { b: '2', c: '3' } }, spec: { ports: [{ port: 8080 }] } });
});

test('nulls inside a newly added object are dropped (RFC 7396)', () => {
  assert.deepEqual(applyMergePatch({}, { metadata: { labels: { a: null, b: 'x' } } }), { metadata: { labels: { b: 'x' } } });
});

test('the input object is never modified', () => {
  const live = { metadata: { labels: { a: '1' } } };
  applyMergePatch(live, { metadata: { labels: { a: null } } });
  assert.deepEqual(live, { metadata: { labels: { a: '1' } } });
});

test('a patch that is not an object is a 400', () => {
  for (const p of [null, [1], 'x']) {
    assert.throws(() => applyMergePatch({}, p), (e: unknown) => e instanceof StatusError && e.code === 400);
  }
});

test('a "__proto__" key in a merge patch never reaches Object.prototype', () => {
  const patch = JSON.parse('{"__proto__":{"polluted":"yes"},"data":{"__proto__":{"polluted":"yes"}}}');
  applyMergePatch({ data: { a: '1' } }, patch);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});
