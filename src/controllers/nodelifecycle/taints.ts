// Taints and tolerations as the node lifecycle controller and the taint-eviction manager use them
// (upstream's v1 helper ToleratesTaint, GetMatchingTolerations, getMinTolerationTime; the taints the node
// lifecycle controller derives from node conditions; the DefaultTolerationSeconds admission defaults).
import type { KubeObject } from '../../api/object.js';

export interface Taint { key: string; value?: string; effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute'; timeAdded?: string }
export interface Toleration { key?: string; operator?: 'Exists' | 'Equal'; value?: string; effect?: string; tolerationSeconds?: number }

export const taintNotReady = 'node.kubernetes.io/not-ready';
export const taintUnreachable = 'node.kubernetes.io/unreachable';
export const taintUnschedulable = 'node.kubernetes.io/unschedulable';

/** Condition type and status → the NoSchedule taint it implies. */
const conditionTaints: { type: string; status: string; key: string }[] = [
  { type: 'Ready', status: 'False', key: taintNotReady },
  { type: 'Ready', status: 'Unknown', key: taintUnreachable },
  { type: 'MemoryPressure', status: 'True', key: 'node.kubernetes.io/memory-pressure' },
  { type: 'DiskPressure', status: 'True', key: 'node.kubernetes.io/disk-pressure' },
  { type: 'NetworkUnavailable', status: 'True', key: 'node.kubernetes.io/network-unavailable' },
  { type: 'PIDPressure', status: 'True', key: 'node.kubernetes.io/pid-pressure' },
];

/** The taint keys this controller owns; others' taints on the node are never touched. */
export const managedTaintKeys = new Set([...conditionTaints.map((c) => c.key), taintUnschedulable]);

export function conditionStatus(node: KubeObject, type: string): string | undefined {
  return (node.status?.conditions ?? []).find((c: { type: string }) => c.type === type)?.status;
}

/** The managed taints the node's conditions (and spec.unschedulable) call for, without timeAdded. */
export function desiredTaints(node: KubeObject): Taint[] {
  const out: Taint[] = [];
  for (const c of conditionTaints) if (conditionStatus(node, c.type) === c.status) out.push({ key: c.key, effect: 'NoSchedule' });
  if (node.spec?.unschedulable) out.push({ key: taintUnschedulable, effect: 'NoSchedule' });
  const ready = conditionStatus(node, 'Ready');
  if (ready === 'False') out.push({ key: taintNotReady, effect: 'NoExecute' });
  if (ready === 'Unknown') out.push({ key: taintUnreachable, effect: 'NoExecute' });
  return out;
}

export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? 'Equal') {
    case 'Exists': return true;
    case 'Equal': return (t.value ?? '') === (taint.value ?? '');
    default: return false;
  }
}

/**
 * The pod's tolerations plus what upstream's DefaultTolerationSeconds admission would have added: tolerate
 * not-ready and unreachable NoExecute for `seconds` unless the pod already tolerates them.
 */
export function withDefaultTolerations(tolerations: Toleration[], seconds: number | null): Toleration[] {
  if (seconds === null) return tolerations;
  const out = [...tolerations];
  for (const key of [taintNotReady, taintUnreachable]) {
    const has = tolerations.some((t) => (!t.key || t.key === key) && (!t.effect || t.effect === 'NoExecute'));
    if (!has) out.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds });
  }
  return out;
}
