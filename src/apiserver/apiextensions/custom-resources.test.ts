// Custom resources through the apiserver's handler (SQLite in memory): Established within the controller's first
// pass, several versions over one storage, subresources, patch types, discovery/OpenAPI, cleanup on CRD deletion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteStore } from '../../storage/sqlite/sqlite-store.js';
import { createApiHandlerOnly } from '../index.js';
import { silentLogger } from '../logger.js';
import type { ApiHandler } from '../../api/transport.js';

async function api(t: { after(fn: () => unknown): void }) {
  const store = SqliteStore.open({ path: ':memory:', intervalMs: 0 });
  const { handler, close } = await createApiHandlerOnly({ store, logger: silentLogger });
  t.after(async () => { close(); await store.close(); });
  return handler;
}

async function call(h: ApiHandler, method: string, path: string, body?: unknown, contentType = 'application/json', accept = 'application/json') {
  const [p, q] = path.split('?');
  const r = await h({ method, path: p, query: new URLSearchParams(q ?? ''), headers: { 'content-type': contentType, accept }, user: { username: 'admin', groups: ['system:masters', 'system:authenticated'] }, body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)) });
  const text = typeof r.body === 'string' ? r.body : Buffer.isBuffer(r.body) ? r.body.toString() : '';
  return { status: r.status, headers: r.headers, body: text ? JSON.parse(text) : undefined };
}

const schema = { openAPIV3Schema: { type: 'object', properties: {
  spec: { type: 'object', properties: { size: { type: 'integer' }, color: { type: 'string' } } },
  status: { type: 'object', properties: { ready: { type: 'integer' } } },
} } };
const widgets = {
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', kind: 'Widget', shortNames: ['wd'] },
    versions: [
      { name: 'v1beta1', served: true, storage: false, schema, deprecated: true },
      { name: 'v1', served: true, storage: true, schema, selectableFields: [{ jsonPath: '.spec.color' }], subresources: { status: {}, scale: { specReplicasPath: '.spec.size', statusReplicasPath: '.status.ready' } } },
    ],
  },
};

async function established(h: ApiHandler, name: string) {
  for (let i = 0; i < 200; i++) {
    const r = await call(h, 'GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
    if (r.body?.status?.conditions?.some((c: any) => c.type === 'Established' && c.status === 'True')) return r.body;
    await new Promise((res) => setTimeout(res, 10));
  }
  throw new Error('not established');
}

test('a CRD serves its versions over one storage, with status and scale subresources, and refuses strategic merge', async (t) => {
  const h = await api(t);
  assert.equal((await call(h, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', widgets)).status, 201);
  const crd = await established(h, 'widgets.example.com');
  assert.deepEqual(crd.status.acceptedNames, { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList', shortNames: ['wd'] });
  assert.deepEqual(crd.status.storedVersions, ['v1']);

  const created = await call(h, 'POST', '/apis/example.com/v1/namespaces/default/widgets', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 1 }, status: { ready: 9 } });
  assert.equal(created.status, 201);
  assert.equal(created.body.status, undefined, 'status is set only through /status when the subresource exists');
  const beta = await call(h, 'GET', '/apis/example.com/v1beta1/namespaces/default/widgets/w');
  assert.equal(beta.body.apiVersion, 'example.com/v1beta1');
  assert.equal(beta.headers.warning, '299 - "example.com/v1beta1 Widget is deprecated; use example.com/v1 Widget"');
  assert.equal(beta.body.spec.size, 1);

  const st = await call(h, 'PATCH', '/apis/example.com/v1/namespaces/default/widgets/w/status', { status: { ready: 2 }, spec: { size: 5 } }, 'application/merge-patch+json');
  assert.equal(st.status, 200);
  assert.deepEqual([st.body.spec.size, st.body.status.ready], [1, 2]);

  const scale = await call(h, 'GET', '/apis/example.com/v1/namespaces/default/widgets/w/scale');
  assert.deepEqual([scale.body.kind, scale.body.spec.replicas, scale.body.status.replicas], ['Scale', 1, 2]);
  await call(h, 'PATCH', '/apis/example.com/v1/namespaces/default/widgets/w/scale', { spec: { replicas: 4 } }, 'application/merge-patch+json');
  assert.equal((await call(h, 'GET', '/apis/example.com/v1/namespaces/default/widgets/w')).body.spec.size, 4);

  const smp = await call(h, 'PATCH', '/apis/example.com/v1/namespaces/default/widgets/w', { spec: { color: 'red' } }, 'application/strategic-merge-patch+json');
  assert.equal(smp.status, 415);
  assert.match(smp.body.message, /accepted media types include: application\/json-patch\+json, application\/merge-patch\+json, application\/apply-patch\+yaml/);
  const jp = await call(h, 'PATCH', '/apis/example.com/v1/namespaces/default/widgets/w', [{ op: 'add', path: '/spec/color', value: 'red' }], 'application/json-patch+json');
  assert.equal(jp.body.spec.color, 'red');
  const applied = await call(h, 'PATCH', '/apis/example.com/v1/namespaces/default/widgets/w?fieldManager=me&force=true', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { color: 'blue' } }, 'application/apply-patch+yaml');
  assert.equal(applied.status, 200);
  assert.equal(applied.body.spec.color, 'blue');
  assert.ok(applied.body.metadata.managedFields.some((m: any) => m.manager === 'me' && m.operation === 'Apply'));

  const bad = await call(h, 'PUT', '/apis/example.com/v1/namespaces/default/widgets/w', { ...applied.body, spec: { size: 'big' } });
  assert.equal(bad.status, 422);
  assert.equal(bad.body.message, 'Widget.example.com "w" is invalid: spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"');

  await call(h, 'POST', '/apis/example.com/v1/namespaces/default/widgets', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'red' }, spec: { color: 'red' } });
  const selected = await call(h, 'GET', '/apis/example.com/v1/namespaces/default/widgets?fieldSelector=spec.color%3Dblue');
  assert.deepEqual(selected.body.items.map((o: any) => o.metadata.name), ['w']);
  assert.equal((await call(h, 'GET', '/apis/example.com/v1/namespaces/default/widgets?fieldSelector=spec.size%3D1')).status, 400);

  const table = await call(h, 'GET', '/apis/example.com/v1/namespaces/default/widgets', undefined, 'application/json', 'application/json;as=Table;v=v1;g=meta.k8s.io');
  assert.deepEqual(table.body.columnDefinitions.map((c: any) => c.name), ['Name', 'Age']);
});

test('discovery and OpenAPI list custom resources while their CRD is Established; deleting the CRD deletes its objects', async (t) => {
  const h = await api(t);
  await call(h, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', widgets);
  await established(h, 'widgets.example.com');
  const agg = await call(h, 'GET', '/apis', undefined, 'application/json', 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
  const group = agg.body.items.find((g: any) => g.metadata.name === 'example.com');
  assert.deepEqual(group.versions.map((v: any) => v.version), ['v1', 'v1beta1']);
  assert.deepEqual(group.versions[0].resources[0].subresources.map((s: any) => s.subresource), ['scale', 'status']);
  assert.equal((await call(h, 'GET', '/apis/example.com')).body.preferredVersion.version, 'v1');
  const v3 = await call(h, 'GET', '/openapi/v3/apis/example.com/v1');
  assert.equal(v3.status, 200);
  assert.ok(v3.body.components.schemas['com.example.v1.Widget'].properties.spec);

  await call(h, 'POST', '/apis/example.com/v1/namespaces/default/widgets', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'a' } });
  await call(h, 'POST', '/apis/example.com/v1/namespaces/kube-system/widgets', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'b', finalizers: ['example.com/hold'] } });
  const del = await call(h, 'DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com');
  assert.equal(del.status, 202);
  assert.ok(del.body.metadata.finalizers.includes('customresourcecleanup.apiextensions.k8s.io'));
  assert.ok(del.body.status.conditions.some((c: any) => c.type === 'Terminating' && c.status === 'True'));
  // A finalizer on a custom resource holds the CRD until it is removed.
  let held;
  for (let i = 0; i < 100; i++) {
    held = await call(h, 'GET', '/apis/example.com/v1/namespaces/kube-system/widgets/b');
    if (held.body?.metadata?.deletionTimestamp) break;
    await new Promise((res) => setTimeout(res, 10));
  }
  assert.equal((await call(h, 'GET', '/apis/example.com/v1/namespaces/default/widgets/a')).status, 404);
  assert.equal((await call(h, 'GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com')).status, 200);
  await call(h, 'PATCH', '/apis/example.com/v1/namespaces/kube-system/widgets/b', { metadata: { finalizers: null } }, 'application/merge-patch+json');
  for (let i = 0; i < 300; i++) {
    if ((await call(h, 'GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com')).status === 404) break;
    await new Promise((res) => setTimeout(res, 10));
  }
  assert.equal((await call(h, 'GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com')).status, 404);
  assert.equal((await call(h, 'GET', '/apis/example.com/v1/widgets')).status, 404);
  assert.equal((await call(h, 'GET', '/apis/example.com')).status, 404);
  assert.equal((await call(h, 'GET', '/openapi/v3/apis/example.com/v1')).status, 404);
});

test('a CRD whose names another CRD of the group holds is not Established (NameConflict)', async (t) => {
  const h = await api(t);
  await call(h, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', widgets);
  await established(h, 'widgets.example.com');
  const clash = structuredClone(widgets) as any;
  clash.metadata.name = 'gadgets.example.com';
  clash.spec.names = { plural: 'gadgets', kind: 'Gadget', shortNames: ['wd'] };
  assert.equal((await call(h, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', clash)).status, 201);
  let crd;
  for (let i = 0; i < 100; i++) {
    crd = (await call(h, 'GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.example.com')).body;
    if (crd.status.conditions.length) break;
    await new Promise((res) => setTimeout(res, 10));
  }
  assert.deepEqual(crd.status.conditions.map((c: any) => [c.type, c.status, c.reason, c.message]), [
    ['NamesAccepted', 'False', 'NameConflict', '"wd" is already in use'],
    ['Established', 'False', 'NotAccepted', 'not all names are accepted'],
  ]);
  assert.equal((await call(h, 'GET', '/apis/example.com/v1/namespaces/default/gadgets')).status, 404);
});
