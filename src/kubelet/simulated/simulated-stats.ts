// Synthetic but plausible CPU and memory for simulated nodes' pods, in the Summary API's shape, so `kubectl top`
// and the HorizontalPodAutoscaler work on clusters of simulated nodes. Each container uses a share of its
// request that drifts slowly and differs per pod (a deterministic function of the pod's uid and the time, so
// figures are stable between reads a second apart); without a request it uses a few millicores and tens of MiB.
// A pod can set its usage: the annotations nanokube.io/simulated-cpu-usage ("250m") and
// nanokube.io/simulated-memory-usage ("100Mi") are spread evenly over its containers; tests and learners drive
// an autoscaler with them.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { quantityNumber } from '../../api/quantity.js';
import { sumContainers, type ContainerStatsSummary, type PodStats, type Summary } from '../stats/summary.js';

export const SIMULATED_CPU_USAGE_ANNOTATION = 'nanokube.io/simulated-cpu-usage';
export const SIMULATED_MEMORY_USAGE_ANNOTATION = 'nanokube.io/simulated-memory-usage';

/** Node overhead besides pods: the system's own use. */
const NODE_BASE_NANOCORES = 150e6;
const NODE_BASE_MEMORY = 768 * 2 ** 20;

/** RFC 3339 to the second; the last answer is remembered (one scrape formats the same instant for every node and pod). */
let lastSecond = NaN;
let lastText = '';
function rfc3339(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) { lastText = new Date(second * 1000).toISOString().replace('.000Z', 'Z'); lastSecond = second; }
  return lastText;
}

/** A number in [0, 1) from a string (FNV-1a). */
function unit(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193); }
  return (h >>> 0) / 2 ** 32;
}

/** A slow wave in [0, 1): a period of 5 minutes, phase per pod. */
const drift = (seed: number, nowMs: number) => 0.5 + 0.5 * Math.sin(2 * Math.PI * (nowMs / 300_000 + seed));

function annotated(pod: Pod, key: string): number | undefined {
  const v = pod.metadata?.annotations?.[key];
  if (v === undefined) return undefined;
  const n = quantityNumber(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

export function simulatedPodStats(pod: Pod, nowMs: number): PodStats {
  const uid = pod.metadata?.uid ?? pod.metadata?.name ?? '';
  const time = rfc3339(nowMs);
  const startMs = Date.parse(pod.status?.startTime ?? '') || nowMs;
  const running = new Set((pod.status?.containerStatuses ?? []).filter((s) => s.state?.running).map((s) => s.name));
  const containers = (pod.spec?.containers ?? []).filter((c) => running.size === 0 || running.has(c.name));
  const n = Math.max(1, containers.length);
  const cpuOverride = annotated(pod, SIMULATED_CPU_USAGE_ANNOTATION);
  const memOverride = annotated(pod, SIMULATED_MEMORY_USAGE_ANNOTATION);
  const stats: ContainerStatsSummary[] = containers.map((c) => {
    const seed = unit(`${uid}/${c.name}`);
    const cpuRequest = quantityNumber(c.resources?.requests?.cpu ?? c.resources?.limits?.cpu);
    const memRequest = quantityNumber(c.resources?.requests?.memory ?? c.resources?.limits?.memory);
    const cores = cpuOverride !== undefined ? cpuOverride / n
      : Number.isFinite(cpuRequest) && cpuRequest > 0 ? cpuRequest * (0.2 + 0.3 * drift(seed, nowMs)) : 0.002 + 0.008 * drift(seed, nowMs);
    // Whole pages, as the kernel counts memory.
    const memory = 4096 * Math.round((memOverride !== undefined ? memOverride / n
      : Number.isFinite(memRequest) && memRequest > 0 ? memRequest * (0.5 + 0.2 * seed) : (16 + 32 * seed) * 2 ** 20) / 4096);
    const nanoCores = Math.round(cores * 1e9);
    const cumulative = Math.round(nanoCores * Math.max(0, (nowMs - startMs) / 1000));
    return {
      name: c.name, startTime: rfc3339(startMs),
      cpu: { time, usageNanoCores: nanoCores, usageCoreNanoSeconds: cumulative },
      memory: { time, usageBytes: memory, workingSetBytes: memory },
    };
  });
  return {
    podRef: { name: pod.metadata?.name ?? '', namespace: pod.metadata?.namespace ?? '', uid },
    startTime: rfc3339(startMs), containers: stats, ...sumContainers(stats, time),
  };
}

/** The Summary of one simulated node: its running pods and the node as their sum plus a system share. */
export function simulatedSummary(nodeName: string, nodeStartMs: number, pods: Pod[], nowMs: number, allocatableMemory: number): Summary {
  const podStats = pods.filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp).map((p) => simulatedPodStats(p, nowMs));
  const time = rfc3339(nowMs);
  const nanoCores = NODE_BASE_NANOCORES + podStats.reduce((a, p) => a + (p.cpu?.usageNanoCores ?? 0), 0);
  const workingSet = NODE_BASE_MEMORY + podStats.reduce((a, p) => a + (p.memory?.workingSetBytes ?? 0), 0);
  const uptimeS = Math.max(0, (nowMs - nodeStartMs) / 1000);
  return {
    node: {
      nodeName, startTime: rfc3339(nodeStartMs),
      cpu: { time, usageNanoCores: nanoCores, usageCoreNanoSeconds: Math.round(nanoCores * uptimeS) },
      memory: { time, workingSetBytes: workingSet, usageBytes: workingSet, ...(allocatableMemory > 0 ? { availableBytes: Math.max(0, allocatableMemory - workingSet) } : {}) },
    },
    pods: podStats,
  };
}
