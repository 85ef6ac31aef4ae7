// Black-box tests of the nanokube command: the built CLI (bin/nanokube.js) run as a user would, with its own
// NANOKUBE_HOME and KUBECONFIG in a temp folder and a free port. Every server started is stopped in t.after.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

const root = resolve(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'nanokube.js');
const haveServer = existsSync(join(root, 'dist', 'src', 'apiserver', 'index.js')) && existsSync(join(root, 'dist', 'src', 'storage', 'index.js'));
const skip = haveServer ? false : 'skipped: the API server or storage module is not built yet (dist/src/apiserver/index.js, dist/src/storage/index.js)';

interface Env { home: string; kubeconfig: string; env: NodeJS.ProcessEnv }

function setup(t: { after(fn: () => void | Promise<void>): void }): Env {
  const dir = mkdtempSync(join(tmpdir(), 'nanokube-cli-'));
  const home = join(dir, 'home');
  const kubeconfig = join(dir, 'kube', 'config');
  const env: NodeJS.ProcessEnv = { ...process.env, NANOKUBE_HOME: home, KUBECONFIG: kubeconfig, HOME: dir };
  delete env.NANOKUBE_DEBUG;
  t.after(() => {
    // Stop whatever this test started, even if an assertion failed half-way.
    spawnSync(process.execPath, [bin, 'stop'], { env, encoding: 'utf8' });
    const pidFile = join(home, 'server.pid');
    if (existsSync(pidFile)) { try { process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL'); } catch { /* gone */ } }
    rmSync(dir, { recursive: true, force: true });
  });
  return { home, kubeconfig, env };
}

function nanokube(e: Env, ...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { env: e.env, encoding: 'utf8', timeout: 90_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

test('ip prints the loopback address NodePorts are reachable on', (t) => {
  const e = setup(t);
  const r = nanokube(e, 'ip');
  assert.equal(r.code, 0);
  assert.equal(r.stdout, '127.0.0.1\n');
});

test('status before any start reports a nonexistent cluster with a non-zero exit code', (t) => {
  const e = setup(t);
  const r = nanokube(e, 'status');
  assert.notEqual(r.code, 0);
  assert.match(r.stdout, /host: Nonexistent/);
});

test('stop when nothing runs says so and succeeds', (t) => {
  const e = setup(t);
  const r = nanokube(e, 'stop');
  assert.equal(r.code, 0);
  assert.match(r.stdout, /nanokube is not running/);
});

test('a bad flag value is one line on stderr, no stack trace', (t) => {
  const e = setup(t);
  const r = nanokube(e, 'start', '--api-port', 'seventy');
  assert.equal(r.code, 1);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('start, status, stop, start again, delete: the whole lifecycle a user goes through', { skip }, async (t) => {
  const e = setup(t);
  const port = await freePort();

  const first = nanokube(e, 'start', '--api-port', String(port));
  assert.equal(first.code, 0, first.stderr + first.stdout);
  assert.match(first.stdout, /Generating certificates \(first start\)/);
  assert.match(first.stdout, new RegExp(`Starting control plane on https://127\\.0\\.0\\.1:${port}`));
  assert.match(first.stdout, /API server is healthy/);
  assert.match(first.stdout, /kubectl is now configured to use "nanokube" cluster and "default" namespace by default/);
  for (const f of ['pki/ca.crt', 'pki/apiserver.crt', 'pki/admin.key', 'server.pid', 'server.log', 'config.json']) {
    assert.ok(existsSync(join(e.home, f)), `${f} exists`);
  }

  const cfg = parse(readFileSync(e.kubeconfig, 'utf8'));
  assert.equal(cfg['current-context'], 'nanokube');
  assert.equal(cfg.clusters.find((c: { name: string }) => c.name === 'nanokube').cluster.server, `https://127.0.0.1:${port}`);

  const again = nanokube(e, 'start');
  assert.equal(again.code, 0);
  assert.match(again.stdout, /already running/);

  const running = nanokube(e, 'status');
  assert.equal(running.code, 0, running.stdout);
  assert.match(running.stdout, /host: Running/);
  assert.match(running.stdout, /apiserver: Running/);
  assert.match(running.stdout, /kubeconfig: Configured/);

  const stopped = nanokube(e, 'stop');
  assert.equal(stopped.code, 0);
  assert.ok(!existsSync(join(e.home, 'server.pid')), 'pid file removed');
  const afterStop = nanokube(e, 'status');
  assert.notEqual(afterStop.code, 0);
  assert.match(afterStop.stdout, /host: Stopped/);
  assert.ok(existsSync(join(e.home, 'pki', 'ca.crt')), 'state kept across stop');

  // A plain start reuses the remembered port and the existing certificates.
  const second = nanokube(e, 'start');
  assert.equal(second.code, 0, second.stderr + second.stdout);
  assert.doesNotMatch(second.stdout, /Generating certificates/);
  assert.match(second.stdout, new RegExp(`https://127\\.0\\.0\\.1:${port}`));
  assert.equal(nanokube(e, 'status').code, 0);

  // What the default StorageClass's provisioner keeps under the home (a PersistentVolume's files) goes with it.
  mkdirSync(join(e.home, 'storage', 'pvc-walk'), { recursive: true });
  writeFileSync(join(e.home, 'storage', 'pvc-walk', 'data.txt'), 'x');
  const del = nanokube(e, 'delete');
  assert.equal(del.code, 0, del.stderr);
  assert.ok(!existsSync(join(e.home, 'pki')) && !existsSync(join(e.home, 'config.json')), 'state removed');
  // Nothing nanokube made is left, the Secrets' encryption key and the audit log included: the home goes.
  assert.ok(!existsSync(e.home), `home removed, left: ${existsSync(e.home) ? readdirSync(e.home).join(', ') : ''}`);
  const after = parse(readFileSync(e.kubeconfig, 'utf8')) ?? {};
  assert.equal(after['current-context'], undefined);
  assert.ok(!(after.contexts ?? []).some((c: { name: string }) => c.name === 'nanokube'), 'context removed');
  assert.notEqual(nanokube(e, 'status').code, 0);
});

test('kubectl talks to the started cluster through the kubeconfig entry', { skip }, async (t) => {
  const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  if (kubectl.error) { t.skip('skipped: kubectl not found'); return; }
  const e = setup(t);
  const port = await freePort();
  assert.equal(nanokube(e, 'start', '--api-port', String(port)).code, 0);
  const r = spawnSync('kubectl', ['get', '--raw', '/readyz'], { env: e.env, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /ok/);
});

test('a busy port gives one line naming the port and the fix, and starts nothing', { skip }, async (t) => {
  const e = setup(t);
  const blocker: Server = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  t.after(() => blocker.close());
  const port = (blocker.address() as { port: number }).port;
  const r = nanokube(e, 'start', '--api-port', String(port));
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `nanokube: port ${port} is already in use; stop what uses it or pass --api-port\n`);
  assert.ok(!existsSync(join(e.home, 'server.pid')));
});

test('start --foreground serves until interrupted, then removes its pid file', { skip }, async (t) => {
  const e = setup(t);
  const port = await freePort();
  const child = spawn(process.execPath, [bin, 'start', '--foreground', '--api-port', String(port)], { env: e.env });
  t.after(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', () => { if (/kubectl is now configured/.test(out)) resolve(); });
    child.on('exit', () => reject(new Error(`exited early: ${out}`)));
  });
  assert.equal(nanokube(e, 'status').code, 0);
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  child.kill('SIGINT');
  assert.equal(await exited, 0, out);
  assert.ok(!existsSync(join(e.home, 'server.pid')));
});
