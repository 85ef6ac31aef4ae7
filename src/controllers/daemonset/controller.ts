// The DaemonSet controller (upstream pkg/controller/daemon): one pod on every node that should run it — the node
// fits the template's nodeSelector and required node affinity and every NoSchedule/NoExecute taint is tolerated,
// counting the tolerations upstream adds to daemon pods — created unbound and pinned to the node by node affinity
// on metadata.name, so the scheduler binds it. It follows nodes as they come, change and go, deletes failed and
// surplus pods, and rolls template changes out as ControllerRevisions: RollingUpdate with maxUnavailable (delete
// an old pod, then create) or maxSurge (create the new pod beside the old one, delete the old once the new is
// available), or OnDelete. Expectations keep it from creating twice on a cache that has not seen its own writes.
import { isNotFound, isTimeout } from '../../api/errors.js';
import { selectorFromSpec } from '../../api/labels.js';
import type { KubeObject } from '../../api/object.js';
import { resources } from '../../api/resources.js';
import type { ReconcileResult } from '../../client/controller.js';
import type { SharedInformer } from '../../client/informer.js';
import { deletedObject, metaNamespaceKey, splitMetaNamespaceKey, type DeletedFinalStateUnknown } from '../../client/keys.js';
import { errorText } from '../../client/log.js';
import { semanticEqual } from '../../api/validation/index.js';
import { claimObjects, controllersSelecting, controllerUIDIndex, controllerUIDIndexFunc, getControllerOf, recheckDeletionTimestamp, resolveControllerRef } from '../shared/controller-ref.js';
import { ControllerExpectations } from '../shared/expectations.js';
import { ensureRevision, revisionHash, truncateHistory, type ControllerRevision } from '../shared/history.js';
import type { ControllerOptions } from '../shared/options.js';
import { isPodAvailable, isPodReady, podKey } from '../shared/pod-util.js';
import { ControllerBase, runWorkers } from '../shared/start.js';
import { updateStatusWithRetry } from '../shared/update-status.js';
import { parseTime } from '../shared/time.js';
import type { Pod } from '../shared/types.js';
import { daemonSetKind, newDaemonPod, nodeShouldRunDaemonPod, revisionHashLabel, targetNodeName, templateGenerationAnnotation, templateGenerationLabel } from './daemon-pod.js';

export type DaemonSetControllerOptions = ControllerOptions;

const isTerminating = (p: Pod) => !!p.metadata?.deletionTimestamp;
const byAge = (a: Pod, b: Pod) => (parseTime(a.metadata?.creationTimestamp) ?? 0) - (parseTime(b.metadata?.creationTimestamp) ?? 0)
  || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');

/** An IntOrString of a rolling update scaled to `total` (rounded up, as upstream). */
function scaled(v: unknown, total: number): number {
  if (typeof v === 'string' && v.endsWith('%')) return Math.ceil((Number(v.slice(0, -1)) * total) / 100);
  return Number(v ?? 0) || 0;
}

export class DaemonSetController extends ControllerBase {
  readonly expectations: ControllerExpectations;
  private readonly dsInformer: SharedInformer<KubeObject>;
  private readonly podInformer: SharedInformer<Pod>;
  private readonly nodeInformer: SharedInformer<KubeObject>;
  private readonly revisionInformer: SharedInformer<ControllerRevision>;

  constructor(private readonly opts: DaemonSetControllerOptions) {
    super(opts, { queue: 'daemonset', component: 'daemonset-controller' });
    this.expectations = new ControllerExpectations(this.clock);
    this.dsInformer = opts.informers.informerFor<KubeObject>(resources.daemonsets);
    this.podInformer = opts.informers.informerFor<Pod>(resources.pods, { indexers: { [controllerUIDIndex]: controllerUIDIndexFunc } });
    this.nodeInformer = opts.informers.informerFor<KubeObject>(resources.nodes);
    this.revisionInformer = opts.informers.informerFor<ControllerRevision>(resources.controllerrevisions, { indexers: { [controllerUIDIndex]: controllerUIDIndexFunc } });
    this.dsInformer.addEventHandler({
      onAdd: (ds) => this.enqueue(ds),
      onUpdate: (_old, cur) => this.enqueue(cur),
      onDelete: (obj) => {
        const ds = deletedObject(obj);
        this.expectations.delete(metaNamespaceKey(ds));
        this.enqueue(ds);
      },
    });
    this.podInformer.addEventHandler({
      onAdd: (pod) => {
        const ds = this.ownerOf(pod);
        if (ds) {
          this.expectations.creationObserved(metaNamespaceKey(ds));
          this.enqueue(ds);
        } else if (!getControllerOf(pod)) this.enqueueMatching(pod);
      },
      onUpdate: (old, cur) => {
        if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
        const oldOwner = this.ownerOf(old), curOwner = this.ownerOf(cur);
        if (oldOwner && oldOwner !== curOwner) this.enqueue(oldOwner);
        if (curOwner) {
          if (cur.metadata?.deletionTimestamp) this.expectations.deletionObserved(metaNamespaceKey(curOwner), podKey(cur));
          this.enqueue(curOwner);
          const mrs = curOwner.spec?.minReadySeconds ?? 0;
          if (!isPodReady(old) && isPodReady(cur) && mrs > 0) this.queue.addAfter(metaNamespaceKey(curOwner), mrs * 1000);
        } else if (!getControllerOf(cur)) this.enqueueMatching(cur);
      },
      onDelete: (obj) => {
        const pod = deletedObject(obj as Pod | DeletedFinalStateUnknown<Pod>);
        const ds = this.ownerOf(pod);
        if (!ds) return;
        this.expectations.deletionObserved(metaNamespaceKey(ds), podKey(pod));
        this.enqueue(ds);
      },
    });
    // Any node change may change where daemon pods belong.
    this.nodeInformer.addEventHandler({
      onAdd: () => this.enqueueAll(),
      onUpdate: (old, cur) => {
        if (!semanticEqual(old.metadata?.labels, cur.metadata?.labels) || !semanticEqual(old.spec, cur.spec)) this.enqueueAll();
      },
      onDelete: () => this.enqueueAll(),
    });
    this.revisionInformer.addEventHandler({
      onAdd: (r) => { const ds = this.ownerOf(r); if (ds) this.enqueue(ds); },
      onDelete: (obj) => { const ds = this.ownerOf(deletedObject(obj)); if (ds) this.enqueue(ds); },
    });
  }

  run(): Promise<void> {
    return runWorkers(this.wiring, this.opts, {
      name: 'daemonset-controller', informers: [this.dsInformer, this.podInformer, this.nodeInformer, this.revisionInformer], defaultWorkers: 2,
      reconcile: (key) => this.reconcile(key),
    });
  }

  // --- event handlers: only compute keys and enqueue ---------------------------------------------------------

  private enqueue(ds: KubeObject): void { this.queue.add(metaNamespaceKey(ds)); }
  private enqueueAll(): void { for (const ds of this.dsInformer.list()) this.enqueue(ds); }
  private ownerOf(obj: KubeObject): KubeObject | undefined {
    return resolveControllerRef(this.dsInformer, daemonSetKind.kind, obj.metadata?.namespace, getControllerOf(obj));
  }
  private enqueueMatching(pod: Pod): void { for (const ds of controllersSelecting(this.dsInformer, pod)) this.enqueue(ds); }

  // --- reconcile ---------------------------------------------------------------------------------------------

  async reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const cached = this.dsInformer.getByName(namespace, name);
    if (!cached) {
      this.expectations.delete(key);
      return;
    }
    const ds = structuredClone(cached);
    const selector = selectorFromSpec(ds.spec?.selector);
    const pods = await claimObjects<Pod>(this.podInformer.list(namespace ?? ''), {
      client: this.client, resource: resources.pods, controller: ds, controllerKind: daemonSetKind,
      match: (p) => !selector.empty && selector.matches(p.metadata?.labels),
      canAdopt: recheckDeletionTimestamp(() => this.client.get(resources.daemonsets, namespace, name), ds),
    });
    const revisions = this.revisionInformer.byIndex(controllerUIDIndex, ds.metadata.uid ?? '')
      .filter((r) => r.metadata?.namespace === namespace).map((r) => structuredClone(r));
    const { revision, collisionCount } = await ensureRevision(this.client, ds, daemonSetKind, revisions, ds.status?.collisionCount ?? 0, revisionHashLabel);
    if (!revisions.some((r) => r.metadata.name === revision.metadata.name)) revisions.push(revision);
    const hash = revisionHash(revision, ds);

    const nodes = this.nodeInformer.list();
    const nodePods = new Map<string, Pod[]>();
    for (const p of pods) {
      if (isTerminating(p)) continue;
      const node = targetNodeName(p);
      if (node === undefined) continue;
      nodePods.set(node, [...(nodePods.get(node) ?? []), p].sort(byAge));
    }
    let requeueAfter: number | undefined;
    if (this.expectations.satisfied(key) && !ds.metadata.deletionTimestamp) {
      requeueAfter = await this.manage(ds, key, nodes, nodePods, hash);
    }
    await this.updateStatus(ds, nodes, nodePods, hash, collisionCount);
    const live = new Set<string>([revision.metadata.name ?? '']);
    for (const r of revisions) if (pods.some((p) => p.metadata?.labels?.[revisionHashLabel] === revisionHash(r, ds))) live.add(r.metadata.name ?? '');
    await truncateHistory(this.client, revisions, live, ds.spec?.revisionHistoryLimit ?? 10);
    return requeueAfter !== undefined ? { requeueAfter } : undefined;
  }

  private isUpdated(ds: KubeObject, pod: Pod, hash: string): boolean {
    const labels = pod.metadata?.labels ?? {};
    const gen = ds.metadata?.annotations?.[templateGenerationAnnotation];
    return labels[revisionHashLabel] === hash || (gen !== undefined && labels[templateGenerationLabel] === gen && !labels[revisionHashLabel]);
  }

  /** manage + rollingUpdate: the creations and deletions that bring each node to its one daemon pod. */
  private async manage(ds: KubeObject, key: string, nodes: KubeObject[], nodePods: Map<string, Pod[]>, hash: string): Promise<number | undefined> {
    const now = this.clock.now();
    const minReady = ds.spec?.minReadySeconds ?? 0;
    const ru = ds.spec?.updateStrategy?.type === 'RollingUpdate' ? ds.spec.updateStrategy.rollingUpdate ?? {} : undefined;
    const surging = !!ru && scaled(ru.maxSurge, 1) > 0;
    const create: string[] = [];
    const remove: Pod[] = [];
    const known = new Set<string>();
    let desired = 0;
    for (const node of nodes) {
      const nodeName = node.metadata?.name ?? '';
      known.add(nodeName);
      const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(ds, node);
      if (shouldRun) desired++;
      const onNode = nodePods.get(nodeName) ?? [];
      if (shouldRun && onNode.length === 0) { create.push(nodeName); continue; }
      if (!shouldContinueRunning) { remove.push(...onNode); continue; }
      // Failed pods are replaced (deleted here, created again on a later sync).
      const failed = onNode.filter((p) => p.status?.phase === 'Failed');
      remove.push(...failed);
      const running = onNode.filter((p) => !failed.includes(p));
      if (running.length <= 1) continue;
      if (surging) {
        // During a surge one updated and one old pod may share a node: keep the oldest of each.
        const updated = running.filter((p) => this.isUpdated(ds, p, hash)), old = running.filter((p) => !this.isUpdated(ds, p, hash));
        remove.push(...updated.slice(1), ...old.slice(1));
      } else remove.push(...running.slice(1));
    }
    // Pods pinned to nodes that no longer exist go too.
    for (const [nodeName, onNode] of nodePods) if (!known.has(nodeName)) remove.push(...onNode);

    if (ru && create.length === 0 && remove.length === 0) {
      const roll = this.rollingUpdate(ds, nodes, nodePods, hash, desired, surging, now);
      create.push(...roll.create);
      remove.push(...roll.remove);
    }
    if (create.length || remove.length) await this.syncNodes(ds, key, create, remove, hash);
    const waiting = minReady > 0 && [...nodePods.values()].flat().some((p) => isPodReady(p) && !isPodAvailable(p, minReady, now));
    return waiting ? minReady * 1000 : undefined;
  }

  /** rollingUpdate: which old pods to delete (maxUnavailable) or which nodes get a new pod beside the old (maxSurge). */
  private rollingUpdate(ds: KubeObject, nodes: KubeObject[], nodePods: Map<string, Pod[]>, hash: string, desired: number, surging: boolean, now: number): { create: string[]; remove: Pod[] } {
    const ru = ds.spec.updateStrategy.rollingUpdate ?? {};
    const minReady = ds.spec?.minReadySeconds ?? 0;
    const available = (p: Pod) => isPodAvailable(p, minReady, now);
    let maxUnavailable = scaled(ru.maxUnavailable, desired);
    const maxSurge = scaled(ru.maxSurge, desired);
    if (maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
    const shouldRun = new Set(nodes.filter((n) => nodeShouldRunDaemonPod(ds, n).shouldRun).map((n) => n.metadata?.name ?? ''));
    const create: string[] = [];
    const remove: Pod[] = [];
    if (!surging) {
      let unavailable = 0;
      const allowed: Pod[] = [], candidates: Pod[] = [];
      for (const [nodeName, onNode] of [...nodePods].sort(([a], [b]) => a.localeCompare(b))) {
        if (!shouldRun.has(nodeName)) continue;
        const newPod = onNode.find((p) => this.isUpdated(ds, p, hash)), oldPod = onNode.find((p) => !this.isUpdated(ds, p, hash));
        if (newPod && oldPod) unavailable++;
        else if (newPod) { if (!available(newPod)) unavailable++; }
        else if (oldPod) {
          if (!available(oldPod)) allowed.push(oldPod);
          else if (unavailable < maxUnavailable) candidates.push(oldPod);
        }
      }
      const remaining = Math.max(0, Math.min(maxUnavailable - unavailable, candidates.length));
      remove.push(...allowed, ...candidates.slice(0, remaining));
      return { create, remove };
    }
    let surge = 0;
    const allowedNodes: string[] = [], candidateNodes: string[] = [];
    for (const [nodeName, onNode] of [...nodePods].sort(([a], [b]) => a.localeCompare(b))) {
      if (!shouldRun.has(nodeName)) continue;
      const newPod = onNode.find((p) => this.isUpdated(ds, p, hash)), oldPod = onNode.find((p) => !this.isUpdated(ds, p, hash));
      if (!oldPod) continue;
      if (!newPod) {
        if (!available(oldPod)) allowedNodes.push(nodeName);
        else if (surge < maxSurge) candidateNodes.push(nodeName);
      } else if (!available(newPod)) surge++;
      else remove.push(oldPod);
    }
    const remaining = Math.max(0, Math.min(maxSurge - surge, candidateNodes.length));
    create.push(...allowedNodes, ...candidateNodes.slice(0, remaining));
    return { create, remove };
  }

  /** syncNodes: deletes then creates, with expectations set for both before any write. */
  private async syncNodes(ds: KubeObject, key: string, create: string[], remove: Pod[], hash: string): Promise<void> {
    this.expectations.expect(key, create.length, remove.map(podKey));
    const errors: unknown[] = [];
    await Promise.all(remove.map(async (pod) => {
      try {
        await this.client.delete(resources.pods, pod.metadata?.namespace, pod.metadata?.name ?? '', { preconditions: { uid: pod.metadata?.uid } });
        void this.recorder.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata?.name}`);
      } catch (e) {
        this.expectations.deletionObserved(key, podKey(pod));
        if (isNotFound(e)) return;
        void this.recorder.event(ds, 'Warning', 'FailedDelete', `Error deleting: ${errorText(e)}`);
        errors.push(e);
      }
    }));
    await Promise.all(create.map(async (nodeName) => {
      try {
        const created = await this.client.create<Pod>(resources.pods, ds.metadata.namespace, newDaemonPod(ds, nodeName, hash));
        void this.recorder.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name}`);
      } catch (e) {
        this.expectations.creationObserved(key);
        if (!isTimeout(e)) void this.recorder.event(ds, 'Warning', 'FailedCreate', `Error creating: ${errorText(e)}`);
        errors.push(e);
      }
    }));
    if (errors.length) throw errors[0];
  }

  /** updateDaemonSetStatus: per node that should run the pod, its oldest pod counts. */
  private async updateStatus(ds: KubeObject, nodes: KubeObject[], nodePods: Map<string, Pod[]>, hash: string, collisionCount: number): Promise<void> {
    const now = this.clock.now();
    let desired = 0, current = 0, misscheduled = 0, ready = 0, available = 0, updated = 0;
    for (const node of nodes) {
      const onNode = nodePods.get(node.metadata?.name ?? '') ?? [];
      const { shouldRun } = nodeShouldRunDaemonPod(ds, node);
      if (shouldRun) {
        desired++;
        if (onNode.length === 0) continue;
        current++;
        const pod = onNode[0];
        if (isPodReady(pod)) {
          ready++;
          if (isPodAvailable(pod, ds.spec?.minReadySeconds ?? 0, now)) available++;
        }
        if (onNode.some((p) => this.isUpdated(ds, p, hash))) updated++;
      } else if (onNode.length > 0) misscheduled++;
    }
    const status: Record<string, number> = {
      currentNumberScheduled: current, numberMisscheduled: misscheduled, desiredNumberScheduled: desired, numberReady: ready,
      observedGeneration: ds.metadata.generation ?? 0, updatedNumberScheduled: updated, numberAvailable: available,
    };
    if (desired - available > 0) status.numberUnavailable = desired - available;
    if (collisionCount > 0) status.collisionCount = collisionCount;
    const { conditions, ...cur } = ds.status ?? {};
    if (semanticEqual(cur, status)) return;
    const next = { ...status, ...(conditions ? { conditions } : {}) };
    await updateStatusWithRetry(this.client, resources.daemonsets, ds, next);
  }
}
