import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pods } from './strategy.js';
import { fakeContext } from '../../testing.js';
import type { KubeObject } from '../../../../api/object.js';

const st = pods.strategy;
const now = new Date('2026-01-01T00:10:00Z');
const ctx = fakeContext();
const basePod = (): KubeObject => ({
  metadata: { name: 'flask-app-abc', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { containers: [{ name: 'flask-app', image: 'flask-app:v2', ports: [{ containerPort: 5000 }] }] },
});
const row = (p: KubeObject) => st.table!.row(p, now) as unknown[];

test('a new pod gets PodSpec defaults, admission fields and a Pending status with its QoS class', async () => {
  const p = basePod();
  st.defaults!(p);
  await st.prepareForCreate!(p, ctx);
  assert.equal(p.spec.restartPolicy, 'Always');
  assert.equal(p.spec.dnsPolicy, 'ClusterFirst');
  assert.equal(p.spec.schedulerName, 'default-scheduler');
  assert.equal(p.spec.terminationGracePeriodSeconds, 30);
  assert.deepEqual(p.spec.securityContext, {});
  assert.equal(p.spec.enableServiceLinks, true);
  assert.equal(p.spec.serviceAccountName, 'default');
  assert.equal(p.spec.containers[0].imagePullPolicy, 'IfNotPresent');
  assert.equal(p.spec.containers[0].ports[0].protocol, 'TCP');
  assert.equal(p.spec.tolerations.length, 2);
  assert.deepEqual(p.status, { phase: 'Pending', qosClass: 'BestEffort' });
  assert.deepEqual(await st.validate!(p, ctx), []);
});

test('requests default from limits, making equal cpu+memory limits Guaranteed', async () => {
  const p = basePod();
  p.spec.containers[0].resources = { limits: { cpu: '500m', memory: '128Mi' } };
  st.defaults!(p);
  await st.prepareForCreate!(p, ctx);
  assert.deepEqual(p.spec.containers[0].resources.requests, { cpu: '500m', memory: '128Mi' });
  assert.equal(p.status.qosClass, 'Guaranteed');
  const q = basePod();
  q.spec.containers[0].resources = { requests: { cpu: '0.1' } };
  st.defaults!(q);
  await st.prepareForCreate!(q, ctx);
  assert.equal(q.status.qosClass, 'Burstable');
});

test('STATUS follows upstream: Pending, ContainerCreating, Running, CrashLoopBackOff, Completed, Terminating', () => {
  const p = basePod();
  st.defaults!(p);
  p.status = { phase: 'Pending' };
  assert.deepEqual(row(p), ['flask-app-abc', '0/1', 'Pending', '0', '10m', '<none>', '<none>', '<none>', '<none>']);

  p.spec.nodeName = 'node-1';
  p.status = { phase: 'Pending', containerStatuses: [{ name: 'flask-app', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] };
  assert.equal(row(p)[2], 'ContainerCreating');

  p.status = { phase: 'Running', podIPs: [{ ip: '10.244.0.5' }], podIP: '10.244.0.5',
    containerStatuses: [{ name: 'flask-app', ready: true, restartCount: 0, state: { running: { startedAt: '2026-01-01T00:00:05Z' } } }] };
  assert.deepEqual(row(p), ['flask-app-abc', '1/1', 'Running', '0', '10m', '10.244.0.5', 'node-1', '<none>', '<none>']);

  p.status = { phase: 'Running', containerStatuses: [{ name: 'flask-app', ready: false, restartCount: 4,
    lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2026-01-01T00:08:00Z' } },
    state: { waiting: { reason: 'CrashLoopBackOff' } } }] };
  assert.deepEqual(row(p).slice(1, 4), ['0/1', 'CrashLoopBackOff', '4 (2m ago)']);

  p.status = { phase: 'Succeeded', containerStatuses: [{ name: 'flask-app', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] };
  assert.equal(row(p)[2], 'Completed');

  p.status = { phase: 'Running', containerStatuses: [{ name: 'flask-app', ready: false, restartCount: 0, state: { terminated: { exitCode: 137 } } }] };
  assert.equal(row(p)[2], 'ExitCode:137');

  p.metadata.deletionTimestamp = '2026-01-01T00:09:00Z';
  p.status = { phase: 'Running', containerStatuses: [{ name: 'flask-app', ready: true, restartCount: 0, state: { running: {} } }] };
  assert.equal(row(p)[2], 'Terminating');
});

test('init containers show Init:N/M while they run', () => {
  const p = basePod();
  p.spec.initContainers = [{ name: 'init-db', image: 'busybox' }, { name: 'init-2', image: 'busybox' }];
  st.defaults!(p);
  p.status = { phase: 'Pending', initContainerStatuses: [
    { name: 'init-db', ready: true, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
    { name: 'init-2', ready: false, restartCount: 0, state: { running: {} } },
  ] };
  assert.equal(row(p)[2], 'Init:1/2');
});

test('pod validation: containers required, names unique DNS labels, env names valid', async () => {
  const p: KubeObject = { metadata: { name: 'x', namespace: 'd' }, spec: { containers: [] } };
  st.defaults!(p);
  assert.deepEqual((await st.validate!(p, ctx)).map(String), ['spec.containers: Required value']);
  const q = basePod();
  q.spec.containers[0].name = 'Flask_App';
  q.spec.containers[0].env = [{ name: 'A=B', value: 'x' }];
  st.defaults!(q);
  assert.deepEqual((await st.validate!(q, ctx)).map(String), [
    `spec.containers[0].name: Invalid value: "Flask_App": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    `spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='`,
  ]);
});

test('pod spec updates may only change images', async () => {
  const old = basePod();
  st.defaults!(old);
  const img = structuredClone(old);
  img.spec.containers[0].image = 'flask-app:v3';
  assert.deepEqual(await st.validateUpdate!(img, old, ctx), []);
  const bad = structuredClone(old);
  bad.spec.restartPolicy = 'Never';
  const errs = await st.validateUpdate!(bad, old, ctx);
  assert.equal(errs.length, 1);
  assert.match(String(errs[0]), /^spec: Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`/);
});

test('field selectors expose spec.nodeName ("" when unscheduled) and status.phase', () => {
  const p = basePod();
  assert.equal(st.fieldSelectors!['spec.nodeName'](p), '');
  p.status = { phase: 'Running' };
  assert.equal(st.fieldSelectors!['status.phase'](p), 'Running');
});
