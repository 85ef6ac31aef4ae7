// API throughput and latency next to the raw store's, measured in one run (the ratio is the figure), plus
// `nanokube start` time-to-healthy next to a bare `node` start, and the server's idle RSS.
//   node dist/bench/api.bench.js [n]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import https from 'node:https';
import { spawnSync, execFileSync, execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import crypto from 'node:crypto';
import { benchStore } from './store.bench.js';
import { openStore } from '../src/storage/index.js';
import type { Store } from '../src/storage/backend.js';
import { startCluster } from '../src/cmd/cluster.js';
import { startTestEtcd } from '../test/helpers/etcd.js';

export interface ApiBenchResult {
  backend: string;
  rawPutsPerSec: number; rawGetsPerSec: number; rawSerialPutsPerSec: number;
  createsPerSec: number; createP99Ms: number;
  getsPerSec: number; getP99Ms: number;
  listsPerSec: number; listItems: number;
  createRatio: number;
  /** What drove the API: wrk (another process) or the node client in a worker thread. */
  generator: string;
}

function p99(xs: number[]): number { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * 0.99))]; }

async function run(n: number, concurrency: number, op: (i: number) => Promise<void>) {
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) { const i = next++; const s = performance.now(); await op(i); lat.push(performance.now() - s); }
  }));
  const ms = performance.now() - t0;
  return { perSec: n / (ms / 1000), p99: p99(lat) };
}

interface LoadResult { creates: { perSec: number; p99: number }; gets: { perSec: number; p99: number }; lists: { perSec: number; p99: number } }

function runLoad(args: { url: string; ca: string; cert: string; key: string; n: number; concurrency: number }): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL(import.meta.url), { workerData: args });
    w.once('message', resolve); w.once('error', reject);
  });
}

/** Worker side: creates, gets and lists over HTTPS with keep-alive, `concurrency` requests in flight. */
async function loadWorker(args: { url: string; ca: string; cert: string; key: string; n: number; concurrency: number }): Promise<LoadResult> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: args.concurrency, ca: args.ca, cert: args.cert, key: args.key });
  const call = (method: string, p: string, body?: unknown) => new Promise<number>((resolve, reject) => {
    const data = body ? JSON.stringify(body) : undefined;
    const req = https.request(`${args.url}${p}`, { method, agent, headers: { 'content-type': 'application/json', accept: 'application/json' } }, (res) => {
      res.resume(); res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject); req.end(data);
  });
  const ns = `bench-${Date.now().toString(36)}`;
  await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const cm = (i: number) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, labels: { app: 'bench' } }, data: { key: 'x'.repeat(400) } });
  const creates = await run(args.n, args.concurrency, async (i) => { const s = await call('POST', `/api/v1/namespaces/${ns}/configmaps`, cm(i)); if (s !== 201) throw new Error(`create → ${s}`); });
  const gets = await run(args.n, args.concurrency, async (i) => { const s = await call('GET', `/api/v1/namespaces/${ns}/configmaps/cm-${i}`); if (s !== 200) throw new Error(`get → ${s}`); });
  const lists = await run(20, 2, async () => { const s = await call('GET', `/api/v1/namespaces/${ns}/configmaps?limit=500`); if (s !== 200) throw new Error(`list → ${s}`); });
  agent.destroy();
  return { creates, gets, lists };
}

/**
 * When wrk (Debian package `wrk`, a C load generator) is installed, it drives the API from another process with
 * far less CPU than a node client, so the figure is the server's and not the load generator's. Bearer-token auth.
 */
function wrkAvailable(): boolean {
  try { execFileSync('wrk', ['--version'], { stdio: 'ignore' }); return true; } catch (e) { return (e as { status?: number }).status !== undefined && (e as { code?: string }).code !== 'ENOENT'; }
}

async function runWrk(args: { url: string; token: string; path: string; method: 'POST' | 'GET'; seconds: number; connections: number; dir: string }): Promise<{ perSec: number; p99: number; errors: number }> {
  const script = path.join(args.dir, `wrk-${args.method}.lua`);
  fs.writeFileSync(script, `
local threads = 0
function setup(thread) thread:set("tid", threads); threads = threads + 1 end
local counter = 0
request = function()
  counter = counter + 1
  local headers = { ["Authorization"] = "Bearer ${args.token}", ["Accept"] = "application/json", ["Content-Type"] = "application/json" }
  if "${args.method}" == "POST" then
    local body = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"w-' .. tid .. '-' .. counter .. '","labels":{"app":"bench"}},"data":{"key":"' .. string.rep("x", 400) .. '"}}'
    return wrk.format("POST", "${args.path}", headers, body)
  end
  return wrk.format("GET", "${args.path}", headers)
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d\\n", summary.requests, summary.duration, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, latency:percentile(99)))
end
`);
  // Asynchronously: the server under test runs in this process's event loop.
  const out = await new Promise<string>((resolve, reject) => execFile('wrk', ['-t1', `-c${args.connections}`, `-d${args.seconds}s`, '-s', script, `${args.url}${args.path}`], { encoding: 'utf8' },
    (err, stdout) => (err ? reject(err) : resolve(stdout))));
  const m = /RESULT (\d+) (\d+) (\d+) (\d+)/.exec(out);
  if (!m) throw new Error(`wrk printed no result: ${out}`);
  return { perSec: Number(m[1]) / (Number(m[2]) / 1e6), errors: Number(m[3]), p99: Number(m[4]) / 1000 };
}

export async function benchApi(opts: { backend: 'sqlite' | 'etcd'; n: number; concurrency?: number; endpoint?: string; loadGenerator?: 'wrk' | 'node' }): Promise<ApiBenchResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanokube-bench-'));
  const concurrency = opts.concurrency ?? 16;
  try {
    const open = () => openStore({ dataDir: path.join(dir, `data-${Math.random().toString(36).slice(2)}`), datastoreEndpoint: opts.endpoint, compactionIntervalMs: 0 });
    // Baseline: the raw store, with the same concurrency the API gets.
    const raw: Store = await open();
    const base = await benchStore(raw, opts.n, { concurrency, valueBytes: 600 });
    const serial = await benchStore(raw, Math.min(opts.n, 2000), { concurrency: 1, valueBytes: 600 });
    await raw.close();

    const token = Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString('hex');
    // The API server alone (no components), over HTTPS, on the same kind of store.
    const api = await startCluster({ home: path.join(dir, 'cluster'), datastoreEndpoint: opts.endpoint, components: false, compactionIntervalMs: 0,
      tokens: { [token]: { username: 'bench', groups: ['system:masters'] } } });
    const pki = { caCert: api.admin!.ca, admin: api.admin! };
    let creates: { perSec: number; p99: number }, gets: { perSec: number; p99: number }, lists: { perSec: number; p99: number };
    let generator: string;
    if (opts.loadGenerator !== 'node' && wrkAvailable()) {
      // wrk in another process; the node client (below) still fills a namespace for the list figure.
      generator = 'wrk';
      const load = await runLoad({ url: api.url, ca: pki.caCert, cert: pki.admin.cert, key: pki.admin.key, n: Math.min(opts.n, 500), concurrency });
      lists = load.lists;
      const ns = 'default';
      creates = await runWrk({ url: api.url, token, path: `/api/v1/namespaces/${ns}/configmaps`, method: 'POST', seconds: 5, connections: concurrency, dir });
      gets = await runWrk({ url: api.url, token, path: `/api/v1/namespaces/${ns}/configmaps/w-0-1`, method: 'GET', seconds: 5, connections: concurrency, dir });
    } else {
      // The load generator runs in its own thread, so the server's event loop has a core to itself.
      generator = 'node worker';
      ({ creates, gets, lists } = await runLoad({ url: api.url, ca: pki.caCert, cert: pki.admin.cert, key: pki.admin.key, n: opts.n, concurrency }));
    }
    await api.close();
    return {
      backend: opts.backend,
      rawPutsPerSec: base.putsPerSec, rawGetsPerSec: base.getsPerSec, rawSerialPutsPerSec: serial.putsPerSec,
      createsPerSec: creates.perSec, createP99Ms: creates.p99, getsPerSec: gets.perSec, getP99Ms: gets.p99,
      listsPerSec: lists.perSec, listItems: Math.min(500, opts.n),
      createRatio: creates.perSec / base.putsPerSec, generator,
    };
  } finally { fs.rmSync(dir, { recursive: true, force: true }); }
}

/** `nanokube start` (certificates already made) until /readyz, beside a bare `node -e 0`; and idle RSS. */
export function benchStartup(): { startMs: number; bareNodeMs: number; idleRssMb: number } {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'nanokube-bench-start-'));
  const env = { ...process.env, NANOKUBE_HOME: home, KUBECONFIG: path.join(home, 'kubeconfig') };
  const cli = path.resolve('bin/nanokube.js');
  const port = String(20000 + Math.floor(Math.random() * 20000));
  try {
    const first = spawnSync(process.execPath, [cli, 'start', '--api-port', port], { env, encoding: 'utf8' });
    if (first.status !== 0) throw new Error(`nanokube start failed: ${first.stderr || first.stdout}`);
    spawnSync(process.execPath, [cli, 'stop'], { env });
    const times: number[] = [];
    const bare: number[] = [];
    let rss = 0;
    for (let i = 0; i < 3; i++) {
      let t = performance.now();
      const r = spawnSync(process.execPath, [cli, 'start', '--api-port', port], { env, encoding: 'utf8' });
      times.push(performance.now() - t);
      if (r.status !== 0) throw new Error(`nanokube start failed: ${r.stderr || r.stdout}`);
      if (i === 2) {
        execFileSync('sleep', ['3']);
        const pid = fs.readFileSync(path.join(home, 'server.pid'), 'utf8').trim();
        const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
        rss = Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
      }
      spawnSync(process.execPath, [cli, 'stop'], { env });
      t = performance.now();
      spawnSync(process.execPath, ['-e', '0']);
      bare.push(performance.now() - t);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    return { startMs: median(times), bareNodeMs: median(bare), idleRssMb: rss };
  } finally {
    spawnSync(process.execPath, [cli, 'delete'], { env });
    fs.rmSync(home, { recursive: true, force: true });
  }
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const n = Number(argv[0] ?? 3000);
  const rows: ApiBenchResult[] = [await benchApi({ backend: 'sqlite', n })];
  const etcd = await startTestEtcd();
  if (etcd) { try { rows.push(await benchApi({ backend: 'etcd', n, endpoint: etcd.endpoint })); } finally { await etcd.stop(); } }
  else console.log('etcd: skipped: etcd not found');
  for (const r of rows) {
    console.log(`api[${r.backend}, load from ${r.generator}]  raw store put ${r.rawPutsPerSec.toFixed(0)}/s (16 in flight), ${r.rawSerialPutsPerSec.toFixed(0)}/s (one at a time) get ${r.rawGetsPerSec.toFixed(0)}/s | ` +
      `API create ${r.createsPerSec.toFixed(0)}/s (p99 ${r.createP99Ms.toFixed(1)} ms) = ${(r.createRatio * 100).toFixed(0)}% of raw put, ${(r.createsPerSec / r.rawSerialPutsPerSec * 100).toFixed(0)}% of one-at-a-time raw put (target >= 50%) | ` +
      `get ${r.getsPerSec.toFixed(0)}/s (p99 ${r.getP99Ms.toFixed(1)} ms) | list of ${r.listItems}: ${r.listsPerSec.toFixed(1)}/s`);
  }
  const s = benchStartup();
  console.log(`startup  nanokube start → healthy ${s.startMs.toFixed(0)} ms (target <= 1000) | bare node process ${s.bareNodeMs.toFixed(0)} ms | idle server RSS with the node ${s.idleRssMb.toFixed(0)} MB (target <= 150)`);
}

if (!isMainThread) loadWorker(workerData).then((r) => parentPort!.postMessage(r));
else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main().catch((e) => { console.error(e); process.exit(1); });
