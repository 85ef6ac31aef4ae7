// NodeReady (nanokube): only Ready nodes take new pods. Upstream gets this from the node lifecycle controller,
// which taints a NotReady node with node.kubernetes.io/not-ready:NoSchedule (unreachable:NoSchedule when its
// Ready condition is Unknown); this filter applies that taint itself, whether or not it is on the Node yet, so
// a node is not used in the window before the taint lands. A pod tolerating the taint (DaemonSets) may still go
// there, and the rejection reads exactly as upstream's TaintToleration would report it.
import type { FilterPlugin } from '../../framework/types.js';
import { Status } from '../../framework/status.js';
import { tolerated, untoleratedTaintReason } from '../helper/taints.js';

export const NAME = 'NodeReady';

export function newNodeReady(): FilterPlugin {
  return {
    name: NAME,
    filter(_state, pod, node) {
      const t = node.readyTaint;
      if (!t || tolerated(pod.pod.spec?.tolerations, t)) return null;
      return Status.unresolvable(untoleratedTaintReason(t));
    },
  };
}
