// The real kubelet's stats (upstream's pkg/kubelet/stats, CRI stats provider): each running container's CPU and
// memory from the runtime (cgroups under runc, /proc in process mode), grouped into pods by their sandbox, and the
// node's from /proc. Rates come from the difference to the previous read (rate.ts), so the first read after a
// container starts carries cumulative figures only.
import os from 'node:os';
import type { RuntimeService } from '../runtime/runtime.js';
import { nodeCpuUsageNs, nodeMemory } from '../runtime/sandbox/proc-stats.js';
import { CpuRates } from './rate.js';
import { sumContainers, type ContainerStatsSummary, type PodStats, type Summary } from './summary.js';

export interface StatsProviderOptions {
  nodeName: string;
  runtime: Pick<RuntimeService, 'listContainerStats' | 'listPodSandbox' | 'listContainers'>;
}

const rfc3339 = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export class StatsProvider {
  private readonly rates = new CpuRates();
  private readonly bootTime = rfc3339(Date.now() - os.uptime() * 1000);

  constructor(private readonly opts: StatsProviderOptions) {}

  async summary(): Promise<Summary> {
    const nowMs = Date.now();
    const time = rfc3339(nowMs);
    const [stats, sandboxes, containers] = await Promise.all([
      this.opts.runtime.listContainerStats?.() ?? Promise.resolve([]),
      this.opts.runtime.listPodSandbox({ state: 'SANDBOX_READY' }),
      this.opts.runtime.listContainers({ state: 'CONTAINER_RUNNING' }),
    ]);
    const startedAt = new Map(containers.map((c) => [c.id, c.startedAt]));
    const live = new Set<string>(['node']);
    const pods = new Map<string, PodStats>();
    for (const sb of sandboxes) {
      pods.set(sb.id, { podRef: { name: sb.metadata.name, namespace: sb.metadata.namespace, uid: sb.metadata.uid },
        startTime: rfc3339(sb.createdAt / 1e6), containers: [] });
    }
    for (const s of stats) {
      const pod = pods.get(s.podSandboxId);
      if (!pod) continue;
      live.add(s.containerId);
      const ts = rfc3339(s.timestamp / 1e6);
      const c: ContainerStatsSummary = {
        name: s.name, startTime: rfc3339((startedAt.get(s.containerId) ?? s.timestamp) / 1e6),
        cpu: { time: ts, usageCoreNanoSeconds: s.usageCoreNanoSeconds, usageNanoCores: this.rates.observe(s.containerId, s.timestamp, s.usageCoreNanoSeconds) },
        memory: { time: ts, usageBytes: s.usageBytes, workingSetBytes: s.workingSetBytes },
      };
      pod.containers.push(c);
    }
    const podStats = [...pods.values()].filter((p) => p.containers.length > 0);
    for (const p of podStats) Object.assign(p, sumContainers(p.containers, time));

    const cpuNs = nodeCpuUsageNs();
    const mem = nodeMemory();
    const usageNanoCores = this.rates.observe('node', nowMs * 1e6, cpuNs);
    this.rates.retain(live);
    return {
      node: {
        nodeName: this.opts.nodeName, startTime: this.bootTime,
        cpu: { time, usageCoreNanoSeconds: cpuNs, ...(usageNanoCores !== undefined ? { usageNanoCores } : {}) },
        memory: { time, availableBytes: mem.availableBytes, usageBytes: mem.totalBytes - mem.freeBytes, workingSetBytes: mem.totalBytes - mem.availableBytes },
      },
      pods: podStats,
    };
  }
}
