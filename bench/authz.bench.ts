// The cost of authorization, admission and API Priority and Fairness on the API's hot path: ConfigMap creates and gets through the real
// handler (in process: no TLS, so the difference is the pipeline's, not the socket's), with the authorizer chain,
// every admission plugin and APF on, beside the same handler with both off, in the same run on the same kind of store. The
// caller with them on is an ordinary user bound to `edit` in the namespace by a RoleBinding (not system:masters,
// which would skip RBAC), so every request walks the cluster role bindings and the namespace's role bindings.
// After 5 unmeasured warm-up rounds per side (the JIT), short batches alternate off/on so both see the same load; the median of the per-round ratios is the figure, for
// the rate and for this process's CPU time per request (steadier on a loaded machine).
// Batches of 1,000 (n=30,000 over 30 rounds): a batch of 100 gets takes ~2 ms, where timer and GC noise swung the
// per-round ratio by ±20 %.
//   node --expose-gc dist/bench/authz.bench.js [n=30000]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '../src/storage/index.js';
import { createApiHandlerOnly } from '../src/apiserver/index.js';
import { silentLogger } from '../src/apiserver/logger.js';
import { Client } from '../src/client/client.js';
import { inProcessTransport } from '../src/client/transport.js';
import { resources } from '../src/api/resources.js';

/** Requests per second of wall-clock time, and microseconds of this process's CPU time per request. */
async function run(n: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<{ rate: number; cpu: number }> {
  let next = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await Promise.all(Array.from({ length: concurrency }, async () => { while (next < n) { const i = next++; await op(i); } }));
  const c = process.cpuUsage(c0);
  return { rate: n / ((performance.now() - t0) / 1000), cpu: (c.user + c.system) / n };
}

interface Side { user: Client; ns: string; close(): Promise<void> }

/** One API handler on its own store, with authorization and admission on or off, and the caller for it. */
async function side(on: boolean): Promise<Side> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanokube-bench-authz-'));
  const store = await openStore({ dataDir: path.join(dir, 'data'), compactionIntervalMs: 0 });
  const api = await createApiHandlerOnly({ store, logger: silentLogger, authorization: on, ...(on ? {} : { admission: false as const, flowControl: false as const }) });
  const admin = new Client(inProcessTransport(api.handler, { user: { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] } }));
  const ns = 'bench';
  await admin.create(resources.namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await admin.create(resources.rolebindings, ns, {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'writers-edit', namespace: ns },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
    subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'writers' }],
  });
  const user = new Client(inProcessTransport(api.handler, { user: { username: 'jane', groups: ['writers', 'system:authenticated'] } }));
  // The binding reaches the authorizer's cache through a watch: wait until it answers.
  for (let i = 0; on && i < 500; i++) {
    try { await user.list(resources.configmaps, { namespace: ns }); break; } catch { await new Promise((r) => setTimeout(r, 10)); }
  }
  return { user, ns, close: async () => { api.close(); await store.close(); fs.rmSync(dir, { recursive: true, force: true }); } };
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const n = Number(argv[0] ?? 30000);
  const rounds = 30;
  const warmRounds = 5;
  const batch = Math.max(50, Math.floor(n / rounds));
  const [off, on] = [await side(false), await side(true)];
  try {
    const cm = (i: number) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, labels: { app: 'bench' } }, data: { key: 'x'.repeat(400) } });
    type M = { rate: number; cpu: number };
    const m = { createOff: [] as M[], createOn: [] as M[], getOff: [] as M[], getOn: [] as M[] };
    // Warm-up rounds, not measured: both sides' code compiled by the JIT first (the "on" side has more of it), so
    // the figure is the steady state's, not the compiler's. Their objects are named apart from the measured ones.
    for (let r = 0; r < warmRounds; r++) {
      const base = 1_000_000 + r * batch;
      for (const s of [off, on]) {
        await run(batch, 16, (i) => s.user.create(resources.configmaps, s.ns, cm(base + i)));
        await run(batch, 16, (i) => s.user.get(resources.configmaps, s.ns, `cm-${base + i}`));
      }
    }
    // Short batches, off and on back to back (order swapped every round), so both see the same machine load.
    for (let r = 0; r < rounds; r++) {
      const base = r * batch;
      const pair: Array<[Side, M[], M[]]> = [[off, m.createOff, m.getOff], [on, m.createOn, m.getOn]];
      if (r % 2) pair.reverse();
      for (const [s, creates] of pair) creates.push(await run(batch, 16, (i) => s.user.create(resources.configmaps, s.ns, cm(base + i))));
      for (const [s, , gets] of pair) gets.push(await run(batch, 16, (i) => s.user.get(resources.configmaps, s.ns, `cm-${base + i}`)));
    }
    // Wall-clock rates swing with the machine's other load; this process's CPU time per request does much less
    // (it leaves out the commit's fsync wait, so for creates it shows the pipeline's share larger than the rate does).
    const slower = (offs: M[], ons: M[]) => median(offs.map((x, i) => 1 - ons[i].rate / x.rate));
    const moreCpu = (offs: M[], ons: M[]) => median(offs.map((x, i) => ons[i].cpu / x.cpu - 1));
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    const line = (what: string, offs: M[], ons: M[]) =>
      `${what}: off ${median(offs.map((x) => x.rate)).toFixed(0)}/s, on ${median(ons.map((x) => x.rate)).toFixed(0)}/s (${pct(slower(offs, ons))} slower; ` +
      `CPU ${median(offs.map((x) => x.cpu)).toFixed(1)} vs ${median(ons.map((x) => x.cpu)).toFixed(1)} µs/request, +${pct(moreCpu(offs, ons))})`;
    console.log(`authz  in-process API, ConfigMaps as a user bound to edit, 16 in flight, ${rounds} alternating rounds of ${batch} after ${warmRounds} warm-up rounds (median; shared noisy machine) | ` +
      `${line('create', m.createOff, m.createOn)} | ${line('get', m.getOff, m.getOn)} | target <= 10% slower`);
  } finally { await off.close(); await on.close(); }
}

main().catch((e) => { console.error(e); process.exit(1); });
