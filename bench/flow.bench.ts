// What the live architecture view's flow tap costs the API: ConfigMap creates and gets through the real handler (in
// process, authorization and admission on) with nobody watching the flow, beside the same with one subscriber reading
// /debug/flow's batches, on the same store in the same run. Short batches alternate so both see the same load; the
// median of the per-round ratios is the figure. Unwatched, the tap is one field read per request, write and watch
// event, so "off" is the API's own speed.
//   node --expose-gc dist/bench/flow.bench.js [n=3000]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '../src/storage/index.js';
import { createApiHandlerOnly } from '../src/apiserver/index.js';
import { silentLogger } from '../src/apiserver/logger.js';
import { Client } from '../src/client/client.js';
import { inProcessTransport } from '../src/client/transport.js';
import { resources } from '../src/api/resources.js';

async function run(n: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => { while (next < n) { const i = next++; await op(i); } }));
  return n / ((performance.now() - t0) / 1000);
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const n = Number(argv[0] ?? 3000);
  const rounds = 20;
  const batch = Math.max(50, Math.floor(n / rounds));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanokube-bench-flow-'));
  const store = await openStore({ dataDir: path.join(dir, 'data'), compactionIntervalMs: 0 });
  const api = await createApiHandlerOnly({ store, logger: silentLogger });
  const client = new Client(inProcessTransport(api.handler, { user: { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] } }), { userAgent: 'kubectl/v1.32.2' });
  let events = 0, coalesced = 0;
  /** One subscriber for the duration of `f`, reading batches as the dashboard does. */
  async function watched<T>(f: () => Promise<T>): Promise<T> {
    const ac = new AbortController();
    const reading = (async () => { for await (const b of api.flow.subscribe({ signal: ac.signal })) { events += b.events.length; for (const d of b.dropped) coalesced += d.count; } })();
    try { return await f(); } finally { ac.abort(); await reading; }
  }
  try {
    const cm = (i: number) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}` }, data: { key: 'x'.repeat(400) } });
    const rate = { createOff: [] as number[], createOn: [] as number[], getOff: [] as number[], getOn: [] as number[] };
    let next = 0;
    for (let r = 0; r < rounds; r++) {
      const sides = r % 2 ? ['on', 'off'] : ['off', 'on'];
      for (const s of sides) {
        const start = next; next += batch;
        const create = () => run(batch, 8, (i) => client.create(resources.configmaps, 'default', cm(start + i)));
        const get = () => run(batch, 8, (i) => client.get(resources.configmaps, 'default', `cm-${start + i}`));
        if (s === 'off') { rate.createOff.push(await create()); rate.getOff.push(await get()); }
        else { rate.createOn.push(await watched(create)); rate.getOn.push(await watched(get)); }
      }
    }
    const ratio = (on: number[], off: number[]) => median(on.map((x, i) => x / off[i]));
    console.log(`flow tap: ConfigMap create ${median(rate.createOff).toFixed(0)}/s unwatched, ${median(rate.createOn).toFixed(0)}/s watched (ratio ${ratio(rate.createOn, rate.createOff).toFixed(2)})`);
    console.log(`flow tap: ConfigMap get    ${median(rate.getOff).toFixed(0)}/s unwatched, ${median(rate.getOn).toFixed(0)}/s watched (ratio ${ratio(rate.getOn, rate.getOff).toFixed(2)})`);
    console.log(`flow tap: the subscriber got ${events} events and ${coalesced} more counted in coalesced summaries (shared, noisy machine)`);
  } finally {
    api.close(); await store.close(); fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
