// NodeAffinity: spec.nodeSelector and requiredDuringSchedulingIgnoredDuringExecution must match the node;
// preferredDuringSchedulingIgnoredDuringExecution adds each matching term's weight to the score.
import type { FilterPlugin, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../../framework/types.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { SKIP, Status } from '../../framework/status.js';
import { defaultNormalizeScore } from '../helper/normalize.js';
import { compileTerm, compileTerms, type NodeMatcher } from './node-selector.js';

export const NAME = 'NodeAffinity';
export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";

interface PreFilterState { selector: [string, string][]; required?: NodeMatcher }
interface PreScoreState { preferred: { weight: number; match: NodeMatcher }[] }

export function newNodeAffinity(): PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin {
  const fitsSelector = (s: PreFilterState, node: NodeInfo) => {
    const labels = node.labels;
    for (const [k, v] of s.selector) if (labels[k] !== v) return false;
    return !s.required || s.required(node);
  };
  return {
    name: NAME,
    preFilter(state, pod) {
      const spec = pod.pod.spec;
      const selector = Object.entries(spec?.nodeSelector ?? {});
      const terms = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
      if (selector.length === 0 && !terms) return SKIP;
      state.write(NAME, { selector, required: terms ? compileTerms(terms) : undefined } satisfies PreFilterState);
      return null;
    },
    filter(state, _pod, node) {
      const s = state.read<PreFilterState>(NAME);
      if (!s || fitsSelector(s, node)) return null;
      return Status.unresolvable(ERR_REASON_POD);
    },
    preScore(state, pod) {
      const prefs = pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
      const preferred = prefs.filter((p) => p.weight !== 0).map((p) => ({ weight: p.weight, match: compileTerm(p.preference) }));
      if (preferred.length === 0) return SKIP;
      state.write(`${NAME}/score`, { preferred } satisfies PreScoreState);
      return null;
    },
    score(state, _pod, node) {
      const s = state.read<PreScoreState>(`${NAME}/score`);
      let sum = 0;
      if (s) for (const p of s.preferred) if (p.match(node)) sum += p.weight;
      return sum;
    },
    normalizeScore(_state, _pod, scores, n) { defaultNormalizeScore(scores, n, false); },
  };
}
