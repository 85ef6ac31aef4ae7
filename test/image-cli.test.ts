// Black-box tests of `nanokube image ...`: the built CLI run as a user would, with its own NANOKUBE_HOME in a temp
// folder and no cluster running (the store is files, like minikube's cache).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { haveBusybox, isRoot, writeBusyboxArchive } from '../src/images/index.js';

const root = resolve(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'nanokube.js');

function setup(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'nanokube-image-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const env: NodeJS.ProcessEnv = { ...process.env, NANOKUBE_HOME: join(dir, 'home'), HOME: dir };
  delete env.NANOKUBE_DEBUG;
  const nanokube = (...args: string[]) => {
    const r = spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8', cwd: root, timeout: 120_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  return { dir, nanokube };
}

test('image build of examples/flask, then ls, inspect and rm, as the seed course uses `docker build`', { skip: !isRoot() ? 'skipped: RUN needs root' : !existsSync('/usr/lib/python3/dist-packages/pip') ? 'skipped: python3-pip not found' : !existsSync('/usr/lib/python3/dist-packages/flask') ? 'skipped: python3-flask not found' : false }, (t) => {
  const { nanokube } = setup(t);
  const b = nanokube('image', 'build', '-t', 'your-dockerhub-username/flask-app:latest', 'examples/flask');
  assert.equal(b.code, 0, b.stderr);
  assert.match(b.stdout, /^Step 1\/7 : FROM python:3\.12-slim\n ---> python:3\.12-slim → host root filesystem \(Python 3\.\d+\)\n/);
  assert.match(b.stdout, /Step 4\/7 : RUN pip install -r requirements.txt\n ---> Running in [0-9a-f]{12}\n/);
  assert.match(b.stdout, /Successfully tagged your-dockerhub-username\/flask-app:latest\n$/);

  const ls = nanokube('image', 'ls');
  assert.equal(ls.code, 0, ls.stderr);
  assert.match(ls.stdout, /\|\s+Image\s+\|\s+Tag\s+\|\s+Image ID\s+\|\s+Size\s+\|/);
  assert.match(ls.stdout, /\| docker\.io\/your-dockerhub-username\/flask-app \| latest +\| [0-9a-f]{13} \|/);
  assert.match(ls.stdout, /\| docker\.io\/library\/python +\| 3\.12-slim +\|/);
  assert.match(nanokube('image', 'ls', '--format', 'short').stdout, /^docker\.io\/library\/python:3\.12-slim\ndocker\.io\/your-dockerhub-username\/flask-app:latest\n$/);

  const inspect = nanokube('image', 'inspect', 'your-dockerhub-username/flask-app');
  assert.equal(inspect.code, 0, inspect.stderr);
  const info = JSON.parse(inspect.stdout);
  assert.match(info.id, /^sha256:[0-9a-f]{64}$/);
  assert.deepEqual(info.repoTags, ['docker.io/your-dockerhub-username/flask-app:latest']);
  assert.deepEqual(info.config.Cmd, ['python', 'app.py']);
  assert.equal(info.layers[0].hostRoot, true);
  assert.ok(info.layers.length >= 5);

  const rm = nanokube('image', 'rm', 'your-dockerhub-username/flask-app:latest');
  assert.equal(rm.code, 0, rm.stderr);
  assert.doesNotMatch(nanokube('image', 'ls').stdout, /flask-app/);
  const again = nanokube('image', 'rm', 'your-dockerhub-username/flask-app:latest');
  assert.equal(again.code, 1);
  assert.equal(again.stderr, 'nanokube image rm: no such image: your-dockerhub-username/flask-app:latest (see `nanokube image ls`)\n');
});

test('image load takes a docker save archive and names what it loaded', { skip: haveBusybox() ? false : 'skipped: /bin/busybox not found (Debian package busybox-static)' }, async (t) => {
  const { dir, nanokube } = setup(t);
  const file = join(dir, 'busybox.tar');
  await writeBusyboxArchive(file, { name: 'busybox:nanokube-test', format: 'docker' });
  const r = nanokube('image', 'load', file);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'Loaded image: busybox:nanokube-test\n');
  assert.match(nanokube('image', 'ls').stdout, /\| docker\.io\/library\/busybox \| nanokube-test \|/);
});

test('image commands print one clear line on bad input and exit non-zero', (t) => {
  const { dir, nanokube } = setup(t);
  mkdirSync(join(dir, 'empty'));
  const cases: [string[], RegExp][] = [
    [['image', 'build', '-t', 'x', join(dir, 'empty')], /^nanokube image build: no Dockerfile in .*empty; pass -f FILE\n$/],
    [['image', 'build', join(dir, 'empty')], /^nanokube image build: name the image with -t NAME\[:TAG\]\n$/],
    [['image', 'build', '-t', 'Bad:Name', join(dir, 'empty')], /^nanokube image build: invalid tag "Bad:Name"/],
    [['image', 'load', join(dir, 'nope.tar')], /^nanokube image load: .*nope\.tar: no such file\n$/],
    [['image', 'inspect', 'nosuch'], /^nanokube image inspect: no such image: nosuch \(see `nanokube image ls`\)\n$/],
    [['image', 'ls', '--format', 'xml'], /^nanokube image ls: unknown --format "xml"; use table, short or json\n$/],
  ];
  for (const [args, want] of cases) {
    const r = nanokube(...args);
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.stderr, want);
    assert.equal(r.stderr.split('\n').length, 2, `one line: ${r.stderr}`);
  }
  writeFileSync(join(dir, 'empty', 'Dockerfile'), 'FROM busybox\nRUNN echo typo\n');
  const bad = nanokube('image', 'build', '-t', 'x', join(dir, 'empty'));
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^nanokube image build: .*empty\/Dockerfile:2: unknown instruction: RUNN\n$/);
});

test('without root, a build with RUN says that RUN needs root', { skip: !isRoot() ? 'skipped: needs root to drop to another user' : !existsSync('/usr/bin/setpriv') ? 'skipped: setpriv not found' : false }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nanokube-image-noroot-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  chmodSync(dir, 0o777);
  mkdirSync(join(dir, 'ctx'));
  writeFileSync(join(dir, 'ctx', 'Dockerfile'), 'FROM busybox\nRUN echo hi\n');
  const asNobody = ['--reuid=65534', '--regid=65534', '--clear-groups'];
  if (spawnSync('/usr/bin/setpriv', [...asNobody, process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(bin)})`]).status !== 0) {
    t.skip('skipped: the checkout is not readable by an unprivileged user');
    return;
  }
  const r = spawnSync('/usr/bin/setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, bin, 'image', 'build', '-t', 'x', join(dir, 'ctx')], {
    env: { PATH: process.env.PATH, NANOKUBE_HOME: join(dir, 'home'), HOME: dir }, encoding: 'utf8', cwd: dir, timeout: 60_000,
  });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /^nanokube image build: .*ctx\/Dockerfile:2: RUN needs root: /);
  assert.doesNotMatch(r.stdout, /Running in/);
});

test('image save writes an archive that image load reads back into another store, with the same image ID', { skip: haveBusybox() ? false : 'skipped: /bin/busybox not found (Debian package busybox-static)' }, async (t) => {
  const a = setup(t);
  const b = setup(t);
  const file = join(a.dir, 'busybox.tar');
  await writeBusyboxArchive(file, { name: 'busybox:nanokube-test', format: 'docker' });
  assert.equal(a.nanokube('image', 'load', file).code, 0);
  const id = JSON.parse(a.nanokube('image', 'inspect', 'busybox:nanokube-test').stdout).id;
  const out = join(a.dir, 'saved.tar');
  const save = a.nanokube('image', 'save', 'busybox:nanokube-test', out);
  assert.equal(save.code, 0, save.stderr);
  assert.equal(save.stdout, `Saved busybox:nanokube-test to ${out}\n`);
  const load = b.nanokube('image', 'load', out);
  assert.equal(load.code, 0, load.stderr);
  assert.equal(load.stdout, 'Loaded image: busybox:nanokube-test\n');
  const info = JSON.parse(b.nanokube('image', 'inspect', 'busybox:nanokube-test').stdout);
  assert.equal(info.id, id);
  const { list } = await import('tar');
  const names: string[] = [];
  await list({ file: out, onReadEntry: (e) => { names.push(e.path); } });
  for (const n of ['oci-layout', 'index.json', 'manifest.json']) assert.ok(names.includes(n), `${n} in the archive`);
});
