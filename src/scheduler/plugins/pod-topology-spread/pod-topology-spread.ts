// PodTopologySpread (upstream plugins/podtopologyspread): spreads a pod's matching pods over topology domains.
//
// Explicit spec.topologySpreadConstraints: DoNotSchedule ones are a Filter (filtering.ts), ScheduleAnyway ones a
// Score (scoring.ts), with upstream's semantics (label selector + matchLabelKeys, minDomains, node inclusion
// policies, assumed pods counted). A pod with explicit constraints gets no default spreading, as upstream.
//
// Pods without constraints get the system default by hostname (upstream default: maxSkew 3, ScheduleAnyway,
// topologyKey kubernetes.io/hostname): among the feasible nodes, the fewer pods of the same workload a node
// already runs, the higher it scores, so the replicas of a ReplicaSet spread over nodes. Differences from
// upstream, both deliberate: "the same workload" is the pod's controlling owner (upstream derives a label
// selector from the Services/ReplicaSets/StatefulSets selecting the pod, which for a ReplicaSet's pods selects
// the same set); and the node name stands in for a missing hostname label. The zone default is not implemented.
import type { FilterPlugin, NodeInfoLister, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../../framework/types.js';
import { MAX_NODE_SCORE } from '../../framework/types.js';
import { SKIP, Status } from '../../framework/status.js';
import { filterNode, preFilterState, type FilterState } from './filtering.js';
import { normalizeScores, preScoreState, scoreNode, type ScoreState } from './scoring.js';

export const NAME = 'PodTopologySpread';
const DEFAULT_HOSTNAME_MAX_SKEW = 3;

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export function newPodTopologySpread(nodeInfos: NodeInfoLister): PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin {
  // The scoring mode and data of the current cycle. Kept here rather than in the CycleState because Score reads
  // them once per node; cycles are synchronous, so PreScore of the same pod always ran just before.
  let weight = 1;
  let explicit: ScoreState | null = null;
  return {
    name: NAME,
    preFilter(state, pod) {
      if (!pod.pod.spec?.topologySpreadConstraints?.length) return SKIP;
      let s: FilterState | null;
      try { s = preFilterState(pod, nodeInfos); } catch (e) { return Status.error(errorText(e)); }
      if (!s) return SKIP;
      state.write(NAME, s);
      return null;
    },
    filter(state, _pod, node) {
      const s = state.read<FilterState>(NAME);
      return s ? filterNode(s, node) : null;
    },
    preScore(_state, pod, nodes) {
      explicit = null;
      if (pod.pod.spec?.topologySpreadConstraints?.length) {
        try { explicit = preScoreState(pod, nodes, nodeInfos); } catch (e) { return Status.error(errorText(e)); }
        return explicit ? null : SKIP;
      }
      if (!pod.ownerUid) return SKIP;
      // upstream topologyNormalizingWeight: log(size + 2), size = number of hostname domains (feasible nodes).
      weight = Math.log(nodes.length + 2);
      return null;
    },
    score(_state, pod, node) {
      if (explicit) return scoreNode(explicit, node);
      const cnt = node.ownerCounts.get(pod.ownerUid) ?? 0;
      return Math.round(cnt * weight + (DEFAULT_HOSTNAME_MAX_SKEW - 1));
    },
    normalizeScore(_state, _pod, scores, n) {
      if (explicit) { normalizeScores(scores, n); return; }
      let min = Infinity, max = 0;
      for (let i = 0; i < n; i++) { if (scores[i] < min) min = scores[i]; if (scores[i] > max) max = scores[i]; }
      for (let i = 0; i < n; i++) {
        scores[i] = max === 0 ? MAX_NODE_SCORE : Math.trunc((MAX_NODE_SCORE * (max + min - scores[i])) / max);
      }
    },
  };
}
