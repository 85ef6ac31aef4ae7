// kubectl logs, exec, cp and port-forward end to end: the real kubectl 1.32 → the API server's pods/log, pods/exec,
// pods/portforward → the kubelet server of the pod's node over HTTPS with the apiserver-kubelet-client cert.
// Most tests start that kubelet server with the runtime double (its exec runs host processes, its port-forward
// reaches host ports) so they run anywhere; the last one uses the real node (runc sandboxes, as root).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestCluster, type TestCluster } from './helpers/cluster.js';
import { until } from './helpers/until.js';
import { ownCIDR } from './helpers/node.js';
import { ensureClusterPki, ensureKubeletServingCertificate } from '../src/pki/index.js';
import { startKubeletServer, StreamingFakeRuntime as FakeRuntime, criLogLine, runcUnavailableReason } from '../src/kubelet/index.js';

function haveKubectl(): boolean {
  try { execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' }); return true; } catch { return false; }
}

async function setup(t: { after(fn: () => unknown): void }) {
  const cluster = await startTestCluster(t);
  const pki = await ensureClusterPki({ dir: join(cluster.home, 'pki') });
  const serving = await ensureKubeletServingCertificate({ dir: join(cluster.home, 'kubelet', 'pki'), ca: pki.ca, nodeName: 'node-a', altNames: ['127.0.0.1'] });
  const runtime = new FakeRuntime(join(cluster.home, 'logs', 'pods'));
  const kubelet = await startKubeletServer({ runtime, tls: { ...serving, clientCA: pki.caCert }, port: 0, host: '127.0.0.1', logPollMs: 50 });
  t.after(() => kubelet.close());
  const node = await cluster.request('POST', '/api/v1/nodes', { body: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a' } } });
  assert.equal(node.status, 201, node.text);
  const st = await cluster.request('PATCH', '/api/v1/nodes/node-a/status', {
    contentType: 'application/merge-patch+json',
    body: { status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: 'node-a' }], daemonEndpoints: { kubeletEndpoint: { Port: kubelet.port } } } },
  });
  assert.equal(st.status, 200, st.text);
  return { cluster, runtime, kubelet };
}

/** A pod bound to node-a, reported Running, with one running container "app" in the runtime double. */
async function runningPod(cluster: TestCluster, runtime: FakeRuntime, name: string, containers = ['app']) {
  const created = await cluster.request('POST', '/api/v1/namespaces/default/pods', {
    body: { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: 'node-a', containers: containers.map((c) => ({ name: c, image: 'busybox' })) } },
  });
  assert.equal(created.status, 201, created.text);
  const st = await cluster.request('PATCH', `/api/v1/namespaces/default/pods/${name}/status`, { contentType: 'application/merge-patch+json', body: { status: { phase: 'Running' } } });
  assert.equal(st.status, 200, st.text);
  const sandbox = runtime.addSandbox({ namespace: 'default', name, uid: created.body.metadata.uid });
  return { sandbox, containers: containers.map((c) => runtime.addContainer(sandbox, { name: c })) };
}

function kubectlEnv(cluster: TestCluster) {
  const user = join(cluster.home, 'user');
  return { ...process.env, KUBECONFIG: cluster.kubeconfig, HOME: user, KUBECACHEDIR: join(user, 'cache') };
}

const skip = haveKubectl() ? false : 'skipped: kubectl not found';

test('kubectl logs prints the container log, with --tail, --timestamps, -c, --previous, and upstream errors', { skip }, async (t) => {
  const { cluster, runtime } = await setup(t);
  const { sandbox, containers: [app] } = await runningPod(cluster, runtime, 'web');
  runtime.writeLog(app.id, criLogLine('GET / 200', { ts: '2026-12-06T01:00:00.123456789Z' }), criLogLine('GET /health 200', { ts: '2026-12-06T01:00:01Z', stream: 'stderr' }));

  const all = await cluster.kubectl(['logs', 'web']);
  assert.equal(all.code, 0, all.stderr);
  assert.equal(all.stdout, 'GET / 200\nGET /health 200\n');
  assert.equal((await cluster.kubectl(['logs', 'web', '--tail=1'])).stdout, 'GET /health 200\n');
  assert.equal((await cluster.kubectl(['logs', 'web', '--limit-bytes=5'])).stdout, 'GET /');
  assert.equal((await cluster.kubectl(['logs', 'web', '--since-time=2026-12-06T01:00:01Z'])).stdout, 'GET /health 200\n');
  assert.equal((await cluster.kubectl(['logs', 'web', '-c', 'app', '--timestamps'])).stdout,
    '2026-12-06T01:00:00.123456789Z GET / 200\n2026-12-06T01:00:01.000000000Z GET /health 200\n');

  const noPrev = await cluster.kubectl(['logs', 'web', '--previous']);
  assert.equal(noPrev.code, 1);
  assert.match(noPrev.stderr, /Error from server \(BadRequest\): previous terminated container "app" in pod "web" not found/);
  runtime.setState(app.id, 'CONTAINER_EXITED');
  const restarted = runtime.addContainer(sandbox, { name: 'app', attempt: 1 });
  runtime.writeLog(restarted.id, criLogLine('second start'));
  assert.equal((await cluster.kubectl(['logs', 'web'])).stdout, 'second start\n');
  assert.equal((await cluster.kubectl(['logs', 'web', '-p'])).stdout, 'GET / 200\nGET /health 200\n');

  const bad = await cluster.kubectl(['logs', 'web', '-c', 'nope']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /container nope is not valid for pod web/); // kubectl checks this itself first
  const proxied = await cluster.kubectl(['get', '--raw', '/api/v1/nodes/node-a/proxy/healthz']);
  assert.equal(proxied.stdout, 'ok', proxied.stderr);
  const podsOnNode = await cluster.kubectl(['get', '--raw', '/api/v1/nodes/node-a/proxy/pods']);
  assert.equal(JSON.parse(podsOnNode.stdout).kind, 'PodList');
  const unscheduled = await cluster.request('POST', '/api/v1/namespaces/default/pods', { body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pending' }, spec: { schedulerName: 'nobody', containers: [{ name: 'app', image: 'busybox' }] } } });
  assert.equal(unscheduled.status, 201);
  assert.deepEqual(await cluster.kubectl(['logs', 'pending']), { code: 0, stdout: '', stderr: '' }, 'a pod on no node has an empty log, as upstream');
  const missing = await cluster.kubectl(['logs', 'ghost']);
  assert.match(missing.stderr, /pods "ghost" not found/);

  const slow = await cluster.request('POST', '/api/v1/namespaces/default/pods', { body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'slow' }, spec: { nodeName: 'node-a', containers: [{ name: 'app', image: 'busybox' }] } } });
  assert.equal(slow.status, 201);
  runtime.addContainer(runtime.addSandbox({ namespace: 'default', name: 'slow', uid: slow.body.metadata.uid }), { name: 'app', state: 'CONTAINER_CREATED' });
  const waiting = await cluster.kubectl(['logs', 'slow']);
  assert.match(waiting.stderr, /Error from server \(BadRequest\): container "app" in pod "slow" is waiting to start: ContainerCreating/);
});

test('kubectl logs -f streams lines as the container writes them and returns when it exits', { skip }, async (t) => {
  const { cluster, runtime } = await setup(t);
  const { containers: [app] } = await runningPod(cluster, runtime, 'web');
  runtime.writeLog(app.id, criLogLine('one'));
  const child = spawn('kubectl', ['logs', '-f', 'web'], { env: kubectlEnv(cluster) });
  t.after(() => child.kill());
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.on('exit', r));
  await until('kubectl output', async () => out === 'one\n');
  runtime.writeLog(app.id, criLogLine('two'));
  await until('kubectl output', async () => out === 'one\ntwo\n');
  runtime.setState(app.id, 'CONTAINER_EXITED');
  assert.equal(await exited, 0);
  assert.equal(out, 'one\ntwo\n');
});

test('kubectl exec: output, exit codes, stdin, and kubectl cp both ways', { skip }, async (t) => {
  const { cluster, runtime } = await setup(t);
  await runningPod(cluster, runtime, 'web');
  const echo = await cluster.kubectl(['exec', 'web', '--', 'sh', '-c', 'echo hello; echo oops >&2']);
  assert.equal(echo.code, 0, echo.stderr);
  assert.equal(echo.stdout, 'hello\n');
  assert.equal(echo.stderr, 'oops\n');
  const three = await cluster.kubectl(['exec', 'web', '--', 'sh', '-c', 'exit 3']);
  assert.equal(three.code, 3);
  assert.match(three.stderr, /command terminated with exit code 3/);
  const cat = await cluster.kubectl(['exec', '-i', 'web', '--', 'cat'], { input: 'from stdin\n' });
  assert.equal(cat.code, 0, cat.stderr);
  assert.equal(cat.stdout, 'from stdin\n');

  // The runtime double's "container" is the host: paths inside it are host paths.
  const dir = mkdtempSync(join(tmpdir(), 'nanokube-cp-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'up.txt'), 'uploaded through tar\n');
  const up = await cluster.kubectl(['cp', join(dir, 'up.txt'), `web:${dir}/in-pod.txt`]);
  assert.equal(up.code, 0, up.stderr);
  assert.equal(readFileSync(join(dir, 'in-pod.txt'), 'utf8'), 'uploaded through tar\n');
  const down = await cluster.kubectl(['cp', `web:${dir}/in-pod.txt`, join(dir, 'down.txt')]);
  assert.equal(down.code, 0, down.stderr);
  assert.equal(readFileSync(join(dir, 'down.txt'), 'utf8'), 'uploaded through tar\n');

  const unscheduled = await cluster.request('POST', '/api/v1/namespaces/default/pods', { body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'nowhere' }, spec: { containers: [{ name: 'app', image: 'busybox' }] } } });
  assert.equal(unscheduled.status, 201);
  const noHost = await cluster.kubectl(['exec', 'nowhere', '--', 'true']);
  assert.equal(noHost.code, 1);
  assert.match(noHost.stderr, /pod nowhere does not have a host assigned/);
});

test('kubectl port-forward carries a TCP round trip to the pod port', { skip }, async (t) => {
  const { cluster, runtime } = await setup(t);
  await runningPod(cluster, runtime, 'web');
  const open = new Set<net.Socket>();
  const big = Buffer.alloc(3 * 1024 * 1024, 'x');
  const server = net.createServer((sock) => {
    open.add(sock); sock.on('close', () => open.delete(sock));
    sock.on('data', (d) => { if (String(d) === 'big') sock.end(big); else sock.write(`pong:${d}`); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => { for (const s of open) s.destroy(); server.close(); });
  const podPort = (server.address() as net.AddressInfo).port;
  const child = spawn('kubectl', ['port-forward', 'pod/web', `:${podPort}`, '--address', '127.0.0.1'], { env: kubectlEnv(cluster) });
  t.after(() => child.kill());
  let out = '', err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  await until('kubectl output', async () => /Forwarding from 127\.0\.0\.1:(\d+)/.test(out) || child.exitCode !== null);
  const m = /Forwarding from 127\.0\.0\.1:(\d+) -> (\d+)/.exec(out);
  assert.ok(m, `kubectl port-forward: ${out} ${err}`);
  assert.equal(Number(m[2]), podPort);
  for (const word of ['one', 'two']) { // two connections in turn: each gets its own streams
    const reply = await new Promise<string>((resolve, reject) => {
      const sock = net.connect(Number(m[1]), '127.0.0.1', () => sock.write(word));
      sock.on('data', (d) => { resolve(String(d)); sock.end(); });
      sock.on('error', reject);
    });
    assert.equal(reply, `pong:${word}`);
  }
  // Megabytes in one connection: the SPDY flow-control windows must keep opening.
  const received = await new Promise<number>((resolve, reject) => {
    let n = 0;
    const sock = net.connect(Number(m[1]), '127.0.0.1', () => sock.write('big'));
    sock.on('data', (d) => { n += d.length; });
    sock.on('end', () => resolve(n));
    sock.on('error', reject);
  });
  assert.equal(received, big.length);
});

const realNodeSkip = skip || (runcUnavailableReason() ? `skipped: ${runcUnavailableReason()}` : false);

test('real node: logs -f and --previous of a restarted container, exec exit codes and stdin, port-forward to a pod\'s HTTP server', { skip: realNodeSkip, timeout: 300_000 }, async (t) => {
  const c = await startTestCluster(t, { node: true, clusterCIDR: ownCIDR() });
  const get = async (what: string[]) => JSON.parse((await c.kubectl(['get', ...what, '-o', 'json'])).stdout);
  await until('node Ready', async () => (await get(['node', 'nanokube'])).status.conditions.some((x: any) => x.type === 'Ready' && x.status === 'True'), 60_000);
  const pod = (name: string, image: string, command: string[]) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image, command }] } });
  for (const p of [
    pod('ticker', 'busybox:1.36', ['sh', '-c', 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done']),
    pod('once', 'busybox:1.36', ['sh', '-c', 'echo run at $(date +%s%N); sleep 1; exit 1']),
    pod('web', 'python:3.11-slim', ['python3', '-m', 'http.server', '8080']),
  ]) assert.equal((await c.kubectl(['apply', '-f', '-'], { input: JSON.stringify(p) })).code, 0);
  for (const name of ['ticker', 'web']) await until(`${name} Running`, async () => (await get(['pod', name])).status?.phase === 'Running', 90_000);

  const child = spawn('kubectl', ['logs', '-f', 'ticker'], { env: kubectlEnv(c) });
  t.after(() => child.kill());
  let followed = '';
  child.stdout.on('data', (d) => (followed += d));
  await until('three followed lines', async () => followed.split('\n').length > 3, 30_000);
  assert.match(followed, /^tick 0\ntick 1\ntick 2\n/);
  child.kill();

  const three = await c.kubectl(['exec', 'ticker', '--', 'sh', '-c', 'echo $HOSTNAME; exit 3']);
  assert.equal(three.code, 3);
  assert.equal(three.stdout, 'ticker\n');
  assert.match(three.stderr, /command terminated with exit code 3/);
  const cat = await c.kubectl(['exec', '-i', 'ticker', '--', 'cat'], { input: 'through the pod\n' });
  assert.equal(cat.stdout, 'through the pod\n');

  await until('once restarted', async () => (await get(['pod', 'once'])).status?.containerStatuses?.[0]?.restartCount >= 1, 90_000);
  const previous = await c.kubectl(['logs', 'once', '--previous']);
  assert.equal(previous.code, 0, previous.stderr);
  assert.match(previous.stdout, /^run at \d+\n$/);

  const pf = spawn('kubectl', ['port-forward', 'pod/web', ':8080', '--address', '127.0.0.1'], { env: kubectlEnv(c) });
  t.after(() => pf.kill());
  let out = '';
  pf.stdout.on('data', (d) => (out += d));
  await until('port-forward ready', async () => /127\.0\.0\.1:(\d+)/.test(out) || pf.exitCode !== null, 30_000);
  const local = Number(/127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
  assert.ok(local, out);
  const status = await until('an HTTP answer through the tunnel', () => new Promise<string>((resolve) => {
    const sock = net.connect(local, '127.0.0.1', () => sock.write('GET / HTTP/1.0\r\n\r\n'));
    let reply = '';
    sock.on('data', (d) => (reply += d));
    sock.on('close', () => resolve(reply.split('\r\n')[0]));
    sock.on('error', () => resolve(''));
  }), 30_000);
  assert.equal(status, 'HTTP/1.0 200 OK');
  pf.kill();
  await c.stop();
});

test('client libraries\' port-forward (WebSocket v4.channel.k8s.io, ?ports=) reaches the pod port through the API server', async (t) => {
  const { cluster, runtime } = await setup(t);
  await runningPod(cluster, runtime, 'web');
  const server = net.createServer((sock) => sock.on('data', (d) => sock.write(`pong:${d}`)));
  const conns = new Set<net.Socket>();
  server.on('connection', (s) => { conns.add(s); s.on('close', () => conns.delete(s)); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => { for (const s of conns) s.destroy(); server.close(); });
  const port = (server.address() as net.AddressInfo).port;
  const { WebSocket } = await import('ws');
  const ws = new WebSocket(`${cluster.url.replace('https', 'wss')}/api/v1/namespaces/default/pods/web/portforward?ports=${port}`, ['v4.channel.k8s.io'], { ...cluster.pki });
  const frames: Buffer[] = [];
  const reply = new Promise<string>((resolve, reject) => {
    ws.on('message', (d: Buffer) => {
      frames.push(d);
      if (frames.length === 2) ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('ping')]));
      if (d[0] === 0 && frames.length > 2) resolve(String(d.subarray(1)));
    });
    ws.on('error', reject);
  });
  assert.equal(await reply, 'pong:ping');
  const prefix = Buffer.alloc(2); prefix.writeUInt16LE(port);
  assert.deepEqual(frames.slice(0, 2).map((f) => [...f]), [[0, ...prefix], [1, ...prefix]], 'each channel starts with the port, as upstream');
  ws.close();
});

test('@kubernetes/client-node: Exec reports output and the exit status; PortForward reaches the pod port', async (t) => {
  const k8s = await import('@kubernetes/client-node');
  const { PassThrough } = await import('node:stream');
  const { cluster, runtime } = await setup(t);
  await runningPod(cluster, runtime, 'web');
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(cluster.kubeconfig);
  const stdout = new PassThrough(), stderr = new PassThrough();
  let out = '';
  stdout.on('data', (d) => (out += d));
  const status = await new Promise<any>((resolve, reject) => {
    new k8s.Exec(kc).exec('default', 'web', 'app', ['sh', '-c', 'echo from client-node; exit 4'], stdout, stderr, null, false, resolve).catch(reject);
  });
  assert.equal(out, 'from client-node\n');
  assert.equal(status.status, 'Failure');
  assert.equal(status.reason, 'NonZeroExitCode');
  assert.deepEqual(status.details.causes, [{ reason: 'ExitCode', message: '4' }]);

  const server = net.createServer((sock) => sock.on('data', (d) => sock.end(`pong:${d}`)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const port = (server.address() as net.AddressInfo).port;
  const input = new PassThrough(), output = new PassThrough();
  let got = '';
  output.on('data', (d) => (got += d));
  const ws = await new k8s.PortForward(kc).portForward('default', 'web', [port], output, null, input);
  input.write('ping');
  await until('the reply through the port-forward', async () => got === 'pong:ping');
  (ws as { close(): void }).close();
});
