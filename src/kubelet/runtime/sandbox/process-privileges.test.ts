// Process mode as root: a container's processes (the main one and exec'd ones) get the securityContext's user,
// groups, capability bounding set and no_new_privs through setpriv, and a read-only root in a mount namespace of
// their own; a container without a securityContext runs as root with containerd's default capabilities.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import { discardLog } from '../../../client/log.js';
import { createSandboxRuntime } from './index.js';
import { FakeImageStore, containerConfig, sandboxConfig, until } from './testing.js';

const missing = ['setpriv', 'unshare', 'nsenter', 'mount'].find((p) => spawnSync(p, ['--version']).status !== 0);
const skip = process.platform !== 'linux' || process.getuid?.() !== 0 ? 'skipped: needs root on Linux' : missing ? `skipped: ${missing} not found` : false;

const field = (status: string, name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status)?.[1]?.trim().split(/\s+/) ?? [];
const mask = (bits: number[]) => bits.reduce((m, b) => m | (1n << BigInt(b)), 0n).toString(16).padStart(16, '0');
const DEFAULT_MASK = mask([0, 1, 3, 4, 5, 6, 7, 8, 10, 13, 18, 27, 29, 31]);

test('process mode as root honours runAsUser, runAsGroup, groups, capabilities, no_new_privs and readOnlyRootFilesystem', { skip }, async (t) => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'nk-priv-'));
  const probe = `/nk-ro-probe-${process.pid}`;
  const sleepArg = `59.${process.pid}`; // finds this test's main processes among the host's
  const images = new FakeImageStore();
  images.add('host', ['/']);
  const rt = await createSandboxRuntime({ home, images, log: discardLog, mode: 'process' });
  t.after(async () => { await rt.shutdown(); fs.rmSync(home, { recursive: true, force: true }); fs.rmSync(probe, { force: true }); fs.rmSync(`${probe}.wait`, { force: true }); });
  const sconf = sandboxConfig('priv', path.join(home, 'logs', 'priv'));
  const sb = await rt.runPodSandbox(sconf);
  const start = async (name: string, securityContext: NonNullable<NonNullable<Parameters<typeof containerConfig>[3]>['linux']>['securityContext']) => {
    const id = await rt.createContainer(sb, containerConfig(name, 'host', ['sleep', sleepArg], { linux: { securityContext } }), sconf);
    await rt.startContainer(id);
    await until(async () => (await rt.containerStatus(id)).state === 'CONTAINER_RUNNING', `${name} running`);
    return id;
  };
  const exec = async (id: string, cmd: string[]) => { const r = await rt.execSync(id, cmd, 10); return r.stdout.toString() + r.stderr.toString(); };

  const restricted = await start('restricted', { runAsUser: 1000, runAsGroup: 3000, supplementalGroups: [2000, 4000], noNewPrivs: true, capabilities: { dropCapabilities: ['ALL'], addCapabilities: ['NET_BIND_SERVICE'] } });
  // Running means spawned: setpriv execs the program a moment later (longer on a loaded machine).
  const mainStatus = await until(() => {
    const found = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e)).flatMap((e) => {
      try { return fs.readFileSync(`/proc/${e}/cmdline`, 'utf8') === `sleep\0${sleepArg}\0` ? [fs.readFileSync(`/proc/${e}/status`, 'utf8')] : []; } catch { return []; }
    });
    return found.length ? found : null;
  }, 'the main process to exec its program');
  assert.equal(mainStatus.length, 1, 'one main process so far');
  // The main process, and a process exec'd into the container.
  for (const s of [mainStatus[0]!, await exec(restricted, ['cat', '/proc/self/status'])]) {
    assert.deepEqual(field(s, 'Uid'), ['1000', '1000', '1000', '1000']);
    assert.deepEqual(field(s, 'Gid'), ['3000', '3000', '3000', '3000']);
    assert.deepEqual(field(s, 'Groups').sort(), ['2000', '3000', '4000']);
    assert.deepEqual(field(s, 'CapBnd'), [mask([10])]);
    assert.deepEqual(field(s, 'CapEff'), [mask([])]);
    assert.deepEqual(field(s, 'NoNewPrivs'), ['1']);
  }

  assert.equal((await exec(restricted, ['sh', '-c', 'echo "$HOME"'])).trim(), fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.split(':')[2] === '1000')?.split(':')[5] || '/', 'HOME from the user\'s passwd entry');

  const plain = await start('plain', undefined);
  const p = await exec(plain, ['cat', '/proc/self/status']);
  assert.deepEqual(field(p, 'Uid')[0], '0');
  assert.deepEqual(field(p, 'CapEff'), [DEFAULT_MASK]);
  assert.deepEqual(field(p, 'NoNewPrivs'), ['0']);

  const ro = await start('read-only', { runAsUser: 0, readonlyRootfs: true });
  // The container's shell remounts before it execs the program; an exec that joins its mount namespace in that
  // moment (a loaded machine) still sees the host writable, so wait for the remount, then check.
  await until(async () => /Read-only file system/.test(await exec(ro, ['sh', '-c', `touch ${probe}.wait`])), 'the read-only remount');
  assert.match(await exec(ro, ['sh', '-c', `touch ${probe}`]), /Read-only file system/);
  assert.equal(fs.existsSync(probe), false);
  assert.match(await exec(ro, ['sh', '-c', 'echo ok > /dev/null && echo dev-ok']), /dev-ok/);
});

const unprivilegedSkip = process.platform !== 'linux' ? 'skipped: needs Linux' : process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status !== 0 ? 'skipped: setpriv not found' : false;

test('process mode without root refuses a user, groups or a read-only root it cannot give, and still sets no_new_privs', { skip: unprivilegedSkip }, (t) => {
  // As root, the check runs in a node process that setpriv made nobody's.
  const script = `
    const { processPrivileges } = await import(${JSON.stringify(new URL('./process-privileges.js', import.meta.url).href)});
    const cfg = (sc) => ({ metadata: { name: 'c', attempt: 0 }, image: { image: 'x' }, command: ['true'], args: [], envs: [], mounts: [], logPath: 'c/0.log', labels: {}, annotations: {}, linux: { securityContext: sc } });
    const out = [];
    for (const sc of [{ runAsUser: 4242 }, { runAsGroup: 4242 }, { supplementalGroups: [4343] }, { readonlyRootfs: true }, { runAsUser: process.getuid(), noNewPrivs: true }]) {
      try { out.push(processPrivileges(cfg(sc), {}, '/').main.join(' ')); } catch (e) { out.push(e.message); }
    }
    console.log(JSON.stringify(out));`;
  const node = [process.execPath, '--input-type=module', '-e', script];
  const argv = process.getuid?.() === 0 ? ['setpriv', '--reuid', '65534', '--regid', '65534', '--clear-groups', '--', ...node] : node;
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  if (r.status !== 0 && /EACCES|ERR_MODULE_NOT_FOUND/.test(r.stderr)) { t.skip('skipped: the compiled code is not readable by nobody'); return; }
  assert.equal(r.status, 0, r.stderr);
  const [user, group, groups, ro, nnp] = JSON.parse(r.stdout) as string[];
  assert.match(user!, /^runAsUser 4242 cannot be honoured: pods run as plain processes of nanokube's own user \(uid \d+\) here; start nanokube as root/);
  assert.match(group!, /^runAsGroup 4242 cannot be honoured/);
  assert.match(groups!, /^fsGroup\/supplementalGroups 4343 cannot be honoured/);
  assert.match(ro!, /^readOnlyRootFilesystem cannot be honoured/);
  assert.equal(nnp, spawnSync('setpriv', ['--version']).status === 0 ? 'setpriv --no-new-privs --' : '');
});
