import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Pod, Service } from 'kubernetes-types/core/v1.js';
import { Client } from '../../client/client.js';
import { FakeApiHandler } from '../../client/testing.js';
import { inProcessTransport } from '../../client/transport.js';
import {
  apiObjectSource, ContainerConfigError, expand, makeEnvironmentVariables, mappingFuncFor, resolveCommand, serviceEnvVars,
  type EnvironmentInput,
} from './index.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function cluster() {
  const fake = new FakeApiHandler();
  const objects = apiObjectSource(new Client(inProcessTransport(fake.handler)));
  fake.put('', 'secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'default', name: 'db-secret' }, data: { password: b64('s3cr3t-value'), username: b64('postgres') } });
  fake.put('', 'configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'default', name: 'app-config' }, data: { APP_ENV: 'production', LOG_LEVEL: 'info', 'bad=key': 'x', DATABASE_HOST: 'postgres-service' } });
  return { fake, objects };
}

const pod = (containers: Container[], extra: Partial<Pod['spec']> = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { namespace: 'default', name: 'flask-app-abc', uid: 'uid-1', labels: { app: 'flask', tier: 'web' }, annotations: { note: 'say "hi"' } },
  spec: { containers, nodeName: 'nanokube', serviceAccountName: 'default', ...extra },
});

async function env(c: Container, over: Partial<EnvironmentInput> = {}): Promise<Map<string, string>> {
  const { objects } = cluster();
  const kv = await makeEnvironmentVariables({ pod: pod([c]), container: c, objects, services: [], podIPs: ['10.244.0.5'], hostIPs: ['192.168.1.10'], ...over });
  return new Map(kv.map((e) => [e.key, e.value]));
}

test("the seed app's env: Secret and ConfigMap values reach the container, env overrides envFrom", async () => {
  const warnings: string[] = [];
  const e = await env({
    name: 'app', image: 'flask-app',
    envFrom: [{ configMapRef: { name: 'app-config' } }],
    env: [
      { name: 'DATABASE_USER', valueFrom: { secretKeyRef: { name: 'db-secret', key: 'username' } } },
      { name: 'DATABASE_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-secret', key: 'password' } } },
      { name: 'LOG_LEVEL', value: 'debug' },
    ],
  }, { warn: (reason, msg) => warnings.push(`${reason}: ${msg}`) });
  assert.equal(e.get('DATABASE_USER'), 'postgres');
  assert.equal(e.get('DATABASE_PASSWORD'), 's3cr3t-value');
  assert.equal(e.get('APP_ENV'), 'production');
  assert.equal(e.get('LOG_LEVEL'), 'debug');
  assert.equal(e.has('bad=key'), false);
  assert.deepEqual(warnings, ['InvalidEnvironmentVariableNames: Keys [bad=key] from the EnvFrom configMap default/app-config were skipped since they are considered invalid environment variable names.']);
});

test('envFrom prefix applies to every key; an optional missing source is skipped, a required one fails with upstream text', async () => {
  const e = await env({ name: 'c', envFrom: [{ prefix: 'DB_', secretRef: { name: 'db-secret' } }, { configMapRef: { name: 'nope', optional: true } }] });
  assert.equal(e.get('DB_username'), 'postgres');
  await assert.rejects(env({ name: 'c', envFrom: [{ secretRef: { name: 'missing' } }] }),
    (err: unknown) => err instanceof ContainerConfigError && err.reason === 'CreateContainerConfigError' && err.message === 'secret "missing" not found');
  await assert.rejects(env({ name: 'c', envFrom: [{ configMapRef: { name: 'missing' } }] }), { message: 'configmap "missing" not found' });
});

test('a missing key is CreateContainerConfigError naming the key, never the Secret data; optional keys are left unset', async () => {
  await assert.rejects(env({ name: 'c', env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 'db-secret', key: 'pass' } } }] }),
    (err: unknown) => err instanceof ContainerConfigError && err.message === "couldn't find key pass in Secret default/db-secret" && !err.message.includes('s3cr3t'));
  await assert.rejects(env({ name: 'c', env: [{ name: 'P', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'nokey' } } }] }),
    { message: "couldn't find key nokey in ConfigMap default/app-config" });
  const e = await env({ name: 'c', env: [
    { name: 'A', valueFrom: { secretKeyRef: { name: 'db-secret', key: 'pass', optional: true } } },
    { name: 'B', valueFrom: { configMapKeyRef: { name: 'gone', key: 'k', optional: true } } },
    { name: 'C', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'APP_ENV' } } },
  ] });
  assert.equal(e.has('A'), false);
  assert.equal(e.has('B'), false);
  assert.equal(e.get('C'), 'production');
});

test('fieldRef gives the pod metadata, node, service account and the IPs the kubelet knows', async () => {
  const f = (fieldPath: string) => ({ name: fieldPath.replace(/\W/g, '_'), valueFrom: { fieldRef: { fieldPath } } });
  const e = await env({ name: 'c', env: ['metadata.name', 'metadata.namespace', 'metadata.uid', "metadata.labels['app']", "metadata.annotations['note']",
    'metadata.labels', 'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs'].map(f) },
  { podIPs: ['10.244.0.5', 'fd00::5'], hostIPs: ['192.168.1.10'] });
  assert.equal(e.get('metadata_name'), 'flask-app-abc');
  assert.equal(e.get('metadata_namespace'), 'default');
  assert.equal(e.get('metadata_uid'), 'uid-1');
  assert.equal(e.get('metadata_labels__app__'), 'flask');
  assert.equal(e.get('metadata_annotations__note__'), 'say "hi"');
  assert.equal(e.get('metadata_labels'), 'app="flask"\ntier="web"');
  assert.equal(e.get('spec_nodeName'), 'nanokube');
  assert.equal(e.get('spec_serviceAccountName'), 'default');
  assert.equal(e.get('status_hostIP'), '192.168.1.10');
  assert.equal(e.get('status_hostIPs'), '192.168.1.10');
  assert.equal(e.get('status_podIP'), '10.244.0.5');
  assert.equal(e.get('status_podIPs'), '10.244.0.5,fd00::5');
});

test('resourceFieldRef divides by the divisor rounding up, and reads node allocatable when no limit is set', async () => {
  const r = (name: string, resource: string, divisor?: string) => ({ name, valueFrom: { resourceFieldRef: { resource, divisor } } });
  const e = await env({
    name: 'c', resources: { limits: { memory: '128Mi', cpu: '500m' }, requests: { cpu: '250m' } },
    env: [r('MEM', 'limits.memory'), r('MEM_MI', 'limits.memory', '1Mi'), r('CPU', 'limits.cpu'), r('CPU_M', 'limits.cpu', '1m'), r('REQ_CPU_M', 'requests.cpu', '1m'), r('REQ_MEM', 'requests.memory')],
  });
  assert.equal(e.get('MEM'), String(128 * 1024 * 1024));
  assert.equal(e.get('MEM_MI'), '128');
  assert.equal(e.get('CPU'), '1');
  assert.equal(e.get('CPU_M'), '500');
  assert.equal(e.get('REQ_CPU_M'), '250');
  assert.equal(e.get('REQ_MEM'), '0');
  const d = await env({ name: 'c', env: [r('CPU', 'limits.cpu'), r('MEM', 'limits.memory', '1Gi')] }, { nodeAllocatable: { cpu: '2', memory: '8Gi' } });
  assert.equal(d.get('CPU'), '2');
  assert.equal(d.get('MEM'), '8');
});

test('$(VAR) expansion follows upstream: earlier vars and service vars expand, $$ escapes, unknown and unclosed stay', async () => {
  const m = mappingFuncFor(new Map([['A', 'x'], ['B', 'y']]));
  assert.equal(expand('$(A)-$(B)', m), 'x-y');
  assert.equal(expand('$$(A)', m), '$(A)');
  assert.equal(expand('$(UNKNOWN)', m), '$(UNKNOWN)');
  assert.equal(expand('$(A', m), '$(A');
  assert.equal(expand('a$b$', m), 'a$b$');
  assert.equal(expand('$$$$', m), '$$');
  const e = await env({ name: 'c', env: [
    { name: 'BASE', value: 'http://$(KUBERNETES_SERVICE_HOST):$(KUBERNETES_SERVICE_PORT)' },
    { name: 'LATER_REF', value: '$(DEFINED_AFTER)' },
    { name: 'DEFINED_AFTER', value: 'v' },
    { name: 'FROM_ENVFROM', value: '$(APP_ENV)/$(BASE)' },
  ], envFrom: [{ configMapRef: { name: 'app-config' } }] }, { services: [kubernetesService] });
  assert.equal(e.get('BASE'), 'http://10.96.0.1:443');
  assert.equal(e.get('LATER_REF'), '$(DEFINED_AFTER)');
  assert.equal(e.get('FROM_ENVFROM'), 'production/http://10.96.0.1:443');
});

const kubernetesService: Service = { metadata: { namespace: 'default', name: 'kubernetes' }, spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP' }] } };

test('service links: vars for the namespace\'s Services with a cluster IP, and always for default/kubernetes', () => {
  const services: Service[] = [
    kubernetesService,
    { metadata: { namespace: 'shop', name: 'postgres-service' }, spec: { clusterIP: '10.96.5.5', ports: [{ port: 5432 }, { name: 'metrics', port: 9187, protocol: 'TCP' }] } },
    { metadata: { namespace: 'shop', name: 'headless' }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } },
    { metadata: { namespace: 'other', name: 'elsewhere' }, spec: { clusterIP: '10.96.7.7', ports: [{ port: 80 }] } },
  ];
  const e = serviceEnvVars(services, 'shop');
  assert.equal(e.get('KUBERNETES_SERVICE_HOST'), '10.96.0.1');
  assert.equal(e.get('KUBERNETES_SERVICE_PORT'), '443');
  assert.equal(e.get('KUBERNETES_SERVICE_PORT_HTTPS'), '443');
  assert.equal(e.get('KUBERNETES_PORT'), 'tcp://10.96.0.1:443');
  assert.equal(e.get('KUBERNETES_PORT_443_TCP_ADDR'), '10.96.0.1');
  assert.equal(e.get('POSTGRES_SERVICE_SERVICE_HOST'), '10.96.5.5');
  assert.equal(e.get('POSTGRES_SERVICE_SERVICE_PORT'), '5432');
  assert.equal(e.get('POSTGRES_SERVICE_SERVICE_PORT_METRICS'), '9187');
  assert.equal(e.get('POSTGRES_SERVICE_PORT'), 'tcp://10.96.5.5:5432');
  assert.equal(e.get('POSTGRES_SERVICE_PORT_5432_TCP'), 'tcp://10.96.5.5:5432');
  assert.equal(e.get('POSTGRES_SERVICE_PORT_5432_TCP_PROTO'), 'tcp');
  assert.equal(e.get('POSTGRES_SERVICE_PORT_5432_TCP_PORT'), '5432');
  assert.equal(e.get('POSTGRES_SERVICE_PORT_9187_TCP_ADDR'), '10.96.5.5');
  assert.equal([...e.keys()].some((k) => k.startsWith('HEADLESS') || k.startsWith('ELSEWHERE')), false);
  const noLinks = serviceEnvVars(services, 'shop', false);
  assert.deepEqual([...noLinks.keys()].every((k) => k.startsWith('KUBERNETES_')), true);
});

test("the image's env is underneath: a pod variable of the same name replaces it in place", async () => {
  const kv = await makeEnvironmentVariables({
    pod: pod([]), container: { name: 'c', env: [{ name: 'PYTHONUNBUFFERED', value: '0' }, { name: 'NEW', value: '$(PATH)' }] },
    image: { env: ['PATH=/usr/local/bin:/usr/bin', 'PYTHONUNBUFFERED=1', 'LANG=C.UTF-8'] },
    objects: cluster().objects, services: [], podIPs: [], hostIPs: [],
  });
  assert.deepEqual(kv, [
    { key: 'PATH', value: '/usr/local/bin:/usr/bin' }, { key: 'PYTHONUNBUFFERED', value: '0' }, { key: 'LANG', value: 'C.UTF-8' },
    { key: 'NEW', value: '$(PATH)' },
  ]);
});

test('command and args resolve against the image ENTRYPOINT/CMD as docker/containerd do, with $(VAR) expansion', () => {
  const image = { entrypoint: ['/entry.sh'], cmd: ['python', 'app.py'], workingDir: '/app' };
  const envs = [{ key: 'PORT', value: '5000' }];
  assert.deepEqual(resolveCommand({ name: 'c' }, image, envs), { command: ['/entry.sh'], args: ['python', 'app.py'], workingDir: '/app' });
  assert.deepEqual(resolveCommand({ name: 'c', args: ['--port', '$(PORT)', '$$(PORT)'] }, image, envs),
    { command: ['/entry.sh'], args: ['--port', '5000', '$(PORT)'], workingDir: '/app' });
  assert.deepEqual(resolveCommand({ name: 'c', command: ['sh', '-c'], workingDir: '/tmp' }, image, envs), { command: ['sh', '-c'], args: [], workingDir: '/tmp' });
  assert.deepEqual(resolveCommand({ name: 'c', command: ['echo'], args: ['$(PORT)'] }, image, envs), { command: ['echo'], args: ['5000'], workingDir: '/app' });
  assert.deepEqual(resolveCommand({ name: 'c' }, { cmd: ['sh'] }, []), { command: [], args: ['sh'], workingDir: undefined });
  assert.throws(() => resolveCommand({ name: 'c' }, {}, []), (e: unknown) => e instanceof ContainerConfigError && e.reason === 'CreateContainerError');
});

test('the kubelet resolver reads Services through the API and gives env plus the final argv', async () => {
  const { fake } = cluster();
  fake.put('', 'services', { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name: 'kubernetes' }, spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP' }] } });
  fake.put('', 'services', { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name: 'postgres-service' }, spec: { clusterIP: '10.96.3.3', ports: [{ port: 5432, protocol: 'TCP' }] } });
  const { apiConfigResolver } = await import('./index.js');
  const r = apiConfigResolver({ client: new Client(inProcessTransport(fake.handler)) });
  const c: Container = { name: 'app', args: ['--db', '$(POSTGRES_SERVICE_SERVICE_HOST)'], env: [{ name: 'PW', valueFrom: { secretKeyRef: { name: 'db-secret', key: 'password' } } }] };
  const out = await r.resolve(pod([c]), c, { image: { entrypoint: ['python'], cmd: ['app.py'], workingDir: '/app', env: ['LANG=C.UTF-8'] }, podIPs: ['10.244.0.9'], hostIPs: ['192.168.1.10'] });
  assert.deepEqual(out.command, ['python']);
  assert.deepEqual(out.args, ['--db', '10.96.3.3']);
  assert.equal(out.workingDir, '/app');
  const e = new Map(out.envs.map((x) => [x.key, x.value]));
  assert.equal(e.get('PW'), 's3cr3t-value');
  assert.equal(e.get('LANG'), 'C.UTF-8');
  assert.equal(e.get('KUBERNETES_SERVICE_HOST'), '10.96.0.1');
});
