// The plain-process mode: containers as host processes with the asked argv/env/cwd, logs in CRI format, exit
// codes, stop taking the whole process group, exec, port-forward on the host, port clashes refused, and the
// missing isolation reported.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import test from 'node:test';
import { discardLog } from '../../../client/log.js';
import { createSandboxRuntime } from './index.js';
import { FakeImageStore, containerConfig, processList, sandboxConfig, until } from './testing.js';

const skip = process.platform === 'win32' ? 'skipped: needs a POSIX shell' : false;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
  });
}

test('process-mode runtime', { skip }, async (t) => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'nk-proc-'));
  const images = new FakeImageStore();
  images.add('host', ['/'], { env: ['FROM_IMAGE=yes'] });
  const rt = await createSandboxRuntime({ home, images, log: discardLog, mode: 'process' });
  t.after(async () => { await rt.shutdown(); fs.rmSync(home, { recursive: true, force: true }); });
  assert.equal(rt.mode, 'process');

  const port = await freePort();
  const sconf = sandboxConfig('proc', path.join(home, 'logs', 'proc'), { portMappings: [{ protocol: 'TCP', containerPort: port }] });
  const sb = await rt.runPodSandbox(sconf);
  assert.deepEqual((await rt.podSandboxStatus(sb)).missingIsolation, ['network', 'mount', 'uts', 'pid', 'ipc']);

  await t.test('a second pod declaring the same port is refused with a clear error', async () => {
    await assert.rejects(rt.runPodSandbox(sandboxConfig('clash', path.join(home, 'logs', 'clash'), { portMappings: [{ protocol: 'TCP', containerPort: port }] })),
      new RegExp(`port ${port} is already in use on the node by pod default/proc`));
  });

  await t.test('runs with the asked env and cwd, logs in CRI format, reports the exit code', async () => {
    const cid = await rt.createContainer(sb, containerConfig('once', 'host', ['sh', '-c', 'echo "$FROM_IMAGE $MINE $(pwd)"; echo oops >&2; exit 5'],
      { envs: [{ key: 'MINE', value: 'v' }], workingDir: '/tmp' }), sconf);
    await rt.startContainer(cid);
    await until(async () => (await rt.containerStatus(cid)).state === 'CONTAINER_EXITED', 'exit');
    const st = await rt.containerStatus(cid);
    assert.equal(st.exitCode, 5);
    assert.equal(st.reason, 'Error');
    const lines = fs.readFileSync(st.logPath, 'utf8').trim().split('\n').map((l) => l.split(' ').slice(1).join(' ')).sort();
    assert.deepEqual(lines, ['stderr F oops', `stdout F yes v ${fs.realpathSync('/tmp')}`].sort());
  });

  await t.test('container stats: a CPU-burning container shows CPU time growing and a resident working set; the Summary gives its pod a rate', async () => {
    const cid = await rt.createContainer(sb, containerConfig('burn', 'host', ['sh', '-c', 'while :; do :; done']), sconf);
    await rt.startContainer(cid);
    const { StatsProvider } = await import('../../stats/stats-provider.js');
    const provider = new StatsProvider({ nodeName: 'n1', runtime: rt });
    const first = (await rt.listContainerStats!()).find((s) => s.containerId === cid)!;
    assert.equal(first.name, 'burn');
    await provider.summary();
    await until(async () => {
      const s = (await rt.listContainerStats!()).find((x) => x.containerId === cid);
      return !!s && s.usageCoreNanoSeconds > first.usageCoreNanoSeconds + 50e6 && s.workingSetBytes > 0;
    }, 'CPU time to grow, with resident memory');
    await new Promise((r) => setTimeout(r, 600)); // samples closer than 500 ms keep the previous (absent) rate
    const summary = await provider.summary();
    const pod = summary.pods.find((p) => p.podRef.name === 'proc')!;
    const burn = pod.containers.find((c) => c.name === 'burn')!;
    assert.ok((burn.cpu?.usageNanoCores ?? 0) > 0, 'a rate from two samples');
    assert.ok((summary.node.cpu?.usageCoreNanoSeconds ?? 0) > 0 && (summary.node.memory?.workingSetBytes ?? 0) > 0, 'the node from /proc');
    await rt.stopContainer(cid, 0);
    await rt.removeContainer(cid);
  });

  await t.test('a server is reached through port-forward, exec runs beside it, listening ports are known, stop kills the tree', async () => {
    const marker = `nk-proc-${process.pid}-${Date.now()}`;
    const cid = await rt.createContainer(sb, containerConfig('srv', 'host', ['sh', '-c',
      `sleep 1003 & exec node -e "require('net').createServer(c=>c.end('hi:'+process.env.MARK)).listen(${port},'127.0.0.1',()=>console.log('up'))"`],
      { envs: [{ key: 'MARK', value: marker }] }), sconf);
    await rt.startContainer(cid);
    const log = (await rt.containerStatus(cid)).logPath;
    await until(() => fs.existsSync(log) && fs.readFileSync(log, 'utf8').includes('up'), 'the server');
    const d = await rt.portForward(sb, port);
    const got = await new Promise<string>((resolve) => { let s = ''; d.on('data', (b: Buffer) => { s += b; }); d.on('end', () => resolve(s)); });
    assert.equal(got, `hi:${marker}`);
    const listening = await (rt as unknown as { listeningPorts(id: string): Promise<number[]> }).listeningPorts(sb);
    assert.ok(listening.includes(port));
    const r = await rt.execSync(cid, ['sh', '-c', 'echo $MARK; exit 3'], 5);
    assert.deepEqual([r.exitCode, r.stdout.toString().trim()], [3, marker]);
    const out = new PassThrough();
    let text = '';
    out.on('data', (b: Buffer) => { text += b; });
    assert.equal((await rt.exec(cid, { cmd: ['sh', '-c', 'cat; exit 2'], tty: false, stdin: Object.assign(new PassThrough(), {}).end('piped'), stdout: out })).exitCode, 2);
    assert.equal(text, 'piped');
    assert.ok(processList().includes('sleep 1003'));
    await rt.stopContainer(cid, 2);
    assert.equal((await rt.containerStatus(cid)).state, 'CONTAINER_EXITED');
    assert.ok(!processList().includes('sleep 1003'), 'the whole process group is gone');
  });

  await t.test('an image\'s own files (above a host-root base) are the working directory and program of its container', async () => {
    const layer = path.join(home, 'layer-app');
    fs.mkdirSync(path.join(layer, 'app'), { recursive: true });
    fs.writeFileSync(path.join(layer, 'app', 'hello.sh'), '#!/bin/sh\necho "hello from $(pwd)"; cat data.txt\n', { mode: 0o755 });
    fs.writeFileSync(path.join(layer, 'app', 'data.txt'), 'image data\n');
    images.add('app-image', ['/', layer], { workingDir: '/app', cmd: ['/app/hello.sh'] });
    const cid = await rt.createContainer(sb, containerConfig('app', 'app-image', [], { logPath: 'app/0.log' }), sconf);
    await rt.startContainer(cid);
    await until(async () => (await rt.containerStatus(cid)).state === 'CONTAINER_EXITED', 'exit');
    const st = await rt.containerStatus(cid);
    assert.equal(st.exitCode, 0);
    const text = fs.readFileSync(st.logPath, 'utf8');
    assert.match(text, /stdout F hello from .*\/app\n/);
    assert.match(text, /stdout F image data/);
    await rt.removeContainer(cid);
  });

  await t.test('a runtime started after a killed one ends the processes it left', async () => {
    const first = await createSandboxRuntime({ home, images, log: discardLog, mode: 'process' });
    const s1 = await first.runPodSandbox(sandboxConfig('left', path.join(home, 'logs', 'left')));
    const marker = `100${Math.floor(Math.random() * 1000)}`;
    const c1 = await first.createContainer(s1, containerConfig('main', 'host', ['sh', '-c', `sleep ${marker}.5 & wait`]), sandboxConfig('left', path.join(home, 'logs', 'left')));
    await first.startContainer(c1);
    // sh forks sleep after the start returned: wait for it (under load it takes a while).
    await until(() => processList().includes(`sleep ${marker}.5`), 'the container\'s sleep to run');
    await createSandboxRuntime({ home, images, log: discardLog, mode: 'process' });
    await until(() => !processList().includes(`sleep ${marker}.5`), 'the stale processes to be gone');
  });

  await t.test('an absent image fails the pull with how to build or load it', async () => {
    await assert.rejects(rt.pullImage({ image: 'nope:1' }), /nanokube image build -t nope:1/);
    assert.equal(await rt.imageStatus({ image: 'nope:1' }), null);
    assert.ok(await rt.pullImage({ image: 'host' }));
  });
});
