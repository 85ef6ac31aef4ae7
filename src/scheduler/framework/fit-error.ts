// Why a pod fits nowhere, worded exactly as upstream's FitError (kube-scheduler 1.32):
//   "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: },
//    2 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.."
// Each node contributes every reason of its status; reasons are counted, formatted "<count> <reason>" and sorted
// as strings; the PreFilter message replaces the histogram when a PreFilter rejected the pod.
import type { Status } from './status.js';

export const ERR_NO_NODES_AVAILABLE = 'no nodes available to schedule pods';

export interface Diagnosis {
  numAllNodes: number;
  nodeToStatus: ReadonlyMap<string, Status>;
  preFilterMsg?: string;
  postFilterMsg?: string;
}

export function fitErrorMessage(d: Diagnosis): string {
  let msg = `0/${d.numAllNodes} nodes are available:`;
  if (d.preFilterMsg) {
    msg += ` ${d.preFilterMsg}.`;
  } else {
    const counts = new Map<string, number>();
    for (const st of d.nodeToStatus.values()) for (const r of st.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
    const parts = [...counts].map(([r, n]) => `${n} ${r}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (parts.length > 0) msg += ` ${parts.join(', ')}.`;
  }
  // Upstream appends " %v." to a message that already ends in '.', hence its well-known ".." ending.
  if (d.postFilterMsg) msg += ` ${d.postFilterMsg}.`;
  return msg;
}

/** The pod fits on no node; `message` is what FailedScheduling events and the PodScheduled condition say. */
export class FitError extends Error {
  constructor(readonly diagnosis: Diagnosis) {
    super(fitErrorMessage(diagnosis));
    this.name = 'FitError';
  }
}

/** The cluster has no nodes at all (upstream's ErrNoNodesAvailable; the pod is Unschedulable). */
export class NoNodesAvailableError extends Error {
  constructor() { super(ERR_NO_NODES_AVAILABLE); this.name = 'NoNodesAvailableError'; }
}
