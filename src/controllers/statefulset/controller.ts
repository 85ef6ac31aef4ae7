// The StatefulSet controller (upstream pkg/controller/statefulset): pods with stable identities <set>-<ordinal>,
// created in ordinal order and removed in reverse (OrderedReady: one at a time, each waiting for its predecessor
// to be Running and Ready; Parallel: all at once), each with its PersistentVolumeClaims from volumeClaimTemplates.
// Template changes become ControllerRevisions; RollingUpdate replaces pods from the highest ordinal down to the
// partition (maxUnavailable at a time), OnDelete only gives replaced pods the new revision. The PVC retention
// policy is carried by ownerReferences (the set for whenDeleted: Delete, the condemned pod for whenScaled: Delete)
// so the garbage collector deletes the claims, as upstream.
import { isAlreadyExists, isNotFound } from '../../api/errors.js';
import { selectorFromSpec } from '../../api/labels.js';
import type { KubeObject } from '../../api/object.js';
import { resources } from '../../api/resources.js';
import { enqueueHandlers, type ReconcileResult } from '../../client/controller.js';
import type { SharedInformer } from '../../client/informer.js';
import { deletedObject, metaNamespaceKey, splitMetaNamespaceKey, type DeletedFinalStateUnknown } from '../../client/keys.js';
import { errorText } from '../../client/log.js';
import { claimObjects, controllersSelecting, controllerUIDIndex, controllerUIDIndexFunc, getControllerOf, recheckDeletionTimestamp, resolveControllerRef } from '../shared/controller-ref.js';
import { ensureRevision, truncateHistory, type ControllerRevision } from '../shared/history.js';
import type { ControllerOptions } from '../shared/options.js';
import { isPodAvailable, isPodReady } from '../shared/pod-util.js';
import { ControllerBase, runWorkers } from '../shared/start.js';
import { updateStatusWithRetry } from '../shared/update-status.js';
import type { Pod } from '../shared/types.js';
import { claimsFor, getOrdinal, isMemberOf, newStatefulSetPod, podName, revisionLabel, startOrdinal, statefulSetKind } from './identity.js';

export type StatefulSetControllerOptions = ControllerOptions;

export interface StatefulSetStatus {
  observedGeneration?: number; replicas: number; readyReplicas: number; currentReplicas: number; updatedReplicas: number;
  availableReplicas: number; currentRevision?: string; updateRevision?: string; collisionCount?: number; conditions?: unknown[];
}

const isTerminating = (p: Pod) => !!p.metadata?.deletionTimestamp;
const isRunningAndReady = (p: Pod) => p.status?.phase === 'Running' && isPodReady(p);
const isFailedOrSucceeded = (p: Pod) => p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded';
const podRevision = (p: Pod) => p.metadata?.labels?.[revisionLabel] ?? '';

/** The set as it was at a revision: its template replaced by the revision's (ApplyRevision). */
function applyRevision(set: KubeObject, rev: ControllerRevision): KubeObject {
  const tpl = structuredClone(rev.data?.spec?.template ?? set.spec?.template ?? {});
  delete tpl.$patch;
  return { ...set, spec: { ...set.spec, template: tpl } };
}

/** maxUnavailable of a RollingUpdate as a pod count (percentages round up; at least 1). */
function maxUnavailableOf(set: KubeObject, replicas: number): number {
  const v = set.spec?.updateStrategy?.rollingUpdate?.maxUnavailable;
  if (v == null) return 1;
  const n = typeof v === 'string' && v.endsWith('%') ? Math.ceil((Number(v.slice(0, -1)) * replicas) / 100) : Number(v);
  return Math.max(1, n || 0);
}

export class StatefulSetController extends ControllerBase {
  private readonly setInformer: SharedInformer<KubeObject>;
  private readonly podInformer: SharedInformer<Pod>;
  private readonly revisionInformer: SharedInformer<ControllerRevision>;
  private readonly claimInformer: SharedInformer<KubeObject>;

  constructor(private readonly opts: StatefulSetControllerOptions) {
    super(opts, { queue: 'statefulset', component: 'statefulset-controller' });
    this.setInformer = opts.informers.informerFor<KubeObject>(resources.statefulsets);
    this.podInformer = opts.informers.informerFor<Pod>(resources.pods, { indexers: { [controllerUIDIndex]: controllerUIDIndexFunc } });
    this.revisionInformer = opts.informers.informerFor<ControllerRevision>(resources.controllerrevisions, { indexers: { [controllerUIDIndex]: controllerUIDIndexFunc } });
    this.claimInformer = opts.informers.informerFor<KubeObject>(resources.persistentvolumeclaims);
    // A deleted claim may need creating again (its pod still Pending): look at the sets whose selector its labels match.
    this.claimInformer.addEventHandler({ onDelete: (obj) => this.enqueueMatching(deletedObject(obj)) });
    this.setInformer.addEventHandler(enqueueHandlers(this.queue));
    this.podInformer.addEventHandler({
      onAdd: (p) => this.onPod(p),
      onUpdate: (old, cur) => {
        if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
        const oldRef = getControllerOf(old), curRef = getControllerOf(cur);
        if (oldRef && oldRef.uid !== curRef?.uid) this.onPod(old);
        this.onPod(cur);
      },
      onDelete: (obj) => this.onPod(deletedObject(obj as Pod | DeletedFinalStateUnknown<Pod>)),
    });
    this.revisionInformer.addEventHandler({
      onAdd: (r) => this.onOwned(r),
      onUpdate: (_o, r) => this.onOwned(r),
      onDelete: (obj) => this.onOwned(deletedObject(obj)),
    });
  }

  run(): Promise<void> {
    return runWorkers(this.wiring, this.opts, {
      name: 'statefulset-controller', informers: [this.setInformer, this.podInformer, this.revisionInformer, this.claimInformer], defaultWorkers: 5,
      reconcile: (key) => this.reconcile(key),
    });
  }

  // --- event handlers: only compute keys and enqueue ---------------------------------------------------------

  private enqueue(set: KubeObject): void { this.queue.add(metaNamespaceKey(set)); }

  private onOwned(obj: KubeObject): boolean {
    const set = resolveControllerRef(this.setInformer, statefulSetKind.kind, obj.metadata?.namespace, getControllerOf(obj));
    if (set) this.enqueue(set);
    return !!getControllerOf(obj);
  }

  private onPod(pod: Pod): void {
    // An orphan: every set whose selector matches it may adopt it.
    if (!this.onOwned(pod)) this.enqueueMatching(pod);
  }

  private enqueueMatching(obj: KubeObject): void { for (const set of controllersSelecting(this.setInformer, obj)) this.enqueue(set); }

  // --- reconcile ---------------------------------------------------------------------------------------------

  async reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const cached = this.setInformer.getByName(namespace, name);
    if (!cached) return;
    const set = structuredClone(cached);
    const selector = selectorFromSpec(set.spec?.selector);
    const pods = await claimObjects<Pod>(this.podInformer.list(namespace ?? ''), {
      client: this.client, resource: resources.pods, controller: set, controllerKind: statefulSetKind,
      match: (p) => !selector.empty && selector.matches(p.metadata?.labels) && isMemberOf(set, p),
      canAdopt: recheckDeletionTimestamp(() => this.client.get(resources.statefulsets, namespace, name), set),
    });
    const revisions = this.revisionInformer.byIndex(controllerUIDIndex, set.metadata.uid ?? '')
      .filter((r) => r.metadata?.namespace === namespace).map((r) => structuredClone(r));
    const { revision: updateRevision, collisionCount } = await ensureRevision(this.client, set, statefulSetKind, revisions, set.status?.collisionCount ?? 0);
    if (!revisions.some((r) => r.metadata.name === updateRevision.metadata.name)) revisions.push(updateRevision);
    const currentRevision = revisions.find((r) => r.metadata.name === set.status?.currentRevision) ?? updateRevision;

    const status: StatefulSetStatus = {
      observedGeneration: set.metadata.generation, replicas: 0, readyReplicas: 0, currentReplicas: 0, updatedReplicas: 0, availableReplicas: 0,
      currentRevision: currentRevision.metadata.name, updateRevision: updateRevision.metadata.name, collisionCount,
    };
    let requeueAfter: number | undefined;
    if (!set.metadata.deletionTimestamp) {
      requeueAfter = await this.updateStatefulSet(set, applyRevision(set, currentRevision), status, pods);
    }
    this.computeStatus(set, status, pods);
    await this.updateStatus(set, status);
    // Keep revisionHistoryLimit revisions beside the live ones (the current, the update, and any a pod runs).
    const live = new Set<string>([status.currentRevision ?? '', status.updateRevision ?? '', ...pods.map(podRevision)]);
    await truncateHistory(this.client, revisions, live, set.spec?.revisionHistoryLimit ?? 10);
    return requeueAfter !== undefined ? { requeueAfter } : undefined;
  }

  /** computeReplicaStatus over the pods as the cache shows them, then completeRollingUpdate. */
  private computeStatus(set: KubeObject, status: StatefulSetStatus, pods: Pod[]): void {
    const now = this.clock.now();
    for (const p of this.freshPods(set, pods)) {
      status.replicas++;
      if (isRunningAndReady(p)) {
        status.readyReplicas++;
        if (isPodAvailable(p, set.spec?.minReadySeconds ?? 0, now)) status.availableReplicas++;
      }
      if (!isTerminating(p)) {
        if (podRevision(p) === status.currentRevision) status.currentReplicas++;
        if (podRevision(p) === status.updateRevision) status.updatedReplicas++;
      }
    }
    if (set.spec?.updateStrategy?.type === 'RollingUpdate' && status.updatedReplicas === status.replicas && status.readyReplicas === status.replicas) {
      status.currentReplicas = status.updatedReplicas;
      status.currentRevision = status.updateRevision;
    }
  }

  /** The set's pods as the cache shows them now (this sync's writes included once observed). */
  private freshPods(set: KubeObject, claimed: Pod[]): Pod[] {
    const uids = new Set(claimed.map((p) => p.metadata?.uid));
    return this.podInformer.list(set.metadata.namespace ?? '').filter((p) => uids.has(p.metadata?.uid) || getControllerOf(p)?.uid === set.metadata.uid);
  }

  /**
   * updateStatefulSet: one step towards the desired pods. Returns a delay after which to look again when waiting
   * on time (minReadySeconds) rather than on an event.
   */
  private async updateStatefulSet(set: KubeObject, currentSet: KubeObject, status: StatefulSetStatus, pods: Pod[]): Promise<number | undefined> {
    const replicaCount = set.spec?.replicas ?? 1;
    const start = startOrdinal(set);
    const monotonic = set.spec?.podManagementPolicy !== 'Parallel';
    const minReady = set.spec?.minReadySeconds ?? 0;
    const now = this.clock.now();
    const replicas: (Pod | undefined)[] = new Array(replicaCount).fill(undefined);
    const condemned: Pod[] = [];
    for (const p of pods) {
      const ord = getOrdinal(p);
      if (ord >= start && ord < start + replicaCount) replicas[ord - start] = p;
      else condemned.push(p);
    }
    condemned.sort((a, b) => getOrdinal(b) - getOrdinal(a));
    const partition = set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
    const rolling = set.spec?.updateStrategy?.type === 'RollingUpdate';
    // newVersionedStatefulSetPod: below the partition a new pod keeps the current revision.
    const newPod = (ord: number) => (rolling && ord < start + partition
      ? newStatefulSetPod(currentSet, status.currentRevision!, ord) : newStatefulSetPod(set, status.updateRevision!, ord));
    const healthy = (p: Pod) => isRunningAndReady(p) && !isTerminating(p) && isPodAvailable(p, minReady, now);
    let waitForAvailable = false;

    // Replicas in range, in ordinal order. Parallel acts on every ordinal; OrderedReady stops at the first it must wait for.
    for (let i = 0; i < replicaCount; i++) {
      const ord = start + i;
      const pod = replicas[i];
      if (pod && isFailedOrSucceeded(pod) && !isTerminating(pod)) {
        await this.deletePod(set, pod);
        if (monotonic) return undefined;
        continue;
      }
      if (!pod) {
        await this.createPod(set, newPod(ord));
        if (monotonic) return undefined;
        continue;
      }
      if (isTerminating(pod)) { if (monotonic) return undefined; continue; }
      await this.fixPodClaims(set, pod);
      if (!isRunningAndReady(pod)) { if (monotonic) return undefined; continue; }
      if (!isPodAvailable(pod, minReady, now)) {
        waitForAvailable = true;
        if (monotonic) return minReady * 1000;
      }
    }
    // Condemned pods (ordinals beyond replicas), highest first; OrderedReady removes one at a time, only once every
    // remaining replica is healthy (the loop above returned otherwise).
    const firstUnhealthy = [...replicas, ...condemned].find((p) => p && !healthy(p));
    for (const pod of condemned) {
      if (isTerminating(pod)) { if (monotonic) return undefined; continue; }
      if (monotonic && !healthy(pod) && pod !== firstUnhealthy) return undefined;
      if (set.spec?.persistentVolumeClaimRetentionPolicy?.whenScaled === 'Delete') await this.ownClaimsByPod(set, pod);
      await this.deletePod(set, pod);
      if (monotonic) return undefined;
    }
    if (!rolling) return waitForAvailable ? minReady * 1000 : undefined;

    // RollingUpdate: replace pods not at the update revision from the highest ordinal down to the partition, at most
    // maxUnavailable unavailable at a time.
    const maxUnavailable = maxUnavailableOf(set, replicaCount);
    let unavailable = replicas.filter((p) => !p || !healthy(p)).length;
    for (let i = replicaCount - 1; i >= partition && unavailable < maxUnavailable; i--) {
      const pod = replicas[i];
      if (!pod) continue;
      if (podRevision(pod) !== status.updateRevision && !isTerminating(pod)) {
        if (!healthy(pod)) continue;
        await this.deletePod(set, pod);
        unavailable++;
      } else if (maxUnavailable === 1 && !healthy(pod)) {
        break;
      }
    }
    return waitForAvailable ? minReady * 1000 : undefined;
  }

  /** The claim owner references the retention policy asks for on a pod in range (updateClaimOwnerRefForSetAndPod). */
  private claimOwnerRefs(set: KubeObject, pod: Pod, refs: readonly any[]): any[] {
    const out = refs.filter((r) => r.uid !== set.metadata.uid && r.uid !== pod.metadata?.uid);
    if (set.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted === 'Delete') {
      out.push({ apiVersion: statefulSetKind.apiVersion, kind: statefulSetKind.kind, name: set.metadata.name ?? '', uid: set.metadata.uid ?? '', controller: true, blockOwnerDeletion: true });
    }
    return out;
  }

  /**
   * For a pod in range: a Pending pod gets its missing claims back (createMissingPersistentVolumeClaims), and the
   * claims' owner references follow the retention policy when it changed.
   */
  private async fixPodClaims(set: KubeObject, pod: Pod): Promise<void> {
    for (const claim of claimsFor(set, getOrdinal(pod))) {
      const cur = this.claimInformer.getByName(claim.metadata.namespace, claim.metadata.name ?? '');
      if (!cur) {
        if (pod.status?.phase === 'Pending' || !pod.status?.phase) await this.createClaim(set, pod, claim);
        continue;
      }
      const refs = cur.metadata.ownerReferences ?? [];
      const want = this.claimOwnerRefs(set, pod, refs);
      const key = (rs: readonly any[]) => rs.map((r) => r.uid).sort().join();
      if (key(refs) === key(want)) continue;
      try {
        await this.client.patch(resources.persistentvolumeclaims, cur.metadata.namespace, cur.metadata.name ?? '', 'merge', {
          metadata: { resourceVersion: cur.metadata.resourceVersion, ownerReferences: want.length ? want : null },
        });
      } catch (e) { if (!isNotFound(e)) throw e; }
    }
  }

  private async createClaim(set: KubeObject, pod: Pod, claim: KubeObject): Promise<void> {
    claim.metadata.ownerReferences = this.claimOwnerRefs(set, pod, []);
    if (!claim.metadata.ownerReferences.length) delete claim.metadata.ownerReferences;
    try {
      await this.client.create(resources.persistentvolumeclaims, claim.metadata.namespace, claim);
      void this.recorder.event(set, 'Normal', 'SuccessfulCreate', `create Claim ${claim.metadata.name} Pod ${pod.metadata?.name} in StatefulSet ${set.metadata.name} success`);
    } catch (e) {
      if (isAlreadyExists(e)) return;
      void this.recorder.event(set, 'Warning', 'FailedCreate', `create Claim ${claim.metadata.name} for Pod ${pod.metadata?.name} in StatefulSet ${set.metadata.name} failed error: ${errorText(e)}`);
      throw e;
    }
  }

  /** Creates the pod's missing claims, then the pod (CreateStatefulPod). Waits quietly on a stale cache. */
  private async createPod(set: KubeObject, pod: Pod): Promise<void> {
    const ordinal = getOrdinal(pod);
    for (const claim of claimsFor(set, ordinal)) {
      if (this.claimInformer.getByName(claim.metadata.namespace, claim.metadata.name ?? '')) continue;
      await this.createClaim(set, pod, claim);
    }
    try {
      await this.client.create(resources.pods, set.metadata.namespace, pod);
    } catch (e) {
      if (isAlreadyExists(e)) return;
      void this.recorder.event(set, 'Warning', 'FailedCreate', `create Pod ${pod.metadata?.name} in StatefulSet ${set.metadata.name} failed error: ${errorText(e)}`);
      throw e;
    }
    void this.recorder.event(set, 'Normal', 'SuccessfulCreate', `create Pod ${pod.metadata?.name} in StatefulSet ${set.metadata.name} successful`);
  }

  private async deletePod(set: KubeObject, pod: Pod): Promise<void> {
    try {
      await this.client.delete(resources.pods, pod.metadata?.namespace, pod.metadata?.name ?? '', { preconditions: { uid: pod.metadata?.uid } });
    } catch (e) {
      if (isNotFound(e)) return;
      void this.recorder.event(set, 'Warning', 'FailedDelete', `delete Pod ${pod.metadata?.name} in StatefulSet ${set.metadata.name} failed error: ${errorText(e)}`);
      throw e;
    }
    void this.recorder.event(set, 'Normal', 'SuccessfulDelete', `delete Pod ${pod.metadata?.name} in StatefulSet ${set.metadata.name} successful`);
  }

  /**
   * whenScaled: Delete — a condemned pod's claims get the pod as owner instead of the set (updateClaimOwnerRefForSetAndPod),
   * so the garbage collector deletes them once the pod is gone (a remaining live owner would keep them).
   */
  private async ownClaimsByPod(set: KubeObject, pod: Pod): Promise<void> {
    for (const claim of claimsFor(set, getOrdinal(pod))) {
      let cur: KubeObject;
      try { cur = await this.client.get(resources.persistentvolumeclaims, claim.metadata.namespace, claim.metadata.name ?? ''); }
      catch (e) { if (isNotFound(e)) continue; throw e; }
      const refs = cur.metadata.ownerReferences ?? [];
      if (refs.some((r) => r.uid === pod.metadata?.uid) && !refs.some((r) => r.uid === set.metadata.uid)) continue;
      const next = [...refs.filter((r) => r.uid !== set.metadata.uid && r.uid !== pod.metadata?.uid),
        { apiVersion: 'v1', kind: 'Pod', name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' }];
      await this.client.patch(resources.persistentvolumeclaims, cur.metadata.namespace, cur.metadata.name ?? '', 'merge', {
        metadata: { resourceVersion: cur.metadata.resourceVersion, ownerReferences: next },
      });
    }
  }

  private async updateStatus(set: KubeObject, status: StatefulSetStatus): Promise<void> {
    const cur = set.status ?? {};
    const same = (Object.keys(status) as (keyof StatefulSetStatus)[]).every((k) => (cur[k] ?? 0) === (status[k] ?? 0));
    if (same) return;
    const next = { ...cur, ...status };
    await updateStatusWithRetry(this.client, resources.statefulsets, set, next);
  }
}

export { podName };
