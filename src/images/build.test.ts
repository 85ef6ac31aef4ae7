// Builds for real, as root: RUN mounts overlays in its own mount namespace. Each test has its own NANOKUBE_HOME.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { buildImage, BuildError } from './build.js';
import { ImageStore } from './store.js';
import { isRoot, runInStoredImage } from './testing.js';

const repo = resolve(import.meta.dirname, '..', '..', '..');
const flaskDir = join(repo, 'examples', 'flask');
const needRoot = isRoot() ? false : 'skipped: RUN needs root (overlay mounts)';
const havePythonFlask = existsSync('/usr/lib/python3/dist-packages/flask');
const havePip = existsSync('/usr/lib/python3/dist-packages/pip');
const externallyManaged = readdirSync('/usr/lib').some((d) => /^python3\.\d+$/.test(d) && existsSync(join('/usr/lib', d, 'EXTERNALLY-MANAGED')));

function setup(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'nanokube-build-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const store = new ImageStore({ home: join(dir, 'home') });
  const out = new PassThrough();
  let log = '';
  out.on('data', (c: Buffer) => { log += c.toString(); });
  return { dir, store, out, log: () => log };
}

async function build(s: ReturnType<typeof setup>, dockerfile: string, files: Record<string, string> = {}, extra: { buildArgs?: Record<string, string> } = {}) {
  const ctx = join(s.dir, 'ctx');
  rmSync(ctx, { recursive: true, force: true });
  mkdirSync(ctx, { recursive: true });
  writeFileSync(join(ctx, 'Dockerfile'), dockerfile);
  for (const [k, v] of Object.entries(files)) { mkdirSync(join(ctx, k, '..'), { recursive: true }); writeFileSync(join(ctx, k), v); }
  return buildImage({ store: s.store, context: ctx, tags: ['test/app:1'], out: s.out, ...extra });
}

test('a python base recorded by a build without root (no whiteout over the host\'s EXTERNALLY-MANAGED) is made again by a build as root, so RUN pip install works', { skip: needRoot || (!havePip ? 'skipped: python3-pip not found' : !externallyManaged ? 'skipped: the host python has no EXTERNALLY-MANAGED marker' : false) }, async (t) => {
  const s = setup(t);
  // What a non-root `nanokube image build` leaves in the store before its RUN step fails.
  const getuid = process.getuid;
  process.getuid = () => 1000;
  try { await build(s, 'FROM python:3.12-slim\n'); } finally { process.getuid = getuid; }
  // pip refuses any install under the marker (PEP 668); without it, an already satisfied requirement passes offline.
  const r = await build(s, 'FROM python:3.12-slim\nRUN pip install --no-index pip\n');
  assert.ok(r.id);
  assert.doesNotMatch(s.log(), /externally-managed-environment/);
});

test('examples/flask builds offline from its Dockerfile; app.py is in the top layer and flask imports inside the image', { skip: needRoot || (!havePythonFlask ? 'skipped: python3-flask not found' : !havePip ? 'skipped: python3-pip not found' : false) }, async (t) => {
  const s = setup(t);
  const r = await buildImage({ store: s.store, context: flaskDir, tags: ['your-dockerhub-username/flask-app:latest'], out: s.out });
  assert.match(s.log(), /Step 1\/7 : FROM python:3\.\d+-slim\n ---> python:3\.\d+-slim → host root filesystem \(Python 3\.\d+\)/);
  assert.match(s.log(), /Step 4\/7 : RUN pip install -r requirements.txt/);
  assert.match(s.log(), /Successfully tagged your-dockerhub-username\/flask-app:latest/);
  const img = await s.store.resolve('your-dockerhub-username/flask-app:latest');
  assert.ok(img);
  assert.equal(img.id, r.id);
  assert.deepEqual(img.repoTags, ['docker.io/your-dockerhub-username/flask-app:latest']);
  assert.equal(img.layers[0], '/', 'the python base stands on the host root filesystem');
  const top = img.layers[img.layers.length - 1]!;
  assert.ok(existsSync(join(top, 'app', 'app.py')), 'COPY . . put app.py in the top layer');
  assert.ok(!existsSync(join(top, 'app', 'Dockerfile')), '.dockerignore kept the Dockerfile out');
  assert.deepEqual(img.config.cmd, ['python', 'app.py']);
  assert.equal(img.config.workingDir, '/app');
  assert.deepEqual(img.config.exposedPorts, ['5000/tcp']);
  const run = await runInStoredImage(s.store, 'your-dockerhub-username/flask-app', ['python', '-c', 'import flask, os; print("flask ok", os.getcwd(), sorted(os.listdir(".")))']);
  assert.equal(run.code, 0, run.output);
  assert.match(run.output, /flask ok \/app \['app.py', 'requirements.txt'\]/);
});

test('RUN writes into the image, not the host, and does not see the host\'s /tmp; deletions become whiteouts in the layer', { skip: needRoot }, async (t) => {
  const s = setup(t);
  const marker = `/tmp/nanokube-build-test-${process.pid}`;
  const hostFile = `/tmp/nanokube-build-host-${process.pid}`;
  writeFileSync(hostFile, 'host data');
  t.after(() => rmSync(hostFile, { force: true }));
  await build(s, `FROM debian:12\nRUN test ! -e ${hostFile} && echo built > ${marker} && mkdir -p /opt/x && echo gone > /opt/x/f\nRUN rm /opt/x/f\n`);
  assert.ok(!existsSync(marker), 'the host /tmp is untouched');
  const img = (await s.store.resolve('test/app:1'))!;
  const [, runLayer, rmLayer] = img.layers;
  assert.ok(existsSync(join(runLayer!, marker)));
  const r = await runInStoredImage(s.store, 'test/app:1', ['sh', '-c', `cat ${marker}; test -e /opt/x/f && echo still-there || echo removed`]);
  assert.equal(r.output, 'built\nremoved\n');
  assert.ok(readdirSync(join(rmLayer!, 'opt', 'x')).includes('f'), 'the rm step holds a whiteout for f');
});

test('ENV, ARG with --build-arg, USER, LABEL, ENTRYPOINT and shell-form CMD end up in the image config', { skip: needRoot }, async (t) => {
  const s = setup(t);
  await build(s, [
    'ARG BASE=busybox', 'FROM ${BASE}', 'ARG GREETING=hello', 'ENV MSG="${GREETING} world" LEVEL=info',
    'LABEL org.example.team=web', 'WORKDIR app', 'WORKDIR sub', 'RUN echo "$MSG" > msg.txt', 'USER nobody', 'EXPOSE 8080/udp 9000',
    'ENTRYPOINT ["/bin/sh", "-c"]', 'CMD echo $MSG',
  ].join('\n'), {}, { buildArgs: { GREETING: 'hi' } });
  const img = (await s.store.resolve('test/app:1'))!;
  assert.ok(img.config.env!.includes('MSG=hi world'));
  assert.ok(img.config.env!.includes('LEVEL=info'));
  assert.equal(img.config.workingDir, '/app/sub');
  assert.equal(img.config.user, 'nobody');
  assert.deepEqual(img.config.labels, { 'org.example.team': 'web' });
  assert.deepEqual(img.config.entrypoint, ['/bin/sh', '-c']);
  assert.deepEqual(img.config.cmd, ['/bin/sh', '-c', 'echo $MSG']);
  assert.deepEqual(img.config.exposedPorts!.sort(), ['8080/udp', '9000/tcp']);
  const run = await runInStoredImage(s.store, 'test/app:1', ['cat', '/app/sub/msg.txt']);
  assert.equal(run.output, 'hi world\n');
});

test('COPY and ADD follow docker: directory contents, trailing-slash destinations, wildcards, --chown, local tar unpacked', { skip: needRoot }, async (t) => {
  const s = setup(t);
  const ctx = join(s.dir, 'ctx');
  const { create } = await import('tar');
  mkdirSync(join(s.dir, 'tarsrc', 'pkg'), { recursive: true });
  writeFileSync(join(s.dir, 'tarsrc', 'pkg', 'inside.txt'), 'from the tar\n');
  await build(s, 'FROM scratch\n', {}); // creates ctx
  await create({ file: join(ctx, 'bundle.tar.gz'), gzip: true, cwd: join(s.dir, 'tarsrc') }, ['pkg']);
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nCOPY src /dst\nCOPY *.md /docs/\nCOPY --chown=65534:65534 one.txt /owned\nADD bundle.tar.gz /opt/\n');
  mkdirSync(join(ctx, 'src', 'deep'), { recursive: true });
  writeFileSync(join(ctx, 'src', 'deep', 'a.txt'), 'a\n');
  writeFileSync(join(ctx, 'x.md'), 'x\n');
  writeFileSync(join(ctx, 'y.md'), 'y\n');
  writeFileSync(join(ctx, 'one.txt'), '1\n');
  await buildImage({ store: s.store, context: ctx, tags: ['test/copy'], out: s.out });
  const r = await runInStoredImage(s.store, 'test/copy', ['sh', '-c', 'cat /dst/deep/a.txt /docs/x.md /docs/y.md /opt/pkg/inside.txt; stat -c %u:%g /owned']);
  assert.equal(r.output, 'a\nx\ny\nfrom the tar\n65534:65534\n', r.output);
});

test('a bad Dockerfile line is an error naming the file and line', async (t) => {
  const s = setup(t);
  await assert.rejects(build(s, 'FROM busybox\nFOO bar\n'), (e: Error) => e instanceof BuildError && /Dockerfile:2: unknown instruction: FOO/.test(e.message));
  await assert.rejects(build(s, 'FROM busybox\nCOPY missing.txt /x\n'), /Dockerfile:2: COPY failed: file not found in build context or excluded by \.dockerignore: missing\.txt/);
  await assert.rejects(build(s, 'FROM nosuch/image:1\n'), /Dockerfile:1: FROM nosuch\/image:1: image "nosuch\/image:1" is not in nanokube's image store; build it with/);
  await assert.rejects(build(s, 'FROM busybox\nHEALTHCHECK CMD true\n'), /Dockerfile:2: HEALTHCHECK is not supported/);
  await assert.rejects(build(s, 'FROM busybox AS a\nFROM busybox\nCOPY --from=nosuch /x /x\n'), /Dockerfile:3: COPY --from=nosuch: no build stage by that name, and image "nosuch" is not in nanokube's image store/);
  await assert.rejects(build(s, 'FROM busybox\nRUN --mount=type=cache,target=/x true\n'), /Dockerfile:2: RUN --mount is not supported/);
  await assert.rejects(buildImage({ store: s.store, context: join(s.dir), tags: ['x'], out: s.out }), /no Dockerfile in .*; pass -f FILE/);
});

test('a failing RUN stops the build with its exit code and line, and leaves no image', { skip: needRoot }, async (t) => {
  const s = setup(t);
  await assert.rejects(build(s, 'FROM busybox\nRUN echo about to fail\nRUN exit 3\n'), /Dockerfile:3: RUN failed: the command '\/bin\/sh -c exit 3' returned a non-zero code: 3/);
  assert.match(s.log(), /about to fail/);
  assert.equal(await s.store.resolve('test/app:1'), null);
  assert.deepEqual(readdirSync(join(s.store.root, 'layers')).filter((d) => !s.store.images().some((i) => i.config.rootfs.diff_ids.includes('sha256:' + d))), [], 'the layers of its finished steps are gone too');
});

test('FROM an image already in the store builds on its layers', { skip: needRoot }, async (t) => {
  const s = setup(t);
  await build(s, 'FROM busybox\nRUN echo base > /base.txt\n');
  const ctx = join(s.dir, 'ctx2');
  mkdirSync(ctx);
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM test/app:1\nRUN cat /base.txt > /derived.txt\n');
  await buildImage({ store: s.store, context: ctx, tags: ['test/derived'], out: s.out });
  assert.match(s.log(), /FROM test\/app:1\n ---> test\/app:1 \(from the store/);
  const r = await runInStoredImage(s.store, 'test/derived', ['cat', '/derived.txt']);
  assert.equal(r.output, 'base\n');
});

test('rebuilding a tag moves the name; the previous image stays unnamed (dangling) until removed by its ID', async (t) => {
  const s = setup(t);
  const first = await build(s, 'FROM busybox\nLABEL version=1\n');
  const second = await build(s, 'FROM busybox\nLABEL version=2\n');
  assert.notEqual(first.id, second.id);
  assert.equal((await s.store.resolve('test/app:1'))!.id, second.id);
  const old = s.store.find(first.id);
  assert.ok(old, 'the old image is still in the store');
  assert.deepEqual(old.names, []);
  await s.store.remove(first.id.slice(7, 19));
  assert.equal(s.store.find(first.id), null);
  assert.equal((await s.store.resolve('test/app:1'))!.id, second.id);
});

test('a folder removed and made again in a later RUN hides the old contents, in the unpacked layer and after unpacking its blob', { skip: needRoot || (existsSync('/usr/bin/python3') ? false : 'skipped: python3 not found (reads overlay xattrs)') }, async (t) => {
  const s = setup(t);
  await build(s, 'FROM busybox\nRUN mkdir -p /opt/d && touch /opt/d/old\nRUN rm -rf /opt/d && mkdir /opt/d && touch /opt/d/new\n');
  const ls = async () => (await runInStoredImage(s.store, 'test/app:1', ['ls', '/opt/d'])).output;
  assert.equal(await ls(), 'new\n');
  const stored = s.store.find('test/app:1')!;
  const top = stored.manifest.layers[stored.manifest.layers.length - 1]!;
  const { list } = await import('tar');
  const entries: string[] = [];
  await list({ file: s.store.blobPath(top.digest), onReadEntry: (e) => { entries.push(e.path); } });
  assert.ok(entries.includes('opt/d/.wh..wh..opq'), `the layer tar marks opt/d opaque: ${entries.join(' ')}`);
  // Unpacked again from the blobs (as after a load elsewhere), the image reads the same.
  rmSync(join(s.store.root, 'layers'), { recursive: true, force: true });
  assert.equal(await ls(), 'new\n');
});

test('multi-stage builds: COPY --from a named stage, a stage index or an image; earlier stages leave nothing behind', { skip: needRoot }, async (t) => {
  const s = setup(t);
  await build(s, [
    'FROM busybox AS builder',
    'WORKDIR /src',
    'RUN echo compiled > out.bin && mkdir dir && echo a > dir/a && echo gone > dir/gone',
    'RUN rm dir/gone',
    'FROM builder AS tested',
    'RUN test -f /src/out.bin',
    'FROM busybox',
    'COPY --from=builder /src/out.bin /app/',
    'COPY --from=0 /src/dir /app/dir',
    'COPY --from=debian:12 /etc/debian_version /app/',
  ].join('\n'));
  const r = await runInStoredImage(s.store, 'test/app:1', ['sh', '-c', 'cat /app/out.bin /app/dir/a; ls /app/dir; test -s /app/debian_version && echo debian-ok; test -e /src && echo src-leaked || echo no-src']);
  assert.equal(r.output, 'compiled\na\na\ndebian-ok\nno-src\n', r.output);
  const img = s.store.find('test/app:1')!;
  const used = new Set<string>();
  for (const i of s.store.images()) for (const d of i.config.rootfs.diff_ids) used.add(d.slice(7));
  assert.deepEqual(readdirSync(join(s.store.root, 'layers')).filter((d) => !used.has(d)), [], 'no layer folder of the earlier stages is left');
  assert.ok(img.config.rootfs.diff_ids.length >= 3);
});

test('when RUN cannot mount the image, the error says so instead of blaming the command', { skip: needRoot }, async (t) => {
  const s = setup(t);
  const { runInImage } = await import('./run-in-image.js');
  const w = join(s.dir, 'run');
  for (const d of ['upper', 'work', 'root']) mkdirSync(join(w, d), { recursive: true });
  await assert.rejects(runInImage({
    layers: [join(s.dir, 'no-such-layer')], upper: join(w, 'upper'), work: join(w, 'work'), mountpoint: join(w, 'root'),
    argv: ['true'], env: [], workingDir: '/', stdout: s.out, stderr: s.out,
  }), /^Error: cannot set up the image's root filesystem for RUN: .*mount -t overlay/);
});

test('an image whose layers a running container has mounted cannot be removed until that mount is gone', { skip: needRoot }, async (t) => {
  const s = setup(t);
  const { execFileSync } = await import('node:child_process');
  await build(s, 'FROM scratch\nCOPY f /f\n', { f: 'x\n' });
  const img = (await s.store.resolve('test/app:1'))!;
  const empty = join(s.dir, 'empty');
  const target = join(s.dir, 'mnt');
  mkdirSync(empty); mkdirSync(target);
  execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${img.layers[0]}:${empty}`, target]);
  let mounted = true;
  t.after(() => { if (mounted) execFileSync('umount', ['-l', target]); });
  await assert.rejects(s.store.remove('test/app:1'), /image "test\/app:1" is in use by a running container/);
  execFileSync('umount', [target]);
  mounted = false;
  await s.store.remove('test/app:1');
  assert.equal(await s.store.resolve('test/app:1'), null);
});
