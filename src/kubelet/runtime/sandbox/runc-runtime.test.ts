// The runc sandbox runtime for real (root, runc, CNI plugins): pods with their own network, hostname, logs, exit
// codes, stop, OOM kills, exec, port-forward, and cleanup after a crash. Each run uses its own home, bridge and
// pod subnet, and leaves no netns, mount, interface or process behind.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import test from 'node:test';
import { discardLog } from '../../../client/log.js';
import { clusterNetworkNames, podNetworkGateway } from './cni.js';
import { createSandboxRuntime, runcUnavailableReason, type SandboxRuntime } from './index.js';
import { FakeImageStore, containerConfig, makeBusyboxRootfs, processList, sandboxConfig, until } from './testing.js';

const unavailable = runcUnavailableReason();
const skip = unavailable ? `skipped: ${unavailable}` : false;

function randomPodCIDR(): string {
  return `10.${250 + Math.floor(Math.random() * 5)}.${Math.floor(Math.random() * 256)}.0/24`;
}

interface Env { home: string; rt: SandboxRuntime; images: FakeImageStore; logs: string; podCIDR: string }

async function setUp(t: test.TestContext): Promise<Env> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'nk-runc-'));
  const images = new FakeImageStore();
  images.add('host', ['/'], { env: ['PATH=/usr/local/bin:/usr/bin:/bin'] });
  const bb = makeBusyboxRootfs(path.join(home, 'busybox-rootfs'));
  if (bb) images.add('busybox', [bb], { cmd: ['sh'] });
  const podCIDR = randomPodCIDR();
  const rt = await createSandboxRuntime({ home, images, podCIDR, log: discardLog, mode: 'runc' });
  t.after(async () => {
    await rt.shutdown();
    assertNothingLeft(home);
    fs.rmSync(home, { recursive: true, force: true });
  });
  return { home, rt, images, logs: path.join(home, 'logs'), podCIDR };
}

function assertNothingLeft(home: string): void {
  const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(home));
  assert.deepEqual(mounts, [], 'no mount under the home is left');
  const { bridge, hash, network } = clusterNetworkNames(home);
  for (const table of ['nat', 'filter']) {
    const rules = execFileSync('iptables', ['-t', table, '-S'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(network));
    assert.deepEqual(rules, [], `no ${table} rule of this cluster is left`);
  }
  assert.equal(fs.existsSync(`/sys/class/net/${bridge}`), false, 'the bridge is gone');
  const ps = processList().split('\n').filter((l) => l.includes(home));
  assert.deepEqual(ps, [], 'no process of this home is left');
  assert.equal(fs.existsSync(`/sys/fs/cgroup/memory/nanokube-${hash}`) && fs.readdirSync(`/sys/fs/cgroup/memory/nanokube-${hash}`).some((f) => !f.includes('.')), false, 'no container cgroup is left');
}

async function runPod(env: Env, name: string, image: string, argv: string[], over: Parameters<typeof containerConfig>[3] = {}, sb: Parameters<typeof sandboxConfig>[2] = {}) {
  const sconf = sandboxConfig(name, path.join(env.logs, `default_${name}`), sb);
  const sandboxId = await env.rt.runPodSandbox(sconf);
  const cid = await env.rt.createContainer(sandboxId, containerConfig('main', image, argv, over), sconf);
  await env.rt.startContainer(cid);
  return { sandboxId, cid, sconf };
}

const HTTPD = ['sh', '-c', 'mkdir -p /www && echo "hello from $(hostname)" > /www/index.html && echo listening && exec httpd -f -p 5000 -h /www'];

test('runc sandbox runtime', { skip }, async (t) => {
  const env = await setUp(t);
  const haveBusybox = !!(await env.images.resolve('busybox'));

  await t.test('before any pod, the bridge is up with the gateway address (node-local services listen there)', () => {
    const { bridge } = clusterNetworkNames(env.home);
    const gateway = podNetworkGateway(env.podCIDR);
    const addrs = execFileSync('ip', ['-4', '-o', 'addr', 'show', 'dev', bridge], { encoding: 'utf8' });
    assert.match(addrs, new RegExp(`inet ${gateway.ip.replace(/\./g, '\\.')}/24 `));
  });

  await t.test('two pods both listen on 5000 with their own IPs and hostnames, and reach each other by IP', { skip: !haveBusybox && 'skipped: busybox-static not found' }, async () => {
    const a = await runPod(env, 'web-a', 'busybox', HTTPD);
    const b = await runPod(env, 'web-b', 'busybox', HTTPD);
    const ipA = (await env.rt.podSandboxStatus(a.sandboxId)).network.ip;
    const ipB = (await env.rt.podSandboxStatus(b.sandboxId)).network.ip;
    assert.match(ipA, /^10\.25\d\./);
    assert.notEqual(ipA, ipB);
    const host = await env.rt.execSync(a.cid, ['hostname'], 10);
    assert.equal(host.stdout.toString().trim(), 'web-a');
    await until(async () => (await env.rt.execSync(b.cid, ['wget', '-qO-', `http://${ipA}:5000/`], 10)).stdout.toString().includes('hello from web-a'), 'pod b to reach pod a');
    const fromA = await env.rt.execSync(a.cid, ['wget', '-qO-', `http://${ipB}:5000/`], 10);
    assert.equal(fromA.stdout.toString().trim(), 'hello from web-b');
    // The node reaches the pod by IP too.
    const r = spawnSync('busybox', ['wget', '-qO-', `http://${ipA}:5000/`], { encoding: 'utf8', timeout: 10000 });
    assert.equal(r.stdout.trim(), 'hello from web-a');
    const log = fs.readFileSync((await env.rt.containerStatus(a.cid)).logPath, 'utf8');
    assert.match(log, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z stdout F listening\n/);
    await env.rt.stopPodSandbox(a.sandboxId);
    await env.rt.removePodSandbox(a.sandboxId);
    await env.rt.removePodSandbox(b.sandboxId);
  });

  await t.test('exit codes and CRI-format logs of both streams; a container sees only its image\'s files', { skip: !haveBusybox && 'skipped: busybox-static not found' }, async () => {
    const p = await runPod(env, 'exiter', 'busybox', ['sh', '-c', 'echo out; echo err >&2; printf partial; ls /usr >/dev/null 2>&1 && exit 99; exit 3']);
    await until(async () => (await env.rt.containerStatus(p.cid)).state === 'CONTAINER_EXITED', 'the container to exit');
    const st = await env.rt.containerStatus(p.cid);
    assert.equal(st.exitCode, 3);
    assert.equal(st.reason, 'Error');
    const lines = fs.readFileSync(st.logPath, 'utf8').trim().split('\n').map((l) => l.split(' ').slice(1).join(' '));
    assert.deepEqual(lines.sort(), ['stderr F err', 'stdout F out', 'stdout F partial'].sort());
    await env.rt.removePodSandbox(p.sandboxId);
  });

  await t.test('an absent image fails creation saying how to get it; a missing program fails the start (StartError, exit 128)', async () => {
    const sconf = sandboxConfig('broken', path.join(env.logs, 'default_broken'));
    const sb = await env.rt.runPodSandbox(sconf);
    await assert.rejects(env.rt.createContainer(sb, containerConfig('x', 'not-there:1', ['true']), sconf), /nanokube image build -t not-there:1/);
    const cid = await env.rt.createContainer(sb, containerConfig('main', 'host', ['no-such-program']), sconf);
    await assert.rejects(env.rt.startContainer(cid), /no-such-program.*not found/);
    const st = await env.rt.containerStatus(cid);
    assert.deepEqual([st.state, st.exitCode, st.reason], ['CONTAINER_EXITED', 128, 'StartError']);
    assert.match(st.message, /executable file not found/);
    await env.rt.removePodSandbox(sb);
  });

  await t.test('a container on the host root image has the host\'s programs but none of its data: /tmp, /root and /home empty, no /etc/shadow, only an image\'s top-level folders', async () => {
    assert.ok(env.home.startsWith(os.tmpdir()) && fs.existsSync(env.home), 'this test\'s home is in the host\'s /tmp');
    const p = await runPod(env, 'scrubbed', 'host', ['sh', '-c', 'ls -A /tmp /root /home; echo "top: $(ls -A / | tr "\\n" " ")"; test -e /etc/shadow && echo shadow; echo "var/lib: $(ls -A /var/lib | tr "\\n" " ")"; command -v sh']);
    await until(async () => (await env.rt.containerStatus(p.cid)).state === 'CONTAINER_EXITED', 'the container to finish');
    const st = await env.rt.containerStatus(p.cid);
    const out = fs.readFileSync(st.logPath, 'utf8').split('\n').map((l) => l.split(' ').slice(3).join(' ')).filter(Boolean);
    assert.equal(st.exitCode, 0, out.join('\n'));
    assert.deepEqual(out.filter((l) => !/^(\/tmp:|\/root:|\/home:|top: |var\/lib: |\/.*\/sh$)/.test(l)), [], 'the host\'s /tmp, /root and /home show empty, and no /etc/shadow');
    const top = out.find((l) => l.startsWith('top: '))!.slice(5).trim().split(' ');
    const image = new Set(['bin', 'boot', 'dev', 'etc', 'home', 'lib', 'lib32', 'lib64', 'libx32', 'media', 'mnt', 'opt', 'proc', 'root', 'run', 'sbin', 'srv', 'sys', 'tmp', 'usr', 'var']);
    assert.deepEqual(top.filter((n) => !image.has(n)), [], `only an image's top-level folders: ${top.join(' ')}`);
    const varLib = out.find((l) => l.startsWith('var/lib: '))!.slice(9).trim().split(' ').filter(Boolean);
    assert.deepEqual(varLib.filter((n) => !['apt', 'dpkg', 'misc', 'pam', 'python', 'ucf'].includes(n)), [], `only the package managers' state in /var/lib: ${varLib.join(' ')}`);
    await env.rt.removePodSandbox(p.sandboxId);
  });

  await t.test('an ephemeral container with a PID namespace target (kubectl debug --target) sees that container\'s processes', async () => {
    const p = await runPod(env, 'debugged', 'host', ['sleep', '300']);
    const cid = await env.rt.createContainer(p.sandboxId, containerConfig('dbg', 'host', ['sh', '-c', 'tr "\\0" " " < /proc/1/cmdline; echo'], { linux: { pidNamespaceTarget: p.cid } }), p.sconf);
    await env.rt.startContainer(cid);
    await until(async () => (await env.rt.containerStatus(cid)).state === 'CONTAINER_EXITED', 'the debug container to finish');
    assert.match(fs.readFileSync((await env.rt.containerStatus(cid)).logPath, 'utf8'), / stdout F sleep 300 ?$/m, 'its PID 1 is the target\'s');
    await env.rt.removePodSandbox(p.sandboxId);
  });

  await t.test('stop sends SIGTERM, then SIGKILL after the timeout, and the whole process tree goes', async () => {
    const marker = `nk-tree-${process.pid}-${Date.now()}`;
    const p = await runPod(env, 'tree', 'host', ['sh', '-c', `trap '' TERM; sleep 1000 & sleep 1001 & echo ${marker}; wait`],
      {}, { namespaceOptions: { network: 'POD', pid: 'POD', ipc: 'POD' } });
    await until(() => fs.existsSync((p.sconf.logDirectory + '/main/0.log')) && fs.readFileSync(p.sconf.logDirectory + '/main/0.log', 'utf8').includes(marker), 'the container to start');
    assert.ok(processList().includes('sleep 1001'));
    await env.rt.stopContainer(p.cid, 1);
    const st = await env.rt.containerStatus(p.cid);
    assert.equal(st.state, 'CONTAINER_EXITED');
    assert.equal(st.exitCode, 137);
    assert.equal(st.reason, 'Error');
    assert.ok(!processList().includes('sleep 1001'), 'no process of the container is left');
    await env.rt.removePodSandbox(p.sandboxId);
  });

  await t.test('a container over its memory limit is OOMKilled with exit code 137', async () => {
    const p = await runPod(env, 'hog', 'host', ['python3', '-c', 'a = []\nwhile True: a.append(bytearray(1 << 20))'],
      { linux: { resources: { memoryLimitInBytes: 32 * 1024 * 1024 } } });
    await until(async () => (await env.rt.containerStatus(p.cid)).state === 'CONTAINER_EXITED', 'the container to be killed', 30000);
    const st = await env.rt.containerStatus(p.cid);
    assert.equal(st.exitCode, 137);
    assert.equal(st.reason, 'OOMKilled');
    await env.rt.removePodSandbox(p.sandboxId);
  });

  await t.test('exec returns the exit code and output; streaming exec with stdin; a tty exec is a terminal', async () => {
    const p = await runPod(env, 'execer', 'host', ['sleep', 'infinity'], { envs: [{ key: 'GREETING', value: 'hi' }], workingDir: '/tmp' });
    const r = await env.rt.execSync(p.cid, ['sh', '-c', 'echo $GREETING from $(pwd); exit 7'], 10);
    assert.equal(r.exitCode, 7);
    assert.equal(r.stdout.toString(), 'hi from /tmp\n');
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (b: Buffer) => { out += b.toString(); });
    const done = env.rt.exec(p.cid, { cmd: ['sh', '-c', 'read x; echo got $x; exit 4'], tty: false, stdin, stdout, stderr: new PassThrough() });
    stdin.end('line\n');
    assert.equal((await done).exitCode, 4);
    assert.equal(out, 'got line\n');
    let ttyOut = '';
    const ttyStdout = new PassThrough();
    ttyStdout.on('data', (b: Buffer) => { ttyOut += b.toString(); });
    const ttyIn = new PassThrough();
    const resize = new (await import('node:events')).EventEmitter();
    const ttyDone = env.rt.exec(p.cid, { cmd: ['sh', '-c', 'read x; stty size; test -t 0 && echo is-a-tty; echo term=$TERM; exit 5'], tty: true, stdin: ttyIn, stdout: ttyStdout, resize: resize as never });
    await new Promise((r) => setTimeout(r, 300));
    resize.emit('resize', { width: 120, height: 40 });
    await new Promise((r) => setTimeout(r, 300));
    ttyIn.write('go\r');
    assert.equal((await ttyDone).exitCode, 5);
    assert.match(ttyOut, /40 120/);
    assert.match(ttyOut, /is-a-tty/);
    assert.match(ttyOut, /term=xterm/, 'a terminal session gets TERM=xterm, as containerd gives it');
    await assert.rejects(env.rt.execSync(p.cid, ['sleep', '30'], 1), /timed out/);
    await assert.rejects(env.rt.execSync(p.cid, ['no-such-command'], 5), /failed to exec in container: .*no-such-command.*not found/);
    // A command that never started: runc's error is the exec's error only, not also the command's stderr (kubectl
    // would print it twice); with a terminal, nothing reaches the terminal either.
    const collect = () => { const s = new PassThrough(); const got = { text: '' }; s.on('data', (b: Buffer) => { got.text += b.toString(); }); return { s, got }; };
    const [o1, e1, t1] = [collect(), collect(), collect()];
    await assert.rejects(env.rt.exec(p.cid, { cmd: ['no-such-command'], tty: false, stdout: o1.s, stderr: e1.s }), /failed to exec in container: .*no-such-command.*not found/);
    assert.equal(o1.got.text + e1.got.text, '');
    await assert.rejects(env.rt.exec(p.cid, { cmd: ['no-such-command'], tty: true, stdin: new PassThrough(), stdout: t1.s }), /no-such-command.*not found/);
    assert.equal(t1.got.text, '');
    // A command that started keeps all of its stderr, the first bytes too.
    const [o2, e2] = [collect(), collect()];
    assert.equal((await env.rt.exec(p.cid, { cmd: ['sh', '-c', 'echo early >&2; echo out; echo late >&2; exit 3'], tty: false, stdout: o2.s, stderr: e2.s })).exitCode, 3);
    assert.equal(e2.got.text, 'early\nlate\n');
    assert.equal(o2.got.text, 'out\n');
    // The host's root filesystem as image: the cluster's home (CA key, Secret volumes) stays hidden.
    const home = await env.rt.execSync(p.cid, ['sh', '-c', `ls -A ${env.home} | wc -l`], 10);
    assert.equal(home.stdout.toString().trim(), '0');
    await env.rt.removePodSandbox(p.sandboxId);
  });

  await t.test('a tty container with stdin is attached to as a terminal, with resize, and keeps its exit code', async () => {
    const p = await runPod(env, 'interactive', 'host', ['sh'], { tty: true, stdin: true, stdinOnce: true });
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (b: Buffer) => { out += b.toString(); });
    const resize = new (await import('node:events')).EventEmitter();
    const attached = env.rt.attach(p.cid, { tty: true, stdin, stdout, resize: resize as never });
    resize.emit('resize', { width: 99, height: 33 });
    await new Promise((r) => setTimeout(r, 300));
    stdin.write('stty size; exit 6\r');
    await attached;
    await until(async () => (await env.rt.containerStatus(p.cid)).state === 'CONTAINER_EXITED', 'the shell to exit');
    assert.equal((await env.rt.containerStatus(p.cid)).exitCode, 6);
    assert.match(out, /33 99/);
    assert.match(fs.readFileSync((await env.rt.containerStatus(p.cid)).logPath, 'utf8'), / stdout F .*33 99/);
    await env.rt.removePodSandbox(p.sandboxId);
  });

  await t.test('a hostPort reaches the pod through the node, and CPU limits are the container cgroup\'s quota', { skip: !haveBusybox && 'skipped: busybox-static not found' }, async () => {
    const hostPort = 20000 + Math.floor(Math.random() * 20000);
    const p = await runPod(env, 'hostport', 'busybox', HTTPD, { linux: { resources: { cpuQuota: 50000, cpuPeriod: 100000, cpuShares: 512 } } },
      { portMappings: [{ protocol: 'TCP', containerPort: 5000, hostPort }] });
    const nodeIP = Object.values(os.networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal && !a.address.startsWith('10.25'))?.address;
    if (nodeIP) {
      await until(() => spawnSync('busybox', ['wget', '-qO-', `http://${nodeIP}:${hostPort}/`], { encoding: 'utf8', timeout: 5000 }).stdout.includes('hello from hostport'), 'the hostPort');
    }
    const q = await env.rt.execSync(p.cid, ['cat', '/sys/fs/cgroup/cpu/cpu.cfs_quota_us', '/sys/fs/cgroup/cpu/cpu.shares'], 10);
    if (fs.existsSync('/sys/fs/cgroup/cpu/cpu.cfs_quota_us')) assert.deepEqual(q.stdout.toString().trim().split('\n'), ['50000', '512']);
    await env.rt.removePodSandbox(p.sandboxId);
  });

  await t.test('a hostNetwork pod shares the node\'s network and hostname', async () => {
    const p = await runPod(env, 'hostnet', 'host', ['sleep', 'infinity'], {}, { namespaceOptions: { network: 'NODE', pid: 'CONTAINER', ipc: 'POD' } });
    assert.equal((await env.rt.podSandboxStatus(p.sandboxId)).network.ip, '');
    const r = await env.rt.execSync(p.cid, ['sh', '-c', 'cat /proc/sys/kernel/hostname; readlink /proc/1/ns/net; ls /sys/class/net'], 10);
    const [hostname, , ifaces] = r.stdout.toString().split('\n');
    assert.equal(hostname, os.hostname());
    assert.ok(r.stdout.toString().includes(fs.readlinkSync('/proc/self/ns/net')), 'the container is in the node\'s network namespace');
    assert.ok(ifaces !== undefined);
    await env.rt.removePodSandbox(p.sandboxId);
  });

  await t.test('port-forward reaches 127.0.0.1:port inside the pod', async () => {
    const p = await runPod(env, 'pf', 'host', ['python3', '-c',
      'import socket\ns=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", 5000)); s.listen()\nprint("ready", flush=True)\nwhile True:\n  c,_=s.accept(); d=c.recv(100); c.sendall(b"echo:"+d); c.close()']);
    await until(() => fs.readFileSync(p.sconf.logDirectory + '/main/0.log', 'utf8').includes('ready'), 'the server to listen');
    const d = await env.rt.portForward(p.sandboxId, 5000);
    const got = await new Promise<string>((resolve, reject) => {
      let s = '';
      d.on('data', (b: Buffer) => { s += b.toString(); });
      d.on('end', () => resolve(s));
      d.on('error', reject);
      d.write('ping');
    });
    assert.equal(got, 'echo:ping');
    await assert.rejects(env.rt.portForward(p.sandboxId, 5001), /port-forward to port 5001 failed/);
    await env.rt.removePodSandbox(p.sandboxId);
  });
});

test('a runtime started on the home of a killed one removes everything it left', { skip }, async (t) => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'nk-runc-crash-'));
  const images = new FakeImageStore();
  images.add('host', ['/']);
  const cidr = randomPodCIDR();
  t.after(() => fs.rmSync(home, { recursive: true, force: true }));
  const first = await createSandboxRuntime({ home, images, podCIDR: cidr, log: discardLog, mode: 'runc' });
  const sconf = sandboxConfig('left', path.join(home, 'logs', 'left'));
  const sb = await first.runPodSandbox(sconf);
  // A sleep no other test runs (a substring of another's command line would keep this test waiting).
  const seconds = `1002.${process.pid}`;
  const cid = await first.createContainer(sb, containerConfig('main', 'host', ['sleep', seconds]), sconf);
  await first.startContainer(cid);
  // runc may still be starting the container's process when startContainer returns.
  await until(() => processList().includes(`sleep ${seconds}`), 'the container to run');
  // The first runtime is dropped without shutdown, as a kill -9 would leave it (its children live on).
  const second = await createSandboxRuntime({ home, images, log: discardLog, mode: 'runc' });
  await until(() => !processList().includes(`sleep ${seconds}`), 'the stale container to be gone');
  assertNothingLeft(home);
  // The new runtime works on the same home and address range.
  await second.updateRuntimeConfig({ podCIDR: cidr });
  const s2 = await second.runPodSandbox(sandboxConfig('again', path.join(home, 'logs', 'again')));
  assert.ok((await second.podSandboxStatus(s2)).network.ip);
  await second.shutdown();
  assertNothingLeft(home);
});
