// Runs one profile's plugins for one pod (upstream's frameworkImpl + schedulePod): PreFilter, Filter over the
// nodes until enough feasible ones are found, PostFilter when none is, PreScore/Score/NormalizeScore over the
// feasible ones, and picks the highest total (ties broken at random).
//
// Speed: for large clusters only a share of the nodes is searched, upstream's percentageOfNodesToScore rule
// (adaptive: 50% - nodes/125, at least 5%, at least 100 nodes), starting each pod where the previous search
// stopped so every node gets its turn. Filters run in profile order (cheap ones first) and stop at the first
// rejection; successful filters and scores allocate nothing.
import type { AnyPlugin, BindPlugin, CycleState, FilterPlugin, FrameworkHandle, PluginFactory, PostFilterPlugin, PostFilterResult, PreFilterPlugin, PreScorePlugin, ReservePlugin, ScorePlugin } from './types.js';
import { MAX_NODE_SCORE } from './types.js';
import { nodeInfoCopy, type NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';
import { SKIP, type Status } from './status.js';
import { FitError, NoNodesAvailableError } from './fit-error.js';

export const MIN_FEASIBLE_NODES_TO_FIND = 100;
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

export interface ProfilePlugin {
  name: string;
  /** Score weight (only for plugins that score); default 1. */
  weight?: number;
  args?: Record<string, unknown>;
}

export interface Profile {
  schedulerName: string;
  /** Enabled plugins; Filter plugins run in this order. */
  plugins: ProfilePlugin[];
  /** 0 or absent: upstream's adaptive rule. */
  percentageOfNodesToScore?: number;
}

export interface ScheduleResult { nodeName: string; evaluatedNodes: number; feasibleNodes: number }

/** Upstream's numFeasibleNodesToFind. */
export function numFeasibleNodesToFind(numAllNodes: number, percentageOfNodesToScore = 0): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let percentage = percentageOfNodesToScore;
  if (!percentage) {
    percentage = Math.trunc(50 - numAllNodes / 125);
    if (percentage < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) percentage = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  }
  const n = Math.trunc((numAllNodes * percentage) / 100);
  return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
}

const has = <K extends keyof AnyPlugin>(p: AnyPlugin, k: K) => typeof p[k] === 'function';

export class Framework {
  readonly preFilterPlugins: PreFilterPlugin[] = [];
  readonly filterPlugins: FilterPlugin[] = [];
  readonly postFilterPlugins: PostFilterPlugin[] = [];
  readonly preScorePlugins: PreScorePlugin[] = [];
  readonly scorePlugins: { plugin: ScorePlugin; weight: number }[] = [];
  readonly reservePlugins: ReservePlugin[] = [];
  readonly bindPlugins: BindPlugin[] = [];
  private nextStartNodeIndex = 0;
  private feasible: NodeInfo[] = [];
  private scores = new Float64Array(256);
  private totals = new Float64Array(256);

  readonly handle: FrameworkHandle;

  constructor(readonly profile: Profile, registry: ReadonlyMap<string, PluginFactory>, handle: FrameworkHandle) {
    this.handle = { ...handle, runFilterPlugins: (state, pod, node) => this.runFilterPlugins(state, pod, node) };
    handle = this.handle;
    for (const pp of profile.plugins) {
      const factory = registry.get(pp.name);
      if (!factory) throw new Error(`scheduler profile "${profile.schedulerName}": plugin "${pp.name}" is not registered`);
      const p = factory(pp.args, handle);
      if (has(p, 'preFilter')) this.preFilterPlugins.push(p as PreFilterPlugin);
      if (has(p, 'filter')) this.filterPlugins.push(p as FilterPlugin);
      if (has(p, 'postFilter')) this.postFilterPlugins.push(p as PostFilterPlugin);
      if (has(p, 'preScore')) this.preScorePlugins.push(p as PreScorePlugin);
      if (has(p, 'score')) this.scorePlugins.push({ plugin: p as ScorePlugin, weight: pp.weight ?? 1 });
      if (has(p, 'reserve')) this.reservePlugins.push(p as ReservePlugin);
      if (has(p, 'bind')) this.bindPlugins.push(p as BindPlugin);
    }
    if (this.bindPlugins.length === 0) throw new Error(`scheduler profile "${profile.schedulerName}" has no bind plugin`);
  }

  /** Picks a node for pod. Throws FitError when none fits, NoNodesAvailableError when there are no nodes. */
  schedulePod(state: CycleState, pod: PodInfo): ScheduleResult {
    const nodes = this.handle.nodeInfos.list();
    const n = nodes.length;
    if (n === 0) throw new NoNodesAvailableError();

    for (const p of this.preFilterPlugins) {
      const st = p.preFilter(state, pod);
      if (!st) continue;
      if (st === SKIP || st.code === 'Skip') { state.skipFilterPlugins.add(p.name); continue; }
      if (st.code === 'Error') throw new Error(`running PreFilter plugin "${p.name}": ${st.message}`);
      const nodeToStatus = new Map<string, Status>();
      for (const ni of nodes) nodeToStatus.set(ni.name, st);
      throw new FitError({ numAllNodes: n, nodeToStatus, preFilterMsg: st.message });
    }
    const filters = state.skipFilterPlugins.size === 0 ? this.filterPlugins
      : this.filterPlugins.filter((p) => !state.skipFilterPlugins.has(p.name));
    const nf = filters.length;

    const numToFind = numFeasibleNodesToFind(n, this.profile.percentageOfNodesToScore);
    const nominator = this.handle.nominator;
    const feasible = this.feasible;
    feasible.length = 0;
    let nodeToStatus: Map<string, Status> | undefined;
    const start = this.nextStartNodeIndex % n;
    let processed = 0;
    for (let i = 0; i < n; i++) {
      const ni = nodes[(start + i) % n];
      processed++;
      let st: Status | null = null;
      // Pods nominated to this node (preemption made room for them) count as if they ran there.
      const nominated = nominator && nominator.size > 0 ? nominator.forNode(ni.name, pod.priority, pod.uid) : undefined;
      const target = nominated ? nodeInfoCopy(ni, undefined, nominated) : ni;
      for (let f = 0; f < nf; f++) {
        st = filters[f].filter(state, pod, target);
        if (st) break;
      }
      if (st) {
        if (st.code === 'Error') throw new Error(`running Filter plugins on node "${ni.name}": ${st.message}`);
        (nodeToStatus ??= new Map()).set(ni.name, st);
        continue;
      }
      feasible.push(ni);
      if (feasible.length >= numToFind) break;
    }
    this.nextStartNodeIndex = (start + processed) % n;
    if (feasible.length === 0) throw new FitError({ numAllNodes: n, nodeToStatus: nodeToStatus ?? new Map() });
    if (feasible.length === 1) return { nodeName: feasible[0].name, evaluatedNodes: processed, feasibleNodes: 1 };

    const best = this.prioritize(state, pod, feasible);
    return { nodeName: best.name, evaluatedNodes: processed, feasibleNodes: feasible.length };
  }

  /** The Filter plugins (those PreFilter did not skip) against one node; null when the pod fits there. */
  runFilterPlugins(state: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    for (const f of this.filterPlugins) {
      if (state.skipFilterPlugins.has(f.name)) continue;
      const st = f.filter(state, pod, node);
      if (st) return st;
    }
    return null;
  }

  /** Runs PostFilter plugins after a FitError until one nominates a node or explains why none. */
  runPostFilter(state: CycleState, pod: PodInfo, nodeToStatus: ReadonlyMap<string, Status>): PostFilterResult {
    for (const p of this.postFilterPlugins) {
      const r = p.postFilter(state, pod, nodeToStatus);
      if (r.message || r.nominatedNodeName) return r;
    }
    return {};
  }

  private prioritize(state: CycleState, pod: PodInfo, feasible: NodeInfo[]): NodeInfo {
    const n = feasible.length;
    if (this.scores.length < n) { this.scores = new Float64Array(n * 2); this.totals = new Float64Array(n * 2); }
    const scores = this.scores;
    const totals = this.totals;
    totals.fill(0, 0, n);
    for (const p of this.preScorePlugins) {
      const st = p.preScore(state, pod, feasible);
      if (!st) continue;
      if (st === SKIP || st.code === 'Skip') { state.skipScorePlugins.add(p.name); continue; }
      throw new Error(`running PreScore plugin "${p.name}": ${st.message}`);
    }
    for (const { plugin, weight } of this.scorePlugins) {
      if (state.skipScorePlugins.has(plugin.name)) continue;
      for (let i = 0; i < n; i++) scores[i] = plugin.score(state, pod, feasible[i]);
      if (plugin.normalizeScore) plugin.normalizeScore(state, pod, scores, n);
      for (let i = 0; i < n; i++) {
        const s = scores[i];
        totals[i] += weight * (s < 0 ? 0 : s > MAX_NODE_SCORE ? MAX_NODE_SCORE : s);
      }
    }
    // upstream selectHost: the highest total, ties broken uniformly at random (reservoir sampling).
    let bestI = 0;
    let bestScore = totals[0];
    let ties = 1;
    for (let i = 1; i < n; i++) {
      const t = totals[i];
      if (t > bestScore) { bestScore = t; bestI = i; ties = 1; }
      else if (t === bestScore) { ties++; if (Math.random() * ties < 1) bestI = i; }
    }
    return feasible[bestI];
  }

  runReserve(state: CycleState, pod: PodInfo, nodeName: string): Status | null {
    for (let i = 0; i < this.reservePlugins.length; i++) {
      const st = this.reservePlugins[i].reserve(state, pod, nodeName);
      if (st) {
        for (let j = i; j >= 0; j--) this.reservePlugins[j].unreserve(state, pod, nodeName);
        return st;
      }
    }
    return null;
  }

  runUnreserve(state: CycleState, pod: PodInfo, nodeName: string): void {
    for (let j = this.reservePlugins.length - 1; j >= 0; j--) this.reservePlugins[j].unreserve(state, pod, nodeName);
  }

  /** Runs bind plugins until one does not Skip. Rejects with the API error. */
  async runBind(state: CycleState, pod: PodInfo, nodeName: string): Promise<void> {
    for (const p of this.bindPlugins) {
      const st = await p.bind(state, pod, nodeName);
      if (st && st.code === 'Skip') continue;
      if (st) throw new Error(`binding rejected by plugin "${p.name}": ${st.message}`);
      return;
    }
    throw new Error('no bind plugin bound the pod');
  }
}
