// The replica count a resource metric asks for (upstream's pkg/controller/podautoscaler/replica_calculator.go,
// GetResourceReplicas / GetRawResourceReplicas): the ratio of the pods' usage to the target, times the ready pods,
// with upstream's care for pods that cannot be trusted yet:
//  - pods being deleted and failed pods are ignored;
//  - for CPU, a pod that is not Ready, or became Ready less than one metric window before its sample, inside its
//    first 5 minutes (cpuInitializationPeriod) is "unready"; its sample is set aside;
//  - pods without a sample are "missing".
// Within the tolerance (10 %) nothing changes. Otherwise, when pods are missing or unready, the ratio is computed
// again assuming the conservative value (missing pods at 100 % of the target when scaling down and 0 when scaling
// up; unready pods at 0 when scaling up), and if that flips the direction or lands within the tolerance the
// replica count stays.
import type { Pod } from '../shared/types.js';
import { quantityNumber } from '../../api/quantity.js';

export const DEFAULT_TOLERANCE = 0.1;
export const CPU_INITIALIZATION_PERIOD_MS = 5 * 60_000;
export const DELAY_OF_INITIAL_READINESS_STATUS_MS = 30_000;

/** One pod's sample: usage summed over the asked containers (cores or bytes), when it was taken, over what window. */
export interface PodSample { value: number; timestampMs: number; windowMs: number }

export interface ResourceTarget {
  resource: string;
  /** Only this container's usage and request (ContainerResource metrics). */
  container?: string;
  /** Percent of the request, or... */
  utilization?: number;
  /** ...an average value per pod in base units (cores, bytes). */
  averageValue?: number;
}

export interface Recommendation {
  replicas: number;
  /** The current average utilization in percent (utilization targets). */
  utilization?: number;
  /** The current average value per pod in base units. */
  averageValue: number;
  /** When the newest sample used was taken. */
  timestampMs: number;
}

export class MetricError extends Error {}



const podKey = (p: Pod) => p.metadata?.name ?? '';

function podRequest(pod: Pod, resource: string, container: string | undefined): number {
  let sum = 0;
  for (const c of pod.spec?.containers ?? []) {
    if (container && c.name !== container) continue;
    const r = quantityNumber(c.resources?.requests?.[resource]);
    if (!Number.isFinite(r)) throw new MetricError(`missing request for ${resource} in container ${c.name} of Pod ${podKey(pod)}`);
    sum += r;
  }
  return sum;
}

function readyCondition(pod: Pod) { return pod.status?.conditions?.find((c) => c.type === 'Ready'); }

/** upstream groupPods. */
function groupPods(pods: Pod[], samples: Map<string, PodSample>, resource: string, nowMs: number) {
  const ready = new Set<string>(), unready = new Set<string>(), missing = new Set<string>(), ignored = new Set<string>();
  for (const pod of pods) {
    const name = podKey(pod);
    if (pod.metadata?.deletionTimestamp || pod.status?.phase === 'Failed') { ignored.add(name); continue; }
    if (pod.status?.phase === 'Pending') { unready.add(name); continue; }
    const sample = samples.get(name);
    if (!sample) { missing.add(name); continue; }
    if (resource === 'cpu') {
      const cond = readyCondition(pod);
      const start = Date.parse(pod.status?.startTime ?? '');
      let isUnready: boolean;
      if (!cond || Number.isNaN(start)) isUnready = true;
      else {
        const transition = Date.parse(cond.lastTransitionTime ?? '') || 0;
        if (start + CPU_INITIALIZATION_PERIOD_MS > nowMs) {
          isUnready = cond.status === 'False' || sample.timestampMs < transition + sample.windowMs;
        } else {
          isUnready = cond.status === 'False' && start + DELAY_OF_INITIAL_READINESS_STATUS_MS > transition;
        }
      }
      if (isUnready) { unready.add(name); continue; }
    }
    ready.add(name);
  }
  return { ready, unready, missing, ignored };
}

/**
 * The replicas one resource metric asks for. `samples` are by pod name; `pods` are the target's pods (its scale
 * selector). Throws MetricError when nothing can be computed (no pods, no samples, a missing request).
 */
export function resourceReplicas(currentReplicas: number, target: ResourceTarget, pods: Pod[], samples: Map<string, PodSample>,
  nowMs: number, tolerance = DEFAULT_TOLERANCE): Recommendation {
  if (pods.length === 0) throw new MetricError('no pods returned by selector while calculating replica count');
  if (samples.size === 0) throw new MetricError(`unable to get metrics for resource ${target.resource}: no metrics returned from resource metrics API`);
  const { ready, unready, missing, ignored } = groupPods(pods, samples, target.resource, nowMs);
  const usable = new Map([...samples].filter(([name]) => !ignored.has(name) && !unready.has(name) && pods.some((p) => podKey(p) === name)));
  const byName = new Map(pods.map((p) => [podKey(p), p]));
  const requests = new Map<string, number>();
  // As upstream's calculatePodRequests: every pod of the target needs a request for a utilization target.
  if (target.utilization !== undefined) for (const [name, p] of byName) requests.set(name, podRequest(p, target.resource, target.container));
  if (usable.size === 0) throw new MetricError(`did not receive metrics for targeted pods (pods might be unready)`);
  const timestampMs = Math.max(...[...usable.values()].map((s) => s.timestampMs));

  // usage ratio against the target, over the given samples
  const ratioOf = (values: Map<string, number>) => {
    let total = 0, req = 0;
    for (const [name, v] of values) { total += v; req += requests.get(name) ?? 0; }
    if (target.utilization !== undefined) {
      if (req <= 0) throw new MetricError(`no metrics returned matched known pods`);
      const utilization = Math.trunc((total * 100) / req);
      return { ratio: total * 100 / req / target.utilization, utilization, average: total / values.size };
    }
    return { ratio: total / (target.averageValue! * values.size), utilization: undefined, average: total / values.size };
  };
  const values = new Map([...usable].map(([n, s]) => [n, s.value]));
  const first = ratioOf(values);
  const rebalanceIgnored = unready.size > 0 && first.ratio > 1;
  const result = (replicas: number): Recommendation => ({ replicas, utilization: first.utilization, averageValue: first.average, timestampMs });
  if (!rebalanceIgnored && missing.size === 0) {
    if (Math.abs(1 - first.ratio) <= tolerance) return result(currentReplicas);
    return result(Math.ceil(first.ratio * ready.size));
  }
  if (missing.size > 0) {
    for (const name of missing) {
      if (first.ratio < 1) values.set(name, target.utilization !== undefined ? requests.get(name)! * target.utilization / 100 : target.averageValue!);
      else values.set(name, 0);
    }
  }
  if (rebalanceIgnored) for (const name of unready) values.set(name, 0);
  const second = ratioOf(values);
  if (Math.abs(1 - second.ratio) <= tolerance || (first.ratio < 1 && second.ratio > 1) || (first.ratio > 1 && second.ratio < 1)) return result(currentReplicas);
  const replicas = Math.ceil(second.ratio * values.size);
  if ((second.ratio < 1 && replicas > currentReplicas) || (second.ratio > 1 && replicas < currentReplicas)) return result(currentReplicas);
  return result(replicas);
}
