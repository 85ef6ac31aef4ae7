// DefaultPreemption (upstream pkg/scheduler/framework/plugins/defaultpreemption): when a pod fits on no node, find
// the nodes where removing lower-priority pods would let it fit, pick the one whose removal hurts least, delete
// those pods (the victims) and nominate the node (status.nominatedNodeName), so the pod is placed there once they
// are gone.
//  - Eligibility: preemptionPolicy Never never preempts; a pod whose nominated node still has a lower-priority pod
//    terminating because of preemption waits for it instead of preempting again.
//  - Victims on a node (selectVictimsOnNode): remove every lower-priority pod; if the pod then fits, add them back
//    one by one, most important first (higher priority, then earlier start), those whose eviction would violate a
//    PodDisruptionBudget before the others, keeping each that still lets the pod fit. The rest are the victims.
//  - The node (pickOneNodeForPreemption): fewest budget violations, then the lowest highest-priority victim, the
//    smallest sum of victim priorities, the fewest victims, the latest start among the highest-priority victims.
//  - Victims get the DisruptionTarget condition (reason PreemptionByScheduler), a Preempted event, and are deleted
//    with their grace period. The API writes run in the background; the scheduling cycle does not wait.
// When no node qualifies the FitError ends with upstream's diagnosis ("preemption: 0/3 nodes are available:
// 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.").
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { FrameworkHandle, PostFilterPlugin } from '../../framework/types.js';
import { fitErrorMessage } from '../../framework/fit-error.js';
import { Status } from '../../framework/status.js';
import { nodeInfoCopy, type NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import type { CycleState } from '../../framework/types.js';
import type { KubeObject } from '../../../api/object.js';
import { isEmptySelector, selectorMatches } from '../../../api/validation/label-selector.js';
import { isConflict, isNotFound } from '../../../api/errors.js';
import { resources } from '../../../api/resources.js';
import { errorText } from '../../../client/log.js';

export const NAME = 'DefaultPreemption';
const NOT_HELPFUL = Status.unresolvable('Preemption is not helpful for scheduling');
const NO_VICTIMS = Status.unresolvable('No preemption victims found for incoming pod');

export interface Candidate {
  node: string;
  /** Most important first. */
  victims: PodInfo[];
  numPDBViolations: number;
}

const startTime = (p: PodInfo): number => {
  const t = Date.parse(p.pod.status?.startTime ?? p.pod.metadata?.creationTimestamp ?? '');
  return Number.isNaN(t) ? 0 : t;
};

/** util.MoreImportantPod: higher priority, then the one that started earlier. */
export const moreImportant = (a: PodInfo, b: PodInfo): number => (b.priority - a.priority) || (startTime(a) - startTime(b));

/** filterPodsWithPDBViolation: splits pods (in order) by whether evicting them all would overdraw a budget. */
export function splitByBudgetViolation(pods: PodInfo[], pdbs: readonly KubeObject[]): { violating: PodInfo[]; nonViolating: PodInfo[] } {
  const allowed = pdbs.map((p) => p.status?.disruptionsAllowed ?? 0);
  const violating: PodInfo[] = [];
  const nonViolating: PodInfo[] = [];
  for (const p of pods) {
    let violated = false;
    pdbs.forEach((pdb, i) => {
      if (pdb.metadata.namespace !== p.namespace) return;
      // A budget with a nil or empty selector matches nothing here, as upstream's preemption reads it.
      if (pdb.spec?.selector == null || isEmptySelector(pdb.spec.selector) || !selectorMatches(pdb.spec.selector, p.pod.metadata?.labels)) return;
      if (pdb.status?.disruptedPods?.[p.name] !== undefined) return;
      allowed[i]--;
      if (allowed[i] < 0) violated = true;
    });
    (violated ? violating : nonViolating).push(p);
  }
  return { violating, nonViolating };
}

export function selectVictimsOnNode(h: Pick<FrameworkHandle, 'runFilterPlugins'>, state: CycleState, pod: PodInfo, node: NodeInfo,
  pdbs: readonly KubeObject[]): { candidate?: Candidate; status?: Status } {
  const lower = [...node.pods.values()].filter((p) => p.priority < pod.priority);
  if (lower.length === 0) return { status: NO_VICTIMS };
  const sim = nodeInfoCopy(node, new Set(lower.map((p) => p.uid)));
  const st = h.runFilterPlugins!(state, pod, sim);
  if (st) return { status: st };
  lower.sort(moreImportant);
  const { violating, nonViolating } = splitByBudgetViolation(lower, pdbs);
  const victims: PodInfo[] = [];
  let numPDBViolations = 0;
  const reprieve = (p: PodInfo): boolean => {
    sim.addPod(p);
    if (!h.runFilterPlugins!(state, pod, sim)) return true;
    sim.removePod(p);
    victims.push(p);
    return false;
  };
  for (const p of violating) if (!reprieve(p)) numPDBViolations++;
  for (const p of nonViolating) reprieve(p);
  if (violating.length && nonViolating.length) victims.sort(moreImportant);
  if (victims.length === 0) return { status: NO_VICTIMS };
  return { candidate: { node: node.name, victims, numPDBViolations } };
}

/** pickOneNodeForPreemption. */
export function pickCandidate(candidates: Candidate[]): Candidate | undefined {
  const keyFns: ((c: Candidate) => number)[] = [
    (c) => -c.numPDBViolations,
    (c) => -c.victims[0].priority,
    (c) => -c.victims.reduce((s, v) => s + v.priority + 2 ** 31, 0),
    (c) => -c.victims.length,
    (c) => {
      const top = c.victims[0].priority;
      return Math.min(...c.victims.filter((v) => v.priority === top).map(startTime));
    },
  ];
  let best = candidates;
  for (const key of keyFns) {
    if (best.length <= 1) break;
    const max = Math.max(...best.map(key));
    best = best.filter((c) => key(c) === max);
  }
  return best[0];
}

const terminatingByPreemption = (p: PodInfo): boolean => !!p.pod.metadata?.deletionTimestamp
  && (p.pod.status?.conditions ?? []).some((c) => c.type === 'DisruptionTarget' && c.reason === 'PreemptionByScheduler');

export function newDefaultPreemption(h: FrameworkHandle): PostFilterPlugin {
  const preempt = async (pod: PodInfo, c: Candidate): Promise<void> => {
    const schedulerName = pod.pod.spec?.schedulerName || h.schedulerName;
    for (const v of c.victims) {
      if (v.pod.metadata?.deletionTimestamp) continue;
      try {
        const conds = (v.pod.status?.conditions ?? []).filter((x) => x.type !== 'DisruptionTarget');
        conds.push({ type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler', message: `${schedulerName}: preempting to accommodate a higher priority pod`, lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') });
        await h.client.patch(resources.pods, v.namespace, v.name, 'merge', { metadata: { uid: v.uid }, status: { conditions: conds } }, { subresource: 'status' });
        await h.client.delete(resources.pods, v.namespace, v.name, { preconditions: { uid: v.uid } });
        void h.recorder?.event(v.pod as Pod & KubeObject, 'Normal', 'Preempted', `Preempted by pod ${pod.uid} on node ${c.node}`);
      } catch (e) {
        if (isNotFound(e) || isConflict(e)) continue;
        h.log?.({ level: 'error', msg: 'preemption: deleting a victim failed', pod: pod.key, victim: v.key, error: errorText(e) });
      }
    }
  };

  return {
    name: NAME,
    postFilter(state, pod, nodeToStatus) {
      if (pod.pod.spec?.preemptionPolicy === 'Never') return { message: 'preemption: not eligible due to preemptionPolicy=Never.' };
      const nodes = h.nodeInfos.list();
      const nominatedNode = pod.pod.status?.nominatedNodeName || h.nominator?.nodeOf(pod.uid);
      if (nominatedNode && nodeToStatus.get(nominatedNode)?.code !== 'UnschedulableAndUnresolvable') {
        const ni = h.nodeInfos.get(nominatedNode);
        if (ni && [...ni.pods.values()].some((p) => p.priority < pod.priority && terminatingByPreemption(p))) {
          return { message: 'preemption: not eligible due to a terminating pod on the nominated node.' };
        }
      }
      const pdbs = h.podDisruptionBudgets?.() ?? [];
      const statuses = new Map<string, Status>();
      const candidates: Candidate[] = [];
      for (const ni of nodes) {
        const st = nodeToStatus.get(ni.name);
        if (!st || st.code !== 'Unschedulable') { statuses.set(ni.name, NOT_HELPFUL); continue; }
        if (!h.runFilterPlugins) { statuses.set(ni.name, NO_VICTIMS); continue; }
        const r = selectVictimsOnNode(h, state, pod, ni, pdbs);
        if (r.candidate) candidates.push(r.candidate);
        else statuses.set(ni.name, r.status!);
      }
      const best = pickCandidate(candidates);
      if (!best) return { message: `preemption: ${fitErrorMessage({ numAllNodes: nodes.length, nodeToStatus: statuses })}` };
      h.nominator?.set(pod, best.node);
      h.log?.({ level: 'info', msg: 'preempting', pod: pod.key, node: best.node, victims: best.victims.map((v) => v.key) });
      void preempt(pod, best);
      return { nominatedNodeName: best.node };
    },
  };
}
