// Kubernetes 1.32 compatibility a real user ran into: fields newer than 1.30, and the answers kubectl 1.32 and
// other clients read exactly as upstream gives them.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startTestCluster, type TestCluster } from './helpers/cluster.js';

// One control plane for the whole file (each test uses names of its own), stopped when the file ends.
const cleanups: (() => unknown)[] = [];
after(async () => { for (const f of cleanups.reverse()) await f(); });
let shared: Promise<TestCluster> | undefined;
const cluster = (): Promise<TestCluster> => (shared ??= startTestCluster({ after: (fn) => { cleanups.push(fn); } }, { components: false }));

test('fields added in Kubernetes 1.31 and 1.32 are known: kubectl explain shows them and strict validation accepts them', async () => {
  const c = await cluster();
  const resources = await c.kubectl(['explain', 'pods.spec.resources']);
  assert.equal(resources.code, 0, resources.stderr);
  assert.match(resources.stdout, /FIELD: resources <ResourceRequirements>/);
  const image = await c.kubectl(['explain', 'pods.spec.volumes.image']);
  assert.equal(image.code, 0, image.stderr);
  assert.match(image.stdout, /reference/);
  const deploy = await c.kubectl(['explain', 'deployments.spec.template.spec.securityContext.supplementalGroupsPolicy']);
  assert.equal(deploy.code, 0, deploy.stderr);
  assert.match(deploy.stdout, /supplementalGroupsPolicy <string>/);
  const pod = JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p132' },
    spec: {
      resources: { limits: { cpu: '1' } },
      securityContext: { supplementalGroupsPolicy: 'Merge' },
      containers: [{ name: 'c', image: 'nginx' }],
    },
  });
  const created = await c.kubectl(['create', '--validate=strict', '-f', '-'], { input: pod });
  assert.equal(created.code, 0, created.stderr);
  const removed = await c.kubectl(['explain', 'pods.spec.resourceClaims.source']);
  assert.notEqual(removed.code, 0, 'a field 1.32 removed is gone');
});

test('a manifest with an unknown kind: the other documents are applied, that one gets upstream\'s "no matches for kind" (kubectl reads /openapi/v2 in protobuf)', async () => {
  const c = await cluster();
  const file = path.join(c.home, 'f.yaml');
  fs.writeFileSync(file, [
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: good\ndata:\n  a: b',
    'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: x',
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: also-good',
  ].join('\n---\n'));
  const r = await c.kubectl(['apply', '-f', file]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `error: resource mapping not found for name: "x" namespace: "" from "${file}": no matches for kind "Widget" in version "example.com/v1"\nensure CRDs are installed first\n`);
  assert.match(r.stdout, /configmap\/good created\nconfigmap\/also-good created/);

  // kubectl explain's OpenAPI v2 output reads the protobuf document too.
  const v2 = await c.kubectl(['explain', '--output=plaintext-openapiv2', 'pods.spec.resources']);
  assert.equal(v2.code, 0, v2.stderr);
  assert.match(v2.stdout, /RESOURCE: resources <Object>/);
  assert.match(v2.stdout, /limits\t<map\[string\]string>/);
  const raw = await c.request('GET', '/openapi/v2', { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' });
  assert.equal(raw.status, 200);
  assert.equal(raw.headers['content-type'], 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
});

test('quantities are stored in canonical form on every write, and an invalid one gets upstream\'s decoding error', async () => {
  const c = await cluster();
  const pod = (name: string, cpu: unknown) => JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: { containers: [{ name: 'c', image: 'nginx', resources: {
      requests: { cpu, memory: '1024Mi' }, limits: { cpu: '1000m', memory: '2000000000', 'ephemeral-storage': '1e3' } } }] },
  });
  const created = await c.kubectl(['apply', '-f', '-'], { input: pod('q', 0.5) });
  assert.equal(created.code, 0, created.stderr);
  const stored = JSON.parse((await c.kubectl(['get', 'pod', 'q', '-o', 'json'])).stdout).spec.containers[0].resources;
  assert.deepEqual(stored, { requests: { cpu: '500m', memory: '1Gi', 'ephemeral-storage': '1e3' }, limits: { cpu: '1', memory: '2G', 'ephemeral-storage': '1e3' } });
  const quota = await c.kubectl(['create', 'quota', 'qq', '--hard=cpu=0.5,memory=1536Mi,pods=1e1']);
  assert.equal(quota.code, 0, quota.stderr);
  assert.deepEqual(JSON.parse((await c.kubectl(['get', 'quota', 'qq', '-o', 'json'])).stdout).spec.hard, { cpu: '500m', memory: '1536Mi', pods: '10' });
  // Gone again: a cpu/memory quota makes every later pod in the namespace name its requests (ResourceQuota admission).
  assert.equal((await c.kubectl(['delete', 'quota', 'qq'])).code, 0);

  const bad = await c.kubectl(['create', '-f', '-'], { input: pod('bad', 'abc') });
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr, 'Error from server (BadRequest): error when creating "STDIN": Pod in version "v1" cannot be handled as a Pod: '
    + "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'\n");
});

test('Status bodies carry their fields in upstream\'s order: kind, apiVersion, metadata, status, message, reason, details, code', async () => {
  const c = await cluster();
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dup' } };
  assert.equal((await c.request('POST', '/api/v1/namespaces/default/configmaps', { body: cm })).status, 201);
  const exists = await c.request('POST', '/api/v1/namespaces/default/configmaps', { body: cm });
  assert.equal(exists.status, 409);
  assert.equal(exists.text, '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \\"dup\\" already exists",'
    + '"reason":"AlreadyExists","details":{"name":"dup","kind":"configmaps"},"code":409}');
  const invalid = await c.request('POST', '/api/v1/namespaces/default/configmaps', { body: { ...cm, metadata: { name: 'Bad_Name' } } });
  assert.equal(invalid.status, 422);
  assert.deepEqual(Object.keys(invalid.body), ['kind', 'apiVersion', 'metadata', 'status', 'message', 'reason', 'details', 'code']);
  assert.deepEqual(Object.keys(invalid.body.details), ['name', 'kind', 'causes']);
  assert.deepEqual(Object.keys(invalid.body.details.causes[0]), ['reason', 'message', 'field']);
  const missing = await c.request('GET', '/api/v1/namespaces/default/configmaps/nope');
  assert.deepEqual(Object.keys(missing.body), ['kind', 'apiVersion', 'metadata', 'status', 'message', 'reason', 'details', 'code']);
});

test('a JSON patch removing a missing path gets upstream\'s 422 Status and kubectl\'s "The request is invalid" text', async () => {
  const c = await cluster();
  assert.equal((await c.kubectl(['create', 'configmap', 'jp', '--from-literal=a=b'])).code, 0);
  const r = await c.kubectl(['patch', 'configmap', 'jp', '--type=json', '-p', '[{"op":"remove","path":"/metadata/labels/x"}]']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'The request is invalid: the server rejected our request due to an error in our request\n');
  const raw = await c.request('PATCH', '/api/v1/namespaces/default/configmaps/jp', { raw: '[{"op":"remove","path":"/data/missing"}]', contentType: 'application/json-patch+json' });
  assert.equal(raw.status, 422);
  assert.equal(raw.text, '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
    + '"message":"the server rejected our request due to an error in our request","reason":"Invalid","details":{},"code":422}');
});

test('switching from client-side to server-side apply takes over the fields without a conflict, as upstream', async () => {
  const c = await cluster();
  const cm = (k: string, extra = '') => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: mig\n  labels:\n    a: "1"\ndata:\n  k: ${k}\n  other: x\n${extra}`;
  const csa = await c.kubectl(['apply', '-f', '-'], { input: cm('v1') });
  assert.equal(csa.code, 0, csa.stderr);
  const ssa = await c.kubectl(['apply', '--server-side', '-f', '-'], { input: cm('v2') });
  assert.equal(ssa.code, 0, ssa.stderr);
  assert.equal(ssa.stdout, 'configmap/mig serverside-applied\n');
  const obj = JSON.parse((await c.kubectl(['get', 'configmap', 'mig', '-o', 'json', '--show-managed-fields'])).stdout);
  assert.deepEqual(obj.data, { k: 'v2', other: 'x' });
  const managers = obj.metadata.managedFields.map((m: any) => `${m.manager}/${m.operation}`);
  assert.ok(managers.includes('kubectl/Apply'), managers.join());
  assert.ok(!managers.includes('kubectl-client-side-apply/Update'), 'kubectl moved the client-side entry over to its own');
  const owned = obj.metadata.managedFields.find((m: any) => m.manager === 'kubectl' && m.operation === 'Apply').fieldsV1;
  assert.deepEqual(Object.keys(owned['f:data']).sort(), ['f:k', 'f:other']);
  // The annotation follows server-side apply, so going back to client-side apply still diffs correctly.
  assert.equal(JSON.parse(obj.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).data.k, 'v2');

  // A field someone else changed since the client-side apply is not taken over silently.
  assert.equal((await c.kubectl(['apply', '-f', '-'], { input: cm('v1').replace('name: mig', 'name: mig2') })).code, 0);
  assert.equal((await c.kubectl(['patch', 'configmap', 'mig2', '--field-manager=editor', '-p', '{"data":{"other":"edited"}}'])).code, 0);
  const conflict = await c.kubectl(['apply', '--server-side', '-f', '-'], { input: cm('v2').replace('name: mig', 'name: mig2') });
  assert.equal(conflict.code, 1);
  assert.match(conflict.stderr, /^error: Apply failed with 1 conflict: conflict with "editor" using v1: \.data\.other\n/);
});

test('apply --prune with the default allowlist deletes the labelled objects a directory no longer holds', async () => {
  const c = await cluster();
  const dir = path.join(c.home, 'manifests');
  fs.mkdirSync(dir);
  const write = (name: string) => fs.writeFileSync(path.join(dir, `${name}.yaml`), `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  labels:\n    app: x\n`);
  write('a'); write('b');
  assert.equal((await c.kubectl(['create', 'namespace', 'prune'])).code, 0);
  assert.equal((await c.kubectl(['create', 'configmap', 'unlabelled', '-n', 'prune'])).code, 0);
  const first = await c.kubectl(['apply', '--prune', '-l', 'app=x', '-n', 'prune', '-f', dir]);
  assert.equal(first.code, 0, first.stderr);
  fs.rmSync(path.join(dir, 'b.yaml'));
  const second = await c.kubectl(['apply', '--prune', '-l', 'app=x', '-n', 'prune', '-f', dir]);
  assert.equal(second.code, 0, second.stderr);
  assert.equal(second.stdout, 'configmap/a unchanged\nconfigmap/b pruned\n');
  const names = (await c.kubectl(['get', 'configmaps', '-n', 'prune', '-o', 'name'])).stdout.split('\n').filter((n) => n && n !== 'configmap/kube-root-ca.crt').sort();
  assert.deepEqual(names, ['configmap/a', 'configmap/unlabelled']);
});

test('kubectl explain shows a field\'s enum values, as upstream\'s OpenAPI lists them', async () => {
  const c = await cluster();
  const r = await c.kubectl(['explain', 'pods.spec.containers.imagePullPolicy']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /FIELD: imagePullPolicy <string>\nENUM:\n {4}Always\n {4}IfNotPresent\n {4}Never\n\nDESCRIPTION:\n/);
  assert.match(r.stdout, /Possible enum values:\n {5}- `"Always"` means that kubelet always attempts to pull the latest image\./);
  const svc = await c.kubectl(['explain', 'services.spec.type']);
  assert.match(svc.stdout, /ENUM:\n {4}ClusterIP\n {4}ExternalName\n {4}LoadBalancer\n {4}NodePort\n/);
});

test('kubectl cluster-info dump succeeds, to stdout and to a directory', async () => {
  const c = await cluster();
  assert.equal((await c.kubectl(['create', 'namespace', 'dump'])).code, 0);
  assert.equal((await c.kubectl(['run', 'dumped', '-n', 'dump', '--image=nginx'])).code, 0);
  const r = await c.kubectl(['cluster-info', 'dump', '--namespaces', 'dump']);
  assert.equal(r.code, 0, r.stderr);
  for (const kind of ['NodeList', 'EventList', 'ReplicationControllerList', 'ServiceList', 'DaemonSetList', 'DeploymentList', 'ReplicaSetList', 'PodList']) {
    assert.match(r.stdout, new RegExp(`"kind": "${kind}"`), kind);
  }
  assert.match(r.stdout, /==== START logs for container dumped of pod dump\/dumped ====/);
  const dir = path.join(c.home, 'dump');
  const d = await c.kubectl(['cluster-info', 'dump', '--namespaces', 'dump', `--output-directory=${dir}`]);
  assert.equal(d.code, 0, d.stderr);
  assert.deepEqual(fs.readdirSync(path.join(dir, 'dump')).sort(),
    ['daemonsets.json', 'deployments.json', 'dumped', 'events.json', 'pods.json', 'replicasets.json', 'replication-controllers.json', 'services.json']);
});

test('kubectl debug adds an ephemeral container through pods/ephemeralcontainers, with upstream\'s validation', async () => {
  const c = await cluster();
  assert.equal((await c.kubectl(['run', 'dbg', '--image=nginx'])).code, 0);
  const r = await c.kubectl(['debug', 'dbg', '--image=busybox', '--target=dbg', '--container=debugger', '--', 'sleep', '100']);
  assert.equal(r.code, 0, r.stderr);
  const pod = JSON.parse((await c.kubectl(['get', 'pod', 'dbg', '-o', 'json'])).stdout);
  assert.deepEqual(pod.spec.ephemeralContainers, [{ name: 'debugger', image: 'busybox', command: ['sleep', '100'], targetContainerName: 'dbg',
    imagePullPolicy: 'Always', resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' }]);
  const discovery = (await c.request('GET', '/api/v1')).body.resources.find((x: any) => x.name === 'pods/ephemeralcontainers');
  assert.deepEqual(discovery.verbs, ['get', 'patch', 'update']);

  const sub = '/api/v1/namespaces/default/pods/dbg/ephemeralcontainers';
  const got = await c.request('GET', sub);
  assert.equal(got.status, 200);
  assert.equal(got.body.kind, 'Pod');
  const withPorts = await c.request('PATCH', sub, { contentType: 'application/strategic-merge-patch+json',
    body: { spec: { ephemeralContainers: [{ name: 'bad', image: 'busybox', ports: [{ containerPort: 80 }] }] } } });
  assert.equal(withPorts.status, 422);
  assert.equal(withPorts.body.message, 'Pod "dbg" is invalid: spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral Container');
  const removed = await c.request('PATCH', sub, { contentType: 'application/merge-patch+json', body: { spec: { ephemeralContainers: [] } } });
  assert.equal(removed.status, 422);
  assert.match(removed.body.message, /existing ephemeral containers "debugger" may not be removed/);
  const other = await c.request('PATCH', sub, { contentType: 'application/merge-patch+json', body: { spec: { activeDeadlineSeconds: 5 } } });
  assert.equal(other.status, 200, 'fields other than ephemeralContainers are ignored');
  assert.equal(other.body.spec.activeDeadlineSeconds, undefined);
  const direct = await c.kubectl(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'eph' },
    spec: { containers: [{ name: 'c', image: 'nginx' }], ephemeralContainers: [{ name: 'e', image: 'busybox' }] } }) });
  assert.match(direct.stderr, /spec.ephemeralContainers: Forbidden: cannot be set on create/);
});
