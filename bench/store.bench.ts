// Raw Store throughput: the baseline the API benchmark compares against (API create rate should be
// >= 50% of the raw put rate). Run directly for the figures of each backend:
//   node dist/bench/store.bench.js [n]          (etcd too when /usr/bin/etcd is installed)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Store } from '../src/storage/backend.js';

export interface StoreBenchResult {
  putsPerSec: number;
  getsPerSec: number;
  p99PutMs: number;
}

export interface StoreBenchOptions {
  /** Size of each value; default 1200 bytes, about a small Pod's JSON. */
  valueBytes?: number;
  /** Writers/readers running at once (each one awaits its own call); default 1. */
  concurrency?: number;
}

/**
 * Creates n fresh keys (under a unique prefix, left in place), then gets each once.
 * Rates are calls per second of wall time; p99PutMs is the 99th percentile create latency.
 */
export async function benchStore(store: Store, n: number, opts: StoreBenchOptions = {}): Promise<StoreBenchResult> {
  const prefix = `/registry/bench/${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}/`;
  const value = Buffer.from(JSON.stringify({ kind: 'Pod', apiVersion: 'v1', pad: 'x'.repeat(Math.max(0, (opts.valueBytes ?? 1200) - 40)) }));
  const concurrency = Math.max(1, opts.concurrency ?? 1);
  const latencies: number[] = new Array(n);

  const run = async (op: (i: number) => Promise<unknown>): Promise<number> => {
    let next = 0;
    const start = performance.now();
    await Promise.all(Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) await op(next++);
    }));
    return performance.now() - start;
  };

  const putMs = await run(async (i) => {
    const t = performance.now();
    await store.create(`${prefix}${i}`, value);
    latencies[i] = performance.now() - t;
  });
  const getMs = await run((i) => store.get(`${prefix}${i}`));
  latencies.sort((a, b) => a - b);
  return {
    putsPerSec: Math.round((n / putMs) * 1000),
    getsPerSec: Math.round((n / getMs) * 1000),
    p99PutMs: Number(latencies[Math.min(n - 1, Math.floor(n * 0.99))].toFixed(3)),
  };
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 5000);
  const { SqliteStore } = await import('../src/storage/sqlite/sqlite-store.js');
  const { EtcdStore } = await import('../src/storage/etcd/etcd-store.js');
  const { startTestEtcd } = await import('../test/helpers/etcd.js');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanokube-bench-'));
  try {
    const sqlite = SqliteStore.open({ path: path.join(dir, 'state.db'), intervalMs: 0 });
    console.log(JSON.stringify({ bench: 'store', backend: 'sqlite', n, ...(await benchStore(sqlite, n)) }));
    await sqlite.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }

  const etcd = await startTestEtcd();
  if (!etcd) { console.log(JSON.stringify({ bench: 'store', backend: 'etcd', skipped: 'etcd not found' })); return; }
  try {
    const store = await EtcdStore.connect({ endpoints: [etcd.endpoint], intervalMs: 0 });
    const m = Math.min(n, 2000);
    console.log(JSON.stringify({ bench: 'store', backend: 'etcd', n: m, ...(await benchStore(store, m)) }));
    console.log(JSON.stringify({ bench: 'store', backend: 'etcd', n: m, concurrency: 16, ...(await benchStore(store, m, { concurrency: 16 })) }));
    await store.close();
  } finally {
    await etcd.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((err) => { console.error(err); process.exit(1); });
}
