// The baseline for the pod startup benchmark: the time to start the same program in the same kind of sandbox
// directly, without nanokube's API, scheduler or kubelet: the sandbox runtime's runPodSandbox (holder + CNI ADD),
// createContainer (overlay + OCI bundle) and startContainer (runc run), then the program's readiness as seen
// from the node (a TCP connect to podIP:port succeeding, or the container running when no port is given).
// Pods are started at a fixed rate (the SLO benchmark's 20 pods/s) and each latency runs from its own start.
// The pod-startup benchmark imports measurePodStartupBaseline; run alone:
//   node dist/bench/pod-startup-baseline.js [pods=50] [podsPerSecond=20]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ImageStoreReader, ResolvedImage } from '../src/images/index.js';
import { createSandboxRuntime } from '../src/kubelet/index.js';
import type { ContainerConfig, PodSandboxConfig } from '../src/kubelet/index.js';

/**
 * Removes the baseline's home. A pod network namespace file the runtime's lazy unmount has not released yet (EBUSY,
 * on a loaded machine) is unmounted again and the removal retried, so no mount outlives the benchmark.
 */
function removeHome(home: string): void {
  for (let attempt = 0; ; attempt++) {
    try { fs.rmSync(home, { recursive: true, force: true }); return; } catch (e) {
      const busy = (e as NodeJS.ErrnoException).code === 'EBUSY' ? (e as NodeJS.ErrnoException).path : undefined;
      if (!busy || attempt >= 5) { console.error(`pod startup baseline: could not remove ${home}: ${(e as Error).message}`); return; }
      try { execFileSync('umount', ['-l', busy], { stdio: 'ignore' }); } catch { /* not a mount point any more */ }
    }
  }
}

/** The host's root filesystem as an image (what well-known base images resolve to in nanokube's store). */
function hostRootImages(): ImageStoreReader {
  const img: ResolvedImage = { id: `sha256:${'0'.repeat(64)}`, repoTags: ['host-root'], repoDigests: [], size: 0, config: {}, layers: ['/'] };
  return { resolve: async (ref) => (ref === 'host-root' ? img : null), list: async () => [img], remove: async () => undefined };
}

function sandboxConfig(name: string, logDirectory: string): PodSandboxConfig {
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}`, attempt: 0 }, hostname: name, logDirectory, portMappings: [],
    labels: {}, annotations: {}, namespaceOptions: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' },
  };
}

function containerConfig(name: string, image: string, argv: string[], envs: ContainerConfig['envs']): ContainerConfig {
  return { metadata: { name, attempt: 0 }, image: { image }, command: argv, args: [], envs, mounts: [], logPath: `${name}/0.log`, labels: {}, annotations: {} };
}

export interface PodStartupBaselineOptions {
  /** A NANOKUBE_HOME for the runtime's state (a temp folder of its own by default; removed afterwards then). */
  home?: string;
  /** Image store and image to run; default: the host root filesystem as the image. */
  images?: ImageStoreReader;
  image?: string;
  /** The program; default: a python3 HTTP server on readyPort. */
  argv?: string[];
  env?: Array<{ key: string; value: string }>;
  /** Port whose accepting connections means ready; 0 = ready when the container runs. Default 5000. */
  readyPort?: number;
  pods?: number;
  podsPerSecond?: number;
  /** Pod subnet for the runtime's bridge (must not clash with a running cluster's). */
  podCIDR?: string;
  mode?: 'runc' | 'process';
}

export interface PodStartupBaselineResult {
  mode: 'runc' | 'process';
  pods: number;
  latenciesMs: number[];
  p50Ms: number;
  p99Ms: number;
  /** Sum of the runtime calls alone (sandbox, create, start) per pod, median. */
  p50RuntimeCallsMs: number;
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

export async function measurePodStartupBaseline(opts: PodStartupBaselineOptions = {}): Promise<PodStartupBaselineResult> {
  const ownHome = !opts.home;
  const home = opts.home ?? fs.mkdtempSync(path.join(os.tmpdir(), 'nanokube-bench-baseline-'));
  const images = opts.images ?? hostRootImages();
  const image = opts.image ?? 'host-root';
  const port = opts.readyPort ?? 5000;
  const argv = opts.argv ?? ['python3', '-m', 'http.server', String(port), '--bind', '0.0.0.0'];
  const pods = opts.pods ?? 50;
  const rate = opts.podsPerSecond ?? 20;
  const rt = await createSandboxRuntime({
    home, images, podCIDR: opts.podCIDR ?? `10.${250 + Math.floor(Math.random() * 5)}.${Math.floor(Math.random() * 256)}.0/24`,
    log: () => undefined, mode: opts.mode,
  });
  const latencies: number[] = [];
  const calls: number[] = [];
  try {
    // One unmeasured pod first, as the nanokube side starts and removes one: what only the first container pays
    // (the host root view's mount, the bridge's first port) is left out of both.
    {
      const sconf = sandboxConfig('warm-up', path.join(home, 'logs', 'default_warm-up'));
      const sb = await rt.runPodSandbox(sconf);
      try {
        await rt.startContainer(await rt.createContainer(sb, containerConfig('app', image, argv, opts.env ?? []), sconf));
      } finally {
        await rt.stopPodSandbox(sb).catch(() => undefined);
        await rt.removePodSandbox(sb).catch(() => undefined);
      }
    }
    const t0 = performance.now();
    // Every start settles before the runtime shuts down (one failing must not leave others mid-start behind it).
    const settled = await Promise.allSettled(Array.from({ length: pods }, async (_, i) => {
      const due = t0 + (i * 1000) / rate;
      await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
      const start = performance.now();
      const name = `baseline-${i}`;
      const sconf = sandboxConfig(name, path.join(home, 'logs', `default_${name}`));
      const sb = await rt.runPodSandbox(sconf);
      const cid = await rt.createContainer(sb, containerConfig('app', image, argv, opts.env ?? []), sconf);
      await rt.startContainer(cid);
      calls.push(performance.now() - start);
      if (port > 0) {
        const ip = (await rt.podSandboxStatus(sb)).network.ip || '127.0.0.1';
        while (!(await connects(ip, port))) {
          if ((await rt.containerStatus(cid)).state !== 'CONTAINER_RUNNING') throw new Error(`baseline pod ${name} exited before it was ready`);
          await new Promise((r) => setTimeout(r, 10));
        }
      }
      latencies.push(performance.now() - start);
    }));
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  } finally {
    await rt.shutdown();
    if (ownHome) removeHome(home);
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    mode: rt.mode, pods, latenciesMs: latencies,
    p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99),
    p50RuntimeCallsMs: percentile([...calls].sort((a, b) => a - b), 50),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const pods = Number(process.argv[2] ?? 50);
  const rate = Number(process.argv[3] ?? 20);
  // Process mode shares the host network: one pod only can listen on the port there.
  const r = await measurePodStartupBaseline({ pods, podsPerSecond: rate });
  console.log(`pod startup baseline (${r.mode}, ${r.pods} pods at ${rate}/s, python3 http.server ready on :5000): ` +
    `p50 ${r.p50Ms.toFixed(0)} ms, p99 ${r.p99Ms.toFixed(0)} ms (runtime calls alone p50 ${r.p50RuntimeCallsMs.toFixed(0)} ms)`);
}
