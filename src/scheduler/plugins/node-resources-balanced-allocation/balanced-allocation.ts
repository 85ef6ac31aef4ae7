// NodeResourcesBalancedAllocation: prefers nodes where cpu and memory would be used in similar proportions
// after placing the pod (score = (1 - standard deviation of the fractions) * 100). Skipped for pods that request
// neither, as upstream.
import type { PreScorePlugin, ScorePlugin } from '../../framework/types.js';
import { MAX_NODE_SCORE } from '../../framework/types.js';
import { SKIP } from '../../framework/status.js';

export const NAME = 'NodeResourcesBalancedAllocation';

export function newBalancedAllocation(): PreScorePlugin & ScorePlugin {
  return {
    name: NAME,
    preScore(_state, pod) {
      return pod.requests.milliCPU === 0 && pod.requests.memory === 0 ? SKIP : null;
    },
    score(_state, pod, node) {
      const a = node.allocatable;
      if (a.milliCPU === 0 || a.memory === 0) return 0;
      const fc = Math.min(1, (node.requested.milliCPU + pod.requests.milliCPU) / a.milliCPU);
      const fm = Math.min(1, (node.requested.memory + pod.requests.memory) / a.memory);
      const std = Math.abs(fc - fm) / 2;
      return Math.trunc((1 - std) * MAX_NODE_SCORE);
    },
  };
}
