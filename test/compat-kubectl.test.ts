// kubectl commands a demanding user runs, answered as a Kubernetes 1.32 cluster answers them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster } from './helpers/cluster.js';

test('kubectl auth can-i answers yes (every authenticated user is an administrator), --list and whoami work', async (t) => {
  const c = await startTestCluster(t);
  for (const args of [['create', 'pods'], ['delete', 'deployments', '-n', 'kube-system'], ['*', '*'], ['get', '/healthz']]) {
    const r = await c.kubectl(['auth', 'can-i', ...args]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'yes', args.join(' '));
  }
  const list = await c.kubectl(['auth', 'can-i', '--list']);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs\n\*\.\*\s+\[\]\s+\[\]\s+\[\*\]\n\s+\[\*\]\s+\[\]\s+\[\*\]/);
  const who = await c.kubectl(['auth', 'whoami', '-o', 'json']);
  assert.equal(who.code, 0, who.stderr);
  const review = JSON.parse(who.stdout);
  assert.equal(review.kind, 'SelfSubjectReview');
  assert.ok(review.status.userInfo.username, 'the admin certificate has a user name');
  assert.ok(review.status.userInfo.groups.includes('system:authenticated'));

  const bad = await c.request('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: {} } });
  assert.equal(bad.status, 422, 'a review must say what it asks about');
  assert.equal((await c.request('GET', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews')).status, 405, 'reviews are create-only');
});

test('kubectl get --sort-by sorts rows (the Table carries whole objects with includeObject=Object)', async (t) => {
  const c = await startTestCluster(t);
  for (const [name, n] of [['b', '3'], ['a', '1'], ['c', '2']]) {
    const r = await c.kubectl(['create', 'configmap', name, `--from-literal=n=${n}`]);
    assert.equal(r.code, 0, r.stderr);
  }
  const sorted = await c.kubectl(['get', 'configmaps', '--sort-by=.data.n', '-o', 'custom-columns=NAME:.metadata.name', '--no-headers']);
  assert.equal(sorted.code, 0, sorted.stderr);
  assert.deepEqual(sorted.stdout.trim().split('\n').filter((l) => l !== 'kube-root-ca.crt'), ['a', 'c', 'b']);
  const table = await c.kubectl(['get', 'configmaps', '--sort-by=.metadata.name']);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^NAME\s+DATA\s+AGE\n/);
  const raw = await c.request('GET', '/api/v1/namespaces/default/configmaps?includeObject=None', { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
  assert.equal(raw.body.rows[0].object, undefined, 'includeObject=None leaves objects out');
  const full = await c.request('GET', '/api/v1/namespaces/default/configmaps?includeObject=Object', { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
  assert.equal(full.body.rows[0].object.kind, 'ConfigMap');
  assert.ok(full.body.rows[0].object.data);
});

test('server-side apply conflicts with kubectl scale on .spec.replicas, because controller status writes keep spec owners', async (t) => {
  const c = await startTestCluster(t, { simulatedNodes: 1 });
  const manifest = (replicas: number) => JSON.stringify({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
  });
  const first = await c.kubectl(['apply', '--server-side', '-f', '-'], { input: manifest(1) });
  assert.equal(first.code, 0, first.stderr);
  const ready = await c.kubectl(['rollout', 'status', 'deployment/web', '--timeout=30s']);
  assert.equal(ready.code, 0, ready.stderr);
  const scaled = await c.kubectl(['scale', 'deployment', 'web', '--replicas=2']);
  assert.equal(scaled.code, 0, scaled.stderr);
  const mf = JSON.parse((await c.kubectl(['get', 'deployment', 'web', '-o', 'json', '--show-managed-fields'])).stdout).metadata.managedFields;
  const applier = mf.find((m: any) => m.manager === 'kubectl' && m.operation === 'Apply');
  assert.ok(applier?.fieldsV1?.['f:spec']?.['f:template'], 'the applier still owns the spec it applied after status updates');
  assert.ok(mf.find((m: any) => m.subresource === 'scale')?.fieldsV1?.['f:spec']?.['f:replicas'], 'kubectl scale owns replicas through /scale');
  const conflict = await c.kubectl(['apply', '--server-side', '-f', '-'], { input: manifest(5) });
  assert.notEqual(conflict.code, 0);
  assert.match(conflict.stderr, /Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps\/v1: \.spec\.replicas/);
  const forced = await c.kubectl(['apply', '--server-side', '--force-conflicts', '-f', '-'], { input: manifest(5) });
  assert.equal(forced.code, 0, forced.stderr);
});

test('the kubernetes Service has Endpoints and an EndpointSlice pointing at the apiserver; health checks answer one by one', async (t) => {
  const c = await startTestCluster(t);
  const port = new URL(c.url).port;
  const ep = await c.kubectl(['get', 'endpoints', 'kubernetes', '-o', 'jsonpath={.subsets[0].addresses[0].ip}:{.subsets[0].ports[0].port}']);
  assert.equal(ep.stdout, `127.0.0.1:${port}`, ep.stderr);
  const slice = await c.kubectl(['get', 'endpointslices', 'kubernetes', '-o', 'jsonpath={.metadata.labels.kubernetes\\.io/service-name} {.ports[0].port}']);
  assert.equal(slice.stdout, `kubernetes ${port}`, slice.stderr);
  for (const p of ['/livez/ping', '/readyz/etcd', '/healthz/log']) {
    const r = await c.kubectl(['get', '--raw', p]);
    assert.equal(r.stdout, 'ok', `${p}: ${r.stderr}`);
  }
  const verbose = await c.kubectl(['get', '--raw', '/readyz?verbose']);
  assert.match(verbose.stdout, /\[\+\]ping ok\n\[\+\]log ok\n\[\+\]etcd ok\nreadyz check passed/);
  assert.equal((await c.request('GET', '/livez/nonsense')).status, 404);
});

test('boolean query parameters are read as upstream reads them (watch=True from the python client starts a watch)', async (t) => {
  const c = await startTestCluster(t);
  const list = await c.request('GET', '/api/v1/namespaces/default/configmaps?watch=False');
  assert.equal(list.body.kind, 'ConfigMapList');
  const watch = await c.request('GET', '/api/v1/namespaces/default/configmaps?watch=True&timeoutSeconds=1');
  assert.equal(watch.status, 200);
  assert.notEqual(watch.body?.kind, 'ConfigMapList', 'a watch stream, not a list');
  assert.doesNotMatch(watch.text, /"kind":"ConfigMapList"/);
});
