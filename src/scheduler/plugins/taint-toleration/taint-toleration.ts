// TaintToleration: NoSchedule/NoExecute taints the pod does not tolerate reject the node; PreferNoSchedule
// taints the pod does not tolerate lower its score (fewer is better).
import type { Toleration } from 'kubernetes-types/core/v1.js';
import type { FilterPlugin, PreScorePlugin, ScorePlugin } from '../../framework/types.js';
import { SKIP, Status } from '../../framework/status.js';
import { defaultNormalizeScore } from '../helper/normalize.js';
import { firstUntolerated, tolerated, untoleratedTaintReason } from '../helper/taints.js';

export const NAME = 'TaintToleration';

export function newTaintToleration(): FilterPlugin & PreScorePlugin & ScorePlugin {
  return {
    name: NAME,
    filter(_state, pod, node) {
      if (node.filterTaints.length === 0) return null;
      const t = firstUntolerated(node.filterTaints, pod.pod.spec?.tolerations);
      return t ? Status.unresolvable(untoleratedTaintReason(t)) : null;
    },
    preScore(state, pod, nodes) {
      // No PreferNoSchedule taint on any feasible node: every node would score the same.
      let any = false;
      for (const n of nodes) if (n.preferNoScheduleTaints.length > 0) { any = true; break; }
      if (!any) return SKIP;
      // Only tolerations that can match a PreferNoSchedule taint count for scoring.
      const tols = (pod.pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
      state.write(NAME, tols);
      return null;
    },
    score(state, _pod, node) {
      const taints = node.preferNoScheduleTaints;
      if (taints.length === 0) return 0;
      const tols = state.read<Toleration[]>(NAME) ?? [];
      let n = 0;
      for (const t of taints) if (!tolerated(tols, t)) n++;
      return n;
    },
    normalizeScore(_state, _pod, scores, n) { defaultNormalizeScore(scores, n, true); },
  };
}
