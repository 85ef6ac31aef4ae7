// One node as the scheduler sees it (upstream's NodeInfo): the Node, the pods assigned to it (assumed ones
// included), and the sums the filters and scores read, maintained incrementally on every add/remove so the hot
// path never walks a node's pods.
import type { Node, Taint } from 'kubernetes-types/core/v1.js';
import { milliValue, value } from '../../api/quantity.js';
import { emptyResource, type PodInfo, type Resource } from './pod-info.js';

export const TAINT_NODE_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_NODE_UNREACHABLE = 'node.kubernetes.io/unreachable';

export interface Allocatable extends Resource { allowedPodNumber: number }

/**
 * What a NodeInfo's fit numbers hold at each position after its fitBase (a const enum: the indices compile to
 * literals). Size is how many positions one node takes.
 */
export const enum Fit {
  /** allocatable minus requested: pod slots, cpu (millicores), memory, ephemeral-storage. */
  FreePods = 0, FreeMilliCPU = 1, FreeMemory = 2, FreeEphemeralStorage = 3,
  AllocatableMilliCPU = 4, AllocatableMemory = 5,
  RequestedMilliCPU = 6, RequestedMemory = 7,
  NonZeroMilliCPU = 8, NonZeroMemory = 9,
  Size = 10,
}

/**
 * One array holding the fit numbers of many NodeInfos (a scheduler cache's), each at its own base, handed out in the
 * order nodes arrive: the filter walks nodes in that order, so it reads this memory front to back instead of one
 * small array per node scattered over the heap (a cache miss each). Growing moves every node to the new array.
 */
export class FitSlots {
  array: Float64Array;
  private owners: (NodeInfo | undefined)[] = [];
  private freed: number[] = [];

  constructor(initialNodes = 1024) { this.array = new Float64Array(Math.max(1, initialNodes) * Fit.Size); }

  /** A slot for ni: its fitArray and fitBase are set. */
  take(ni: NodeInfo): void {
    let slot = this.freed.pop();
    if (slot === undefined) {
      slot = this.owners.length;
      if ((slot + 1) * Fit.Size > this.array.length) {
        const grown = new Float64Array(this.array.length * 2);
        grown.set(this.array);
        this.array = grown;
        for (const o of this.owners) if (o) o.fitArray = grown;
      }
      this.owners.push(undefined);
    }
    this.owners[slot] = ni;
    ni.fitArray = this.array;
    ni.fitBase = slot * Fit.Size;
  }

  /** Gives ni's slot back; ni keeps its numbers in an array of its own (someone may still hold it). */
  release(ni: NodeInfo): void {
    const slot = ni.fitBase / Fit.Size;
    if (ni.fitArray !== this.array || this.owners[slot] !== ni) return;
    ni.fitArray = this.array.slice(ni.fitBase, ni.fitBase + Fit.Size);
    ni.fitBase = 0;
    this.owners[slot] = undefined;
    this.freed.push(slot);
  }
}

const noTaints: readonly Taint[] = Object.freeze([]);

export class NodeInfo {
  node: Node | undefined;
  readonly pods = new Map<string, PodInfo>();
  readonly requested: Resource = emptyResource();
  nonZeroMilliCPU = 0;
  nonZeroMemory = 0;
  allocatable: Allocatable = { ...emptyResource(), allowedPodNumber: 0 };
  /** Pods per controlling owner UID (spreading scores read this in O(1)). */
  readonly ownerCounts = new Map<string, number>();
  /** Bumped on every change. */
  generation = 0;
  /**
   * The numbers the resource filter and scores read for every node they look at, at fitArray[fitBase + Fit.X],
   * recomputed on every change with the same arithmetic the plugins did. The scheduler looks at hundreds of nodes
   * per pod; read through allocatable, requested, the pods map and the boxed numbers behind them, each node cost
   * several cache misses (about 700 ns a node at 5,000 nodes). A cache's nodes share one array (FitSlots).
   */
  fitArray: Float64Array;
  fitBase = 0;

  // Node-derived data, recomputed by setNode.
  labels: Readonly<Record<string, string>> = {};
  unschedulable = false;
  /** Taints with effect NoSchedule or NoExecute (what the filter checks). */
  filterTaints: readonly Taint[] = [];
  /** Taints with effect PreferNoSchedule (what the score counts). */
  preferNoScheduleTaints: readonly Taint[] = [];
  /**
   * The taint the node lifecycle controller puts on a node that is not Ready (not-ready when Ready=False,
   * unreachable when Unknown or missing), whether or not it is on the Node yet; null for a Ready node.
   */
  readyTaint: Taint | null = null;

  constructor(readonly name: string, slots?: FitSlots) {
    this.fitArray = slots ? slots.array : new Float64Array(Fit.Size);
    slots?.take(this);
  }

  setNode(node: Node): void {
    this.node = node;
    this.labels = node.metadata?.labels ?? {};
    this.unschedulable = node.spec?.unschedulable === true;
    const taints = node.spec?.taints;
    // Untainted nodes share one empty array: nothing of their own for the taint filter to read.
    this.filterTaints = taints?.length ? taints.filter((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute') : noTaints;
    this.preferNoScheduleTaints = taints?.length ? taints.filter((t) => t.effect === 'PreferNoSchedule') : noTaints;
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    this.readyTaint = ready?.status === 'True' ? null
      : { key: ready?.status === 'False' ? TAINT_NODE_NOT_READY : TAINT_NODE_UNREACHABLE, effect: 'NoSchedule' };
    const a = (node.status?.allocatable ?? node.status?.capacity ?? {}) as Record<string, unknown>;
    const alloc: Allocatable = { milliCPU: 0, memory: 0, ephemeralStorage: 0, allowedPodNumber: 0 };
    for (const k in a) {
      switch (k) {
        case 'cpu': alloc.milliCPU = milliValue(a[k]); break;
        case 'memory': alloc.memory = value(a[k]); break;
        case 'ephemeral-storage': alloc.ephemeralStorage = value(a[k]); break;
        case 'pods': alloc.allowedPodNumber = value(a[k]); break;
        default: (alloc.scalar ??= new Map()).set(k, value(a[k]));
      }
    }
    this.allocatable = alloc;
    this.updateFit();
    this.generation++;
  }

  private updateFit(): void {
    const a = this.allocatable, r = this.requested, f = this.fitArray, b = this.fitBase;
    f[b + Fit.FreePods] = a.allowedPodNumber - this.pods.size;
    f[b + Fit.FreeMilliCPU] = a.milliCPU - r.milliCPU;
    f[b + Fit.FreeMemory] = a.memory - r.memory;
    f[b + Fit.FreeEphemeralStorage] = a.ephemeralStorage - r.ephemeralStorage;
    f[b + Fit.AllocatableMilliCPU] = a.milliCPU;
    f[b + Fit.AllocatableMemory] = a.memory;
    f[b + Fit.RequestedMilliCPU] = r.milliCPU;
    f[b + Fit.RequestedMemory] = r.memory;
    f[b + Fit.NonZeroMilliCPU] = this.nonZeroMilliCPU;
    f[b + Fit.NonZeroMemory] = this.nonZeroMemory;
  }

  addPod(p: PodInfo): void {
    const old = this.pods.get(p.uid);
    if (old) this.removePod(old);
    this.pods.set(p.uid, p);
    this.account(p, 1);
  }

  removePod(p: PodInfo): boolean {
    const cur = this.pods.get(p.uid);
    if (!cur) return false;
    this.pods.delete(p.uid);
    this.account(cur, -1);
    return true;
  }

  private account(p: PodInfo, sign: 1 | -1): void {
    const r = this.requested;
    r.milliCPU += sign * p.requests.milliCPU;
    r.memory += sign * p.requests.memory;
    r.ephemeralStorage += sign * p.requests.ephemeralStorage;
    if (p.requests.scalar) {
      for (const [k, v] of p.requests.scalar) {
        r.scalar ??= new Map();
        r.scalar.set(k, (r.scalar.get(k) ?? 0) + sign * v);
      }
    }
    this.nonZeroMilliCPU += sign * p.nonZeroMilliCPU;
    this.nonZeroMemory += sign * p.nonZeroMemory;
    if (p.ownerUid) {
      const n = (this.ownerCounts.get(p.ownerUid) ?? 0) + sign;
      if (n > 0) this.ownerCounts.set(p.ownerUid, n); else this.ownerCounts.delete(p.ownerUid);
    }
    this.updateFit();
    this.generation++;
  }
}

/** A copy of node (what-if state for filters) with `leaveOut` pods removed and `add` pods added. */
export function nodeInfoCopy(node: NodeInfo, leaveOut: ReadonlySet<string> = new Set(), add: readonly PodInfo[] = []): NodeInfo {
  const ni = new NodeInfo(node.name);
  if (node.node) ni.setNode(node.node);
  for (const p of node.pods.values()) if (!leaveOut.has(p.uid)) ni.addPod(p);
  for (const p of add) ni.addPod(p);
  return ni;
}
