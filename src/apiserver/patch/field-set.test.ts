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
