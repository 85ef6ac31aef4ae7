// CustomResourceDefinitions with the real kubectl: a CRD and two of its custom resources applied in one manifest,
// schema and CEL validation, printer columns, the scale subresource, explain, watch, and deleting the CRD deleting
// its objects; and the official Python client's dynamic client on the custom resources.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestCluster } from './helpers/cluster.js';
import { findPython, pythonClientMissing, runPython } from './helpers/python.js';
import { until } from './helpers/until.js';
import { cronTabCrd as crd } from './helpers/crontab.js';

const crs = `---
apiVersion: stable.example.com/v1
kind: CronTab
metadata: { name: first }
spec: { cronSpec: "* * * * */5", image: my-image, replicas: 1 }
---
apiVersion: stable.example.com/v1
kind: CronTab
metadata: { name: second }
spec: { cronSpec: "*/10 * * * *", image: other, replicas: 2 }
`;

test('a CRD and its custom resources: apply, validation, columns, scale, explain, watch, cascade delete', async (t) => {
  const c = await startTestCluster(t, { components: false });
  const dir = c.home;
  writeFileSync(join(dir, 'all.yaml'), crd + crs);
  // As upstream's kubectl, the first apply maps every document before creating anything: it creates the CRD and
  // reports its custom resources unmapped ("ensure CRDs are installed first"); applied again, they are created.
  const first = await c.kubectl(['apply', '-f', join(dir, 'all.yaml')]);
  assert.match(first.stdout, /customresourcedefinition.apiextensions.k8s.io\/crontabs.stable.example.com created/, first.stderr);
  const waited = await c.kubectl(['wait', '--for=condition=Established', 'crd/crontabs.stable.example.com']);
  assert.equal(waited.code, 0, waited.stderr);
  const applied = await c.kubectl(['apply', '-f', join(dir, 'all.yaml')]);
  assert.equal(applied.code, 0, applied.stderr);
  assert.match(applied.stdout, /crontab.stable.example.com\/second created/);

  const crdJson = JSON.parse((await c.kubectl(['get', 'crd', 'crontabs.stable.example.com', '-o', 'json'])).stdout);
  assert.deepEqual(crdJson.status.conditions.map((x: any) => [x.type, x.status]), [['NamesAccepted', 'True'], ['Established', 'True']]);
  assert.deepEqual(crdJson.status.storedVersions, ['v1']);

  // Without strict field validation unknown fields are pruned (with a warning); schema defaults apply.
  const posted = await c.request('POST', '/apis/stable.example.com/v1/namespaces/default/crontabs', { body: { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'third' }, spec: { replicas: 1, unknownField: 'dropped' } } });
  assert.equal(posted.status, 201, posted.text);
  assert.match(String(posted.headers.warning), /unknown field \\"spec.unknownField\\"/);
  assert.equal(posted.body.spec.unknownField, undefined);
  assert.equal(posted.body.spec.maxReplicas, 10);

  const bad = await c.kubectl(['apply', '-f', '-'], { input: 'apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata: { name: bad }\nspec: { replicas: "string" }\n' });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /spec\.replicas: Invalid value: "string": spec\.replicas in body must be of type integer: "string"/);
  const cel = await c.kubectl(['create', '-f', '-'], { input: 'apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata: { name: toomany }\nspec: { replicas: 5, maxReplicas: 3 }\n' });
  assert.notEqual(cel.code, 0);
  assert.match(cel.stderr, /spec: Invalid value: "object": replicas must not exceed maxReplicas/);

  const table = await c.kubectl(['get', 'ct']);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^NAME\s+SPEC\s+REPLICAS\s+AGE\n/);
  assert.match(table.stdout, /\nfirst\s+\* \* \* \* \*\/5\s+1\s+\d+s\n/);

  const scaled = await c.kubectl(['scale', 'crontab/first', '--replicas=3']);
  assert.equal(scaled.code, 0, scaled.stderr);
  assert.equal((await c.kubectl(['get', 'crontab', 'first', '-o', 'jsonpath={.spec.replicas}'])).stdout, '3');

  const explain = await c.kubectl(['explain', 'crontab.spec']);
  assert.equal(explain.code, 0, explain.stderr);
  assert.match(explain.stdout, /The desired schedule\./);
  assert.match(explain.stdout, /cronSpec\s+<string>/);

  // A watch sees a change made after it started.
  const watcher = spawn('kubectl', ['get', 'crontabs', '--watch-only', '-o', 'name'], { env: { ...process.env, KUBECONFIG: c.kubeconfig, HOME: join(c.home, 'user') } });
  t.after(() => watcher.kill());
  let seen = '';
  watcher.stdout.on('data', (d) => { seen += d; });
  await until('the watch to see a change', async () => {
    await c.kubectl(['patch', 'crontab', 'second', '--type=merge', '-p', `{"spec":{"image":"v${Date.now()}"}}`]);
    return seen.includes('crontab.stable.example.com/second');
  });
  watcher.kill();

  const deleted = await c.kubectl(['delete', 'crd', 'crontabs.stable.example.com']);
  assert.equal(deleted.code, 0, deleted.stderr);
  const gone = await c.request('GET', '/apis/stable.example.com/v1/namespaces/default/crontabs');
  assert.equal(gone.status, 404);
  assert.equal((await c.request('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.stable.example.com')).status, 404);
  // Its objects went with it: the same CRD created again serves an empty list.
  assert.equal((await c.kubectl(['apply', '-f', '-'], { input: crd })).code, 0);
  assert.equal((await c.kubectl(['wait', '--for=condition=Established', 'crd/crontabs.stable.example.com'])).code, 0);
  assert.deepEqual((await c.request('GET', '/apis/stable.example.com/v1/crontabs')).body.items, []);
});

const script = String.raw`
import json, sys
from kubernetes import config, dynamic
from kubernetes.client import api_client
client = dynamic.DynamicClient(api_client.ApiClient(configuration=config.load_kube_config(config_file=sys.argv[1])))
api = client.resources.get(api_version='stable.example.com/v1', kind='CronTab')
api.create(body={'apiVersion': 'stable.example.com/v1', 'kind': 'CronTab', 'metadata': {'name': 'py'}, 'spec': {'replicas': 1}}, namespace='default')
api.patch(name='py', namespace='default', body={'spec': {'image': 'patched'}}, content_type='application/merge-patch+json')
got = api.get(name='py', namespace='default')
names = [i.metadata.name for i in api.get(namespace='default').items]
api.delete(name='py', namespace='default')
print(json.dumps({'image': got.spec.image, 'maxReplicas': got.spec.maxReplicas, 'names': names}))
`;

test('the Python dynamic client creates, patches, lists and deletes custom resources', async (t) => {
  const py = findPython('kubernetes.dynamic');
  if (!py) { t.skip(pythonClientMissing); return; }
  const c = await startTestCluster(t, { components: false });
  const r = await c.kubectl(['apply', '-f', '-'], { input: crd });
  assert.equal(r.code, 0, r.stderr);
  await c.kubectl(['wait', '--for=condition=Established', 'crd/crontabs.stable.example.com']);
  const out = await runPython(c, py, 'dyn.py', script);
  assert.equal(out.code, 0, out.stderr);
  assert.deepEqual(out.output(), { image: 'patched', maxReplicas: 10, names: ['py'] });
});
