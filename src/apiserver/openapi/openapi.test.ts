import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testSchemaModel } from '../../api/schema/test-model.js';
import { RESOURCES } from './test-resources.js';
import { openapiV2, openapiV3Document, openapiV3Root } from './index.js';

const model = testSchemaModel();
const options = { model };


type Json = Record<string, any>;

/** Every "$ref" in the document, with where it was found. */
function refs(value: unknown, where = '', out: [string, string][] = []): [string, string][] {
  if (Array.isArray(value)) value.forEach((v, i) => refs(v, `${where}[${i}]`, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref') out.push([where, v as string]);
      else refs(v, `${where}/${k}`, out);
    }
  }
  return out;
}

test('apps/v1 v3 document: PATCH on a Deployment is tagged with its kind and declares fieldValidation', () => {
  const doc = JSON.parse(openapiV3Document('apis/apps/v1', RESOURCES, options).body) as Json;
  assert.equal(doc.openapi, '3.0.0');
  const item = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'];
  assert.ok(item, 'item path exists');
  assert.equal(item.patch['x-kubernetes-action'], 'patch');
  assert.deepEqual(item.patch['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'Deployment' });
  assert.equal(item.patch.operationId, 'patchAppsV1NamespacedDeployment');
  const names = (item.patch.parameters as Json[]).map((p) => p.name);
  assert.deepEqual(names, ['dryRun', 'fieldManager', 'fieldValidation', 'force']);
  const fieldValidation = item.patch.parameters[2];
  assert.deepEqual([fieldValidation.in, fieldValidation.schema], ['query', { type: 'string', uniqueItems: true }]);
  assert.deepEqual(Object.keys(item.patch.requestBody.content).sort(), [
    'application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json',
    'application/strategic-merge-patch+json']);
  assert.deepEqual(item.get.responses['200'].content['application/json'].schema,
    { $ref: '#/components/schemas/io.k8s.api.apps.v1.Deployment' });
  assert.ok(item.put && item.delete, 'replace and delete are served');
  const collection = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments'];
  assert.deepEqual([collection.get['x-kubernetes-action'], collection.post['x-kubernetes-action'],
    collection.delete['x-kubernetes-action']], ['list', 'post', 'deletecollection']);
  assert.deepEqual(collection.get.responses['200'].content['application/json'].schema,
    { $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentList' });
  assert.ok(doc.paths['/apis/apps/v1/deployments'].get, 'list across namespaces');
  const scale = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'];
  assert.deepEqual(scale.patch['x-kubernetes-group-version-kind'], { group: 'autoscaling', version: 'v1', kind: 'Scale' });
  assert.ok(doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status'].patch);
  assert.equal(doc.paths['/api/v1/namespaces/{namespace}/pods'], undefined, 'other group-versions are not described');
});

test('v3 components hold every referenced definition, with upstream extensions', () => {
  const doc = JSON.parse(openapiV3Document('api/v1', RESOURCES, options).body) as Json;
  const schemas = doc.components.schemas as Json;
  for (const [where, ref] of refs(doc)) {
    assert.ok(ref.startsWith('#/components/schemas/'), where);
    assert.ok(schemas[ref.slice('#/components/schemas/'.length)], `${where} → ${ref}`);
  }
  const pod = schemas['io.k8s.api.core.v1.Pod'];
  assert.deepEqual(pod['x-kubernetes-group-version-kind'], [{ group: '', version: 'v1', kind: 'Pod' }]);
  assert.deepEqual(pod.properties.spec.allOf, [{ $ref: '#/components/schemas/io.k8s.api.core.v1.PodSpec' }]);
  assert.equal(typeof pod.properties.spec.description, 'string');
  const containers = schemas['io.k8s.api.core.v1.PodSpec'].properties.containers;
  assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
  assert.deepEqual(containers.items, { $ref: '#/components/schemas/io.k8s.api.core.v1.Container' });
  assert.deepEqual(schemas['io.k8s.api.policy.v1.Eviction']['x-kubernetes-group-version-kind'], [{ group: 'policy', version: 'v1', kind: 'Eviction' }], 'pods/eviction is served and described');
  assert.ok(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions']);
  assert.equal(schemas['io.k8s.api.apps.v1.Deployment'], undefined, 'only what core/v1 reaches');
  const ns = doc.paths['/api/v1/namespaces/{name}'];
  assert.equal(ns.patch.operationId, 'patchCoreV1Namespace');
  assert.deepEqual(doc.paths['/api/v1/namespaces/{namespace}/pods/{name}/exec'].get['x-kubernetes-action'], 'connect');
});

test('the v3 root points at each group-version document by its content hash', () => {
  const root = openapiV3Root(['api/v1', 'apis/apps/v1'], RESOURCES, options) as Json;
  const apps = openapiV3Document('apis/apps/v1', RESOURCES, options);
  const core = openapiV3Document('v1', RESOURCES, options);
  assert.deepEqual(root, { paths: {
    'api/v1': { serverRelativeURL: `/openapi/v3/api/v1?hash=${core.hash}` },
    'apis/apps/v1': { serverRelativeURL: `/openapi/v3/apis/apps/v1?hash=${apps.hash}` },
  } });
  assert.notEqual(apps.hash, core.hash);
  assert.equal(openapiV3Document('apps/v1', RESOURCES, options), apps, 'computed once, then cached');
  assert.match(apps.etag, /^"[0-9A-F]+"$/);
  const withoutResources = openapiV3Root(['apps/v1'], undefined, options) as Json;
  assert.match(withoutResources.paths['apis/apps/v1'].serverRelativeURL, /^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]{16}$/);
});

test('v2 (Swagger 2.0) document: definitions resolve and every kind has its PATCH operation', () => {
  const doc = JSON.parse(openapiV2(RESOURCES, options).body) as Json;
  assert.equal(doc.swagger, '2.0');
  for (const [where, ref] of refs(doc)) {
    assert.ok(ref.startsWith('#/definitions/'), where);
    assert.ok(doc.definitions[ref.slice('#/definitions/'.length)], `${where} → ${ref}`);
  }
  const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
  assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'Deployment' });
  assert.ok((patch.parameters as Json[]).some((p) => p.name === 'fieldValidation' && p.in === 'query' && p.type === 'string'));
  assert.ok((patch.parameters as Json[]).some((p) => p.name === 'body' && p.in === 'body'));
  assert.ok(patch.consumes.includes('application/strategic-merge-patch+json'));
  const spec = doc.definitions['io.k8s.api.apps.v1.DeploymentSpec'];
  assert.equal(spec.properties.strategy.$ref, '#/definitions/io.k8s.api.apps.v1.DeploymentStrategy');
  assert.equal(spec.properties.strategy['x-kubernetes-patch-strategy'], 'retainKeys');
  assert.ok(doc.paths['/api/v1/namespaces/{namespace}/services/{name}'].patch);
});
