// PodTopologySpread's Filter for explicit DoNotSchedule constraints (upstream filtering.go). PreFilter counts,
// once per pod, the matching pods per topology domain over the eligible nodes (every node having all the
// constraints' topology keys and passing the inclusion policies), assumed pods included since they sit in the
// cache's NodeInfos; Filter then is a map lookup per node and constraint:
//   skew = count(node's domain) + (1 if the pod matches its own selector) - globalMin  must be <= maxSkew,
// where globalMin is the smallest domain count, or 0 while fewer than minDomains domains exist.
import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import type { NodeInfoLister } from '../../framework/types.js';
import { Status } from '../../framework/status.js';
import { compileConstraints, countMatchingPods, hasAllTopologyKeys, type Constraint } from './constraints.js';

export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = `${ERR_REASON_CONSTRAINTS_NOT_MATCH} (missing required label)`;

const CONSTRAINTS_NOT_MATCH = Status.unschedulable(ERR_REASON_CONSTRAINTS_NOT_MATCH);
const NODE_LABEL_NOT_MATCH = Status.unresolvable(ERR_REASON_NODE_LABEL_NOT_MATCH);

export interface FilterState {
  constraints: Constraint[];
  /** Per constraint: matching pods per domain value, for every domain with an eligible node. */
  domainCounts: Map<string, number>[];
  /** Per constraint: the global minimum the skew is measured against. */
  minMatch: number[];
  /** Per constraint: 1 when the incoming pod matches the selector (it will count itself), else 0. */
  selfMatch: number[];
}

/** The filter state for pod, or null when it has no DoNotSchedule constraint. Throws on an invalid selector. */
export function preFilterState(pod: PodInfo, nodes: NodeInfoLister): FilterState | null {
  const constraints = compileConstraints(pod.pod, 'DoNotSchedule');
  if (constraints.length === 0) return null;
  const domainCounts = constraints.map(() => new Map<string, number>());
  for (const node of nodes.list()) {
    if (!hasAllTopologyKeys(node, constraints)) continue;
    for (let i = 0; i < constraints.length; i++) {
      const c = constraints[i];
      if (!c.includes(node)) continue;
      const value = node.labels[c.topologyKey];
      const m = domainCounts[i];
      m.set(value, (m.get(value) ?? 0) + countMatchingPods(node, c.selector, pod.namespace));
    }
  }
  const podLabels = pod.pod.metadata?.labels;
  const minMatch = constraints.map((c, i) => {
    const m = domainCounts[i];
    if (m.size < c.minDomains) return 0;
    // No eligible domain at all: upstream's critical paths stay at MaxInt32, so no skew can exceed maxSkew.
    let min = Infinity;
    for (const v of m.values()) if (v < min) min = v;
    return min;
  });
  const selfMatch = constraints.map((c) => (c.selector.matches(podLabels) ? 1 : 0));
  return { constraints, domainCounts, minMatch, selfMatch };
}

/** null when placing the pod on node keeps every constraint's skew within maxSkew. */
export function filterNode(s: FilterState, node: NodeInfo): Status | null {
  const labels = node.labels;
  for (let i = 0; i < s.constraints.length; i++) {
    const c = s.constraints[i];
    if (!Object.prototype.hasOwnProperty.call(labels, c.topologyKey)) return NODE_LABEL_NOT_MATCH;
    const skew = (s.domainCounts[i].get(labels[c.topologyKey]) ?? 0) + s.selfMatch[i] - s.minMatch[i];
    if (skew > c.maxSkew) return CONSTRAINTS_NOT_MATCH;
  }
  return null;
}
