// When a pod on a node with NoExecute taints must go (upstream's taint-eviction manager, NoExecuteTaintManager):
// a taint the pod does not tolerate evicts it now; otherwise it may stay for the shortest tolerationSeconds of
// the tolerations used (counted from the taint's timeAdded); a toleration without tolerationSeconds tolerates
// forever.
import type { Taint, Toleration } from './taints.js';
import { toleratesTaint } from './taints.js';

/**
 * The time (ms since the epoch) the pod is to be evicted, or undefined if never. `firstSeen(taint)` supplies a
 * start for taints without timeAdded.
 */
export function evictionTime(taints: Taint[], tolerations: Toleration[], firstSeen: (t: Taint) => number): number | undefined {
  let at: number | undefined;
  for (const taint of taints) {
    if (taint.effect !== 'NoExecute') continue;
    const used = tolerations.find((t) => toleratesTaint(t, taint));
    if (!used) return 0; // not tolerated: now
    const start = taint.timeAdded ? Date.parse(taint.timeAdded) : firstSeen(taint);
    if (used.tolerationSeconds === undefined || used.tolerationSeconds === null) continue;
    const when = start + Math.max(0, used.tolerationSeconds) * 1000;
    at = at === undefined ? when : Math.min(at, when);
  }
  return at;
}
