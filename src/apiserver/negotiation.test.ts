import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBody, jsonExceedsDepth, maxBodyDepth } from './negotiation.js';
import { StatusError } from '../api/errors.js';

const badRequest = (re: RegExp) => (e: unknown) => e instanceof StatusError && e.code === 400 && re.test(e.message);

test('a body with a "__proto__" key is a 400 in JSON, escaped JSON and YAML', async () => {
  for (const [body, ct] of [['{"data":{"__proto__":{"x":1}}}', 'application/json'], ['{"\\u005f_proto__":{"x":1}}', 'application/merge-patch+json'],
    ['data:\n  __proto__:\n    x: 1\n', 'application/yaml']]) {
    await assert.rejects(decodeBody(Buffer.from(body), ct), badRequest(/"__proto__" is not supported/), body);
  }
  assert.equal(({} as Record<string, unknown>).x, undefined);
});

test('JSON nested past the limit is refused by a scan before parsing; brackets inside strings do not count', async () => {
  assert.equal(jsonExceedsDepth('['.repeat(maxBodyDepth + 1) + ']'.repeat(maxBodyDepth + 1), maxBodyDepth), true);
  assert.equal(jsonExceedsDepth(`{"a":"${'['.repeat(5000)}\\"{{"}`, maxBodyDepth), false);
  await assert.rejects(decodeBody(Buffer.from('['.repeat(1_000_000)), 'application/json'), badRequest(/exceeded max depth of 1000/));
});
