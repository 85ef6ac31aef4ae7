// PodTopologySpread's Score for explicit ScheduleAnyway constraints (upstream scoring.go). PreScore registers the
// domains of the feasible nodes, then counts matching pods per domain over all eligible nodes once per pod; a
// node's raw score is the sum over constraints of count(domain) * log(domains + 2) + (maxSkew - 1), so fewer
// matching pods means a lower raw score, which NormalizeScore inverts into [0, 100]. Hostname constraints are
// counted per node at Score time (as upstream). Feasible nodes lacking a topology key are ignored (score 0).
import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import type { NodeInfoLister } from '../../framework/types.js';
import { MAX_NODE_SCORE } from '../../framework/types.js';
import { LABEL_HOSTNAME, compileConstraints, countMatchingPods, hasAllTopologyKeys, type Constraint } from './constraints.js';

/** Raw score of a node the constraints cannot rate (missing a topology key); NormalizeScore turns it into 0. */
const IGNORED = -1;

export interface ScoreState {
  constraints: Constraint[];
  namespace: string;
  /** Per constraint (undefined for hostname ones): matching pods per domain of a feasible node. */
  domainCounts: (Map<string, number> | undefined)[];
  /** Per constraint: log(number of domains among the scored nodes + 2). */
  weights: number[];
}

/** The score state for pod over the feasible nodes, or null when it has no ScheduleAnyway constraint. */
export function preScoreState(pod: PodInfo, feasible: readonly NodeInfo[], all: NodeInfoLister): ScoreState | null {
  const constraints = compileConstraints(pod.pod, 'ScheduleAnyway');
  if (constraints.length === 0) return null;
  const domainCounts = constraints.map((c) => (c.topologyKey === LABEL_HOSTNAME ? undefined : new Map<string, number>()));
  let scored = 0;
  for (const node of feasible) {
    if (!hasAllTopologyKeys(node, constraints)) continue;
    scored++;
    for (let i = 0; i < constraints.length; i++) domainCounts[i]?.set(node.labels[constraints[i].topologyKey], 0);
  }
  const weights = constraints.map((c, i) => Math.log((c.topologyKey === LABEL_HOSTNAME ? scored : domainCounts[i]!.size) + 2));
  if (domainCounts.some((m) => m !== undefined && m.size > 0)) {
    for (const node of all.list()) {
      if (!hasAllTopologyKeys(node, constraints)) continue;
      for (let i = 0; i < constraints.length; i++) {
        const m = domainCounts[i];
        const c = constraints[i];
        if (!m || !c.includes(node)) continue;
        const value = node.labels[c.topologyKey];
        const cur = m.get(value);
        // Domains without a feasible node are not scored, so their pods need no counting.
        if (cur !== undefined) m.set(value, cur + countMatchingPods(node, c.selector, pod.namespace));
      }
    }
  }
  return { constraints, namespace: pod.namespace, domainCounts, weights };
}

export function scoreNode(s: ScoreState, node: NodeInfo): number {
  if (!hasAllTopologyKeys(node, s.constraints)) return IGNORED;
  let score = 0;
  for (let i = 0; i < s.constraints.length; i++) {
    const c = s.constraints[i];
    const m = s.domainCounts[i];
    const cnt = m ? m.get(node.labels[c.topologyKey]) ?? 0 : countMatchingPods(node, c.selector, s.namespace);
    score += cnt * s.weights[i] + (c.maxSkew - 1);
  }
  return Math.round(score);
}

/** Upstream's NormalizeScore: ignored nodes get 0, the rest MAX * (max + min - score) / max (all 100 if max is 0). */
export function normalizeScores(scores: Float64Array, n: number): void {
  let min = Infinity, max = 0;
  for (let i = 0; i < n; i++) {
    const v = scores[i];
    if (v === IGNORED) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  for (let i = 0; i < n; i++) {
    const v = scores[i];
    if (v === IGNORED) scores[i] = 0;
    else scores[i] = max === 0 ? MAX_NODE_SCORE : Math.trunc((MAX_NODE_SCORE * (max + min - v)) / max);
  }
}
