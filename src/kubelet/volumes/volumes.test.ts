import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdtemp, readFile, readdir, readlink, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { Client } from '../../client/client.js';
import { FakeClock, FakeApiHandler } from '../../client/testing.js';
import { inProcessTransport } from '../../client/transport.js';
import { apiObjectSource } from '../envvars/object-source.js';
import { ContainerConfigError } from '../envvars/errors.js';
import { checkHostPath, VolumeManager, VolumeSetupError, writeAtomically, type VolumeEvent } from './index.js';
import { canMountTmpfs, isMountPoint } from './tmpfs.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

async function tempDir(t: { after(fn: () => unknown): void }): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'nk-volumes-'));
  t.after(() => rm(d, { recursive: true, force: true }));
  return d;
}

function setup(root: string, t: { after(fn: () => unknown): void }) {
  const fake = new FakeApiHandler();
  const objects = apiObjectSource(new Client(inProcessTransport(fake.handler)));
  const clock = new FakeClock();
  const events: VolumeEvent[] = [];
  const vm = new VolumeManager({ rootDir: root, objects, clock, resyncPeriodMs: 10_000, onEvent: (e) => events.push(e), nodeAllocatable: () => ({ cpu: '2', memory: '4Gi' }) });
  t.after(() => vm.shutdown());
  fake.put('', 'configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'default', name: 'app-config' }, data: { 'app.properties': 'env=production\n', LOG_LEVEL: 'info' } });
  fake.put('', 'secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'default', name: 'db-secret' }, data: { password: b64('s3cr3t') } });
  return { fake, vm, clock, events };
}

const pod = (volumes: NonNullable<Pod['spec']>['volumes'], extra: Partial<Pod['metadata']> = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { namespace: 'default', name: 'web-1', uid: 'uid-web-1', labels: { app: 'web' }, ...extra },
  spec: { containers: [{ name: 'app', image: 'x', resources: { limits: { memory: '64Mi' } } }], volumes },
});

test('atomic writes: files appear through ..data, an update swaps everything at once and leaves no old version', async (t) => {
  const dir = await tempDir(t);
  const payload = (entries: [string, string, number][]) => new Map(entries.map(([p, d, mode]) => [p, { data: Buffer.from(d), mode }]));
  assert.equal(await writeAtomically(dir, payload([['a.txt', 'one', 0o644], ['sub/b.txt', 'two', 0o600]])), true);
  const v1 = await readlink(join(dir, '..data'));
  assert.match(v1, /^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\./);
  assert.equal(await readlink(join(dir, 'a.txt')), '..data/a.txt');
  assert.equal(await readFile(join(dir, 'sub/b.txt'), 'utf8'), 'two');
  assert.equal((await stat(join(dir, 'sub/b.txt'))).mode & 0o777, 0o600);

  assert.equal(await writeAtomically(dir, payload([['a.txt', 'one', 0o644], ['sub/b.txt', 'two', 0o600]])), false, 'unchanged payload is not rewritten');
  assert.equal(await readlink(join(dir, '..data')), v1);

  assert.equal(await writeAtomically(dir, payload([['a.txt', 'ONE', 0o644], ['c.txt', 'three', 0o644]])), true);
  assert.equal(await readFile(join(dir, 'a.txt'), 'utf8'), 'ONE');
  assert.equal(await readFile(join(dir, 'c.txt'), 'utf8'), 'three');
  await assert.rejects(lstat(join(dir, 'sub')), 'a vanished key is removed');
  const entries = (await readdir(dir)).sort();
  assert.deepEqual(entries.filter((e) => e.startsWith('..') && e !== '..data').length, 1, 'only the current version folder remains');
  await assert.rejects(writeAtomically(dir, payload([['../escape', 'x', 0o644]])), /must not contain '\.\.'/);
});

test('configMap and secret volumes: every key or the chosen items, with defaultMode and per-item modes', async (t) => {
  const root = await tempDir(t);
  const { vm } = setup(root, t);
  const vols = await vm.setUpPod(pod([
    { name: 'config', configMap: { name: 'app-config' } },
    { name: 'picked', configMap: { name: 'app-config', items: [{ key: 'LOG_LEVEL', path: 'conf/level', mode: 0o400 }], defaultMode: 0o640 } },
    { name: 'creds', secret: { secretName: 'db-secret', defaultMode: 0o600 } },
  ]));
  const config = vols.get('config')!;
  assert.equal(config.hostPath, join(root, 'pods/uid-web-1/volumes/kubernetes.io~configmap/config'));
  assert.equal(config.readOnly, true);
  assert.equal(await readFile(join(config.hostPath, 'app.properties'), 'utf8'), 'env=production\n');
  assert.equal((await stat(join(config.hostPath, 'LOG_LEVEL'))).mode & 0o777, 0o644);
  const picked = vols.get('picked')!.hostPath;
  assert.deepEqual((await readdir(picked)).filter((e) => !e.startsWith('..')), ['conf']);
  assert.equal(await readFile(join(picked, 'conf/level'), 'utf8'), 'info');
  assert.equal((await stat(join(picked, 'conf/level'))).mode & 0o777, 0o400);
  const creds = vols.get('creds')!.hostPath;
  assert.equal(creds, join(root, 'pods/uid-web-1/volumes/kubernetes.io~secret/creds'));
  assert.equal(await readFile(join(creds, 'password'), 'utf8'), 's3cr3t');
  assert.equal((await stat(join(creds, 'password'))).mode & 0o777, 0o600);
});

test('a ConfigMap update reaches the mounted file on the next resync; the old content stays until then', async (t) => {
  const root = await tempDir(t);
  const { fake, vm, clock } = setup(root, t);
  const vols = await vm.setUpPod(pod([{ name: 'config', configMap: { name: 'app-config' } }]));
  const file = join(vols.get('config')!.hostPath, 'LOG_LEVEL');
  vm.start();
  fake.put('', 'configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'default', name: 'app-config' }, data: { 'app.properties': 'env=production\n', LOG_LEVEL: 'debug' } });
  assert.equal(await readFile(file, 'utf8'), 'info');
  await clock.stepAsync(10_000);
  await vm.resync(); // lets the timer's resync finish (it is serialized behind the same per-pod chain)
  assert.equal(await readFile(file, 'utf8'), 'debug');
});

test('missing ConfigMap, Secret or key: FailedMount with upstream text; optional ones give an empty volume', async (t) => {
  const root = await tempDir(t);
  const { vm } = setup(root, t);
  await assert.rejects(vm.setUpPod(pod([
    { name: 'config', configMap: { name: 'nope' } },
    { name: 'creds', secret: { secretName: 'db-secret', items: [{ key: 'user', path: 'user' }] } },
    { name: 'data', persistentVolumeClaim: { claimName: 'pvc' } },
    { name: 'share', nfs: { server: 'nas', path: '/export' } },
  ])), (e: unknown) => {
    assert.ok(e instanceof VolumeSetupError);
    assert.deepEqual(e.failures.map((f) => f.message), [
      'MountVolume.SetUp failed for volume "config" : configmap "nope" not found',
      'MountVolume.SetUp failed for volume "creds" : references non-existent secret key: user',
      'MountVolume.SetUp failed for volume "data" : persistentvolumeclaim "pvc" not found',
      'MountVolume.SetUp failed for volume "share" : nfs volumes are not supported by nanokube yet',
    ]);
    return true;
  });
  const vols = await vm.setUpPod(pod([{ name: 'config', configMap: { name: 'nope', optional: true } }]));
  assert.deepEqual((await readdir(vols.get('config')!.hostPath)).filter((e) => !e.startsWith('..')), []);
});

test('downwardAPI volume: labels, name and resources; a label change reaches the file on updatePod', async (t) => {
  const root = await tempDir(t);
  const { vm } = setup(root, t);
  const p = pod([{ name: 'info', downwardAPI: { items: [
    { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
    { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
    { path: 'mem', resourceFieldRef: { containerName: 'app', resource: 'limits.memory', divisor: '1Mi' } },
    { path: 'cpu', resourceFieldRef: { containerName: 'app', resource: 'limits.cpu' } },
  ] } }]);
  const dir = (await vm.setUpPod(p)).get('info')!.hostPath;
  assert.equal(await readFile(join(dir, 'labels'), 'utf8'), 'app="web"');
  assert.equal(await readFile(join(dir, 'name'), 'utf8'), 'web-1');
  assert.equal(await readFile(join(dir, 'mem'), 'utf8'), '64');
  assert.equal(await readFile(join(dir, 'cpu'), 'utf8'), '2', 'no cpu limit: the node allocatable');
  await vm.updatePod({ ...p, metadata: { ...p.metadata, labels: { app: 'web', version: 'v2' } } });
  assert.equal(await readFile(join(dir, 'labels'), 'utf8'), 'app="web"\nversion="v2"');
});

test('projected kube-api-access volume: ca.crt and namespace; the token is left out with a note when no token source exists', async (t) => {
  const root = await tempDir(t);
  const { fake, vm, events } = setup(root, t);
  fake.put('', 'configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'default', name: 'kube-root-ca.crt' }, data: { 'ca.crt': '-----BEGIN CERTIFICATE-----\n' } });
  const vols = await vm.setUpPod(pod([{ name: 'kube-api-access-abcde', projected: { defaultMode: 0o644, sources: [
    { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
    { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
    { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
  ] } }]));
  const dir = vols.get('kube-api-access-abcde')!.hostPath;
  assert.equal(dir, join(root, 'pods/uid-web-1/volumes/kubernetes.io~projected/kube-api-access-abcde'));
  assert.equal(await readFile(join(dir, 'ca.crt'), 'utf8'), '-----BEGIN CERTIFICATE-----\n');
  assert.equal(await readFile(join(dir, 'namespace'), 'utf8'), 'default');
  await assert.rejects(lstat(join(dir, 'token')));
  assert.equal(events.length, 1);
  assert.match(events[0].message, /token was left out/);

  const withTokens = new VolumeManager({ rootDir: root, objects: apiObjectSource(new Client(inProcessTransport(fake.handler))),
    tokens: async (req) => ({ token: `tok-for-${req.serviceAccountName}-${req.pod.name}` }) });
  t.after(() => withTokens.shutdown());
  const v2 = await withTokens.setUpPod(pod([{ name: 'api', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } }], { uid: 'uid-2' }));
  assert.equal(await readFile(join(v2.get('api')!.hostPath, 'token'), 'utf8'), 'tok-for-default-web-1');
});

test('emptyDir is a writable folder; medium Memory is a tmpfs (as root) that tearDown unmounts', async (t) => {
  const root = await tempDir(t);
  const { vm } = setup(root, t);
  const vols = await vm.setUpPod(pod([{ name: 'scratch', emptyDir: {} }, { name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } }]));
  const scratch = vols.get('scratch')!;
  assert.equal(scratch.hostPath, join(root, 'pods/uid-web-1/volumes/kubernetes.io~empty-dir/scratch'));
  assert.equal(scratch.readOnly, false);
  assert.equal((await stat(scratch.hostPath)).isDirectory(), true);
  const mem = vols.get('mem')!.hostPath;
  if (canMountTmpfs()) assert.equal(await isMountPoint(mem), true);
  await vm.tearDownPod('uid-web-1');
  if (canMountTmpfs()) assert.equal(await isMountPoint(mem), false);
  await assert.rejects(stat(join(root, 'pods/uid-web-1')), 'nothing of the pod is left');
});

test('hostPath types: the OrCreate types create what is missing, the others check the kind with upstream text', async (t) => {
  const root = await tempDir(t);
  await checkHostPath({ path: join(root, 'made/dir'), type: 'DirectoryOrCreate' });
  assert.equal((await stat(join(root, 'made/dir'))).isDirectory(), true);
  await checkHostPath({ path: join(root, 'f.log'), type: 'FileOrCreate' });
  assert.equal((await stat(join(root, 'f.log'))).isFile(), true);
  await assert.rejects(checkHostPath({ path: join(root, 'f.log'), type: 'Directory' }), { message: `hostPath type check failed: ${join(root, 'f.log')} is not a directory` });
  await assert.rejects(checkHostPath({ path: join(root, 'made'), type: 'File' }), { message: `hostPath type check failed: ${join(root, 'made')} is not a file` });
  await assert.rejects(checkHostPath({ path: join(root, 'absent'), type: 'Socket' }), { message: `hostPath type check failed: ${join(root, 'absent')} is not a socket file` });
  await checkHostPath({ path: join(root, 'absent') });
});

test('container mounts: mountPath, subPath into a configMap key, subPathExpr from env, readOnly, and upstream errors', async (t) => {
  const root = await tempDir(t);
  const { vm } = setup(root, t);
  const host = join(root, 'host');
  await mkdir(host);
  await writeFile(join(host, 'x'), '');
  const vols = await vm.setUpPod(pod([
    { name: 'config', configMap: { name: 'app-config' } }, { name: 'scratch', emptyDir: {} }, { name: 'h', hostPath: { path: host } },
  ]));
  const envs = [{ key: 'POD_NAME', value: 'web-1' }];
  const mounts = vm.containerMounts({ name: 'app', volumeMounts: [
    { name: 'config', mountPath: '/etc/app' },
    { name: 'config', mountPath: '/etc/app.properties', subPath: 'app.properties' },
    { name: 'scratch', mountPath: '/logs', subPathExpr: 'logs/$(POD_NAME)' },
    { name: 'h', mountPath: '/host', readOnly: true, mountPropagation: 'HostToContainer' },
  ] }, vols, envs);
  assert.deepEqual(mounts[0], { containerPath: '/etc/app', hostPath: vols.get('config')!.hostPath, readonly: true });
  assert.equal(await readFile(mounts[1].hostPath, 'utf8'), 'env=production\n');
  assert.equal(mounts[2].hostPath, join(vols.get('scratch')!.hostPath, 'logs/web-1'));
  assert.equal((await stat(mounts[2].hostPath)).isDirectory(), true, 'a missing subPath folder is created');
  assert.equal(mounts[2].readonly, false);
  assert.deepEqual(mounts[3], { containerPath: '/host', hostPath: host, readonly: true, propagation: 'rslave' });

  const fails = (vm2: object, message: string) => assert.throws(() => vm.containerMounts({ name: 'app', volumeMounts: [vm2 as never] }, vols, envs),
    (e: unknown) => e instanceof ContainerConfigError && e.reason === 'CreateContainerConfigError' && e.message === message);
  fails({ name: 'scratch', mountPath: '/x', subPathExpr: '$(NOPE)/$(ALSO)' }, 'missing value for ALSO, NOPE');
  fails({ name: 'scratch', mountPath: '/x', subPath: '../../etc' }, "unable to provision SubPath `../../etc`: must not contain '..'");
  fails({ name: 'gone', mountPath: '/x' }, 'cannot find volume "gone" to mount into container "app"');
});

test('orphaned pod folders left by a previous run are removed at start, active pods are kept', async (t) => {
  const root = await tempDir(t);
  const { vm } = setup(root, t);
  await vm.setUpPod(pod([{ name: 'scratch', emptyDir: { medium: 'Memory' } }], { uid: 'old' }));
  await vm.setUpPod(pod([{ name: 'scratch', emptyDir: {} }], { uid: 'live' }));
  assert.deepEqual(await vm.cleanupOrphanedPods(new Set(['live'])), ['old']);
  assert.deepEqual(await readdir(join(root, 'pods')), ['live']);
});

test('kubelet volume hooks: setUp then synchronous mounts per container, tearDown removes the folder', async (t) => {
  const root = await tempDir(t);
  const { vm } = setup(root, t);
  const { volumeHooks } = await import('./index.js');
  const hooks = volumeHooks(vm);
  const p = pod([{ name: 'config', configMap: { name: 'app-config' } }]);
  const c = { name: 'app', volumeMounts: [{ name: 'config', mountPath: '/etc/config' }] };
  assert.throws(() => hooks.mounts(p, c), /not set up yet/);
  await hooks.setUp(p);
  assert.deepEqual(hooks.mounts(p, c), [{ containerPath: '/etc/config', hostPath: join(root, 'pods/uid-web-1/volumes/kubernetes.io~configmap/config'), readonly: true }]);
  assert.deepEqual(hooks.mounts(p, { name: 'other' }), []);
  await hooks.tearDown(p);
  await assert.rejects(stat(join(root, 'pods/uid-web-1/volumes')));
});

test('a persistentVolumeClaim volume mounts its bound volume\'s directory; an unbound claim fails the mount until it is bound', async (t) => {
  const root = await tempDir(t);
  const { fake, vm } = setup(join(root, 'kubelet'), t);
  const dir = join(root, 'storage', 'pvc-1');
  const claim = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { namespace: 'default', name: 'data' }, spec: { volumeName: '' }, status: { phase: 'Pending' } };
  fake.put('', 'persistentvolumeclaims', claim);
  const p = pod([{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }]);
  await assert.rejects(vm.setUpPod(p), (e: any) => e instanceof VolumeSetupError
    && e.failures[0].message === 'MountVolume.SetUp failed for volume "data" : PVC default/data has non-bound phase ("Pending") or empty pvc.Spec.VolumeName ("")');
  fake.put('', 'persistentvolumeclaims', { ...claim, spec: { volumeName: 'pvc-1' }, status: { phase: 'Bound' } });
  fake.put('', 'persistentvolumes', { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pvc-1' }, spec: { hostPath: { path: dir, type: 'DirectoryOrCreate' } } });
  const vols = await vm.setUpPod(p);
  assert.deepEqual(vols.get('data'), { hostPath: dir, readOnly: false });
  assert.ok((await stat(dir)).isDirectory(), 'DirectoryOrCreate made the directory');
});
