// A pod's explicit spec.topologySpreadConstraints, compiled once per scheduling attempt as upstream's
// podtopologyspread.filterTopologySpreadConstraints does: the label selector (with matchLabelKeys merged in from
// the pod's own labels), the node inclusion policies (nodeAffinityPolicy default Honor, nodeTaintsPolicy default
// Ignore) and the counting rule every phase shares (same namespace, selector matches, not terminating).
import type { Pod, TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import { selectorFromSpec, type LabelSelectorSpec, type Selector } from '../../../api/labels.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { tolerated } from '../helper/taints.js';
import { compileTerms, type NodeMatcher } from '../node-affinity/node-selector.js';

export const LABEL_HOSTNAME = 'kubernetes.io/hostname';

export interface Constraint {
  maxSkew: number;
  topologyKey: string;
  /** Domains below this count make the global minimum 0 (DoNotSchedule only); 1 when unset. */
  minDomains: number;
  selector: Selector;
  /** Whether the node counts as a domain member for this constraint (the inclusion policies). */
  includes(node: NodeInfo): boolean;
}

/** The pod's nodeSelector and required node affinity as one matcher (upstream's GetRequiredNodeAffinity). */
export function requiredNodeAffinity(pod: Pod): NodeMatcher {
  const selector = Object.entries(pod.spec?.nodeSelector ?? {});
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  const required = terms ? compileTerms(terms) : undefined;
  if (selector.length === 0 && !required) return () => true;
  return (node) => {
    const labels = node.labels;
    for (const [k, v] of selector) if (labels[k] !== v) return false;
    return !required || required(node);
  };
}

/**
 * The pod's constraints with the given whenUnsatisfiable, compiled. Throws (a StatusError from the selector
 * parser) on an invalid label selector operator.
 */
export function compileConstraints(pod: Pod, when: 'DoNotSchedule' | 'ScheduleAnyway'): Constraint[] {
  const list: readonly TopologySpreadConstraint[] = pod.spec?.topologySpreadConstraints ?? [];
  const podLabels = pod.metadata?.labels ?? {};
  const out: Constraint[] = [];
  let affinity: NodeMatcher | undefined;
  for (const c of list) {
    if (c.whenUnsatisfiable !== when) continue;
    let spec = c.labelSelector as LabelSelectorSpec | undefined;
    // matchLabelKeys: the pod's values for these keys are ANDed into the selector (keys the pod lacks are ignored).
    const extra: { key: string; operator: string; values: string[] }[] = [];
    for (const k of c.matchLabelKeys ?? []) {
      if (Object.prototype.hasOwnProperty.call(podLabels, k)) extra.push({ key: k, operator: 'In', values: [podLabels[k]] });
    }
    if (spec && extra.length > 0) spec = { ...spec, matchExpressions: [...(spec.matchExpressions ?? []), ...extra] };
    const selector = selectorFromSpec(spec ?? null);
    const honorAffinity = (c.nodeAffinityPolicy ?? 'Honor') === 'Honor';
    const honorTaints = c.nodeTaintsPolicy === 'Honor';
    if (honorAffinity) affinity ??= requiredNodeAffinity(pod);
    const aff = affinity;
    const tolerations = pod.spec?.tolerations;
    out.push({
      maxSkew: c.maxSkew,
      topologyKey: c.topologyKey,
      minDomains: c.minDomains ?? 1,
      selector,
      includes(node) {
        if (honorAffinity && aff && !aff(node)) return false;
        if (honorTaints) for (const t of node.filterTaints) if (!tolerated(tolerations, t)) return false;
        return true;
      },
    });
  }
  return out;
}

/** Whether the node has every constraint's topology key (upstream's nodeLabelsMatchSpreadConstraints). */
export function hasAllTopologyKeys(node: NodeInfo, constraints: readonly Constraint[]): boolean {
  const labels = node.labels;
  for (const c of constraints) if (!Object.prototype.hasOwnProperty.call(labels, c.topologyKey)) return false;
  return true;
}

/** Pods on the node in `namespace` that the selector matches, terminating ones excluded (countPodsMatchSelector). */
export function countMatchingPods(node: NodeInfo, selector: Selector, namespace: string): number {
  if (node.pods.size === 0) return 0;
  let n = 0;
  for (const p of node.pods.values()) {
    if (p.namespace !== namespace || p.pod.metadata?.deletionTimestamp) continue;
    if (selector.matches(p.pod.metadata?.labels)) n++;
  }
  return n;
}
