// Jobs on simulated nodes: N one-pod Jobs (each pod exits 0 as soon as it runs) created through the API, time from
// the first create to every Job Complete, per Job. Baseline in the same run: the same N pods created bare (no Job,
// no job-tracking finalizer), time to every pod Succeeded. Each side runs on a fresh in-process cluster with the
// same simulated nodes. The ratio is the Job controller's cost per pod (pod creation, finalizer removal, two status
// writes per Job); the machine is shared and noisy, so compare ratios of one run, not absolute times across runs.
//   node dist/bench/jobs.bench.js [jobs] [nodes]
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startCluster } from '../src/cmd/cluster.js';
import type { Client } from '../src/client/client.js';
import { resources } from '../src/api/resources.js';
import { EXIT_AFTER_ANNOTATION } from '../src/kubelet/index.js';

const podSpec = { restartPolicy: 'Never', containers: [{ name: 'c', image: 'registry.example/task:1', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] };
const template = { metadata: { annotations: { [EXIT_AFTER_ANNOTATION]: '0s' } }, spec: podSpec };

async function createAll(n: number, create: (i: number) => Promise<unknown>, concurrency = 32): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => { while (next < n) await create(next++); }));
}

async function waitFor(count: () => Promise<number>, n: number): Promise<void> {
  for (;;) {
    if (await count() >= n) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Milliseconds from the first create until `done` counts n, on a fresh cluster with `nodes` simulated nodes. */
async function timed(nodes: number, n: number, create: (c: Client, i: number) => Promise<unknown>, done: (c: Client) => Promise<number>): Promise<number> {
  const plane = await startCluster();
  try {
    const client = plane.httpsClient();
    await plane.addSimulatedNodes(nodes);
    const t0 = performance.now();
    await createAll(n, (i) => create(client, i));
    await waitFor(() => done(client), n);
    return performance.now() - t0;
  } finally {
    await plane.close();
  }
}

export async function benchJobs(opts: { jobs: number; nodes: number }) {
  const n = opts.jobs;
  const bareMs = await timed(opts.nodes, n,
    (c, i) => c.create(resources.pods, 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: `bare-${i}`, annotations: template.metadata.annotations }, spec: podSpec } as any),
    async (c) => (await c.list(resources.pods, { namespace: 'default', fieldSelector: 'status.phase=Succeeded' })).items.length);
  const jobsMs = await timed(opts.nodes, n,
    (c, i) => c.create(resources.jobs, 'default', { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: `job-${i}` }, spec: { template } } as any),
    async (c) => (await c.list(resources.jobs, { namespace: 'default' })).items
      .filter((j: any) => (j.status?.conditions ?? []).some((x: any) => x.type === 'Complete' && x.status === 'True')).length);
  return { n, nodes: opts.nodes, bareMs, jobsMs, ratio: jobsMs / bareMs };
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const r = await benchJobs({ jobs: Number(argv[0] ?? 1000), nodes: Number(argv[1] ?? 20) });
  console.log(`jobs  ${r.n} one-pod Jobs to Complete on ${r.nodes} simulated nodes: ${(r.jobsMs / 1000).toFixed(1)} s, ${(r.jobsMs / r.n).toFixed(1)} ms per Job | ` +
    `baseline: the same ${r.n} pods bare to Succeeded ${(r.bareMs / 1000).toFixed(1)} s, ${(r.bareMs / r.n).toFixed(1)} ms per pod | ratio ${r.ratio.toFixed(2)}× (shared, noisy machine)`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) main().catch((e) => { console.error(e); process.exit(1); });
