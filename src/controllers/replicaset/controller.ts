// The ReplicaSet controller (upstream pkg/controller/replicaset/replica_set.go): keeps spec.replicas active pods
// matching the selector. It claims pods (adopting orphans, releasing pods that stopped matching), creates missing
// pods from the template in slow-start batches (1, 2, 4, ...), deletes surplus pods in upstream's order
// (unscheduled, pending, not ready, ... newest first), and reports replicas / fullyLabeledReplicas /
// readyReplicas / availableReplicas / observedGeneration and the ReplicaFailure condition.
//
// Expectations keep it from acting twice on a cache that has not yet seen its own writes: after asking for N
// creations (or these deletions) it does not manage replicas again until the informer has delivered them.
//
// The same controller manages ReplicationControllers, as upstream's ReplicationManager wraps its ReplicaSet
// controller: a ReplicaSetKind says which resource and kind it reads and owns pods as, and turns an object of that
// kind into the ReplicaSet shape the sync reads (an RC's selector map becomes matchLabels).
import { isNotFound, isTimeout } from '../../api/errors.js';
import { selectorFromSpec } from '../../api/labels.js';
import { resources, type ApiResource } from '../../api/resources.js';
import type { ReconcileResult } from '../../client/controller.js';
import type { SharedInformer } from '../../client/informer.js';
import { deletedObject, metaNamespaceKey, splitMetaNamespaceKey, type DeletedFinalStateUnknown } from '../../client/keys.js';
import { errorText } from '../../client/log.js';
import { rankPodsForDeletion } from '../shared/active-pods.js';
import { claimObjects, controllersSelecting, controllerUIDIndex, controllerUIDIndexFunc, getControllerOf, newControllerRef, recheckDeletionTimestamp, resolveControllerRef } from '../shared/controller-ref.js';
import { ControllerExpectations } from '../shared/expectations.js';
import type { ControllerOptions } from '../shared/options.js';
import { ControllerBase, runWorkers } from '../shared/start.js';
import { updateStatusWithRetry } from '../shared/update-status.js';
import { isPodActive, isPodAvailable, isPodReady, podKey } from '../shared/pod-util.js';
import { specReplicas } from '../shared/replica-sets.js';
import { metaNow } from '../shared/time.js';
import type { Pod, ReplicaSet } from '../shared/types.js';
import type { KubeObject } from '../../api/object.js';

export const replicaSetKind = { apiVersion: 'apps/v1', kind: 'ReplicaSet' } as const;

/** What the controller manages: ReplicaSets, or ReplicationControllers read as ReplicaSets. */
export interface ReplicaSetKind {
  resource: ApiResource;
  gvk: { apiVersion: string; kind: string };
  /** The work queue's and the event source's names, as upstream's ("replicaset"/"replicaset-controller"). */
  queue: string;
  component: string;
  /** The object in the ReplicaSet shape the sync reads (a clone; the cached object is never changed). */
  asReplicaSet(obj: KubeObject): ReplicaSet;
}

export const replicaSetManaged: ReplicaSetKind = {
  resource: resources.replicasets, gvk: replicaSetKind, queue: 'replicaset', component: 'replicaset-controller',
  asReplicaSet: (obj) => structuredClone(obj) as ReplicaSet,
};
/** Upstream's burstReplicas: at most this many creations or deletions per sync. */
export const burstReplicas = 500;
/** controller.SlowStartInitialBatchSize. */
export const slowStartInitialBatchSize = 1;

export interface ReplicaSetControllerOptions extends ControllerOptions {
  burstReplicas?: number;
  /** Default: ReplicaSets. */
  kind?: ReplicaSetKind;
}

type ReplicaSetCondition = NonNullable<NonNullable<ReplicaSet['status']>['conditions']>[number];
type ReplicaSetStatus = NonNullable<ReplicaSet['status']>;

export class ReplicaSetController extends ControllerBase {
  readonly expectations: ControllerExpectations;
  private readonly rsInformer: SharedInformer<KubeObject>;
  private readonly kind: ReplicaSetKind;
  private readonly podInformer: SharedInformer<Pod>;
  private readonly burst: number;

  constructor(private readonly opts: ReplicaSetControllerOptions) {
    super(opts, opts.kind ?? replicaSetManaged);
    this.kind = opts.kind ?? replicaSetManaged;
    this.burst = opts.burstReplicas ?? burstReplicas;
    this.expectations = new ControllerExpectations(this.clock);
    this.rsInformer = opts.informers.informerFor<KubeObject>(this.kind.resource, { indexers: { [controllerUIDIndex]: controllerUIDIndexFunc } });
    this.podInformer = opts.informers.informerFor<Pod>(resources.pods, { indexers: { [controllerUIDIndex]: controllerUIDIndexFunc } });
    this.rsInformer.addEventHandler({
      onAdd: (rs) => this.enqueue(rs),
      onUpdate: (old, cur) => {
        if (old.metadata?.uid !== cur.metadata?.uid) this.onDeleteRS(old);
        this.enqueue(cur);
      },
      onDelete: (obj) => this.onDeleteRS(deletedObject(obj)),
    });
    this.podInformer.addEventHandler({
      onAdd: (pod) => this.onAddPod(pod),
      onUpdate: (old, cur) => this.onUpdatePod(old, cur),
      onDelete: (obj) => this.onDeletePod(obj),
    });
  }

  /** Starts the informers it uses and runs the workers until opts.signal aborts. */
  run(): Promise<void> {
    return runWorkers(this.wiring, this.opts, {
      name: this.kind.component, informers: [this.rsInformer, this.podInformer], defaultWorkers: 5,
      reconcile: (key) => this.reconcile(key),
    });
  }

  // --- event handlers: only compute keys and enqueue ---------------------------------------------------------

  private enqueue(rs: KubeObject): void { this.queue.add(metaNamespaceKey(rs)); }

  private onDeleteRS(rs: KubeObject): void {
    const key = metaNamespaceKey(rs);
    this.expectations.delete(key);
    this.queue.add(key);
  }

  /** The ReplicaSet a controller reference points to, if it is in the cache with the same UID. */
  private resolveControllerRef(namespace: string | undefined, ref: { kind: string; name: string; uid: string } | undefined): KubeObject | undefined {
    return resolveControllerRef(this.rsInformer, this.kind.gvk.kind, namespace, ref);
  }

  /** ReplicaSets in the pod's namespace whose selector matches it (for orphans). */
  private replicaSetsForPod(pod: Pod): KubeObject[] {
    return controllersSelecting(this.rsInformer, pod, (rs) => this.kind.asReplicaSet(rs).spec?.selector);
  }

  private onAddPod(pod: Pod): void {
    if (pod.metadata?.deletionTimestamp) { this.onDeletePod(pod); return; }
    const ref = getControllerOf(pod);
    if (ref) {
      const rs = this.resolveControllerRef(pod.metadata?.namespace, ref);
      if (!rs) return;
      this.expectations.creationObserved(metaNamespaceKey(rs));
      this.enqueue(rs);
      return;
    }
    for (const rs of this.replicaSetsForPod(pod)) this.enqueue(rs);
  }

  private onUpdatePod(old: Pod, cur: Pod): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
    const labelChanged = JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
    if (cur.metadata?.deletionTimestamp) {
      this.onDeletePod(cur);
      if (labelChanged) this.onDeletePod(old);
      return;
    }
    const curRef = getControllerOf(cur), oldRef = getControllerOf(old);
    const refChanged = curRef?.uid !== oldRef?.uid || curRef?.name !== oldRef?.name;
    if (refChanged && oldRef) {
      const rs = this.resolveControllerRef(old.metadata?.namespace, oldRef);
      if (rs) this.enqueue(rs);
    }
    if (curRef) {
      const rs = this.resolveControllerRef(cur.metadata?.namespace, curRef);
      if (!rs) return;
      this.enqueue(rs);
      // A pod that just became ready turns available minReadySeconds later; nothing else would wake us then.
      const mrs = (rs.spec as ReplicaSet['spec'])?.minReadySeconds ?? 0;
      if (!isPodReady(old) && isPodReady(cur) && mrs > 0) this.queue.addAfter(metaNamespaceKey(rs), mrs * 1000);
      return;
    }
    if (labelChanged || refChanged) for (const rs of this.replicaSetsForPod(cur)) this.enqueue(rs);
  }

  private onDeletePod(obj: Pod | DeletedFinalStateUnknown<Pod>): void {
    const pod = deletedObject(obj);
    const ref = getControllerOf(pod);
    if (!ref) return;
    const rs = this.resolveControllerRef(pod.metadata?.namespace, ref);
    if (!rs) return;
    const key = metaNamespaceKey(rs);
    this.expectations.deletionObserved(key, podKey(pod));
    this.queue.add(key);
  }

  // --- reconcile ---------------------------------------------------------------------------------------------

  async reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const cached = this.rsInformer.getByName(namespace, name);
    if (!cached) {
      this.expectations.delete(key);
      return;
    }
    const rsNeedsSync = this.expectations.satisfied(key);
    const rs = this.kind.asReplicaSet(cached);
    const selector = selectorFromSpec(rs.spec?.selector);
    // Every active pod of the namespace: pods that stopped matching but still point at us must be released.
    const active = this.podInformer.list(namespace ?? '').filter(isPodActive);
    const filteredPods = await claimObjects<Pod>(active, {
      client: this.client, resource: resources.pods, controller: rs, controllerKind: this.kind.gvk,
      match: (p) => !selector.empty && selector.matches(p.metadata?.labels),
      canAdopt: recheckDeletionTimestamp(() => this.client.get(this.kind.resource, namespace, name), rs),
    });

    let manageErr: unknown;
    if (rsNeedsSync && !rs.metadata?.deletionTimestamp) {
      try { await this.manageReplicas(filteredPods, rs, key); } catch (e) { manageErr = e; }
    }
    const newStatus = this.calculateStatus(rs, filteredPods, manageErr);
    const updated = await this.updateStatus(rs, cached, newStatus);
    if (manageErr !== undefined) throw manageErr;
    // Resync after minReadySeconds as a last line of defense, so ready pods get counted as available.
    const mrs = updated.spec?.minReadySeconds ?? 0;
    const st = updated.status;
    if (mrs > 0 && (st?.readyReplicas ?? 0) === specReplicas(updated) && (st?.availableReplicas ?? 0) !== specReplicas(updated)) {
      return { requeueAfter: mrs * 1000 };
    }
  }

  private async manageReplicas(filteredPods: Pod[], rs: ReplicaSet, key: string): Promise<void> {
    let diff = filteredPods.length - specReplicas(rs);
    if (diff < 0) {
      diff = Math.min(-diff, this.burst);
      // Expect all the creations first: the watch may deliver a pod before its create call returns.
      this.expectations.expectCreations(key, diff);
      const { successes, error } = await slowStartBatch(diff, slowStartInitialBatchSize, () => this.createPod(rs));
      // Creations never attempted (after a failed batch) will never be observed.
      for (let i = 0; i < diff - successes; i++) this.expectations.creationObserved(key);
      if (error !== undefined) throw error;
      return;
    }
    if (diff > 0) {
      diff = Math.min(diff, this.burst);
      const related = this.indirectlyRelatedPods(rs);
      const toDelete = diff < filteredPods.length
        ? rankPodsForDeletion(filteredPods, related, this.clock.now(), isPodActive).slice(0, diff)
        : filteredPods.slice(0, diff);
      this.expectations.expectDeletions(key, toDelete.map(podKey));
      const results = await Promise.allSettled(toDelete.map(async (pod) => {
        try {
          await this.deletePod(rs, pod);
        } catch (e) {
          // The informer will never observe a deletion that did not happen.
          this.expectations.deletionObserved(key, podKey(pod));
          if (!isNotFound(e)) throw e;
        }
      }));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    }
  }

  /** Pods of every ReplicaSet controlled by the same owner as rs (e.g. all of a Deployment's ReplicaSets). */
  private indirectlyRelatedPods(rs: ReplicaSet): Pod[] {
    const ref = getControllerOf(rs);
    if (!ref) return [];
    const seen = new Set<string>();
    const out: Pod[] = [];
    for (const related of this.rsInformer.byIndex(controllerUIDIndex, ref.uid)) {
      if (related.metadata?.namespace !== rs.metadata?.namespace) continue;
      let sel;
      try { sel = selectorFromSpec(this.kind.asReplicaSet(related).spec?.selector); } catch { continue; }
      for (const p of this.podInformer.list(related.metadata?.namespace ?? '')) {
        const uid = p.metadata?.uid ?? '';
        if (sel.empty || !sel.matches(p.metadata?.labels) || seen.has(uid)) continue;
        seen.add(uid);
        out.push(p);
      }
    }
    return out;
  }

  /** controller.GetPodFromTemplate + CreatePodsWithGenerateName, with upstream's events. */
  private async createPod(rs: ReplicaSet): Promise<void> {
    const t = rs.spec?.template ?? {};
    const name = rs.metadata?.name ?? '';
    const pod: Pod = {
      apiVersion: 'v1', kind: 'Pod',
      metadata: {
        generateName: `${name}-`,
        namespace: rs.metadata?.namespace,
        ownerReferences: [newControllerRef(rs, this.kind.gvk)],
      },
      spec: structuredClone(t.spec ?? { containers: [] }),
    };
    if (t.metadata?.labels) pod.metadata!.labels = { ...t.metadata.labels };
    if (t.metadata?.annotations) pod.metadata!.annotations = { ...t.metadata.annotations };
    if (t.metadata?.finalizers) pod.metadata!.finalizers = [...t.metadata.finalizers];
    let created: Pod;
    try {
      created = await this.client.create<Pod>(resources.pods, rs.metadata?.namespace, pod);
    } catch (e) {
      if (!isTimeout(e)) {
        void this.recorder.event(rs, 'Warning', 'FailedCreate', `Error creating: ${errorText(e)}`);
      }
      throw e;
    }
    void this.recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name}`);
  }

  private async deletePod(rs: ReplicaSet, pod: Pod): Promise<void> {
    const name = pod.metadata?.name ?? '';
    try {
      await this.client.delete(resources.pods, pod.metadata?.namespace, name);
    } catch (e) {
      if (isNotFound(e)) throw e;
      void this.recorder.event(rs, 'Warning', 'FailedDelete', `Error deleting: ${errorText(e)}`);
      // Rethrown as is, so the sync's caller still sees the API's reason (the condition adds upstream's wording).
      throw e;
    }
    void this.recorder.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
  }

  private calculateStatus(rs: ReplicaSet, filteredPods: Pod[], manageErr: unknown): ReplicaSetStatus {
    const status: ReplicaSetStatus = structuredClone(rs.status ?? { replicas: 0 });
    const templateLabels = rs.spec?.template?.metadata?.labels ?? {};
    const now = this.clock.now();
    let fullyLabeled = 0, ready = 0, available = 0;
    for (const p of filteredPods) {
      const labels = p.metadata?.labels ?? {};
      if (Object.entries(templateLabels).every(([k, v]) => labels[k] === v)) fullyLabeled++;
      if (isPodReady(p)) {
        ready++;
        if (isPodAvailable(p, rs.spec?.minReadySeconds ?? 0, now)) available++;
      }
    }
    const failure = status.conditions?.find((c) => c.type === 'ReplicaFailure');
    if (manageErr !== undefined && !failure) {
      const diff = filteredPods.length - specReplicas(rs);
      const cond: ReplicaSetCondition = {
        type: 'ReplicaFailure', status: 'True', lastTransitionTime: metaNow(this.clock),
        reason: diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '',
        message: diff > 0 ? `unable to delete pods: ${errorText(manageErr)}` : errorText(manageErr),
      };
      status.conditions = [...(status.conditions ?? []), cond];
    } else if (manageErr === undefined && failure) {
      status.conditions = status.conditions!.filter((c) => c.type !== 'ReplicaFailure');
      if (status.conditions.length === 0) delete status.conditions;
    }
    status.replicas = filteredPods.length;
    status.fullyLabeledReplicas = fullyLabeled;
    status.readyReplicas = ready;
    status.availableReplicas = available;
    return status;
  }

  /**
   * updateReplicaSetStatus: skips the write in the steady state; one retry after re-reading on failure. `original` is
   * the object as its own kind stores it (what the write sends).
   */
  private async updateStatus(rs: ReplicaSet, original: KubeObject, newStatus: ReplicaSetStatus): Promise<ReplicaSet> {
    const cur = rs.status;
    const n = (v: number | undefined) => v ?? 0;
    if (n(cur?.replicas) === newStatus.replicas && n(cur?.fullyLabeledReplicas) === n(newStatus.fullyLabeledReplicas)
      && n(cur?.readyReplicas) === n(newStatus.readyReplicas) && n(cur?.availableReplicas) === n(newStatus.availableReplicas)
      && n(rs.metadata?.generation) === n(cur?.observedGeneration)
      && JSON.stringify(cur?.conditions ?? []) === JSON.stringify(newStatus.conditions ?? [])) {
      return rs;
    }
    newStatus.observedGeneration = rs.metadata?.generation;
    return this.kind.asReplicaSet(await updateStatusWithRetry(this.client, this.kind.resource, original, newStatus));
  }
}

/**
 * controller.slowStartBatch: calls fn count times in batches of 1, 2, 4, ... (each batch concurrently), stopping
 * after the first batch with a failure, so a quota or admission error costs one call, not hundreds.
 */
export async function slowStartBatch(count: number, initialBatchSize: number, fn: () => Promise<void>): Promise<{ successes: number; error?: unknown }> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initialBatchSize); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += batch - failures.length;
    if (failures.length) return { successes, error: failures[0].reason };
    remaining -= batch;
  }
  return { successes };
}
