// The four node conditions a kubelet owns (upstream's pkg/kubelet/nodestatus setters: MemoryPressureCondition,
// DiskPressureCondition, PIDPressureCondition, ReadyCondition), with upstream's reasons and messages. Shared by the
// real kubelet and the simulated ones.
import type { NodeCondition } from 'kubernetes-types/core/v1.js';

/** metav1.Time's JSON form: RFC 3339 in UTC, whole seconds. */
export function formatTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export const KUBELET_NODE_CONDITIONS = ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'] as const;

export interface NodeHealth {
  memoryPressure?: boolean;
  diskPressure?: boolean;
  pidPressure?: boolean;
  /** Why the node is not ready (e.g. "container runtime is down"); undefined when ready. */
  notReadyMessage?: string;
}

/** The kubelet-owned conditions, keeping lastTransitionTime where a condition's status did not change. */
export function kubeletConditions(nowMs: number, previous: readonly NodeCondition[] = [], health: NodeHealth = {}): NodeCondition[] {
  const now = formatTime(nowMs);
  const make = (type: string, status: string, reason: string, message: string): NodeCondition => {
    const old = previous.find((c) => c.type === type);
    return { type, status, reason, message, lastHeartbeatTime: now, lastTransitionTime: old?.status === status && old.lastTransitionTime ? old.lastTransitionTime : now };
  };
  return [
    health.memoryPressure
      ? make('MemoryPressure', 'True', 'KubeletHasInsufficientMemory', 'kubelet has insufficient memory available')
      : make('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    health.diskPressure
      ? make('DiskPressure', 'True', 'KubeletHasDiskPressure', 'kubelet has disk pressure')
      : make('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    health.pidPressure
      ? make('PIDPressure', 'True', 'KubeletHasInsufficientPID', 'kubelet has insufficient PID available')
      : make('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    health.notReadyMessage
      ? make('Ready', 'False', 'KubeletNotReady', health.notReadyMessage)
      : make('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
  ];
}

/** The kubelet's conditions followed by the ones others own (NetworkUnavailable, ...), which are kept as they are. */
export function withForeignConditions(kubelet: NodeCondition[], current: readonly NodeCondition[] = []): NodeCondition[] {
  const mine = new Set(kubelet.map((c) => c.type));
  return [...kubelet, ...current.filter((c) => !mine.has(c.type))];
}

/**
 * When the node's status must be posted again (upstream's nodeStatusReportFrequency logic): now when this process has
 * not posted it yet, when Ready is not True (someone — the node lifecycle controller — changed it), or when the
 * last heartbeat is reportIntervalMs old; otherwise the number of ms until it will be.
 */
export function nodeStatusDueInMs(current: readonly NodeCondition[], nowMs: number, reportIntervalMs: number, posted: boolean): number {
  const ready = current.find((c) => c.type === 'Ready');
  const age = nowMs - (Date.parse(ready?.lastHeartbeatTime ?? '') || 0);
  if (posted && ready?.status === 'True' && age >= 0 && age < reportIntervalMs) return reportIntervalMs - age;
  return 0;
}

/** Upstream's event reason for a kubelet condition now at `status` (recordNodeStatusEvent in the nodestatus setters). */
const CONDITION_EVENTS: Record<string, Record<string, string>> = {
  MemoryPressure: { True: 'NodeHasInsufficientMemory', False: 'NodeHasSufficientMemory' },
  DiskPressure: { True: 'NodeHasDiskPressure', False: 'NodeHasNoDiskPressure' },
  PIDPressure: { True: 'NodeHasInsufficientPID', False: 'NodeHasSufficientPID' },
  Ready: { True: 'NodeReady', False: 'NodeNotReady' },
};

/**
 * The events a kubelet records when it posts `next` over `previous` (absent conditions count as Unknown): one per
 * kubelet condition whose status changed, as upstream's setters do ("Node <name> status is now: NodeReady").
 */
export function conditionEvents(previous: readonly NodeCondition[], next: readonly NodeCondition[]): string[] {
  const out: string[] = [];
  for (const type of KUBELET_NODE_CONDITIONS) {
    const now = next.find((c) => c.type === type)?.status;
    const before = previous.find((c) => c.type === type)?.status ?? 'Unknown';
    const reason = now && now !== before ? CONDITION_EVENTS[type]?.[now] : undefined;
    if (reason) out.push(reason);
  }
  return out;
}
