// Test helper: a throwaway single-member etcd on loopback (free ports, temp data dir), for any test that
// needs a real etcd. Returns undefined when no etcd binary is installed, so callers can skip with
// "skipped: etcd not found".
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Etcd3 } from 'etcd3';

export interface TestEtcd {
  /** Client URL, e.g. "http://127.0.0.1:40123" (what openStore's datastoreEndpoint takes). */
  endpoint: string;
  /** Kills etcd and removes its data dir. Safe to call twice. */
  stop(): Promise<void>;
}

/** Path of the etcd binary: /usr/bin/etcd, else the first `etcd` on PATH; undefined if there is none. */
export function findEtcd(): string | undefined {
  const candidates = ['/usr/bin/etcd', ...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean).map((d) => path.join(d, 'etcd'))];
  return candidates.find((p) => {
    try { fs.accessSync(p, fs.constants.X_OK); return fs.statSync(p).isFile(); } catch { return false; }
  });
}

/** A port that was free a moment ago (listen on port 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function startTestEtcd(): Promise<TestEtcd | undefined> {
  const bin = findEtcd();
  if (!bin) return undefined;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanokube-etcd-'));
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const child: ChildProcess = spawn(bin, [
    '--name', 'test', '--data-dir', dataDir,
    '--listen-client-urls', endpoint, '--advertise-client-urls', endpoint,
    '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer,
    '--initial-cluster', `test=${peer}`, '--initial-cluster-state', 'new',
    '--logger', 'zap', '--log-level', 'error',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopped = false;
  const stop = async () => {
    if (!stopped) {
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  };

  // Ready when a read succeeds; give up (and clean up) after 30 s or if etcd exits. A fresh client per
  // attempt: the etcd3 client's circuit breaker would otherwise hold off for 5 s after a few refusals.
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`etcd exited during startup: ${stderr}`);
      const client = new Etcd3({ hosts: endpoint });
      try {
        await client.get('health-probe').options({ deadline: Date.now() + 1000 }).exec();
        break;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`etcd did not become ready at ${endpoint}: ${String(err)} ${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      } finally {
        client.close();
      }
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { endpoint, stop };
}

export interface DroppingProxy {
  /** Client URL of the proxy (give it to the store instead of etcd's). */
  endpoint: string;
  /**
   * The next response etcd sends (the first HTTP/2 HEADERS frame on a request stream) is not forwarded: the proxy
   * closes the client's connection instead, after etcd has received and executed the request. The client cannot
   * tell whether its request was applied.
   */
  dropNextResponse(): void;
  /** How many responses were dropped so far. */
  readonly dropped: number;
  close(): Promise<void>;
}

/** A TCP proxy on loopback in front of an etcd client URL (plain HTTP/2), that can lose one response on demand. */
export async function startDroppingProxy(target: string): Promise<DroppingProxy> {
  const { hostname, port } = new URL(target);
  let armed = false;
  let dropped = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), hostname);
    sockets.add(client); sockets.add(upstream);
    const closeBoth = () => { client.destroy(); upstream.destroy(); sockets.delete(client); sockets.delete(upstream); };
    client.on('error', closeBoth); upstream.on('error', closeBoth);
    client.on('close', closeBoth); upstream.on('close', closeBoth);
    client.on('data', (d) => upstream.write(d));
    // etcd → client: parsed into HTTP/2 frames (9-byte header: length, type, flags, stream id) so one can be held.
    let pending = Buffer.alloc(0);
    upstream.on('data', (d) => {
      pending = Buffer.concat([pending, d]);
      while (pending.length >= 9) {
        const len = pending.readUIntBE(0, 3);
        if (pending.length < 9 + len) break;
        const frame = pending.subarray(0, 9 + len);
        pending = pending.subarray(9 + len);
        const type = frame[3];
        const stream = frame.readUInt32BE(5) & 0x7fffffff;
        if (armed && type === 1 /* HEADERS */ && stream !== 0) { armed = false; dropped++; closeBoth(); return; }
        client.write(frame);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: proxyPort } = server.address() as net.AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${proxyPort}`,
    dropNextResponse: () => { armed = true; },
    get dropped() { return dropped; },
    close: () => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }),
  };
}
