// PodTopologySpread, system default constraint by hostname (upstream default: maxSkew 3, ScheduleAnyway,
// topologyKey kubernetes.io/hostname): among the feasible nodes, the fewer pods of the same workload a node
// already runs, the higher it scores, so the replicas of a ReplicaSet spread over nodes.
//
// Differences from upstream, both deliberate: "the same workload" is the pod's controlling owner (upstream
// derives a label selector from the Services/ReplicaSets/StatefulSets selecting the pod, which for a
// ReplicaSet's pods selects the same set); and the node name stands in for a missing hostname label. Explicit
// spec.topologySpreadConstraints and the zone default are not implemented yet (such pods are not scored here).
import type { PreScorePlugin, ScorePlugin } from '../../framework/types.js';
import { MAX_NODE_SCORE } from '../../framework/types.js';
import { SKIP } from '../../framework/status.js';

export const NAME = 'PodTopologySpread';
const DEFAULT_HOSTNAME_MAX_SKEW = 3;

export function newPodTopologySpread(): PreScorePlugin & ScorePlugin {
  // The weight of the current cycle. Kept here rather than in the CycleState because Score reads it once per
  // node; cycles are synchronous, so PreScore of the same pod always ran just before.
  let weight = 1;
  return {
    name: NAME,
    preScore(_state, pod, nodes) {
      if (!pod.ownerUid || (pod.pod.spec?.topologySpreadConstraints?.length ?? 0) > 0) return SKIP;
      // upstream topologyNormalizingWeight: log(size + 2), size = number of hostname domains (feasible nodes).
      weight = Math.log(nodes.length + 2);
      return null;
    },
    score(_state, pod, node) {
      const cnt = node.ownerCounts.get(pod.ownerUid) ?? 0;
      return Math.round(cnt * weight + (DEFAULT_HOSTNAME_MAX_SKEW - 1));
    },
    normalizeScore(_state, _pod, scores, n) {
      let min = Infinity, max = 0;
      for (let i = 0; i < n; i++) { if (scores[i] < min) min = scores[i]; if (scores[i] > max) max = scores[i]; }
      for (let i = 0; i < n; i++) {
        scores[i] = max === 0 ? MAX_NODE_SCORE : Math.trunc((MAX_NODE_SCORE * (max + min - scores[i])) / max);
      }
    },
  };
}
