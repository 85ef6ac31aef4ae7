import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import https from 'node:https';
import tls from 'node:tls';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { ensureClusterPki, ensureKubeletServingCertificate, issueClientCertificate } from '../../pki/index.js';
import { startKubeletServer } from './index.js';
import { FakeRuntime, criLogLine } from './testing.js';

async function setup(t: { after(fn: () => unknown): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'nanokube-kubelet-server-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pki = await ensureClusterPki({ dir: join(dir, 'pki'), hostname: 'h' });
  const serving = await ensureKubeletServingCertificate({ dir: join(dir, 'kubelet-pki'), ca: pki.ca, nodeName: 'nanokube' });
  const runtime = new FakeRuntime(join(dir, 'logs', 'pods'));
  const server = await startKubeletServer({ runtime, tls: { ...serving, clientCA: pki.caCert }, port: 0, host: '127.0.0.1', logPollMs: 20 });
  t.after(() => server.close());
  const client = { ca: pki.caCert, cert: pki.kubeletClient.cert, key: pki.kubeletClient.key };
  const get = (path: string, creds: Partial<typeof client> = client) => new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port: server.port, path, ca: pki.caCert, cert: creds.cert, key: creds.key, servername: 'nanokube' }, (res) => {
      let body = ''; res.setEncoding('utf8'); res.on('data', (c) => (body += c)); res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject); req.end();
  });
  const ws = (path: string, protocol: string) => new WebSocket(`wss://127.0.0.1:${server.port}${path}`, [protocol], { ...client });
  return { dir, pki, runtime, server, get, ws, client };
}

function pod(runtime: FakeRuntime, name = 'web') {
  const sandbox = runtime.addSandbox({ namespace: 'default', name, uid: `uid-${name}` });
  return { sandbox, c: runtime.addContainer(sandbox, { name: 'app' }) };
}

test('only clients with a certificate from the cluster CA are served; others get 401', async (t) => {
  const s = await setup(t);
  assert.deepEqual(await s.get('/healthz'), { status: 200, body: 'ok' });
  assert.equal((await s.get('/healthz', {})).status, 401);
  const other = await ensureClusterPki({ dir: join(s.dir, 'other-pki'), hostname: 'h' });
  const stranger = await issueClientCertificate(other.ca, { user: 'mallory' });
  assert.equal((await s.get('/containerLogs/default/web/app', stranger)).status, 401);
});

test('container logs: the text of each line, with --tail, --timestamps, --limit-bytes, --since and partial lines joined', async (t) => {
  const s = await setup(t);
  const { c } = pod(s.runtime);
  const old = new Date(Date.now() - 3600_000);
  s.runtime.writeLog(c.id,
    criLogLine('one', { ts: old }), criLogLine('two', { ts: '2026-01-02T03:04:05.5Z', stream: 'stderr' }),
    criLogLine('thr', { partial: true }), criLogLine('ee'), criLogLine('four'));
  assert.deepEqual(await s.get('/containerLogs/default/web/app'), { status: 200, body: 'one\ntwo\nthree\nfour\n' });
  assert.equal((await s.get('/containerLogs/default/web/app?tailLines=1')).body, 'four\n');
  assert.equal((await s.get('/containerLogs/default/web/app?tailLines=0')).body, '');
  assert.equal((await s.get('/containerLogs/default/web/app?limitBytes=6')).body, 'one\ntw');
  assert.equal((await s.get('/containerLogs/default/web/app?sinceSeconds=600')).body, 'three\nfour\n');
  const stamped = (await s.get('/containerLogs/default/web/app?timestamps=true&tailLines=4')).body.split('\n');
  assert.equal(stamped[0], '2026-01-02T03:04:05.500000000Z two');
  assert.match(stamped[1], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z three$/);
});

test('--previous reads the previous attempt, and says so upstream\'s way when there is none', async (t) => {
  const s = await setup(t);
  const { sandbox, c } = pod(s.runtime);
  s.runtime.writeLog(c.id, criLogLine('first run'));
  const none = await s.get('/containerLogs/default/web/app?previous=true');
  assert.equal(none.status, 400);
  assert.equal(JSON.parse(none.body).message, 'previous terminated container "app" in pod "web" not found');
  s.runtime.setState(c.id, 'CONTAINER_EXITED');
  const second = s.runtime.addContainer(sandbox, { name: 'app', attempt: 1 });
  s.runtime.writeLog(second.id, criLogLine('second run'));
  assert.equal((await s.get('/containerLogs/default/web/app')).body, 'second run\n');
  assert.equal((await s.get('/containerLogs/default/web/app?previous=true')).body, 'first run\n');
  s.runtime.containers.delete(c.id); // the kubelet removed the dead container: its log file still answers
  assert.equal((await s.get('/containerLogs/default/web/app?previous=true')).body, 'first run\n');
});

test('logs of a container not started yet, or of an unknown pod, are clear errors', async (t) => {
  const s = await setup(t);
  const sandbox = s.runtime.addSandbox({ namespace: 'default', name: 'slow', uid: 'u1' });
  s.runtime.addContainer(sandbox, { name: 'app', state: 'CONTAINER_CREATED' });
  const waiting = await s.get('/containerLogs/default/slow/app');
  assert.equal(waiting.status, 400);
  assert.equal(JSON.parse(waiting.body).message, 'container "app" in pod "slow" is waiting to start: ContainerCreating');
  assert.equal((await s.get('/containerLogs/default/nope/app')).status, 404);
});

test('following a log streams new lines as they are written, across a rotation, and ends when the container exits', async (t) => {
  const s = await setup(t);
  const { c } = pod(s.runtime);
  s.runtime.writeLog(c.id, criLogLine('before'));
  const received: string[] = [];
  const done = new Promise<number>((resolve, reject) => {
    https.get({ host: '127.0.0.1', port: s.server.port, path: '/containerLogs/default/web/app?follow=true', ...s.client, servername: 'nanokube' }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        received.push(d);
        const all = received.join('');
        if (all === 'before\n') s.runtime.writeLog(c.id, criLogLine('after'));
        if (all === 'before\nafter\n') {
          renameSync(c.logPath, `${c.logPath}.20261206-010000`);
          s.runtime.writeLog(c.id, criLogLine('rotated'));
        }
        if (all === 'before\nafter\nrotated\n') s.runtime.setState(c.id, 'CONTAINER_EXITED');
      });
      res.on('end', () => resolve(res.statusCode!));
    }).on('error', reject);
  });
  assert.equal(await done, 200);
  assert.equal(received.join(''), 'before\nafter\nrotated\n');
});

function collect(ws: WebSocket) {
  const out = { stdout: '', stderr: '', status: undefined as any, closeCode: 0 };
  ws.on('message', (d: Buffer) => {
    if (d[0] === 1) out.stdout += d.subarray(1).toString();
    if (d[0] === 2) out.stderr += d.subarray(1).toString();
    if (d[0] === 3) out.status = JSON.parse(d.subarray(1).toString());
  });
  return new Promise<typeof out>((resolve, reject) => {
    ws.on('close', (code) => { out.closeCode = code; resolve(out); });
    ws.on('error', reject);
  });
}

test('exec over WebSocket v5: output on channels 1 and 2, the exit code in the status on channel 3', async (t) => {
  const s = await setup(t);
  pod(s.runtime);
  const ws = s.ws(`/exec/default/web/app?command=sh&command=-c&command=${encodeURIComponent('echo out; echo err >&2; exit 3')}&output=1&error=1`, 'v5.channel.k8s.io');
  const r = await collect(ws);
  assert.equal(r.stdout, 'out\n');
  assert.equal(r.stderr, 'err\n');
  assert.equal(r.status.reason, 'NonZeroExitCode');
  assert.deepEqual(r.status.details.causes, [{ reason: 'ExitCode', message: '3' }]);
  assert.equal(r.closeCode, 1000);
  const ok = await collect(s.ws('/exec/default/web/app?command=true&stdout=true', 'v5.channel.k8s.io'));
  assert.deepEqual(ok.status, { metadata: {}, status: 'Success' });
});

test('exec stdin reaches the command, and the v5 close signal ends it (what kubectl cp relies on)', async (t) => {
  const s = await setup(t);
  pod(s.runtime);
  const ws = s.ws('/exec/default/web/app?command=cat&input=1&output=1&error=1', 'v5.channel.k8s.io');
  const r = collect(ws);
  ws.on('open', () => {
    ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('hello ')]));
    ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('world')]));
    ws.send(Buffer.from([255, 0]));
  });
  const out = await r;
  assert.equal(out.stdout, 'hello world');
  assert.equal(out.status.status, 'Success');
});

test('exec into a container that is not running is refused before the upgrade', async (t) => {
  const s = await setup(t);
  const sandbox = s.runtime.addSandbox({ namespace: 'default', name: 'slow', uid: 'u1' });
  s.runtime.addContainer(sandbox, { name: 'app', state: 'CONTAINER_CREATED' });
  const ws = s.ws('/exec/default/slow/app?command=true&output=1', 'v5.channel.k8s.io');
  const status = await new Promise<number>((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode!)));
  assert.equal(status, 400);
});

test('kubectl\'s SPDY fallback to a container that is not running is told why, as upstream\'s "unable to upgrade connection: container not found", not that SPDY is unsupported', async (t) => {
  const s = await setup(t);
  const sandbox = s.runtime.addSandbox({ namespace: 'default', name: 'done', uid: 'u2' });
  s.runtime.addContainer(sandbox, { name: 'probe', state: 'CONTAINER_EXITED' });
  const spdyUpgrade = (path: string) => new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port: s.server.port, path, method: 'POST', ...s.client, servername: 'nanokube',
      headers: { connection: 'Upgrade', upgrade: 'SPDY/3.1', 'x-stream-protocol-version': 'v4.channel.k8s.io' } });
    req.on('upgrade', () => reject(new Error('upgraded')));
    req.on('response', (res) => { let body = ''; res.setEncoding('utf8'); res.on('data', (c) => (body += c)); res.on('end', () => resolve({ status: res.statusCode!, body })); });
    req.on('error', reject); req.end();
  });
  const attach = await spdyUpgrade('/attach/default/done/probe?output=1&error=1');
  assert.equal(attach.status, 400);
  assert.equal(JSON.parse(attach.body).message, 'container not found ("probe")');
  // A running container: then the protocol is what is missing.
  pod(s.runtime);
  assert.match(JSON.parse((await spdyUpgrade('/exec/default/web/app?command=true&output=1')).body).message, /^unsupported upgrade "SPDY\/3\.1"/);
});

test('port-forward tunnels a TCP connection to the pod port through SPDY inside the WebSocket', async (t) => {
  const s = await setup(t);
  pod(s.runtime);
  const echo = net.createServer((sock) => sock.on('data', (d) => sock.end(`echo:${d}`)));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  t.after(() => echo.close());
  const port = (echo.address() as net.AddressInfo).port;
  const { createRequire } = await import('node:module');
  const spdy = createRequire(import.meta.url)('spdy-transport');
  const { createWebSocketStream } = await import('ws');
  const ws = await tunnelSocket(s.server.port, '/portForward/default/web', s.client);
  const conn = spdy.connection.create(createWebSocketStream(ws), { protocol: 'spdy', isServer: false });
  conn.start(3.1);
  const open = (type: string) => new Promise<any>((resolve, reject) => conn.request({ method: 'POST', path: '/', headers: { streamtype: type, port: String(port), requestid: '0' } }, (err: Error | null, stream: any) => err ? reject(err) : resolve(stream)));
  const errStream = await open('error');
  errStream.end();
  const data = await open('data');
  data.end('ping');
  let reply = '';
  for await (const chunk of data) reply += chunk;
  assert.equal(reply, 'echo:ping');
  ws.close();
});

/**
 * A WebSocket with the subprotocol SPDY/3.1+portforward.k8s.io, which the ws client refuses to offer (its '/' is
 * not a token character; kubectl's Go client sends it anyway): the handshake by hand, then ws takes the socket.
 */
async function tunnelSocket(port: number, path: string, creds: { ca: string; cert: string; key: string }): Promise<WebSocket> {
  const sock = tls.connect({ host: '127.0.0.1', port, servername: 'nanokube', ...creds });
  await new Promise((r) => sock.once('secureConnect', r));
  sock.write(`GET ${path} HTTP/1.1\r\nHost: nanokube\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n` +
    `Sec-WebSocket-Key: ${Buffer.from('0123456789abcdef').toString('base64')}\r\nSec-WebSocket-Protocol: SPDY/3.1+portforward.k8s.io\r\n\r\n`);
  let buf = Buffer.alloc(0);
  while (!buf.includes('\r\n\r\n')) buf = Buffer.concat([buf, await new Promise<Buffer>((r) => sock.once('data', r))]);
  const end = buf.indexOf('\r\n\r\n') + 4;
  const head = buf.subarray(0, end).toString();
  assert.match(head, /^HTTP\/1.1 101/);
  assert.match(head, /Sec-WebSocket-Protocol: SPDY\/3.1\+portforward.k8s.io/i);
  const ws = new WebSocket(null as unknown as string, undefined as unknown as string[], {});
  (ws as unknown as { _isServer: boolean })._isServer = false; // this end masks its frames, as a client must
  (ws as unknown as { setSocket(s: tls.TLSSocket, head: Buffer, o: { maxPayload: number }): void }).setSocket(sock, buf.subarray(end), { maxPayload: 100 * 1024 * 1024 });
  return ws;
}

test('exec with a tty starts the command at the terminal size kubectl sends first, and passes later resizes on', async (t) => {
  const s = await setup(t);
  pod(s.runtime);
  const seen: string[] = [];
  s.runtime.exec = async (_id, opts) => {
    await new Promise((r) => setTimeout(r, 50)); // a runtime that subscribes only after some setup
    opts.resize && 'on' in opts.resize && opts.resize.on('resize', (z: { width: number; height: number }) => {
      seen.push(`${z.width}x${z.height}`);
      if (seen.length === 2) opts.stdout?.end(seen.join(' '));
    });
    await new Promise((r) => opts.stdout?.once('finish', r));
    return { exitCode: 0 };
  };
  const ws = s.ws('/exec/default/web/app?command=sh&input=1&output=1&tty=1', 'v5.channel.k8s.io');
  const r = collect(ws);
  ws.on('open', () => {
    ws.send(Buffer.concat([Buffer.from([4]), Buffer.from('{"Width":120,"Height":40}\n')]));
    setTimeout(() => ws.send(Buffer.concat([Buffer.from([4]), Buffer.from('{"Width":100,"Height":30}\n')])), 150);
  });
  assert.equal((await r).stdout, '120x40 100x30');
});

test('attach streams the container\'s output until it exits, then reports Success', async (t) => {
  const s = await setup(t);
  const { c } = pod(s.runtime);
  const ws = s.ws('/attach/default/web/app?output=1&error=1', 'v5.channel.k8s.io');
  const r = collect(ws);
  const main = s.runtime.containers.get(c.id)!.output;
  const attached = setInterval(() => { // once the server listens to the container's output
    if (main.listenerCount('data') === 0) return;
    clearInterval(attached);
    main.write('hello from main\n', () => s.runtime.setState(c.id, 'CONTAINER_EXITED'));
  }, 10);
  const out = await r;
  assert.equal(out.stdout, 'hello from main\n');
  assert.deepEqual(out.status, { metadata: {}, status: 'Success' });
});
