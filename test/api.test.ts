// API semantics a client relies on, black-box over HTTPS against a real control plane: authentication,
// discovery, bad input answered with the right Status, optimistic concurrency, selectors, pagination, dry run,
// the four patch types, server-side apply conflicts, watch, and kubectl's protobuf creates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, type TestCluster } from './helpers/cluster.js';

const cm = (name: string, data: Record<string, string> = { a: '1' }, labels?: Record<string, string>) =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(labels ? { labels } : {}) }, data });

async function healthy(c: TestCluster) {
  const r = await c.request('GET', '/readyz');
  assert.equal(r.status, 200, 'the server keeps serving');
}

test('anonymous requests get 401 except health and version; /version reports a 1.32 server', async (t) => {
  const c = await startTestCluster(t);
  const anon = await c.request('GET', '/api/v1/namespaces', { anonymous: true });
  assert.equal(anon.status, 401);
  assert.equal(anon.body.kind, 'Status');
  assert.equal(anon.body.reason, 'Unauthorized');
  const v = await c.request('GET', '/version', { anonymous: true });
  assert.equal(v.status, 200);
  assert.equal(v.body.major, '1');
  assert.equal(v.body.minor, '32');
  for (const p of ['/healthz', '/livez', '/readyz']) assert.equal((await c.request('GET', p, { anonymous: true })).status, 200);
});

test('discovery: aggregated content type, and kubectl api-resources lists short names', async (t) => {
  const c = await startTestCluster(t);
  const r = await c.request('GET', '/apis', { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' });
  assert.equal(r.headers['content-type'], 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
  const apps = r.body.items.find((i: any) => i.metadata.name === 'apps');
  const deploy = apps.versions[0].resources.find((x: any) => x.resource === 'deployments');
  assert.deepEqual(deploy.shortNames, ['deploy']);
  assert.deepEqual(deploy.responseKind, { group: 'apps', version: 'v1', kind: 'Deployment' });
  const legacy = await c.request('GET', '/api/v1');
  assert.ok(legacy.body.resources.some((x: any) => x.name === 'pods/status'));
  const out = await c.kubectl(['api-resources', '--no-headers']);
  assert.equal(out.code, 0, out.stderr);
  // Keyed by name and API version: metrics.k8s.io has nodes and pods too, as with upstream's metrics-server.
  const short = new Map(out.stdout.trim().split('\n').map((l) => { const f = l.trim().split(/\s+/); return [`${f[0]} ${f.at(-3)}`, f.length === 5 ? f[1] : '']; }));
  for (const [res, sn] of [['pods', 'po'], ['deployments', 'deploy'], ['services', 'svc'], ['configmaps', 'cm'], ['replicasets', 'rs'],
    ['namespaces', 'ns'], ['nodes', 'no'], ['endpoints', 'ep'], ['serviceaccounts', 'sa'], ['events', 'ev']]) {
    assert.equal(short.get(`${res} v1`) ?? short.get(`${res} apps/v1`), sn, `${res} has short name ${sn}`);
  }
});

test('kubectl get componentstatuses (the course\'s "architecture" look) lists the scheduler, controller manager and datastore Healthy, with upstream\'s deprecation warning', async (t) => {
  const c = await startTestCluster(t);
  const r = await c.kubectl(['get', 'cs']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Warning: v1 ComponentStatus is deprecated in v1\.19\+/);
  assert.deepEqual(r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/)), [
    ['NAME', 'STATUS', 'MESSAGE', 'ERROR'], ['scheduler', 'Healthy', 'ok'], ['controller-manager', 'Healthy', 'ok'], ['etcd-0', 'Healthy', 'ok'],
  ]);
  const one = await c.kubectl(['get', 'componentstatus', 'etcd-0', '-o', 'json']);
  assert.equal(one.code, 0, one.stderr);
  assert.deepEqual(JSON.parse(one.stdout), { kind: 'ComponentStatus', apiVersion: 'v1', metadata: { name: 'etcd-0' }, conditions: [{ type: 'Healthy', status: 'True', message: 'ok' }] });
  const none = await c.kubectl(['get', 'cs', 'nosuch']);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /Error from server \(InternalError\): Internal error occurred: Component not found: nosuch/);
  assert.equal((await c.kubectl(['delete', 'cs', 'etcd-0'])).code, 1, 'read-only');
});

test('bad input gets a Status with the right code and the server keeps serving', async (t) => {
  const c = await startTestCluster(t);
  const malformed = await c.request('POST', '/api/v1/namespaces/default/configmaps', { raw: '{"apiVersion": "v1", "kind": ', contentType: 'application/json' });
  assert.equal(malformed.status, 400);
  assert.equal(malformed.body.reason, 'BadRequest');
  assert.doesNotMatch(malformed.text, /at .*\.js:\d+/, 'no stack trace in responses');

  const unknown = await c.request('GET', '/api/v1/namespaces/default/widgets');
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.kind, 'Status');

  const badName = await c.request('POST', '/api/v1/namespaces/default/configmaps', { body: cm('Bad_Name') });
  assert.equal(badName.status, 422);
  assert.equal(badName.body.reason, 'Invalid');
  assert.equal(badName.body.details.causes[0].field, 'metadata.name');
  assert.match(badName.body.message, /ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);

  const wrongKind = await c.request('POST', '/api/v1/namespaces/default/configmaps', { body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } } });
  assert.equal(wrongKind.status, 400);

  const huge = await c.request('POST', '/api/v1/namespaces/default/configmaps', { body: cm('huge', { a: 'x'.repeat(4 * 1024 * 1024) }) });
  assert.equal(huge.status, 413);

  const noNs = await c.request('POST', '/api/v1/namespaces/nope/configmaps', { body: cm('x') });
  assert.equal(noNs.status, 404);
  assert.match(noNs.body.message, /namespaces "nope" not found/);

  const badSecret = await c.request('POST', '/api/v1/namespaces/default/secrets', { body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'not base64!' } } });
  assert.equal(badSecret.status, 400);
  assert.doesNotMatch(badSecret.text, /not base64!/, 'the secret value is not echoed back');

  const badSelector = await c.request('GET', '/api/v1/namespaces/default/configmaps?labelSelector=a%20in%20(b');
  assert.equal(badSelector.status, 400);
  const badField = await c.request('GET', '/api/v1/namespaces/default/configmaps?fieldSelector=spec.nope%3Dx');
  assert.equal(badField.status, 400);

  const svc = (name: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { type: 'NodePort', selector: { app: 'x' }, ports: [{ port: 80, nodePort: 30001 }] } });
  assert.equal((await c.request('POST', '/api/v1/namespaces/default/services', { body: svc('one') })).status, 201);
  const dup = await c.request('POST', '/api/v1/namespaces/default/services', { body: svc('two') });
  assert.equal(dup.status, 422);
  assert.match(dup.body.message, /spec.ports\[0\].nodePort: Invalid value: 30001: provided port is already allocated/);
  await healthy(c);
});

test('managedFields on create: the writer owns what it sent, defaulted, not what admission or allocation added (as upstream); a container without a name is a 422', async (t) => {
  const c = await startTestCluster(t, { components: false });
  const pod = await c.request('POST', '/api/v1/namespaces/default/pods', { body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'x' }] } } });
  assert.equal(pod.status, 201);
  assert.ok(pod.body.spec.volumes.some((v: any) => v.name.startsWith('kube-api-access-')), 'the ServiceAccount admission mounted the token');
  const spec = pod.body.metadata.managedFields[0].fieldsV1['f:spec'];
  assert.deepEqual(Object.keys(spec).sort(), ['f:containers', 'f:dnsPolicy', 'f:enableServiceLinks', 'f:restartPolicy', 'f:schedulerName', 'f:securityContext', 'f:terminationGracePeriodSeconds']);
  assert.deepEqual(Object.keys(spec['f:containers']['k:{"name":"a"}']).sort(), ['.', 'f:image', 'f:imagePullPolicy', 'f:name', 'f:resources', 'f:terminationMessagePath', 'f:terminationMessagePolicy']);

  const svc = await c.request('POST', '/api/v1/namespaces/default/services', { body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { selector: { app: 'x' }, ports: [{ port: 80 }] } } });
  assert.equal(svc.status, 201);
  assert.ok(svc.body.spec.clusterIP);
  assert.equal(svc.body.metadata.managedFields[0].fieldsV1['f:spec']['f:clusterIP'], undefined, 'the allocated clusterIP is nobody\'s');

  const nameless = await c.request('POST', '/api/v1/namespaces/default/pods', { body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'q' }, spec: { containers: [{ image: 'x' }] } } });
  assert.equal(nameless.status, 422);
  assert.match(nameless.body.message, /spec.containers\[0\].name: Required value/);
  await healthy(c);
});

test('optimistic concurrency: a stale resourceVersion is a 409 Conflict and nothing is lost', async (t) => {
  const c = await startTestCluster(t);
  const created = await c.request('POST', '/api/v1/namespaces/default/configmaps', { body: cm('cc') });
  assert.equal(created.status, 201);
  const rv = created.body.metadata.resourceVersion;
  const first = await c.request('PUT', '/api/v1/namespaces/default/configmaps/cc', { body: { ...created.body, data: { a: 'first' } } });
  assert.equal(first.status, 200);
  assert.notEqual(first.body.metadata.resourceVersion, rv);
  const stale = await c.request('PUT', '/api/v1/namespaces/default/configmaps/cc', { body: { ...created.body, data: { a: 'second' } } });
  assert.equal(stale.status, 409);
  assert.equal(stale.body.reason, 'Conflict');
  assert.match(stale.body.message, /the object has been modified; please apply your changes to the latest version and try again/);
  const now = await c.request('GET', '/api/v1/namespaces/default/configmaps/cc');
  assert.equal(now.body.data.a, 'first');
  const exists = await c.request('POST', '/api/v1/namespaces/default/configmaps', { body: cm('cc') });
  assert.equal(exists.status, 409);
  assert.equal(exists.body.reason, 'AlreadyExists');
  const pre = await c.request('DELETE', '/api/v1/namespaces/default/configmaps/cc', { body: { preconditions: { resourceVersion: rv } } });
  assert.equal(pre.status, 409);
});

test('metadata: uid, creationTimestamp, generation bumps on spec change only, generateName, dryRun', async (t) => {
  const c = await startTestCluster(t);
  const dep = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { generateName: 'web-' }, spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } };
  const dry = await c.request('POST', '/apis/apps/v1/namespaces/default/deployments?dryRun=All', { body: dep });
  assert.equal(dry.status, 201);
  assert.equal((await c.request('GET', `/apis/apps/v1/namespaces/default/deployments/${dry.body.metadata.name}`)).status, 404, 'dry run stores nothing');
  const r = await c.request('POST', '/apis/apps/v1/namespaces/default/deployments', { body: dep });
  assert.equal(r.status, 201);
  const m = r.body.metadata;
  assert.match(m.name, /^web-[a-z0-9]{5}$/);
  assert.match(m.uid, /^[0-9a-f-]{36}$/);
  assert.match(m.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(m.generation, 1);
  assert.deepEqual(r.body.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(r.body.spec.revisionHistoryLimit, 10);
  assert.equal(r.body.spec.progressDeadlineSeconds, 600);
  assert.equal(r.body.spec.template.spec.containers[0].imagePullPolicy, 'Always');
  const labelOnly = await c.request('PATCH', `/apis/apps/v1/namespaces/default/deployments/${m.name}`, { body: { metadata: { labels: { x: 'y' } } }, contentType: 'application/merge-patch+json' });
  assert.equal(labelOnly.body.metadata.generation, 1, 'metadata changes do not bump generation');
  const scaled = await c.request('PATCH', `/apis/apps/v1/namespaces/default/deployments/${m.name}`, { body: { spec: { replicas: 3 } }, contentType: 'application/merge-patch+json' });
  assert.equal(scaled.body.metadata.generation, 2);
  const immutable = await c.request('PATCH', `/apis/apps/v1/namespaces/default/deployments/${m.name}`, { body: { spec: { selector: { matchLabels: { app: 'other' } }, template: { metadata: { labels: { app: 'other' } } } } }, contentType: 'application/merge-patch+json' });
  assert.equal(immutable.status, 422);
  assert.match(immutable.body.message, /field is immutable/);
});

test('list: label and field selectors, limit/continue pagination', async (t) => {
  const c = await startTestCluster(t);
  for (let i = 0; i < 7; i++) {
    assert.equal((await c.request('POST', '/api/v1/namespaces/default/configmaps', { body: cm(`p${i}`, { i: String(i) }, { tier: i % 2 ? 'odd' : 'even' }) })).status, 201);
  }
  const odd = await c.request('GET', '/api/v1/namespaces/default/configmaps?labelSelector=tier%3Dodd');
  assert.deepEqual(odd.body.items.map((o: any) => o.metadata.name), ['p1', 'p3', 'p5']);
  const set = await c.request('GET', '/api/v1/namespaces/default/configmaps?labelSelector=tier%20in%20(odd,even),tier!%3Deven');
  assert.equal(set.body.items.length, 3);
  const byName = await c.request('GET', '/api/v1/namespaces/default/configmaps?fieldSelector=metadata.name%3Dp4');
  assert.deepEqual(byName.body.items.map((o: any) => o.metadata.name), ['p4']);
  const names: string[] = [];
  let cont = '';
  let pages = 0;
  do {
    const page = await c.request('GET', `/api/v1/namespaces/default/configmaps?labelSelector=tier&limit=3${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
    assert.equal(page.status, 200);
    names.push(...page.body.items.map((o: any) => o.metadata.name));
    cont = page.body.metadata.continue ?? '';
    pages++;
  } while (cont);
  assert.equal(pages, 3);
  assert.deepEqual(names, ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6']);
  const all = await c.request('GET', '/api/v1/configmaps?labelSelector=tier');
  assert.equal(all.body.items.length, 7, 'all-namespaces list');
  const dc = await c.request('DELETE', '/api/v1/namespaces/default/configmaps?labelSelector=tier%3Deven');
  assert.equal(dc.status, 200);
  assert.equal((await c.request('GET', '/api/v1/namespaces/default/configmaps?labelSelector=tier')).body.items.length, 3);
});

test('patch: strategic merge by container name, JSON merge patch, JSON patch, and the scale subresource', async (t) => {
  const c = await startTestCluster(t);
  const base = '/apis/apps/v1/namespaces/default/deployments';
  const dep = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'p' }, spec: { replicas: 1, selector: { matchLabels: { app: 'p' } }, template: { metadata: { labels: { app: 'p' } }, spec: { containers: [{ name: 'a', image: 'img:1' }, { name: 'b', image: 'side:1' }] } } } };
  assert.equal((await c.request('POST', base, { body: dep })).status, 201);
  const smp = await c.request('PATCH', `${base}/p`, { contentType: 'application/strategic-merge-patch+json', body: { spec: { template: { spec: { containers: [{ name: 'b', image: 'side:2' }] } } } } });
  assert.equal(smp.status, 200, smp.text);
  assert.deepEqual(smp.body.spec.template.spec.containers.map((x: any) => `${x.name}=${x.image}`), ['a=img:1', 'b=side:2']);
  const merge = await c.request('PATCH', `${base}/p`, { contentType: 'application/merge-patch+json', body: { metadata: { annotations: { note: 'hi' } } } });
  assert.equal(merge.body.metadata.annotations.note, 'hi');
  const jp = await c.request('PATCH', `${base}/p`, { contentType: 'application/json-patch+json', body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'img:2' }] });
  assert.equal(jp.body.spec.template.spec.containers[0].image, 'img:2');
  const failedTest = await c.request('PATCH', `${base}/p`, { contentType: 'application/json-patch+json', body: [{ op: 'test', path: '/spec/replicas', value: 9 }] });
  assert.equal(failedTest.status, 422);
  const scale = await c.request('PATCH', `${base}/p/scale`, { contentType: 'application/merge-patch+json', body: { spec: { replicas: 4 } } });
  assert.equal(scale.status, 200);
  assert.equal(scale.body.kind, 'Scale');
  assert.equal(scale.body.spec.replicas, 4);
  assert.equal(scale.body.status.selector, 'app=p');
  assert.equal((await c.request('GET', `${base}/p`)).body.spec.replicas, 4);
  const badType = await c.request('PATCH', `${base}/p`, { contentType: 'text/plain', raw: 'x' });
  assert.equal(badType.status, 415);
});

test('server-side apply: field managers, conflicts as 409, force takes ownership', async (t) => {
  const c = await startTestCluster(t);
  const path = '/api/v1/namespaces/default/configmaps/ssa';
  const applyA = await c.request('PATCH', `${path}?fieldManager=alice`, { contentType: 'application/apply-patch+yaml', raw: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  color: red\n' });
  assert.equal(applyA.status, 201, applyA.text);
  assert.equal(applyA.body.metadata.managedFields[0].manager, 'alice');
  assert.equal(applyA.body.metadata.managedFields[0].operation, 'Apply');
  const applyB = await c.request('PATCH', `${path}?fieldManager=bob`, { contentType: 'application/apply-patch+yaml', raw: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  color: blue\n' });
  assert.equal(applyB.status, 409);
  assert.equal(applyB.body.reason, 'Conflict');
  assert.match(applyB.body.message, /conflict with "alice"/);
  assert.equal(applyB.body.details.causes[0].field, '.data.color');
  const forced = await c.request('PATCH', `${path}?fieldManager=bob&force=true`, { contentType: 'application/apply-patch+yaml', raw: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  color: blue\n' });
  assert.equal(forced.status, 200);
  assert.equal(forced.body.data.color, 'blue');
  const out = await c.kubectl(['apply', '--server-side', '-f', '-'], { input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: via-kubectl\ndata:\n  k: v\n' });
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.stdout.trim(), 'configmap/via-kubectl serverside-applied');
});

test('watch: events in order from a resourceVersion, with label selector transitions', async (t) => {
  const c = await startTestCluster(t);
  const list = await c.request('GET', '/api/v1/namespaces/default/configmaps');
  const rv = list.body.metadata.resourceVersion;
  const https = await import('node:https');
  const events: any[] = [];
  const done = new Promise<void>((resolve, reject) => {
    const req = https.request(new URL(`/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}&labelSelector=w%3Dyes`, c.url),
      { ca: c.pki.ca, cert: c.pki.cert, key: c.pki.key }, (res) => {
        assert.equal(res.statusCode, 200);
        let buf = '';
        res.on('data', (d) => {
          buf += d;
          let i;
          while ((i = buf.indexOf('\n')) >= 0) { events.push(JSON.parse(buf.slice(0, i))); buf = buf.slice(i + 1); if (events.length === 4) { req.destroy(); resolve(); } }
        });
      });
    req.on('error', (e) => { if (events.length < 4) reject(e); });
    req.end();
  });
  await c.request('POST', '/api/v1/namespaces/default/configmaps', { body: cm('w1', { a: '1' }, { w: 'yes' }) });
  await c.request('POST', '/api/v1/namespaces/default/configmaps', { body: cm('other', { a: '1' }, { w: 'no' }) });
  await c.request('PATCH', '/api/v1/namespaces/default/configmaps/w1', { contentType: 'application/merge-patch+json', body: { data: { a: '2' } } });
  await c.request('PATCH', '/api/v1/namespaces/default/configmaps/other', { contentType: 'application/merge-patch+json', body: { metadata: { labels: { w: 'yes' } } } });
  await c.request('DELETE', '/api/v1/namespaces/default/configmaps/w1');
  await done;
  assert.deepEqual(events.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED w1', 'MODIFIED w1', 'ADDED other', 'DELETED w1']);
  const rvs = events.map((e) => Number(e.object.metadata.resourceVersion));
  assert.deepEqual([...rvs].sort((a, b) => a - b), rvs, 'resourceVersions increase');
});

test('kubectl create secret/configmap send protobuf bodies that are decoded; unknown fields are named', async (t) => {
  const c = await startTestCluster(t);
  const s = await c.kubectl(['create', 'secret', 'generic', 'creds', '--from-literal=user=admin']);
  assert.equal(s.code, 0, s.stderr);
  assert.equal(s.stdout.trim(), 'secret/creds created');
  const got = await c.kubectl(['get', 'secret', 'creds', '-o', 'jsonpath={.type} {.data.user}']);
  assert.equal(got.stdout, `Opaque ${Buffer.from('admin').toString('base64')}`);
  const m = await c.kubectl(['create', 'configmap', 'settings', '--from-literal=LOG_LEVEL=debug']);
  assert.equal(m.stdout.trim(), 'configmap/settings created', m.stderr);
  const typo = await c.kubectl(['apply', '-f', '-'], { input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: typo\ndataa:\n  a: b\n' });
  assert.notEqual(typo.code, 0);
  assert.match(typo.stderr, /unknown field "dataa"/);
});
