// NodeResourcesBalancedAllocation: prefers nodes where cpu and memory would be used in similar proportions
// after placing the pod (score = (1 - standard deviation of the fractions) * 100). Skipped for pods that request
// neither, as upstream.
import type { PreScorePlugin, ScorePlugin } from '../../framework/types.js';
import { MAX_NODE_SCORE } from '../../framework/types.js';
import { SKIP } from '../../framework/status.js';
import { Fit } from '../../framework/node-info.js';

export const NAME = 'NodeResourcesBalancedAllocation';

export function newBalancedAllocation(): PreScorePlugin & ScorePlugin {
  return {
    name: NAME,
    preScore(_state, pod) {
      return pod.requests.milliCPU === 0 && pod.requests.memory === 0 ? SKIP : null;
    },
    score(_state, pod, node) {
      // The same numbers as node.allocatable and node.requested, without their cache misses.
      const fit = node.fitArray, b = node.fitBase;
      const cpu = fit[b + Fit.AllocatableMilliCPU], memory = fit[b + Fit.AllocatableMemory];
      if (cpu === 0 || memory === 0) return 0;
      const fc = Math.min(1, (fit[b + Fit.RequestedMilliCPU] + pod.requests.milliCPU) / cpu);
      const fm = Math.min(1, (fit[b + Fit.RequestedMemory] + pod.requests.memory) / memory);
      const std = Math.abs(fc - fm) / 2;
      return Math.trunc((1 - std) * MAX_NODE_SCORE);
    },
  };
}
