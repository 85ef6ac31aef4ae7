// The scheduling framework's plugin interfaces, kept to upstream's extension points that nanokube uses:
// PreFilter → Filter (per node) → PostFilter (when nothing fits) → PreScore → Score → NormalizeScore →
// Reserve/Unreserve → Bind. A plugin implements any subset; the profile decides which run and with what weight.
//
// Contract for the hot path: Filter and Score are called once per candidate node for every pod, so they must be
// cheap and allocation-free on success (return null / a number); per-pod work belongs in PreFilter/PreScore,
// stored in the CycleState.
import type { Client } from '../../client/client.js';
import type { EventRecorder } from '../../client/events.js';
import type { LogFn } from '../../client/log.js';
import type { KubeObject } from '../../api/object.js';
import type { InformerFactory } from '../../client/informer.js';
import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';
import type { Status } from './status.js';
import type { Nominator } from './nominator.js';

/** Per-attempt scratch space, keyed by plugin name (upstream's CycleState). */
export class CycleState {
  private readonly data = new Map<string, unknown>();
  read<T>(key: string): T | undefined { return this.data.get(key) as T | undefined; }
  write(key: string, value: unknown): void { this.data.set(key, value); }
  /** Plugins whose PreFilter returned Skip: their Filter is not run for this pod. */
  readonly skipFilterPlugins = new Set<string>();
  /** Plugins whose PreScore returned Skip: their Score is not run for this pod. */
  readonly skipScorePlugins = new Set<string>();
}

/** Read access to the cluster as the scheduler's cache sees it (assumed pods included). */
export interface NodeInfoLister {
  /** Every node that exists (has a Node object), in the cache's stable order. */
  list(): readonly NodeInfo[];
  get(name: string): NodeInfo | undefined;
}

/** What a plugin factory receives. */
export interface FrameworkHandle {
  client: Client;
  nodeInfos: NodeInfoLister;
  schedulerName: string;
  /** The PodDisruptionBudgets the scheduler's informer holds (preemption prefers victims they allow). */
  podDisruptionBudgets?(): readonly KubeObject[];
  recorder?: EventRecorder;
  log?: LogFn;
  /** Pending pods nominated to nodes by preemption (the framework filters others as if they ran there). */
  nominator?: Nominator;
  /** Runs the profile's Filter plugins against one node (set by the framework; preemption filters what-if nodes). */
  runFilterPlugins?(state: CycleState, pod: PodInfo, node: NodeInfo): Status | null;
  /** The shared informers, for plugins that read other objects (VolumeBinding: claims, volumes, classes). */
  informers?: InformerFactory;
}

export interface Plugin { readonly name: string }

export interface PreFilterPlugin extends Plugin {
  /** Precomputes per-pod data. A rejection fails the pod on every node; Skip skips this plugin's Filter. */
  preFilter(state: CycleState, pod: PodInfo): Status | null;
}
export interface FilterPlugin extends Plugin {
  /** null when the pod fits on node. */
  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status | null;
}
export interface PostFilterPlugin extends Plugin {
  /**
   * Runs when no node passed Filter (upstream: preemption). Returns the message to append to the FitError, or the
   * node the pod is nominated to once room is made there (status.nominatedNodeName).
   */
  postFilter(state: CycleState, pod: PodInfo, nodeToStatus: ReadonlyMap<string, Status>): PostFilterResult;
}
export interface PostFilterResult { message?: string; nominatedNodeName?: string }
export interface PreScorePlugin extends Plugin {
  /** Precomputes per-pod scoring data over the feasible nodes; Skip skips this plugin's Score. */
  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status | null;
}
export interface ScorePlugin extends Plugin {
  /** A raw score for node; NormalizeScore (or clamping) brings it into [0, 100]. */
  score(state: CycleState, pod: PodInfo, node: NodeInfo): number;
  /** Rewrites scores[0..n) in place into [0, 100]. */
  normalizeScore?(state: CycleState, pod: PodInfo, scores: Float64Array, n: number): void;
}
export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: PodInfo, nodeName: string): Status | null;
  unreserve(state: CycleState, pod: PodInfo, nodeName: string): void;
}
export interface BindPlugin extends Plugin {
  /** Writes the decision to the API. Resolves Skip to let the next bind plugin do it. Rejects on API errors. */
  bind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status | null>;
}

export const MAX_NODE_SCORE = 100;

export type AnyPlugin = Plugin & Partial<PreFilterPlugin & FilterPlugin & PostFilterPlugin & PreScorePlugin & ScorePlugin & ReservePlugin & BindPlugin>;

/** Builds a plugin; args come from the profile's pluginConfig. */
export type PluginFactory = (args: Record<string, unknown> | undefined, handle: FrameworkHandle) => AnyPlugin;
