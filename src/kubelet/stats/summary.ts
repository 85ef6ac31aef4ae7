// The kubelet's Summary API (upstream k8s.io/kubelet/pkg/apis/stats/v1alpha1), trimmed to CPU and memory: what
// GET /stats/summary answers and what the metrics server reads. Field names and units are upstream's.

export interface CPUStats {
  /** RFC 3339 time the figures were read. */
  time: string;
  /** Average use over the last sampling interval, in nanocores (1e9 = one core busy). */
  usageNanoCores?: number;
  /** Cumulative CPU time, all cores, in nanoseconds. */
  usageCoreNanoSeconds?: number;
}

export interface MemoryStats {
  time: string;
  availableBytes?: number;
  usageBytes?: number;
  workingSetBytes?: number;
  rssBytes?: number;
}

export interface ContainerStatsSummary { name: string; startTime: string; cpu?: CPUStats; memory?: MemoryStats }

export interface PodStats {
  podRef: { name: string; namespace: string; uid: string };
  startTime: string;
  containers: ContainerStatsSummary[];
  cpu?: CPUStats;
  memory?: MemoryStats;
}

export interface NodeStats { nodeName: string; startTime: string; cpu?: CPUStats; memory?: MemoryStats }

export interface Summary { node: NodeStats; pods: PodStats[] }

/** A pod's CPU and memory as the sum of its containers' (what the kubelet reports when the pod cgroup is not read). */
export function sumContainers(containers: ContainerStatsSummary[], time: string): { cpu: CPUStats; memory: MemoryStats } {
  const cpu: CPUStats = { time, usageNanoCores: 0, usageCoreNanoSeconds: 0 };
  const memory: MemoryStats = { time, usageBytes: 0, workingSetBytes: 0 };
  for (const c of containers) {
    cpu.usageNanoCores! += c.cpu?.usageNanoCores ?? 0;
    cpu.usageCoreNanoSeconds! += c.cpu?.usageCoreNanoSeconds ?? 0;
    memory.usageBytes! += c.memory?.usageBytes ?? 0;
    memory.workingSetBytes! += c.memory?.workingSetBytes ?? 0;
  }
  return { cpu, memory };
}
