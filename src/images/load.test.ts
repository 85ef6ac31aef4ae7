// Loading real images (made in the test from Debian's busybox-static) and the store's list/remove.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadImageArchive, LoadError } from './load.js';
import { ImageNotFoundError, ImageStore } from './store.js';
import { haveBusybox, isRoot, runInStoredImage, writeBusyboxArchive } from './testing.js';

const needBusybox = haveBusybox() ? false : 'skipped: /bin/busybox not found (Debian package busybox-static)';

function setup(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'nanokube-load-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return { dir, store: new ImageStore({ home: join(dir, 'home') }) };
}

for (const format of ['docker', 'oci'] as const) {
  test(`${format === 'docker' ? 'a `docker save`' : 'an OCI'} archive loads, resolves by its normalized name, and runs with exactly its own files`, { skip: needBusybox }, async (t) => {
    const s = setup(t);
    const file = join(s.dir, 'busybox.tar');
    const { configDigest } = await writeBusyboxArchive(file, { name: 'busybox:nanokube-test', format });
    const r = await loadImageArchive(s.store, file);
    assert.deepEqual(r.images, [{ id: configDigest, names: ['docker.io/library/busybox:nanokube-test'] }]);
    const img = await s.store.resolve('busybox:nanokube-test');
    assert.ok(img);
    assert.equal(img.id, configDigest);
    assert.equal(img.layers.length, 1);
    assert.notEqual(img.layers[0], '/', 'a loaded image does not stand on the host root');
    assert.ok(existsSync(join(img.layers[0]!, 'bin', 'busybox')));
    assert.deepEqual(img.config.cmd, ['sh']);
    assert.deepEqual(await s.store.resolve(configDigest).then((i) => i?.id), configDigest, 'resolves by image ID too');
    assert.deepEqual(await s.store.resolve(configDigest.slice(7, 19)).then((i) => i?.id), configDigest, 'and by a short ID');
    const index = JSON.parse(readFileSync(join(s.store.root, 'index.json'), 'utf8'));
    assert.equal(index.manifests[0].annotations['org.opencontainers.image.ref.name'], 'nanokube-test');
    if (!isRoot()) return t.diagnostic('running inside the image skipped: needs root');
    const run = await runInStoredImage(s.store, 'busybox:nanokube-test', ['sh', '-c', 'ls /; cat /hello.txt; test -e /usr/bin/python3 && echo host-visible || echo host-hidden']);
    assert.equal(run.code, 0, run.output);
    // proc and dev are the mount points the run adds; nothing else from the host shows.
    assert.equal(run.output, 'bin\ndev\netc\nhello.txt\nproc\nhello from a loaded image\nhost-hidden\n');
  });
}

test('a corrupt or foreign archive is refused with what is wrong', async (t) => {
  const s = setup(t);
  const notTar = join(s.dir, 'x.tar');
  writeFileSync(notTar, 'not a tar at all'.repeat(100));
  await assert.rejects(loadImageArchive(s.store, notTar), LoadError);
  await assert.rejects(loadImageArchive(s.store, join(s.dir, 'missing.tar')), /no such file/);
  const { create } = await import('tar');
  writeFileSync(join(s.dir, 'readme.txt'), 'hi');
  await create({ file: join(s.dir, 'other.tar'), cwd: s.dir }, ['readme.txt']);
  await assert.rejects(loadImageArchive(s.store, join(s.dir, 'other.tar')), /neither a docker save archive \(manifest\.json\) nor an OCI image layout/);
});

test('removing an image drops its name, then the blobs and layers no other image uses; an absent image is a clear error', { skip: needBusybox }, async (t) => {
  const s = setup(t);
  const file = join(s.dir, 'busybox.tar');
  await writeBusyboxArchive(file, { name: 'example.com/tools/busybox:v1', alsoNamed: ['example.com/tools/busybox:v2'], format: 'docker' });
  await loadImageArchive(s.store, file);
  const img = (await s.store.resolve('example.com/tools/busybox:v1'))!;
  assert.deepEqual(img.repoTags.sort(), ['example.com/tools/busybox:v1', 'example.com/tools/busybox:v2']);
  await s.store.remove('example.com/tools/busybox:v1');
  assert.equal(await s.store.resolve('example.com/tools/busybox:v1'), null);
  assert.ok(existsSync(img.layers[0]!), 'v2 still uses the layer');
  await s.store.remove('example.com/tools/busybox:v2');
  assert.equal((await s.store.list()).length, 0);
  assert.ok(!existsSync(img.layers[0]!), 'the unpacked layer went with the last image using it');
  assert.deepEqual(readdirSync(join(s.store.root, 'blobs', 'sha256')), [], 'and so did every blob');
  await assert.rejects(s.store.remove('example.com/tools/busybox:v2'), (e: Error) => e instanceof ImageNotFoundError && /is not in nanokube's image store; build it with `nanokube image build -t example\.com\/tools\/busybox:v2 DIR` or load it with `nanokube image load FILE`/.test(e.message));
});

test('an absent image resolves to null, and well-known bases resolve to the host root filesystem', async (t) => {
  const s = setup(t);
  assert.equal(await s.store.resolve('nosuch/app:1'), null);
  const plain = new ImageStore({ home: join(s.dir, 'home2'), hostBaseImages: false });
  assert.equal(await plain.resolve('debian:12'), null);
  const deb = await s.store.resolve('debian:12');
  assert.ok(deb);
  assert.deepEqual(deb.layers, ['/']);
  assert.deepEqual(deb.repoTags, ['docker.io/library/debian:12']);
});

test('an image standing on the host root keeps that through save and load into another store', async (t) => {
  const s = setup(t);
  const { buildImage } = await import('./build.js');
  const { saveImageArchive } = await import('./save.js');
  const { PassThrough } = await import('node:stream');
  const ctx = join(s.dir, 'ctx');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(ctx);
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM debian:12\nCOPY f /f\n');
  writeFileSync(join(ctx, 'f'), 'file\n');
  const built = await buildImage({ store: s.store, context: ctx, tags: ['test/on-host:1'], out: new PassThrough() });
  const file = join(s.dir, 'saved.tar');
  const saved = await saveImageArchive(s.store, ['test/on-host:1'], file);
  assert.equal(saved.saved[0]!.hostRoot, true);
  const other = new ImageStore({ home: join(s.dir, 'other') });
  await loadImageArchive(other, file);
  const img = (await other.resolve('test/on-host:1'))!;
  assert.equal(img.id, built.id);
  assert.equal(img.layers[0], '/');
  assert.equal(readFileSync(join(img.layers[1]!, 'f'), 'utf8'), 'file\n');
});

test('work folders of builds and loads whose process died are cleaned up; a live process keeps its own', async (t) => {
  const s = setup(t);
  const { spawnSync } = await import('node:child_process');
  const { mkdirSync } = await import('node:fs');
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
  const mine = s.store.tempDir('build');
  const orphan = join(s.store.root, 'tmp', `test-run-${dead}-0123abcd`);
  mkdirSync(orphan);
  s.store.cleanTemp();
  assert.ok(existsSync(mine));
  assert.ok(!existsSync(orphan));
});

test('a store sees images another process loaded or removed after it last read the index (the kubelet\'s store and `nanokube image`)', { skip: needBusybox }, async (t) => {
  const s = setup(t);
  const kubelet = new ImageStore({ home: join(s.dir, 'home') });
  assert.equal(await kubelet.resolve('example.com/team/app:v1'), null);
  const file = join(s.dir, 'app.tar');
  const { configDigest } = await writeBusyboxArchive(file, { name: 'example.com/team/app:v1', format: 'oci' });
  await loadImageArchive(s.store, file);
  assert.equal((await kubelet.resolve('example.com/team/app:v1'))?.id, configDigest);
  await s.store.remove('example.com/team/app:v1');
  assert.equal(await kubelet.resolve('example.com/team/app:v1'), null);
  assert.equal(kubelet.images().length, 0);
});
