import { test } from 'node:test';
import assert from 'node:assert/strict';
import { updateManagedFields, defaultFieldManager, capUpdateManagers, decodeManagedFields, encodeManagedFields } from './managed-fields.js';
import { testModel, deploymentSchema, configMapSchema } from './testing-schema.js';

const T0 = new Date('2024-05-01T10:00:00Z');
const T1 = new Date('2024-05-01T11:00:00Z');

const cm = (data: Record<string, string>, extra: Record<string, unknown> = {}): any =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default', uid: 'u', labels: { app: 'x' }, ...extra }, data });
const update = (old: any, updated: any, manager: string, now = T0) =>
  updateManagedFields({ old, updated, manager, apiVersion: 'v1', now, schema: configMapSchema, model: testModel });

test('create records one Update entry owning what was set, with "." on new maps and identity fields unowned', () => {
  const mf = update(undefined, cm({ A: '1' }), 'kubectl-create');
  assert.deepEqual(mf, [{
    manager: 'kubectl-create', operation: 'Update', apiVersion: 'v1', time: '2024-05-01T10:00:00Z', fieldsType: 'FieldsV1',
    fieldsV1: { 'f:data': { '.': {}, 'f:A': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } },
  }]);
});

test('a Deployment create owns spec fields without owning spec itself (as upstream)', () => {
  const d = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 1, template: { spec: { containers: [{ name: 'a', image: 'i' }] } } } };
  const [e] = updateManagedFields({ old: undefined, updated: d, manager: 'kubectl-create', apiVersion: 'apps/v1', now: T0, schema: deploymentSchema, model: testModel });
  assert.deepEqual(e.fieldsV1, { 'f:spec': { 'f:replicas': {}, 'f:template': { '.': {}, 'f:spec': { '.': {}, 'f:containers': {
    '.': {}, 'k:{"name":"a"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } } } });
});

test('another writer takes the fields it changes; removed fields leave every entry', () => {
  const v1 = cm({ A: '1', B: '2' });
  v1.metadata.managedFields = update(undefined, v1, 'creator');
  const v2 = cm({ A: 'changed' });
  v2.metadata.managedFields = v1.metadata.managedFields;
  const mf = update(v1, v2, 'editor', T1);
  const creator = mf.find((m) => m.manager === 'creator')!;
  const editor = mf.find((m) => m.manager === 'editor')!;
  assert.deepEqual(creator.fieldsV1, { 'f:data': {}, 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } });
  assert.deepEqual(editor.fieldsV1, { 'f:data': { 'f:A': {} } });
  assert.equal(editor.time, '2024-05-01T11:00:00Z');
  assert.equal(creator.time, '2024-05-01T10:00:00Z');
});

test('a write that changes nothing leaves managedFields as they were', () => {
  const v1 = cm({ A: '1' });
  v1.metadata.managedFields = update(undefined, v1, 'creator');
  assert.deepEqual(update(v1, structuredClone(v1), 'someone-else', T1), v1.metadata.managedFields);
});

test('managedFields: [{}] clears tracking; an untracked object stays untracked', () => {
  const v1 = cm({ A: '1' });
  v1.metadata.managedFields = update(undefined, v1, 'creator');
  assert.deepEqual(update(v1, cm({ A: '1' }, { managedFields: [{}] }), 'x'), []);
  assert.deepEqual(update(cm({ A: '1' }), cm({ A: '2' }), 'x'), []);
});

test('more than 10 Update managers fold the oldest into ancient-changes', () => {
  const entries = Array.from({ length: 12 }, (_, i) => ({
    manager: `m${String(i).padStart(2, '0')}`, operation: 'Update' as const, apiVersion: 'v1',
    time: new Date(T0.getTime() + i * 1000).toISOString().replace(/\.\d+Z$/, 'Z'), fieldsType: 'FieldsV1' as const,
    fieldsV1: { 'f:data': { [`f:k${i}`]: {} } },
  }));
  const managers = decodeManagedFields(entries);
  capUpdateManagers(managers);
  const out = encodeManagedFields(managers);
  assert.equal(out.length, 10);
  const ancient = out.find((e) => e.manager === 'ancient-changes')!;
  assert.deepEqual(ancient.fieldsV1, { 'f:data': { 'f:k0': {}, 'f:k1': {}, 'f:k2': {} } });
});

test('the default manager is the User-Agent product name', () => {
  assert.equal(defaultFieldManager('kubectl/v1.32.0 (linux/amd64) kubernetes/70d3cc9'), 'kubectl');
  assert.equal(defaultFieldManager('node-fetch'), 'node-fetch');
  assert.equal(defaultFieldManager('OpenAPI-Generator/1.0.0/python'), 'OpenAPI-Generator');
  assert.equal(defaultFieldManager('x'.repeat(200)).length, 128);
});

test('recording ownership leaves the old and the updated object as they were', () => {
  const v1 = cm({ A: '1' });
  v1.metadata.managedFields = update(undefined, v1, 'creator');
  const v2 = cm({ A: '2', B: '3' });
  v2.metadata.managedFields = v1.metadata.managedFields;
  const [oldCopy, newCopy] = [structuredClone(v1), structuredClone(v2)];
  const mf = update(v1, v2, 'editor', T1);
  assert.deepEqual(v1, oldCopy);
  assert.deepEqual(v2, newCopy);
  assert.deepEqual(mf.find((m) => m.manager === 'editor')!.fieldsV1, { 'f:data': { 'f:A': {}, 'f:B': {} } });
  // The result shares nothing with the inputs: changing it later cannot change them.
  (mf[0].fieldsV1 as Record<string, unknown>)['f:x'] = {};
  assert.deepEqual(v2, newCopy);
});
