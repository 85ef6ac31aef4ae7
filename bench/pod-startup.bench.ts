// Pod startup latency as the Kubernetes SLO defines it: from a pod's create to the pod seen Running and Ready
// through a watch, for 50 pods created at 20 pods/s on the real node (the whole control plane, scheduler,
// controllers and the kubelet with the sandbox runtime in this process). Each pod runs python3's http.server on
// 5000 with a tcpSocket readiness probe, so Ready means it accepts connections. Baseline in the same run
// (bench/pod-startup-baseline.ts): the same program in the same kind of sandbox started directly through the
// runtime (runc + CNI, no API, scheduler or kubelet), ready when a TCP connect succeeds. Also: this process's RSS
// with the 50 pods running, and right after the node became Ready (idle).
//   node dist/bench/pod-startup.bench.js [pods=50] [podsPerSecond=20] [workloads=pause,http]
//   NANOKUBE_BENCH_PROFILE=FILE also writes a CPU profile of the measured window (see startProfile).
import fs from 'node:fs';
import inspector from 'node:inspector/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startCluster } from '../src/cmd/cluster.js';
import { resources } from '../src/api/resources.js';
import { measurePodStartupBaseline, percentile } from './pod-startup-baseline.js';

function rssMb(): number { return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))![1]) / 1024; }

const isReady = (p: any) => p?.status?.phase === 'Running' && (p.status.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');

/**
 * The pod each sample creates. 'pause' is the SLO's own workload (clusterloader2's density test runs the pause
 * container, and the SLO counts "all containers reported started and observed via watch"): a program that only
 * sleeps, no probe, so Ready follows the container's start. 'http' is stricter: python3's http.server with a
 * tcpSocket readiness probe (period 1 s), so Ready means it accepts connections.
 */
export type StartupWorkload = 'pause' | 'http';

function podSpec(workload: StartupWorkload): Record<string, unknown> {
  if (workload === 'pause') {
    return { terminationGracePeriodSeconds: 1, containers: [{ name: 'pause', image: 'python:3.11-slim', command: ['sleep', 'infinity'] }] };
  }
  return {
    terminationGracePeriodSeconds: 1,
    containers: [{
      name: 'web', image: 'python:3.11-slim', command: ['python3', '-m', 'http.server', '5000', '--bind', '0.0.0.0'],
      readinessProbe: { tcpSocket: { port: 5000 }, periodSeconds: 1, initialDelaySeconds: 0 },
    }],
  };
}

/**
 * With NANOKUBE_BENCH_PROFILE=FILE set, a CPU profile of this process over the measured window only (from the first
 * create to the last pod Ready), written to FILE for Chrome DevTools: setup, warm-up and teardown left out.
 */
async function startProfile(): Promise<{ stop(): Promise<void> } | undefined> {
  const file = process.env.NANOKUBE_BENCH_PROFILE;
  if (!file) return undefined;
  const session = new inspector.Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      fs.writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

export async function benchPodStartup(opts: { pods: number; podsPerSecond: number; workload?: StartupWorkload }) {
  const second = 160 + Math.floor(Math.random() * 64);
  const t0 = performance.now();
  const plane = await startCluster({ node: true, clusterCIDR: `10.${second}.0.0/16` });
  try {
    const client = plane.httpsClient();
    const node = await plane.node();
    if (!node) throw new Error('the node did not start; see the server log');
    await node.kubelet.ready;
    const readyMs = performance.now() - t0;
    (globalThis as any).gc?.();
    const idleRss = rssMb();

    // The image is on the node before the clock starts, as the SLO excludes pulling (clusterloader2 pre-pulls):
    // one pod of the same image runs to Ready and goes (the first use of a well-known base image builds its layer).
    await client.create(resources.pods, 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'warm-up' }, spec: podSpec(opts.workload ?? 'pause') } as any);
    for (let i = 0; i < 600 && !isReady(await client.get(resources.pods, 'default', 'warm-up')); i++) await new Promise((r) => setTimeout(r, 100));
    await client.delete(resources.pods, 'default', 'warm-up').catch(() => undefined);
    // Its teardown (CNI DEL, unmounts, file removal) done before the clock starts, not inside the measured window.
    for (let i = 0; i < 300; i++) {
      if (!await client.get(resources.pods, 'default', 'warm-up').then(() => true, () => false)) break;
      await new Promise((r) => setTimeout(r, 100));
    }

    const list = await client.list(resources.pods, { namespace: 'default' });
    const created = new Map<string, number>();
    const readyAt = new Map<string, number>();
    const stop = new AbortController();
    let allReady!: () => void;
    const done = new Promise<void>((r) => { allReady = r; });
    const watching = (async () => {
      for await (const ev of client.watchEvents(resources.pods, { namespace: 'default', resourceVersion: list.metadata?.resourceVersion }, stop.signal)) {
        const p = ev.object as any;
        const name = p?.metadata?.name;
        if (!name || readyAt.has(name) || !isReady(p)) continue;
        readyAt.set(name, performance.now());
        if (readyAt.size === opts.pods) allReady();
      }
    })().catch(() => undefined);

    const profile = await startProfile();
    const start = performance.now();
    const cpu0 = process.cpuUsage();
    await Promise.all(Array.from({ length: opts.pods }, async (_, i) => {
      const due = start + (i * 1000) / opts.podsPerSecond;
      await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
      const name = `startup-${i}`;
      created.set(name, performance.now());
      await client.create(resources.pods, 'default', {
        apiVersion: 'v1', kind: 'Pod', metadata: { name },
        spec: podSpec(opts.workload ?? 'pause'),
      } as any);
    }));
    const timeout = setTimeout(() => allReady(), 120_000);
    await done;
    clearTimeout(timeout);
    const cpu = process.cpuUsage(cpu0);
    await profile?.stop();
    (globalThis as any).gc?.();
    const busyRss = rssMb();
    stop.abort();
    await watching;
    const latencies = [...created].filter(([n]) => readyAt.has(n)).map(([n, at]) => readyAt.get(n)! - at).sort((a, b) => a - b);
    // This process's CPU time (all its threads) over the window, per pod: the control plane's and the kubelet's share
    // of a pod start (the runtime's helper programs, runc and the CNI plugins, run in processes of their own).
    const cpuMsPerPod = (cpu.user + cpu.system) / 1000 / opts.pods;
    return { readyMs, idleRss, busyRss, cpuMsPerPod, ready: latencies.length, p50: percentile(latencies, 50), p99: percentile(latencies, 99), mode: node.runtime.mode };
  } finally {
    await plane.close();
  }
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const pods = Number(argv[0] ?? 50);
  const rate = Number(argv[1] ?? 20);
  const workloads = (argv[2] ?? 'pause,http').split(',') as StartupWorkload[];
  for (const workload of workloads) {
    const base = workload === 'pause'
      ? await measurePodStartupBaseline({ pods, podsPerSecond: rate, argv: ['sleep', 'infinity'], readyPort: 0 })
      : await measurePodStartupBaseline({ pods, podsPerSecond: rate });
    const r = await benchPodStartup({ pods, podsPerSecond: rate, workload });
    const what = workload === 'pause'
      ? 'a sleeping container, no probe (the SLO\'s pause workload): create → Running and Ready seen through a watch'
      : 'python3 http.server with a tcpSocket readiness probe (period 1 s): create → Ready seen through a watch';
    console.log(`pod startup (${r.mode}, ${pods} pods at ${rate}/s, ${what}): ` +
      `p50 ${r.p50.toFixed(0)} ms, p99 ${r.p99.toFixed(0)} ms (${r.ready}/${pods} Ready) | baseline, same program started directly through the runtime (${base.mode}): ` +
      `p50 ${base.p50Ms.toFixed(0)} ms, p99 ${base.p99Ms.toFixed(0)} ms | p99 ratio ${(r.p99 / base.p99Ms).toFixed(2)}x`);
    console.log(`node Ready ${(r.readyMs / 1000).toFixed(2)} s after start | process RSS ${r.idleRss.toFixed(0)} MB idle with the node, ${r.busyRss.toFixed(0)} MB with ${r.ready} pods running | nanokube's own CPU ${r.cpuMsPerPod.toFixed(1)} ms per pod started`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
