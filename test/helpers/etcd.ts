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
