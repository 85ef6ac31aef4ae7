import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cloneJson, copyParsedJson } from './patch-errors.js';

test('cloneJson copies as structuredClone does: plain trees, a "__proto__" key, shared and circular parts, undefined values', () => {
  const shared = { s: 1 };
  const circular: Record<string, unknown> = { a: [1, { b: null }] };
  circular.self = circular;
  const values: unknown[] = [
    { apiVersion: 'v1', metadata: { name: 'x', labels: { a: 'b' } }, spec: { list: [1, 'two', true, null, { deep: [[]] }] } },
    JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}'),
    { one: shared, two: shared },
    circular,
    { u: undefined, arr: [undefined, 1] },
    [1, , 3], // eslint-disable-line no-sparse-arrays
    'text', 7, null,
  ];
  for (const v of values) {
    const c = cloneJson(v);
    assert.deepStrictEqual(c, structuredClone(v));
    if (v !== null && typeof v === 'object') assert.notEqual(c, v);
  }
  const two = cloneJson(values[2]) as { one: object; two: object };
  assert.equal(two.one, two.two); // sharing kept, as structuredClone keeps it
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('copyParsedJson copies what JSON.parse made as cloneJson does, a "__proto__" key included', () => {
  for (const text of ['{"a":[1,{"b":null,"c":[[],{}]}],"d":"x","e":true,"f":1.5}', '{"__proto__":{"polluted":true},"ok":[{"__proto__":1}]}', '[1,"2",[3]]', '"s"', 'null']) {
    const v = JSON.parse(text) as unknown;
    const c = copyParsedJson(v);
    assert.deepStrictEqual(c, cloneJson(v));
    assert.equal(JSON.stringify(c), text);
    if (v !== null && typeof v === 'object') assert.notEqual(c, v);
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});
