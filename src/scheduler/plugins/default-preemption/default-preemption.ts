// DefaultPreemption's diagnosis, without the eviction: when no node fits, upstream's PostFilter looks for nodes
// where removing lower-priority pods would help and reports why none qualify ("preemption: 0/3 nodes are
// available: 3 No preemption victims found for incoming pod."). nanokube does not preempt yet: this plugin
// produces the same report (nodes rejected for unresolvable reasons: "Preemption is not helpful for scheduling";
// others: no victims unless lower-priority pods are there, in which case their original reasons are repeated),
// so FailedScheduling events read as upstream's in clusters without PriorityClasses.
import type { PostFilterPlugin } from '../../framework/types.js';
import type { NodeInfoLister } from '../../framework/types.js';
import { fitErrorMessage } from '../../framework/fit-error.js';
import { Status } from '../../framework/status.js';

export const NAME = 'DefaultPreemption';
const NOT_HELPFUL = Status.unresolvable('Preemption is not helpful for scheduling');
const NO_VICTIMS = Status.unresolvable('No preemption victims found for incoming pod');

export function newDefaultPreemption(nodeInfos: NodeInfoLister): PostFilterPlugin {
  return {
    name: NAME,
    postFilter(_state, pod, nodeToStatus) {
      if (pod.pod.spec?.preemptionPolicy === 'Never') return { message: 'preemption: not eligible due to preemptionPolicy=Never.' };
      const nodes = nodeInfos.list();
      const statuses = new Map<string, Status>();
      for (const ni of nodes) {
        const st = nodeToStatus.get(ni.name);
        if (!st || st.code !== 'Unschedulable') { statuses.set(ni.name, NOT_HELPFUL); continue; }
        let lower = false;
        for (const p of ni.pods.values()) if (p.priority < pod.priority) { lower = true; break; }
        statuses.set(ni.name, lower ? st : NO_VICTIMS);
      }
      return { message: `preemption: ${fitErrorMessage({ numAllNodes: nodes.length, nodeToStatus: statuses })}` };
    },
  };
}
