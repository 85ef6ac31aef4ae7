// End to end on simulated nodes: the whole control plane (API, scheduler, controllers, simulated kubelets) in one
// process, N nodes, P pods created through the API; time from the first create to every pod Running, and the
// process's RSS with all of it loaded. Baseline in the same run: the same creates (HTTPS, 32 at a time) into a
// cluster running nothing else, so the ratio says what scheduling, binding and running them costs on top.
//   node dist/bench/e2e.bench.js [nodes] [pods]
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startCluster } from '../src/cmd/cluster.js';
import { Client } from '../src/client/client.js';
import { resources } from '../src/api/resources.js';

function rssMb(): number { return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))![1]) / 1024; }

async function createPods(client: Client, ns: string, n: number, concurrency = 32): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) {
      const i = next++;
      await client.create(resources.pods, ns, { apiVersion: 'v1', kind: 'Pod', metadata: { name: `p-${i}`, labels: { app: 'e2e' } },
        spec: { containers: [{ name: 'c', image: 'registry.example/app:1', resources: { requests: { cpu: '100m', memory: '128Mi' } } }] } } as any);
    }
  }));
  return performance.now() - t0;
}

/**
 * How many of the namespace's pods are not Running yet (in a function of its own, so the list is not alive when RSS
 * is read). It asks for those only: listing the Running ones sent the whole namespace over HTTPS four times a
 * second at the end, work the bench did, not the cluster.
 */
async function podsNotRunning(client: Client, ns: string): Promise<number> {
  const list = await client.list(resources.pods, { namespace: ns, fieldSelector: 'status.phase!=Running', limit: 0 } as any);
  return list.items.length;
}

/** The baseline: the same creates, the same way, into a cluster with nothing else running (no scheduler, no nodes). */
export async function benchBareCreates(pods: number): Promise<number> {
  const plane = await startCluster({ components: false });
  try { return await createPods(plane.httpsClient(), 'default', pods); } finally { await plane.close(); }
}

export async function benchEndToEnd(opts: { nodes: number; pods: number }) {
  const rssBefore = rssMb();
  const plane = await startCluster();
  try {
    const client = plane.httpsClient();
    const t0 = performance.now();
    await plane.addSimulatedNodes(opts.nodes);
    const nodesMs = performance.now() - t0;
    const start = performance.now();
    const createMs = await createPods(client, 'default', opts.pods);
    while (await podsNotRunning(client, 'default') > 0) await new Promise((r) => setTimeout(r, 250));
    const runningAt = performance.now();
    (globalThis as any).gc?.();
    const rss = rssMb();
    const heapMb = process.memoryUsage().heapUsed / 1048576;
    return { nodes: opts.nodes, pods: opts.pods, nodesRegisteredMs: nodesMs, createMs, createToAllRunningMs: runningAt - start, podsRunningPerSec: opts.pods / ((runningAt - start) / 1000), rssMb: rss, heapMb, rssBeforeMb: rssBefore };
  } finally {
    await plane.close();
  }
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const nodes = Number(argv[0] ?? 5000);
  const pods = Number(argv[1] ?? 10_000);
  // The end-to-end run first, so its RSS is not the baseline's leftovers.
  const r = await benchEndToEnd({ nodes, pods });
  const bareMs = await benchBareCreates(pods);
  console.log(`e2e  ${r.nodes} simulated nodes registered in ${(r.nodesRegisteredMs / 1000).toFixed(1)} s | ${r.pods} pods: creates took ${(r.createMs / 1000).toFixed(1)} s while everything ran, ` +
    `create → all Running ${(r.createToAllRunningMs / 1000).toFixed(1)} s (${r.podsRunningPerSec.toFixed(0)} pods/s) | baseline, the same creates into a cluster running nothing else: ${(bareMs / 1000).toFixed(1)} s | ratio ${(r.createToAllRunningMs / bareMs).toFixed(2)}x | ` +
    `process RSS ${r.rssMb.toFixed(0)} MB (JS heap ${r.heapMb.toFixed(0)} MB) with all loaded (${r.rssBeforeMb.toFixed(0)} MB before start)`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) main().catch((e) => { console.error(e); process.exit(1); });
