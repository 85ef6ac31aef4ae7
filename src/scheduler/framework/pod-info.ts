// A pod plus what every scheduling attempt needs from it, computed once per pod object (upstream's PodInfo and
// computePodResourceRequest): the effective resource requests, the non-zero requests used for scoring, the
// controlling owner (for spreading) and the priority.
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { milliValue, value } from '../../api/quantity.js';
import { getControllerOf } from '../../api/object.js';

/** Requests in integer units: cpu in millicores, the rest in base units. */
export interface Resource {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  /** Extended resources (nvidia.com/gpu, hugepages-2Mi, ...), absent when none. */
  scalar?: Map<string, number>;
}

export const emptyResource = (): Resource => ({ milliCPU: 0, memory: 0, ephemeralStorage: 0 });

/** Upstream's defaults for a container without requests, used only for scoring so such pods still spread. */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

const IGNORED = new Set(['cpu', 'memory', 'ephemeral-storage', 'pods']);

function addList(r: Resource, list: Record<string, unknown> | undefined, sign = 1): void {
  if (!list) return;
  for (const name in list) {
    const q = list[name];
    switch (name) {
      case 'cpu': r.milliCPU += sign * milliValue(q); break;
      case 'memory': r.memory += sign * value(q); break;
      case 'ephemeral-storage': r.ephemeralStorage += sign * value(q); break;
      default:
        if (IGNORED.has(name)) break;
        r.scalar ??= new Map();
        r.scalar.set(name, (r.scalar.get(name) ?? 0) + sign * value(q));
    }
  }
}
function maxInto(r: Resource, o: Resource): void {
  r.milliCPU = Math.max(r.milliCPU, o.milliCPU);
  r.memory = Math.max(r.memory, o.memory);
  r.ephemeralStorage = Math.max(r.ephemeralStorage, o.ephemeralStorage);
  if (o.scalar) for (const [k, v] of o.scalar) { r.scalar ??= new Map(); r.scalar.set(k, Math.max(r.scalar.get(k) ?? 0, v)); }
}
function copy(r: Resource): Resource {
  return { milliCPU: r.milliCPU, memory: r.memory, ephemeralStorage: r.ephemeralStorage, scalar: r.scalar && new Map(r.scalar) };
}

/**
 * The pod's effective request, as upstream's resource helpers: the sum over app containers and restartable init
 * containers (sidecars), or the largest single init container (plus the sidecars started before it) when that is
 * larger, plus spec.overhead.
 */
export function podRequests(pod: Pod, nonZero = false): Resource {
  const spec = pod.spec;
  const reqs = (c: Container): Record<string, unknown> | undefined => {
    const r = c.resources?.requests as Record<string, unknown> | undefined;
    if (!nonZero) return r;
    return { ...r, cpu: r?.cpu ?? `${DEFAULT_MILLI_CPU_REQUEST}m`, memory: r?.memory ?? DEFAULT_MEMORY_REQUEST };
  };
  const sum = emptyResource();
  for (const c of spec?.containers ?? []) addList(sum, reqs(c));
  const sidecars = emptyResource();
  const initMax = emptyResource();
  for (const c of spec?.initContainers ?? []) {
    if (c.restartPolicy === 'Always') {
      addList(sum, reqs(c));
      addList(sidecars, reqs(c));
      maxInto(initMax, sidecars);
    } else {
      const t = copy(sidecars);
      addList(t, reqs(c));
      maxInto(initMax, t);
    }
  }
  maxInto(sum, initMax);
  if (!nonZero) addList(sum, spec?.overhead as Record<string, unknown> | undefined);
  return sum;
}

export class PodInfo {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  /** `namespace/name` */
  readonly key: string;
  readonly requests: Resource;
  /** cpu/memory with upstream's defaults for containers that request none (scoring only). */
  readonly nonZeroMilliCPU: number;
  readonly nonZeroMemory: number;
  /** UID of the controlling owner (ReplicaSet, StatefulSet, ...), '' when none: pods spread by it. */
  readonly ownerUid: string;
  readonly priority: number;

  constructor(readonly pod: Pod) {
    const m = pod.metadata ?? {};
    this.uid = m.uid ?? `${m.namespace}/${m.name}`;
    this.namespace = m.namespace ?? '';
    this.name = m.name ?? '';
    this.key = `${this.namespace}/${this.name}`;
    this.requests = podRequests(pod);
    const nz = podRequests(pod, true);
    this.nonZeroMilliCPU = nz.milliCPU;
    this.nonZeroMemory = nz.memory;
    this.ownerUid = getControllerOf(pod)?.uid ?? '';
    this.priority = pod.spec?.priority ?? 0;
  }

}
