// Which pods a ReplicaSet deletes first when scaling down: controller.ActivePodsWithRanks with upstream's default
// feature gates (PodDeletionCost and LogarithmicScaleDown on). Earlier in the order = deleted first:
//   1. unassigned < assigned
//   2. Pending < Unknown < Running
//   3. not ready < ready
//   4. lower controller.kubernetes.io/pod-deletion-cost < higher
//   5. more related active pods on the same node (doubled up) < fewer
//   6. ready for a shorter time < longer (compared on a log2 scale of age; ties broken by UID)
//   7. higher container restart count < lower
//   8. newer < older (log2 scale, ties by UID); missing creation time first
import type { Pod } from './types.js';
import { isPodReady, podReadyTime } from './pod-util.js';
import { parseTime } from './time.js';

export const podDeletionCostAnnotation = 'controller.kubernetes.io/pod-deletion-cost';

const phaseOrdinal: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/** helper.GetDeletionCostFromPodAnnotations; an absent or invalid value counts as 0. */
export function podDeletionCost(p: Pod): number {
  const v = p.metadata?.annotations?.[podDeletionCostAnnotation];
  if (v === undefined || !/^[+-]?\d+$/.test(v.trim())) return 0;
  const n = Number(v.trim());
  return n >= -2147483648 && n <= 2147483647 ? n : 0;
}

/** afterOrZero: a zero time sorts first; otherwise the later time first. */
function afterOrZero(t1: number | undefined, t2: number | undefined): boolean {
  if (t1 === undefined || t2 === undefined) return t1 === undefined;
  return t1 > t2;
}

/** int(log2(now - t)) in nanoseconds, -1 for a non-positive age. */
function logRank(t: number, now: number): number {
  const d = (now - t) * 1e6;
  return d > 0 ? Math.floor(Math.log2(d)) : -1;
}

function maxRestarts(p: Pod): { regular: number; sidecar: number } {
  let regular = 0, sidecar = 0;
  for (const s of p.status?.containerStatuses ?? []) regular = Math.max(regular, s.restartCount ?? 0);
  const sidecars = new Set((p.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
  for (const s of p.status?.initContainerStatuses ?? []) if (sidecars.has(s.name)) sidecar = Math.max(sidecar, s.restartCount ?? 0);
  return { regular, sidecar };
}

const uidLess = (a: Pod, b: Pod) => (a.metadata?.uid ?? '') < (b.metadata?.uid ?? '');

/** ActivePodsWithRanks.Less. `rank` is the number of related active pods on the pod's node. */
export function lessActivePod(a: Pod, ra: number, b: Pod, rb: number, nowMs: number): boolean {
  const na = a.spec?.nodeName ?? '', nb = b.spec?.nodeName ?? '';
  if (na !== nb && (na === '' || nb === '')) return na === '';
  const pa = phaseOrdinal[a.status?.phase ?? ''] ?? 0, pb = phaseOrdinal[b.status?.phase ?? ''] ?? 0;
  if (pa !== pb) return pa < pb;
  const reA = isPodReady(a), reB = isPodReady(b);
  if (reA !== reB) return !reA;
  const ca = podDeletionCost(a), cb = podDeletionCost(b);
  if (ca !== cb) return ca < cb;
  if (ra !== rb) return ra > rb;
  if (reA && reB) {
    const t1 = podReadyTime(a), t2 = podReadyTime(b);
    if (t1 !== t2) {
      if (t1 === undefined || t2 === undefined) return afterOrZero(t1, t2);
      const diff = logRank(t1, nowMs) - logRank(t2, nowMs);
      if (diff === 0) return uidLess(a, b);
      return diff < 0;
    }
  }
  const xa = maxRestarts(a), xb = maxRestarts(b);
  if (xa.regular !== xb.regular) return xa.regular > xb.regular;
  if (xa.sidecar !== xb.sidecar) return xa.sidecar > xb.sidecar;
  const c1 = parseTime(a.metadata?.creationTimestamp), c2 = parseTime(b.metadata?.creationTimestamp);
  if (c1 !== c2) {
    if (c1 === undefined || c2 === undefined) return afterOrZero(c1, c2);
    const diff = logRank(c1, nowMs) - logRank(c2, nowMs);
    if (diff === 0) return uidLess(a, b);
    return diff < 0;
  }
  return false;
}

/**
 * The pods in deletion order (first = deleted first). relatedPods are the pods of every ReplicaSet with the same
 * controller (a Deployment's other ReplicaSets), used to prefer pods on crowded nodes.
 */
export function rankPodsForDeletion(pods: readonly Pod[], relatedPods: readonly Pod[], nowMs: number, isActive: (p: Pod) => boolean): Pod[] {
  const onNode = new Map<string, number>();
  for (const p of relatedPods) if (isActive(p)) onNode.set(p.spec?.nodeName ?? '', (onNode.get(p.spec?.nodeName ?? '') ?? 0) + 1);
  const ranked = pods.map((p) => ({ p, r: onNode.get(p.spec?.nodeName ?? '') ?? 0 }));
  ranked.sort((x, y) => (lessActivePod(x.p, x.r, y.p, y.r, nowMs) ? -1 : lessActivePod(y.p, y.r, x.p, x.r, nowMs) ? 1 : 0));
  return ranked.map((x) => x.p);
}
