// NodeUnschedulable: a cordoned node (spec.unschedulable) takes no new pods unless they tolerate
// node.kubernetes.io/unschedulable:NoSchedule (as DaemonSet pods do).
import type { FilterPlugin } from '../../framework/types.js';
import { Status } from '../../framework/status.js';
import { tolerated } from '../helper/taints.js';

export const NAME = 'NodeUnschedulable';
export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
const UNSCHEDULABLE_TAINT = Object.freeze({ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' });

export function newNodeUnschedulable(): FilterPlugin {
  return {
    name: NAME,
    filter(_state, pod, node) {
      if (!node.unschedulable || tolerated(pod.pod.spec?.tolerations, UNSCHEDULABLE_TAINT)) return null;
      return Status.unresolvable(ERR_REASON_UNSCHEDULABLE);
    },
  };
}
