// NodeResourcesFit: the pod's requests must fit in the node's allocatable minus what its pods (assumed ones
// included) already request, for cpu, memory, ephemeral-storage, extended resources and the pod count. Scoring
// uses upstream's default LeastAllocated strategy: the emptier the node (cpu and memory, weight 1 each, counting
// containers without requests at 100m / 200Mi), the higher the score.
import type { FilterPlugin, ScorePlugin } from '../../framework/types.js';
import { MAX_NODE_SCORE } from '../../framework/types.js';
import { Fit, type NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { Status } from '../../framework/status.js';

export const NAME = 'NodeResourcesFit';

/** Upstream's fitsRequest: every reason the pod does not fit, in upstream's order; empty when it fits. */
export function insufficientResources(pod: PodInfo, node: NodeInfo): string[] {
  const reasons: string[] = [];
  const alloc = node.allocatable;
  const used = node.requested;
  const req = pod.requests;
  if (node.pods.size + 1 > alloc.allowedPodNumber) reasons.push('Too many pods');
  if (req.milliCPU > 0 && req.milliCPU > alloc.milliCPU - used.milliCPU) reasons.push('Insufficient cpu');
  if (req.memory > 0 && req.memory > alloc.memory - used.memory) reasons.push('Insufficient memory');
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage) reasons.push('Insufficient ephemeral-storage');
  if (req.scalar) {
    for (const [name, want] of req.scalar) {
      if (want > 0 && want > (alloc.scalar?.get(name) ?? 0) - (used.scalar?.get(name) ?? 0)) reasons.push(`Insufficient ${name}`);
    }
  }
  return reasons;
}

/** insufficientResources(...).length === 0 for a pod without extended resources, read from the node's fit numbers alone. */
function fitsQuickly(pod: PodInfo, node: NodeInfo): boolean {
  const fit = node.fitArray, b = node.fitBase;
  const req = pod.requests;
  return 1 <= fit[b + Fit.FreePods]
    && (req.milliCPU === 0 || req.milliCPU <= fit[b + Fit.FreeMilliCPU])
    && (req.memory === 0 || req.memory <= fit[b + Fit.FreeMemory])
    && (req.ephemeralStorage === 0 || req.ephemeralStorage <= fit[b + Fit.FreeEphemeralStorage])
    && req.scalar === undefined;
}

function leastRequested(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

export function newNodeResourcesFit(): FilterPlugin & ScorePlugin {
  return {
    name: NAME,
    filter(_state, pod, node) {
      if (fitsQuickly(pod, node)) return null;
      const reasons = insufficientResources(pod, node);
      return reasons.length === 0 ? null : new Status('Unschedulable', reasons);
    },
    score(_state, pod, node) {
      const fit = node.fitArray, b = node.fitBase;
      const cpu = leastRequested(fit[b + Fit.NonZeroMilliCPU] + pod.nonZeroMilliCPU, fit[b + Fit.AllocatableMilliCPU]);
      const mem = leastRequested(fit[b + Fit.NonZeroMemory] + pod.nonZeroMemory, fit[b + Fit.AllocatableMemory]);
      return Math.trunc((cpu + mem) / 2);
    },
  };
}
