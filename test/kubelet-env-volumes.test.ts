// The kubelet's env and volume building blocks against a real API server, with the seed's own Secret and
// ConfigMap applied by kubectl: what the seed's Flask container would see in its env and in mounted files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestCluster } from './helpers/cluster.js';
import { Client } from '../src/client/client.js';
import { httpTransport } from '../src/client/transport.js';
import { apiObjectSource, apiTokenSource, ContainerConfigError, listServicesForPod, makeEnvironmentVariables, VolumeManager } from '../src/kubelet/index.js';
import { until } from './helpers/until.js';

test("seed manifests: the Flask container's env and a configMap volume, read through the API", async (t) => {
  const c = await startTestCluster(t);
  for (const f of ['app-config.yaml', 'db-secret.yaml']) {
    const r = await c.kubectl(['apply', '-f', join('examples', f)]);
    assert.equal(r.code, 0, r.stderr);
  }
  const client = new Client(httpTransport({ server: c.url, ...c.pki }));
  const objects = apiObjectSource(client);
  const container = {
    name: 'flask-container', image: 'flask-app',
    env: [
      { name: 'DATABASE_HOST', value: 'db-service' },
      { name: 'DATABASE_USER', valueFrom: { secretKeyRef: { name: 'db-secret', key: 'username' } } },
      { name: 'DATABASE_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-secret', key: 'password' } } },
    ],
    envFrom: [{ configMapRef: { name: 'app-config' } }],
  };
  const pod = { metadata: { namespace: 'default', name: 'flask-app-1', uid: 'u-flask' }, spec: { containers: [container], volumes: [{ name: 'config', configMap: { name: 'app-config' } }] } };
  const envs = await makeEnvironmentVariables({ pod, container, objects, services: await listServicesForPod(client, 'default'), podIPs: ['10.244.0.4'], hostIPs: ['192.168.1.2'] });
  const env = new Map(envs.map((e) => [e.key, e.value]));
  assert.equal(env.get('DATABASE_USER'), 'postgres');
  assert.equal(env.get('DATABASE_PASSWORD'), 'password');
  assert.equal(env.get('APP_ENV'), 'production');
  assert.equal(env.get('LOG_LEVEL'), 'info');
  assert.equal(env.get('DATABASE_HOST'), 'db-service');
  assert.match(env.get('KUBERNETES_SERVICE_HOST') ?? '', /^\d+\.\d+\.\d+\.\d+$/);
  assert.equal(env.get('KUBERNETES_SERVICE_PORT'), '443');

  await assert.rejects(makeEnvironmentVariables({ pod, container: { name: 'x', env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }] }, objects, services: [], podIPs: [], hostIPs: [] }),
    (e: unknown) => e instanceof ContainerConfigError && e.message === 'secret "nope" not found');

  const root = await mkdtemp(join(tmpdir(), 'nk-kubelet-vol-'));
  const vm = new VolumeManager({ rootDir: root, objects });
  t.after(async () => { await vm.shutdown(); await rm(root, { recursive: true, force: true }); });
  const vols = await vm.setUpPod(pod);
  const file = join(vols.get('config')!.hostPath, 'LOG_LEVEL');
  assert.equal(await readFile(file, 'utf8'), 'info');
  const r = await c.kubectl(['patch', 'configmap', 'app-config', '--type=merge', '-p', '{"data":{"LOG_LEVEL":"debug"}}']);
  assert.equal(r.code, 0, r.stderr);
  await vm.resync();
  assert.equal(await readFile(file, 'utf8'), 'debug');
});

test('kube-api-access projected volume against a real API server: ca.crt from kube-root-ca.crt, namespace, and a token or a note saying why not', async (t) => {
  const c = await startTestCluster(t);
  const client = new Client(httpTransport({ server: c.url, ...c.pki }));
  const root = await mkdtemp(join(tmpdir(), 'nk-kubelet-vol-'));
  const notes: string[] = [];
  const vm = new VolumeManager({ rootDir: root, objects: apiObjectSource(client), tokens: apiTokenSource(client), onEvent: (e) => notes.push(e.message) });
  t.after(async () => { await vm.shutdown(); await rm(root, { recursive: true, force: true }); });
  await until('kube-root-ca.crt published', async () => (await c.kubectl(['get', 'configmap', 'kube-root-ca.crt'])).code === 0);
  const pod = { metadata: { namespace: 'default', name: 'api-user', uid: 'u-api' }, spec: { serviceAccountName: 'default', containers: [{ name: 'c' }], volumes: [{ name: 'kube-api-access-x1y2z', projected: { defaultMode: 420, sources: [
    { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
    { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
    { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
  ] } }] } };
  const dir = (await vm.setUpPod(pod)).get('kube-api-access-x1y2z')!.hostPath;
  assert.match(await readFile(join(dir, 'ca.crt'), 'utf8'), /BEGIN CERTIFICATE/);
  assert.equal(await readFile(join(dir, 'namespace'), 'utf8'), 'default');
  const token = await readFile(join(dir, 'token'), 'utf8').catch(() => undefined);
  if (token === undefined) assert.match(notes.join('\n'), /cannot issue service account tokens: token was left out/);
  else assert.ok(token.length > 0);
});
