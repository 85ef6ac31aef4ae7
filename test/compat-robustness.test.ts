// Hostile and malformed input on every entry point gets a Kubernetes Status with a 4xx code, worded as upstream
// words it, never a 500; and the server keeps serving afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, type TestCluster } from './helpers/cluster.js';

const NS = '/api/v1/namespaces/default';
const DEPLOY = '/apis/apps/v1/namespaces/default/deployments';

const deployment = (name: string, replicas: unknown = 1) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
  spec: {
    replicas, selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
  },
});

function assertStatus(r: { status: number; body: any; text: string }, code: number, reason: string, message?: RegExp | string) {
  assert.equal(r.status, code, r.text);
  assert.equal(r.body.kind, 'Status', r.text);
  assert.equal(r.body.code, code);
  assert.equal(r.body.reason, reason);
  if (typeof message === 'string') assert.equal(r.body.message, message);
  else if (message) assert.match(r.body.message, message);
}

async function stillServing(c: TestCluster) {
  assert.equal((await c.request('GET', '/readyz')).status, 200, 'the server keeps serving');
  assert.equal((await c.request('GET', `${NS}/configmaps`)).status, 200);
}

test('a value of the wrong JSON type is rejected as Go decoding rejects it, on create, update, patch and apply', async (t) => {
  const c = await startTestCluster(t);
  const create = await c.request('POST', DEPLOY, { body: deployment('two', 'two') });
  assertStatus(create, 400, 'BadRequest',
    'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32');
  assert.equal((await c.request('GET', `${DEPLOY}/two`)).status, 404, 'nothing was stored');

  assertStatus(await c.request('POST', `${NS}/configmaps`, { body: { metadata: { name: 'x' }, data: { a: 1 } } }), 400, 'BadRequest',
    'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type string');
  assertStatus(await c.request('POST', `${NS}/configmaps`, { body: { metadata: { name: 'x', labels: ['a'] } } }), 400, 'BadRequest',
    /cannot unmarshal array into Go struct field ObjectMeta\.metadata\.labels of type map\[string\]string/);
  assertStatus(await c.request('POST', `${NS}/configmaps`, { body: { metadata: 'x' } }), 400, 'BadRequest',
    /cannot unmarshal string into Go struct field ConfigMap\.metadata of type v1\.ObjectMeta/);

  assert.equal((await c.request('POST', DEPLOY, { body: deployment('web') })).status, 201);
  const put = await c.request('PUT', `${DEPLOY}/web`, { body: deployment('web', 2.5) });
  assertStatus(put, 400, 'BadRequest', /cannot unmarshal number 2\.5 into Go struct field DeploymentSpec\.spec\.replicas of type int32/);

  const merge = await c.request('PATCH', `${DEPLOY}/web`, { raw: '{"spec":{"replicas":"two"}}', contentType: 'application/merge-patch+json' });
  assertStatus(merge, 422, 'Invalid', /^ "" is invalid: patch: Invalid value: ".*": json: cannot unmarshal string into Go struct field DeploymentSpec\.spec\.replicas of type int32$/s);
  assert.equal(merge.body.details.causes[0].field, 'patch');
  const smp = await c.request('PATCH', `${DEPLOY}/web`, { raw: '{"spec":{"replicas":"two"}}', contentType: 'application/strategic-merge-patch+json' });
  assertStatus(smp, 422, 'Invalid', ' "" is invalid: patch: Invalid value: "map[spec:map[replicas:two]]": json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32');
  const jsonPatch = await c.request('PATCH', `${DEPLOY}/web`, { raw: '[{"op":"replace","path":"/spec/replicas","value":"two"}]', contentType: 'application/json-patch+json' });
  assertStatus(jsonPatch, 422, 'Invalid');
  const apply = await c.request('PATCH', `${DEPLOY}/web?fieldManager=me`, { raw: JSON.stringify(deployment('web', 'two')), contentType: 'application/apply-patch+yaml' });
  assertStatus(apply, 400, 'BadRequest', /^failed to create typed patch object \(\/web; apps\/v1, Kind=Deployment\): json: cannot unmarshal string/);
  const scale = await c.request('PATCH', `${DEPLOY}/web/scale`, { raw: '{"spec":{"replicas":"two"}}', contentType: 'application/merge-patch+json' });
  assertStatus(scale, 422, 'Invalid', /Go struct field ScaleSpec\.spec\.replicas of type int32/);

  const after = await c.request('GET', `${DEPLOY}/web`);
  assert.equal(after.body.spec.replicas, 1, 'none of the bad writes changed the object');
  await stillServing(c);
});

test('kubectl shows the type error for `kubectl patch` and `kubectl apply` instead of storing a bad value', async (t) => {
  const c = await startTestCluster(t);
  assert.equal((await c.request('POST', DEPLOY, { body: deployment('web') })).status, 201);
  const patch = await c.kubectl(['patch', 'deployment', 'web', '-p', '{"spec":{"replicas":"two"}}']);
  assert.notEqual(patch.code, 0);
  assert.match(patch.stderr, /The request is invalid: patch: Invalid value: "map\[spec:map\[replicas:two\]\]": json: cannot unmarshal string into Go struct field DeploymentSpec\.spec\.replicas of type int32/);
  const manifest = JSON.stringify({ ...deployment('other', 'three') });
  const apply = await c.kubectl(['apply', '-f', '-'], { input: manifest });
  assert.notEqual(apply.code, 0);
  assert.match(apply.stderr, /cannot unmarshal string into Go struct field DeploymentSpec\.spec\.replicas of type int32/);
});

test('bodies nested deeper than the decoder allows are a 400, not a crash', async (t) => {
  const c = await startTestCluster(t);
  const depth = 20_000;
  const deepJson = `{"metadata":{"name":"deep"},"data":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
  assertStatus(await c.request('POST', `${NS}/configmaps`, { raw: deepJson, contentType: 'application/json' }), 400, 'BadRequest', /exceeded max depth/);
  const deepYaml = `metadata: {name: deepy}\nx: ${'['.repeat(5000)}${']'.repeat(5000)}\n`;
  assertStatus(await c.request('POST', `${NS}/configmaps`, { raw: deepYaml, contentType: 'application/yaml' }), 400, 'BadRequest');
  const deepPatch = `{"metadata":{"annotations":{"a":"b"}},"x":${'['.repeat(depth)}${']'.repeat(depth)}}`;
  assert.equal((await c.request('POST', `${NS}/configmaps`, { body: { metadata: { name: 'p' } } })).status, 201);
  assertStatus(await c.request('PATCH', `${NS}/configmaps/p`, { raw: deepPatch, contentType: 'application/merge-patch+json' }), 400, 'BadRequest', /exceeded max depth/);
  await stillServing(c);
});

test('malformed list and watch parameters are an HTTP 400 before any stream starts', async (t) => {
  const c = await startTestCluster(t);
  const badRv = await c.request('GET', `${NS}/configmaps?watch=true&resourceVersion=abc`);
  assertStatus(badRv, 400, 'BadRequest', 'resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax');
  assertStatus(await c.request('GET', `${NS}/configmaps?watch=1&resourceVersion=-5`), 400, 'BadRequest', /parsing "-5": invalid syntax/);
  assertStatus(await c.request('GET', `${NS}/configmaps?resourceVersion=1x`), 400, 'BadRequest', /parsing "1x"/);
  assertStatus(await c.request('GET', `${NS}/configmaps?watch=1&labelSelector=a%3D%3D%3Db`), 400, 'BadRequest');
  assertStatus(await c.request('GET', `${NS}/configmaps?limit=-1`), 400, 'BadRequest');
  assertStatus(await c.request('GET', `${NS}/configmaps?limit=1&continue=not-a-token`), 400, 'BadRequest', /continue/);
  assertStatus(await c.request('GET', `${NS}/configmaps?includeObject=Everything`, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' }), 400, 'BadRequest');
  await stillServing(c);
});

test('bad PATCH and DELETE bodies, unknown subresources and unsupported methods get 4xx Statuses', async (t) => {
  const c = await startTestCluster(t);
  assert.equal((await c.request('POST', `${NS}/configmaps`, { body: { metadata: { name: 'x' } } })).status, 201);
  assertStatus(await c.request('PATCH', `${NS}/configmaps/x`, { raw: '', contentType: 'application/merge-patch+json' }), 400, 'BadRequest');
  assertStatus(await c.request('PATCH', `${NS}/configmaps/x`, { raw: '{}', contentType: 'text/html' }), 415, 'UnsupportedMediaType');
  assertStatus(await c.request('DELETE', `${NS}/configmaps/x`, { raw: '{bad', contentType: 'application/json' }), 400, 'BadRequest');
  assertStatus(await c.request('DELETE', `${NS}/configmaps/x`, { raw: '{"gracePeriodSeconds":"soon"}', contentType: 'application/json' }), 400, 'BadRequest',
    'json: cannot unmarshal string into Go struct field DeleteOptions.gracePeriodSeconds of type int64');
  assertStatus(await c.request('DELETE', `${NS}/configmaps/x`, { raw: '{"propagationPolicy":"Sideways"}', contentType: 'application/json' }), 400, 'BadRequest');
  assertStatus(await c.request('GET', `${NS}/configmaps/x/status`), 404, 'NotFound');
  assertStatus(await c.request('GET', `${NS}/configmaps/x/nonsense`), 404, 'NotFound');
  assertStatus(await c.request('OPTIONS', `${NS}/configmaps`), 405, 'MethodNotAllowed');
  assertStatus(await c.request('POST', `${NS}/configmaps`, { body: { apiVersion: 'nope/v9', kind: 'ConfigMap', metadata: { name: 'y' } } }), 400, 'BadRequest',
    'the API version in the data (nope/v9) does not match the expected API version (v1)');
  assertStatus(await c.request('POST', `${NS}/configmaps`, { body: { metadata: { name: 'a'.repeat(254) } } }), 422, 'Invalid');
  assertStatus(await c.request('POST', `${NS}/configmaps`, { body: { metadata: { name: 'y', labels: { a: 'v'.repeat(64) } } } }), 422, 'Invalid', /must be no more than 63 characters/);
  assert.equal((await c.request('GET', `${NS}/configmaps/x`)).status, 200, 'the object survived every bad request');
  await stillServing(c);
});
