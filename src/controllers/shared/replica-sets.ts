// ReplicaSet list helpers from controller_utils.go shared by the ReplicaSet and Deployment controllers.
import type { ReplicaSet } from './types.js';
import { parseTime } from './time.js';

export const specReplicas = (rs: ReplicaSet): number => rs.spec?.replicas ?? 1;

/** FilterActiveReplicaSets: non-nil with spec.replicas > 0. */
export function filterActiveReplicaSets(list: readonly (ReplicaSet | undefined)[]): ReplicaSet[] {
  return list.filter((rs): rs is ReplicaSet => !!rs && specReplicas(rs) > 0);
}

/** ReplicaSetsByCreationTimestamp.Less: older first, then by name. */
export function byCreationTimestamp(a: ReplicaSet, b: ReplicaSet): number {
  const ta = parseTime(a.metadata?.creationTimestamp) ?? 0, tb = parseTime(b.metadata?.creationTimestamp) ?? 0;
  if (ta === tb) return (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : (a.metadata?.name ?? '') > (b.metadata?.name ?? '') ? 1 : 0;
  return ta - tb;
}

/** ReplicaSetsBySizeOlder: larger first; equal sizes older first (scale-down order). */
export function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  if (specReplicas(a) === specReplicas(b)) return byCreationTimestamp(a, b);
  return specReplicas(b) - specReplicas(a);
}

/** ReplicaSetsBySizeNewer: larger first; equal sizes newer first (scale-up order). */
export function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  if (specReplicas(a) === specReplicas(b)) return byCreationTimestamp(b, a);
  return specReplicas(b) - specReplicas(a);
}
