// Pod state predicates shared by the workload controllers (k8s.io/kubernetes/pkg/api/v1/pod and controller_utils).
import type { Pod } from './types.js';
import { parseTime } from './time.js';
import { isPodReady, podReadyCondition as getPodReadyCondition } from '../../api/pod.js';

/** controller.IsPodActive: not Succeeded, not Failed, and not being deleted. */
export function isPodActive(p: Pod): boolean {
  return p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed' && !p.metadata?.deletionTimestamp;
}

export { podReadyCondition as getPodReadyCondition, isPodReady } from '../../api/pod.js';

/**
 * podutil.IsPodAvailable: ready, and ready for at least minReadySeconds (strictly: lastTransitionTime + minReadySeconds
 * is before now). With minReadySeconds 0 every ready pod is available.
 */
export function isPodAvailable(p: Pod, minReadySeconds: number, nowMs: number): boolean {
  if (!isPodReady(p)) return false;
  if (!minReadySeconds) return true;
  const since = parseTime(getPodReadyCondition(p)?.lastTransitionTime);
  return since !== undefined && since + minReadySeconds * 1000 < nowMs;
}

/** When the pod became ready; undefined (Go's zero time) when it is not ready or the time is unknown. */
export function podReadyTime(p: Pod): number | undefined {
  if (!isPodReady(p)) return undefined;
  return parseTime(getPodReadyCondition(p)?.lastTransitionTime);
}

/** The `namespace/name` key expectations track deletions by (controller.PodKey). */
export const podKey = (p: Pod): string => `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;
