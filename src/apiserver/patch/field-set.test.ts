import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldSet, formatPath, keyElement } from './field-set.js';
import { patchTypeFromContentType } from './index.js';

test('FieldsV1 round-trips, with "." marking a member that has children', () => {
  const v1 = {
    'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
    'f:spec': { 'f:containers': { 'k:{"name":"a"}': { '.': {}, 'f:image': {} } }, 'f:finalizers': { 'v:"x"': {} } },
  };
  const set = FieldSet.fromFieldsV1(v1);
  assert.equal(set.size, 5);
  assert.ok(set.has(['f:metadata', 'f:labels']));
  assert.ok(!set.has(['f:spec']));
  assert.deepEqual(set.toFieldsV1(), v1);
});

test('map-list keys are serialized with sorted key names; paths print as upstream', () => {
  assert.equal(keyElement({ protocol: 'TCP', containerPort: 80 }), 'k:{"containerPort":80,"protocol":"TCP"}');
  assert.equal(formatPath(['f:spec', 'f:containers', 'k:{"name":"a"}', 'f:ports', 'k:{"containerPort":80,"protocol":"TCP"}']),
    '.spec.containers[name="a"].ports[containerPort=80,protocol="TCP"]');
  assert.equal(formatPath(['f:metadata', 'f:finalizers', 'v:"x"']), '.metadata.finalizers[="x"]');
});

test('patch types come from the Content-Type, parameters ignored; CBOR apply is not served', () => {
  assert.equal(patchTypeFromContentType('application/json-patch+json'), 'json');
  assert.equal(patchTypeFromContentType('application/merge-patch+json; charset=utf-8'), 'merge');
  assert.equal(patchTypeFromContentType('application/strategic-merge-patch+json'), 'strategic');
  assert.equal(patchTypeFromContentType('application/apply-patch+yaml'), 'apply');
  assert.equal(patchTypeFromContentType('application/apply-patch+cbor'), undefined);
  assert.equal(patchTypeFromContentType('application/json'), undefined);
  assert.equal(patchTypeFromContentType(undefined), undefined);
});

test('set operations leave their operands unchanged, even when the operands or results are added to later', () => {
  const a = new FieldSet([['f:spec', 'f:replicas'], ['f:spec', 'f:template', 'f:spec'], ['f:metadata', 'f:labels', 'f:app']]);
  const b = new FieldSet([['f:spec', 'f:replicas'], ['f:status', 'f:phase']]);
  const before = { a: a.toFieldsV1(), b: b.toFieldsV1() };
  const union = a.union(b), difference = a.difference(b), intersection = a.intersection(b), without = a.without([['f:metadata']]);
  assert.deepEqual(union.paths(), [['f:metadata', 'f:labels', 'f:app'], ['f:spec', 'f:replicas'], ['f:spec', 'f:template', 'f:spec'], ['f:status', 'f:phase']]);
  assert.deepEqual(difference.paths(), [['f:metadata', 'f:labels', 'f:app'], ['f:spec', 'f:template', 'f:spec']]);
  assert.deepEqual(intersection.paths(), [['f:spec', 'f:replicas']]);
  assert.deepEqual(without.paths(), [['f:spec', 'f:replicas'], ['f:spec', 'f:template', 'f:spec']]);
  union.insert(['f:spec', 'f:template', 'f:metadata']);
  difference.insert(['f:spec', 'f:paused']);
  without.insert(['f:spec', 'f:replicas', 'f:x']);
  a.insert(['f:metadata', 'f:labels', 'f:tier']);
  b.insert(['f:status', 'f:replicas']);
  assert.deepEqual(union.size, 5);
  assert.deepEqual(difference.size, 3);
  assert.deepEqual(without.size, 3);
  assert.ok(!a.has(['f:spec', 'f:template', 'f:metadata']) && !a.has(['f:spec', 'f:paused']) && !a.has(['f:spec', 'f:replicas', 'f:x']));
  assert.ok(!union.has(['f:metadata', 'f:labels', 'f:tier']) && !union.has(['f:status', 'f:replicas']));
  assert.deepEqual(a.without([['f:metadata', 'f:labels', 'f:tier']]).toFieldsV1(), before.a);
  assert.deepEqual(b.without([['f:status', 'f:replicas']]).toFieldsV1(), before.b);
});

test('removing the last path under a field drops the field; removing everything leaves an empty set', () => {
  const set = new FieldSet([['f:metadata', 'f:labels', 'f:app'], ['f:spec', 'f:replicas']]);
  assert.deepEqual(set.without([['f:metadata', 'f:labels', 'f:app']]).toFieldsV1(), { 'f:spec': { 'f:replicas': {} } });
  assert.ok(set.difference(set).isEmpty());
  assert.ok(set.without([[]]).isEmpty());
  assert.equal(set.withAncestors().size, 5);
});

test('path elements that compare equal keep the order their first fields were recorded in', () => {
  // Two spellings of one key (a client may send either) sort as equal; FieldsV1 keeps their recorded order, also
  // after the earlier one loses its own membership.
  const spaced = 'k:{"port": 80}', plain = 'k:{"port":80}';
  const set = new FieldSet([['f:spec', spaced], ['f:spec', plain], ['f:spec', spaced, 'f:x']]);
  assert.deepEqual(Object.keys(set.toFieldsV1()['f:spec'] as object), [spaced, plain]);
  const moved = set.difference(new FieldSet([['f:spec', spaced]]));
  assert.deepEqual(Object.keys(moved.toFieldsV1()['f:spec'] as object), [plain, spaced]);
  assert.deepEqual(FieldSet.fromFieldsV1({ 'f:spec': { [plain]: {}, [spaced]: {} } }).paths(), [['f:spec', plain], ['f:spec', spaced]]);
});

test('a set decoded from FieldsV1 writes it back in structured-merge-diff order, as a copy, and with later changes', () => {
  /** What toFieldsV1 writes for the same members built from scratch (no decoded source to reuse). */
  const fresh = (s: FieldSet) => { const c = new FieldSet(); for (const p of s.paths()) c.insert(p); return JSON.stringify(c.toFieldsV1()); };
  const canonical = { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } }, 'f:spec': { 'f:ports': { '.': {}, 'k:{"port":9}': { '.': {}, 'f:port': {} }, 'k:{"port":10}': {} }, 'f:x': {} } };
  const written: Record<string, unknown>[] = [
    canonical,
    { 'f:b': {}, 'f:a': {} }, // unsorted
    { 'f:a': { '.': {} } }, // "." alone is a member without children: {}
    { 'f:a': { 'f:x': {}, '.': {} } }, // "." after a child
    { '.': {}, 'f:a': {} }, // "." at the top
    { 'f:a': { '.': { 'f:z': {} }, 'f:x': {} } }, // "." with content
    { 'f:p': { 'k:{"port":10}': {}, 'k:{"port":9}': {} } }, // keys order by value: 9 before 10
    {},
  ];
  for (const v of written) {
    const set = FieldSet.fromFieldsV1(v);
    const out = set.toFieldsV1();
    assert.equal(JSON.stringify(out), fresh(set), JSON.stringify(v));
    assert.notEqual(out, v);
    for (const changed of [set.union(FieldSet.fromFieldsV1({ 'f:new': {} })), set.difference(FieldSet.fromFieldsV1({ 'f:a': {} })), set.without([['f:spec', 'f:x']])]) {
      assert.equal(JSON.stringify(changed.toFieldsV1()), fresh(changed), JSON.stringify(v));
    }
    const grown = FieldSet.fromFieldsV1(v);
    grown.insert(['f:zz']);
    assert.equal(JSON.stringify(grown.toFieldsV1()), fresh(grown), JSON.stringify(v));
  }
  assert.equal(JSON.stringify(FieldSet.fromFieldsV1(canonical).toFieldsV1()), JSON.stringify(canonical));
  // The copy is the caller's: changing it leaves the source (a stored object's entry) as it was.
  const out = FieldSet.fromFieldsV1(canonical).toFieldsV1() as any;
  out['f:spec']['f:x']['f:y'] = {};
  assert.deepEqual(canonical['f:spec']['f:x'], {});
});
