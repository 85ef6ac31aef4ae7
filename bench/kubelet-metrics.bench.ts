// The overhead of metrics collection on the real kubelet with 50 pods: the CPU of this process (the whole control
// plane and the kubelet; the pods' own processes are not counted) while nothing reads the node's stats, next to the
// same while they are collected once a second, in alternating windows of the same run (idle, through the API
// server's node proxy, straight from the kubelet). One collection is what the
// metrics server reads (GET /stats/summary through the API server's node proxy) plus what a Prometheus scrape of the
// kubelet reads (GET /metrics/cadvisor through the same proxy): both read every container's CPU and memory (from
// /proc in process mode, from cgroups under runc) on demand; nothing is collected between reads. The metrics server
// of the cluster is slowed to one read an hour so that only the bench's collections count. Also printed: the CPU
// time of one collection (the CPU of the collecting windows less that of the idle ones, per collection), and what
// that makes at the metrics server's 15 s resolution.
// The pods run `sleep` from the busybox image (the host's root filesystem) in process mode unless told otherwise.
//   node dist/bench/kubelet-metrics.bench.js [pods=50] [windowSeconds=10] [runtime=process|runc]
import https from 'node:https';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startCluster } from '../src/cmd/cluster.js';
import { resources } from '../src/api/resources.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU % of one core used by this process over `ms` while `during` runs (it should stop by itself when told to). */
async function cpuPercent(ms: number, during?: (signal: AbortSignal) => Promise<number>): Promise<{ percent: number; cpuMs: number; collections: number }> {
  const ac = new AbortController();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const work = during?.(ac.signal) ?? Promise.resolve(0);
  await sleep(ms);
  ac.abort();
  const collections = await work;
  const c = process.cpuUsage(c0);
  const cpuMs = (c.user + c.system) / 1000;
  return { percent: (100 * cpuMs) / (performance.now() - t0), cpuMs, collections };
}

export async function benchKubeletMetrics(opts: { pods: number; windowMs: number; runtime: 'process' | 'runc' }) {
  const second = 160 + Math.floor(Math.random() * 64);
  const plane = await startCluster({ node: true, runtimeMode: opts.runtime, clusterCIDR: `10.${second}.0.0/16`, metricsResolutionMs: 3_600_000 });
  try {
    const client = plane.httpsClient();
    const node = await plane.node();
    if (!node) throw new Error('the node did not start; see the server log');
    await node.kubelet.ready;
    await Promise.all(Array.from({ length: opts.pods }, (_, i) => client.create(resources.pods, 'default', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: `idle-${i}` },
      spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'sleep', image: 'busybox', command: ['sleep', '3600'] }] },
    } as any)));
    const deadline = Date.now() + 180_000;
    for (;;) {
      const list = await client.list(resources.pods, { namespace: 'default' });
      const running = list.items.filter((p: any) => p.status?.phase === 'Running').length;
      if (running === opts.pods) break;
      if (Date.now() > deadline) throw new Error(`only ${running}/${opts.pods} pods Running after 3 minutes`);
      await sleep(500);
    }
    await sleep(3000); // let the start-up settle (status writes, events)

    const admin = plane.admin!;
    const agent = new https.Agent({ keepAlive: true, ca: admin.ca, cert: admin.cert, key: admin.key });
    // Through the API server's node proxy (as the metrics server and `kubectl get --raw` read), or straight from the
    // kubelet's port over one kept-alive connection (as a Prometheus scraping the kubelet does).
    const nodeObj: any = await client.get(resources.nodes, undefined, 'nanokube');
    const nodeIP = (nodeObj.status?.addresses ?? []).find((a: any) => a.type === 'InternalIP')?.address ?? '127.0.0.1';
    const kubeletBase = `https://${nodeIP}:${node.kubeletPort}`;
    const kubeletAgent = new https.Agent({ keepAlive: true, ca: admin.ca, cert: admin.cert, key: admin.key, rejectUnauthorized: false });
    const get = (p: string, direct = false) => new Promise<string>((resolve, reject) => {
      https.get(direct ? new URL(p, kubeletBase) : new URL(`/api/v1/nodes/nanokube/proxy${p}`, plane.url), { agent: direct ? kubeletAgent : agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString()) : reject(new Error(`${p}: ${res.statusCode}`))));
      }).on('error', reject);
    });
    // What one collection reads, checked once: every pod's container is in both.
    const cadvisor = await get('/metrics/cadvisor');
    const series = cadvisor.split('\n').filter((l) => l.startsWith('container_cpu_usage_seconds_total{container="sleep"')).length;
    const summary = JSON.parse(await get('/stats/summary'));
    if (series !== opts.pods || summary.pods.length !== opts.pods) throw new Error(`expected ${opts.pods} pods in the stats, got ${series} series and ${summary.pods.length} Summary pods`);

    const collectEverySecond = (direct: boolean) => async (signal: AbortSignal) => {
      let n = 0;
      while (!signal.aborted) {
        const t = performance.now();
        await Promise.all([get('/stats/summary', direct), get('/metrics/cadvisor', direct)]);
        n++;
        await sleep(Math.max(0, 1000 - (performance.now() - t)));
      }
      return n;
    };
    const off: number[] = [];
    type Window = { percent: number; cpuMs: number; collections: number };
    const proxied: Window[] = [];
    const direct: Window[] = [];
    const offCpu: number[] = [];
    for (let round = 0; round < 2; round++) {
      const a = await cpuPercent(opts.windowMs);
      off.push(a.percent); offCpu.push(a.cpuMs);
      proxied.push(await cpuPercent(opts.windowMs, collectEverySecond(false)));
      direct.push(await cpuPercent(opts.windowMs, collectEverySecond(true)));
    }
    agent.destroy();
    kubeletAgent.destroy();
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const idleCpuMs = offCpu.reduce((s, x) => s + x, 0);
    /** CPU % of the windows, and the CPU ms of one collection (the windows' CPU less the idle windows', per collection). */
    const figures = (ws: Window[]) => {
      const collections = ws.reduce((s, x) => s + x.collections, 0);
      return { percent: mean(ws.map((x) => x.percent)), collections, perCollectionMs: Math.max(0, ws.reduce((s, x) => s + x.cpuMs, 0) - idleCpuMs) / collections };
    };
    return { mode: node.runtime.mode, offPct: mean(off), proxied: figures(proxied), direct: figures(direct), cadvisorBytes: cadvisor.length };
  } finally {
    await plane.close();
  }
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const pods = Number(argv[0] ?? 50);
  const windowMs = Number(argv[1] ?? 10) * 1000;
  const runtime = (argv[2] ?? 'process') as 'process' | 'runc';
  const r = await benchKubeletMetrics({ pods, windowMs, runtime });
  const at15 = (ms: number) => ((ms / 15_000) * 100).toFixed(2);
  console.log(`kubelet metrics collection (${r.mode} mode, ${pods} pods, 2 × ${windowMs / 1000} s windows each, shared noisy machine; cadvisor text ${(r.cadvisorBytes / 1024).toFixed(0)} KiB): ` +
    `process CPU ${r.offPct.toFixed(1)}% of a core with no collection (baseline) | ` +
    `${r.proxied.percent.toFixed(1)}% collecting /stats/summary + /metrics/cadvisor once a second through the API server's node proxy, ${r.proxied.perCollectionMs.toFixed(1)} ms CPU per collection (${r.proxied.collections}) | ` +
    `${r.direct.percent.toFixed(1)}% reading them straight from the kubelet over a kept-alive connection, ${r.direct.perCollectionMs.toFixed(1)} ms per collection (${r.direct.collections}) | ` +
    `at the metrics server's 15 s resolution: +${at15(r.proxied.perCollectionMs)}% of a core through the proxy, +${at15(r.direct.perCollectionMs)}% direct`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
