// The node lifecycle controller (upstream's pkg/controller/nodelifecycle with its taint-eviction manager), per node:
//  1. health: a node that showed no sign of life (lease renewal, kubelet heartbeat) for the grace period gets its
//     Ready (and pressure) conditions set to Unknown, reason NodeStatusUnknown;
//  2. taints: the not-ready / unreachable / pressure / unschedulable taints follow the conditions (NoSchedule, and
//     NoExecute for Ready False/Unknown), and go away when the node recovers;
//  3. pods on a node that is not Ready are marked Ready=False (MarkPodsNotReady);
//  4. pods that do not tolerate a NoExecute taint are evicted, at once or after their tolerationSeconds.
// Each step derives from what the cache shows, so a restart simply recomputes it.
import { isNotFound } from '../../api/errors.js';
import type { Client } from '../../client/client.js';
import type { KubeObject } from '../../api/object.js';
import { resources as builtin } from '../../api/resources.js';
import type { Clock } from '../../client/clock.js';
import type { ReconcileResult } from '../../client/controller.js';
import type { EventRecorder } from '../../client/events.js';
import type { SharedInformer } from '../../client/informer.js';
import type { LogFn } from '../../client/log.js';
import { controllerReasons, NodeHealth } from './node-health.js';
import { evictionTime } from './taint-eviction.js';
import { conditionStatus, desiredTaints, managedTaintKeys, withDefaultTolerations, type Taint } from './taints.js';
import { podNodeNameIndex } from '../../client/indexes.js';
import { isPodTerminal, podReadyCondition } from '../../api/pod.js';


export interface NodeLifecycleSettings {
  /** --node-monitor-grace-period: how long a node may show no sign of life before it is Unknown. Default 40 s. */
  nodeMonitorGracePeriodMs: number;
  /** --node-startup-grace-period: the same for a node that never posted a Ready condition. Default 60 s. */
  nodeStartupGracePeriodMs: number;
  /**
   * tolerationSeconds of the not-ready/unreachable NoExecute tolerations assumed for pods that have none (what
   * upstream's DefaultTolerationSeconds admission adds); null to evict such pods at once, as upstream does
   * without that admission. Default 300.
   */
  defaultTolerationSeconds: number | null;
}

export interface NodeLifecycleDeps {
  client: Client;
  clock: Clock;
  log: LogFn;
  recorder?: EventRecorder;
  nodes: SharedInformer;
  leases: SharedInformer;
  pods: SharedInformer;
  settings: NodeLifecycleSettings;
}

/** Conditions set to Unknown when the kubelet stops posting (upstream's list). */
const watchedConditions = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

export class NodeLifecycleController {
  private health = new NodeHealth();
  /** pod uid + taint → first time seen (for NoExecute taints without timeAdded). */
  private taintFirstSeen = new Map<string, number>();
  /** The uids of the nodes this controller has seen (upstream's knownNodeSet): each new one gets RegisteredNode. */
  private known = new Map<string, string>();

  constructor(private readonly d: NodeLifecycleDeps) {}

  private iso(ms: number): string { return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z'); }

  async reconcile(name: string): Promise<ReconcileResult> {
    const cached = this.d.nodes.get(name);
    if (!cached) { this.health.forget(name); this.known.delete(name); return; }
    const uid = cached.metadata?.uid ?? '';
    if (this.known.get(name) !== uid) {
      this.known.set(name, uid);
      void this.d.recorder?.event({ kind: 'Node', name, uid }, 'Normal', 'RegisteredNode', `Node ${name} event: Registered Node ${name} in Controller`);
    }
    const now = this.d.clock.now();
    let node: KubeObject = cached;
    const deadlines: number[] = [];

    // 1. Health.
    const lease = this.d.leases.getByName('kube-node-lease', name);
    const probeAt = this.health.observe(node, lease, now);
    const hasReady = conditionStatus(node, 'Ready') !== undefined;
    const grace = hasReady ? this.d.settings.nodeMonitorGracePeriodMs : this.d.settings.nodeStartupGracePeriodMs;
    if (now >= probeAt + grace) node = await this.markUnknown(node, now);
    else deadlines.push(probeAt + grace);

    // 2. Taints.
    node = await this.reconcileTaints(node, now);

    // 3 and 4. Pods.
    const ready = conditionStatus(node, 'Ready') === 'True';
    const noExecute: Taint[] = (node.spec?.taints ?? []).filter((t: Taint) => t.effect === 'NoExecute');
    for (const pod of this.d.pods.byIndex(podNodeNameIndex, name)) {
      if (pod.metadata?.deletionTimestamp) continue;
      if (noExecute.length) {
        const at = this.podEvictionTime(pod, noExecute, now);
        if (at !== undefined && at <= now) { await this.evict(pod, node); continue; }
        if (at !== undefined) deadlines.push(at);
      }
      if (!ready) await this.markPodNotReady(pod, now);
    }
    if (!noExecute.length) this.forgetTaintsOnNode(name);
    return deadlines.length ? { requeueAfter: Math.max(0, Math.min(...deadlines) - now) } : undefined;
  }

  /** Sets the watched conditions to Unknown (adding a missing Ready); returns the node as written. */
  private async markUnknown(node: KubeObject, now: number): Promise<KubeObject> {
    const next = structuredClone(node) as KubeObject;
    next.status ??= {};
    const conditions: any[] = next.status.conditions ?? [];
    let changed = false;
    const wasReady = conditionStatus(node, 'Ready') === 'True';
    for (const type of watchedConditions) {
      const c = conditions.find((x) => x.type === type);
      if (!c) {
        if (type !== 'Ready') continue;
        conditions.push({
          type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.',
          lastHeartbeatTime: node.metadata?.creationTimestamp, lastTransitionTime: this.iso(now),
        });
        changed = true;
      } else if (c.status !== 'Unknown') {
        Object.assign(c, { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: this.iso(now) });
        changed = true;
      }
    }
    if (!changed) return node;
    next.status.conditions = conditions;
    const written = await this.d.client.updateStatus(builtin.nodes, next);
    this.d.log({ level: 'info', msg: 'node status unknown', controller: 'node-lifecycle-controller', node: node.metadata!.name });
    if (wasReady) void this.d.recorder?.event(written, 'Normal', 'NodeNotReady', `Node ${node.metadata!.name} status is now: NodeNotReady`);
    return written;
  }

  /** Makes the managed taints match the conditions, keeping others' taints and existing timeAdded. */
  private async reconcileTaints(node: KubeObject, now: number): Promise<KubeObject> {
    const current: Taint[] = node.spec?.taints ?? [];
    const want = desiredTaints(node);
    const same = (a: Taint, b: Taint) => a.key === b.key && a.effect === b.effect;
    const managedNow = current.filter((t) => managedTaintKeys.has(t.key));
    if (managedNow.length === want.length && want.every((w) => managedNow.some((c) => same(c, w)))) return node;
    const next = structuredClone(node) as KubeObject;
    const taints: Taint[] = current.filter((t) => !managedTaintKeys.has(t.key) || want.some((w) => same(w, t)));
    for (const w of want) {
      if (taints.some((t) => same(t, w))) continue;
      taints.push(w.effect === 'NoExecute' ? { ...w, timeAdded: this.iso(now) } : w);
    }
    next.spec = { ...(next.spec ?? {}) };
    if (taints.length) next.spec.taints = taints; else delete next.spec.taints;
    return this.d.client.update(builtin.nodes, next);
  }

  private podEvictionTime(pod: KubeObject, taints: Taint[], now: number): number | undefined {
    const tolerations = withDefaultTolerations(pod.spec?.tolerations ?? [], this.d.settings.defaultTolerationSeconds);
    return evictionTime(taints, tolerations, (t) => {
      const k = `${pod.spec?.nodeName}|${pod.metadata?.uid}|${t.key}|${t.value ?? ''}`;
      let at = this.taintFirstSeen.get(k);
      if (at === undefined) this.taintFirstSeen.set(k, (at = now));
      return at;
    });
  }

  private forgetTaintsOnNode(name: string): void {
    for (const k of this.taintFirstSeen.keys()) if (k.startsWith(`${name}|`)) this.taintFirstSeen.delete(k);
  }

  private async evict(pod: KubeObject, node: KubeObject): Promise<void> {
    const m = pod.metadata!;
    this.d.log({ level: 'info', msg: 'evicting pod', controller: 'node-lifecycle-controller', node: node.metadata!.name, namespace: m.namespace, pod: m.name });
    void this.d.recorder?.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${m.namespace}/${m.name}`);
    try {
      await this.d.client.delete(builtin.pods, m.namespace, m.name!, { preconditions: { uid: m.uid } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** upstream's MarkPodsNotReady: the pod's Ready condition becomes False (the kubelet cannot say otherwise). */
  private async markPodNotReady(pod: KubeObject, now: number): Promise<void> {
    const ready = podReadyCondition(pod);
    if (!ready || ready.status === 'False' || isPodTerminal(pod)) return;
    const next = structuredClone(pod) as KubeObject;
    const c = next.status.conditions.find((x: { type: string }) => x.type === 'Ready');
    c.status = 'False';
    c.lastTransitionTime = this.iso(now);
    try {
      await this.d.client.updateStatus(builtin.pods, next);
      void this.d.recorder?.event(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

export { controllerReasons };
