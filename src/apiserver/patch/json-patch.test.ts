import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyJsonPatch } from './json-patch.js';
import { StatusError } from '../../api/errors.js';

const deployment = () => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', annotations: { a: '1' } },
  spec: { replicas: 2, template: { spec: { containers: [{ name: 'app', image: 'v1' }] } } },
});

function statusOf(fn: () => unknown): StatusError {
  try { fn(); } catch (e) { assert.ok(e instanceof StatusError, `expected StatusError, got ${e}`); return e; }
  assert.fail('expected an error');
}

test('kubectl rollout undo: replace ops rewrite the template and annotations', () => {
  const live = deployment();
  const out = applyJsonPatch(live, [
    { op: 'replace', path: '/spec/template', value: { spec: { containers: [{ name: 'app', image: 'v0' }] } } },
    { op: 'replace', path: '/metadata/annotations', value: { 'deployment.kubernetes.io/revision': '2' } },
  ]) as ReturnType<typeof deployment>;
  assert.equal(out.spec.template.spec.containers[0].image, 'v0');
  assert.deepEqual(out.metadata.annotations, { 'deployment.kubernetes.io/revision': '2' });
});

test('the input object is never modified', () => {
  const live = deployment();
  const before = JSON.stringify(live);
  applyJsonPatch(live, [{ op: 'add', path: '/spec/template/spec/containers/-', value: { name: 'side', image: 'x' } },
    { op: 'remove', path: '/metadata/annotations/a' }]);
  assert.equal(JSON.stringify(live), before);
});

test('add, remove, move, copy and test work on objects and arrays', () => {
  const out = applyJsonPatch(deployment(), [
    { op: 'test', path: '/spec/replicas', value: 2 },
    { op: 'add', path: '/spec/template/spec/containers/0', value: { name: 'init', image: 'busybox' } },
    { op: 'copy', from: '/metadata/name', path: '/metadata/labels' },
    { op: 'move', from: '/metadata/labels', path: '/metadata/generateName' },
    { op: 'remove', path: '/spec/template/spec/containers/1' },
  ]) as any;
  assert.deepEqual(out.spec.template.spec.containers.map((c: any) => c.name), ['init']);
  assert.equal(out.metadata.generateName, 'web');
  assert.equal(out.metadata.labels, undefined);
});

test('a failed test op is a 422 Invalid with upstream message and cause', () => {
  const e = statusOf(() => applyJsonPatch(deployment(), [{ op: 'test', path: '/spec/replicas', value: 3 }]));
  assert.equal(e.code, 422);
  assert.equal(e.reason, 'Invalid');
  assert.equal(e.message, 'the server rejected our request due to an error in our request');
  assert.deepEqual(e.status.details, {}, 'upstream leaves the library\'s text out of the Status');
  assert.equal(e.cause, 'testing value /spec/replicas failed: test failed');
});

test('replacing or removing a missing key is a 422 naming the path', () => {
  let e = statusOf(() => applyJsonPatch(deployment(), [{ op: 'replace', path: '/spec/paused', value: true }]));
  assert.equal(e.code, 422);
  assert.equal(e.cause, 'replace operation does not apply: doc is missing key: /spec/paused: missing value');
  e = statusOf(() => applyJsonPatch(deployment(), [{ op: 'remove', path: '/metadata/labels/app' }]));
  assert.equal(e.cause, 'remove operation does not apply: doc is missing path: "/metadata/labels/app": missing value');
  e = statusOf(() => applyJsonPatch(deployment(), [{ op: 'add', path: '/nope/deeper', value: 1 }]));
  assert.equal(e.cause, 'add operation does not apply: doc is missing path: "/nope/deeper": missing value');
});

test('an unknown op is a 422 "Unexpected kind"', () => {
  const e = statusOf(() => applyJsonPatch(deployment(), [{ op: 'frobnicate', path: '/spec' }]));
  assert.equal(e.code, 422);
  assert.equal(e.cause, 'Unexpected kind: frobnicate');
});

test('a body that is not a list of operations is a 400 BadRequest', () => {
  const e = statusOf(() => applyJsonPatch(deployment(), { op: 'add' }));
  assert.equal(e.code, 400);
  assert.equal(e.reason, 'BadRequest');
  assert.match(e.message, /cannot unmarshal object into Go value of type jsonpatch.Patch/);
});

test('more than 10000 operations is 413', () => {
  const ops = Array.from({ length: 10001 }, () => ({ op: 'test', path: '/kind', value: 'Deployment' }));
  assert.equal(statusOf(() => applyJsonPatch(deployment(), ops)).code, 413);
});
