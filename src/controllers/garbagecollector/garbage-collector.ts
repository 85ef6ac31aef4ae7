// The garbage collector's decisions, as upstream's attemptToDeleteItem / attemptToOrphan / processDeletingDependents
// (pkg/controller/garbagecollector). One reconcile per object key:
//  - an object with deletionTimestamp and the "orphan" finalizer: remove ownerReferences to it from every
//    dependent, then remove the finalizer (the apiserver then removes it);
//  - with "foregroundDeletion": have its dependents deleted (foreground when they have dependents of their own);
//    once no dependent with blockOwnerDeletion is left, remove the finalizer;
//  - otherwise, an object whose owners are all gone (verified by a live GET: a cache miss is no proof) or all
//    deleting in the foreground is deleted; one with a live owner only loses its references to the others.
import { isConflict, isNotFound } from '../../api/errors.js';
import type { Client } from '../../client/client.js';
import type { ResourceId } from '../../api/resources.js';
import type { KubeObject } from '../../api/object.js';
import type { ReconcileResult } from '../../client/controller.js';
import type { EventRecorder } from '../../client/events.js';
import type { LogFn } from '../../client/log.js';
import type { RateLimitingQueue } from '../../client/workqueue.js';
import { nodeKey, type Node, type OwnershipGraph } from './graph.js';

type OwnerReference = NonNullable<NonNullable<KubeObject['metadata']>['ownerReferences']>[number];

export const orphanFinalizer = 'orphan';
export const foregroundFinalizer = 'foregroundDeletion';

const hasFinalizer = (o: KubeObject, f: string) => (o.metadata?.finalizers ?? []).includes(f);
/** An owner in foreground deletion: its dependents must go first. */
export const isDeletingDependents = (o: KubeObject) => !!o.metadata?.deletionTimestamp && hasFinalizer(o, foregroundFinalizer);

export interface GarbageCollectorDeps {
  client: Client;
  graph: OwnershipGraph;
  queue: RateLimitingQueue<string>;
  log: LogFn;
  recorder?: EventRecorder;
}

/** Whether two states of an object say the same about ownership and deletion (what the collector acts on). */
export function sameOwnership(a: KubeObject, b: KubeObject): boolean {
  const ma = a.metadata, mb = b.metadata;
  if (ma === mb) return true;
  if (ma?.uid !== mb?.uid || ma?.deletionTimestamp !== mb?.deletionTimestamp) return false;
  const fa = ma?.finalizers ?? [], fb = mb?.finalizers ?? [];
  if (fa.length !== fb.length || fa.some((f, i) => f !== fb[i])) return false;
  const ra = ma?.ownerReferences ?? [], rb = mb?.ownerReferences ?? [];
  return ra.length === rb.length && ra.every((r, i) => {
    const o = rb[i];
    return r.uid === o.uid && r.name === o.name && r.kind === o.kind && r.apiVersion === o.apiVersion
      && r.controller === o.controller && r.blockOwnerDeletion === o.blockOwnerDeletion;
  });
}

/** Owners verified absent by uid (uids are never reused, so this never goes stale). */
class AbsentOwnerCache {
  private uids = new Map<string, true>();
  constructor(private readonly max = 1000) {}
  has(uid: string) { return this.uids.has(uid); }
  add(uid: string) {
    this.uids.delete(uid);
    this.uids.set(uid, true);
    if (this.uids.size > this.max) this.uids.delete(this.uids.keys().next().value as string);
  }
}

export class GarbageCollector {
  private absent = new AbsentOwnerCache();
  constructor(private readonly d: GarbageCollectorDeps) {}

  // --- event handling: which keys a change makes worth looking at ------------------------------------------

  /** An object was added or changed: look at it, and at foreground owners that may be waiting for it. */
  onChange(resource: ResourceId, obj: KubeObject): void {
    this.d.queue.add(nodeKey(resource, obj));
    this.enqueueWaitingOwners(obj);
  }

  /**
   * An object appeared. One with no owners that is not being deleted gives reconcile nothing to do (most objects:
   * every pod a user creates, and each of its status updates, would otherwise go through the queue).
   */
  onAdd(resource: ResourceId, obj: KubeObject): void {
    if (!obj.metadata?.ownerReferences?.length && !obj.metadata?.deletionTimestamp) return;
    this.onChange(resource, obj);
  }

  /**
   * An object changed. As upstream's graph builder, only a change of what ownership depends on (ownerReferences,
   * deletion, finalizers) is looked at: reconcile reads nothing else, and an owner waiting in the foreground reads
   * nothing else of its dependents. Owners an update stopped referencing are looked at too: a foreground owner may
   * have been waiting for this dependent.
   */
  onUpdate(resource: ResourceId, old: KubeObject, obj: KubeObject): void {
    if (sameOwnership(old, obj)) return;
    if (old.metadata?.uid === obj.metadata?.uid) this.enqueueWaitingOwners(old);
    this.onChange(resource, obj);
  }

  /** An object is gone: its dependents may now be dangling; a foreground owner may now be free to go. */
  onDelete(obj: KubeObject): void {
    const uid = obj.metadata?.uid;
    if (uid) for (const dep of this.d.graph.dependentsOf(uid)) this.d.queue.add(nodeKey(dep.resource, dep.object));
    this.enqueueWaitingOwners(obj);
  }

  private enqueueWaitingOwners(obj: KubeObject): void {
    for (const ref of obj.metadata?.ownerReferences ?? []) {
      const owner = this.d.graph.byUid(ref.uid);
      if (owner && owner.object.metadata?.deletionTimestamp) this.d.queue.add(nodeKey(owner.resource, owner.object));
    }
  }

  // --- reconcile ---------------------------------------------------------------------------------------------

  async reconcile(key: string): Promise<ReconcileResult> {
    const node = this.d.graph.lookup(key);
    if (!node) return;
    const obj = node.object;
    if (obj.metadata?.deletionTimestamp) {
      if (hasFinalizer(obj, orphanFinalizer)) return this.orphanDependents(node);
      if (hasFinalizer(obj, foregroundFinalizer)) return this.processDeletingDependents(node);
      return; // being deleted, and not waiting for us
    }
    const refs = obj.metadata?.ownerReferences ?? [];
    if (refs.length === 0) return;
    // Fast path from the cache: every owner present and none deleting in the foreground → nothing to do. A
    // cached owner that is in fact gone will re-enqueue this object through its delete event.
    const cachedOwners = refs.map((r) => this.cachedOwner(r, node));
    if (cachedOwners.every((o) => o && !isDeletingDependents(o.object))) return;

    // Decide on the live object (the cache may still show references that were removed meanwhile).
    const latest = await this.getLive(node.resource, obj);
    if (!latest || latest.metadata?.deletionTimestamp) return;
    const latestRefs = latest.metadata?.ownerReferences ?? [];
    if (latestRefs.length === 0) return;
    const solid: OwnerReference[] = [], dangling: OwnerReference[] = [], waiting: OwnerReference[] = [];
    for (const ref of latestRefs) {
      const owner = await this.resolveOwner(ref, { resource: node.resource, object: latest });
      if (!owner) dangling.push(ref);
      else if (isDeletingDependents(owner)) waiting.push(ref);
      else solid.push(ref);
    }
    if (solid.length > 0) {
      if (dangling.length === 0 && waiting.length === 0) return;
      const gone = new Set([...dangling, ...waiting].map((r) => r.uid));
      await this.patchOwnerReferences(node.resource, latest, latestRefs.filter((r) => !gone.has(r.uid)));
      return;
    }
    let policy: 'Foreground' | 'Background' | 'Orphan';
    if (waiting.length > 0 && this.d.graph.dependentsOf(latest.metadata!.uid!).length > 0) policy = 'Foreground';
    else if (hasFinalizer(latest, orphanFinalizer)) policy = 'Orphan';
    else if (hasFinalizer(latest, foregroundFinalizer)) policy = 'Foreground';
    else policy = 'Background';
    await this.deleteObject(node.resource, latest, policy);
  }

  /** The owner, from the cache, if present there in the dependent's namespace. */
  private cachedOwner(ref: OwnerReference, dependent: Node): Node | undefined {
    const owner = this.d.graph.byUid(ref.uid);
    if (!owner) return undefined;
    if (owner.resource.namespaced && owner.object.metadata?.namespace !== dependent.object.metadata?.namespace) return undefined;
    return owner;
  }

  /** The owner's current state, or undefined when it is verified absent (NotFound, or another uid under that name). */
  private async resolveOwner(ref: OwnerReference, dependent: Node): Promise<KubeObject | undefined> {
    if (this.absent.has(ref.uid)) return undefined;
    const cached = this.cachedOwner(ref, dependent);
    if (cached) return cached.object;
    const resource = this.d.graph.resourceFor(ref);
    if (!resource) throw new Error(`cannot resolve ownerReference ${ref.apiVersion}/${ref.kind} ${ref.name}: the server does not serve that kind`);
    const depNs = dependent.object.metadata?.namespace;
    if (resource.namespaced && !depNs) {
      // A cluster-scoped object cannot be owned by a namespaced one: upstream treats the reference as absent.
      void this.d.recorder?.event(dependent.object, 'Warning', 'OwnerRefInvalidNamespace',
        `ownerRef [${ref.apiVersion}/${ref.kind}, namespace: , name: ${ref.name}, uid: ${ref.uid}] does not exist in namespace ""`);
      return undefined;
    }
    try {
      const owner = await this.d.client.get(resource, resource.namespaced ? depNs : undefined, ref.name);
      if (owner.metadata?.uid === ref.uid) return owner;
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    this.absent.add(ref.uid);
    return undefined;
  }

  private async getLive(resource: ResourceId, obj: KubeObject): Promise<KubeObject | undefined> {
    try {
      const latest = await this.d.client.get(resource, obj.metadata?.namespace, obj.metadata!.name!);
      return latest.metadata?.uid === obj.metadata?.uid ? latest : undefined;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  private async deleteObject(resource: ResourceId, obj: KubeObject, policy: 'Foreground' | 'Background' | 'Orphan'): Promise<void> {
    const m = obj.metadata!;
    this.d.log({ level: 'info', msg: 'deleting object', controller: 'garbage-collector', resource: resource.resource, namespace: m.namespace, name: m.name, propagationPolicy: policy });
    try {
      await this.d.client.delete(resource, m.namespace, m.name!, { propagationPolicy: policy, preconditions: { uid: m.uid } });
    } catch (e) {
      // Already gone, or replaced by a new object of the same name (the uid precondition failed): nothing to do.
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }

  /** Sets the dependent's ownerReferences to `keep`, guarded by its resourceVersion (a Conflict retries). */
  private async patchOwnerReferences(resource: ResourceId, obj: KubeObject, keep: OwnerReference[]): Promise<void> {
    const m = obj.metadata!;
    try {
      await this.d.client.patch(resource, m.namespace, m.name!, 'merge', {
        metadata: { resourceVersion: m.resourceVersion, uid: m.uid, ownerReferences: keep.length ? keep : null },
      });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  private async orphanDependents(owner: Node): Promise<ReconcileResult> {
    const uid = owner.object.metadata!.uid!;
    for (const dep of this.d.graph.dependentsOf(uid)) {
      const refs = dep.object.metadata?.ownerReferences ?? [];
      await this.patchOwnerReferences(dep.resource, dep.object, refs.filter((r) => r.uid !== uid));
    }
    await this.removeFinalizer(owner, orphanFinalizer);
  }

  private async processDeletingDependents(owner: Node): Promise<ReconcileResult> {
    const uid = owner.object.metadata!.uid!;
    const deps = this.d.graph.dependentsOf(uid);
    const blocking = deps.filter((d) => (d.object.metadata?.ownerReferences ?? []).some((r) => r.uid === uid && r.blockOwnerDeletion));
    if (blocking.length === 0) {
      await this.removeFinalizer(owner, foregroundFinalizer);
      return;
    }
    // Have each dependent looked at; their deletion events bring this owner back here.
    for (const d of deps) {
      if (!d.object.metadata?.deletionTimestamp || isDeletingDependents(d.object)) this.d.queue.add(nodeKey(d.resource, d.object));
    }
  }

  /** Removes one finalizer from the live object (PUT with its resourceVersion; a Conflict retries). */
  private async removeFinalizer(node: Node, finalizer: string): Promise<void> {
    const latest = await this.getLive(node.resource, node.object);
    if (!latest || !hasFinalizer(latest, finalizer)) return;
    latest.metadata!.finalizers = latest.metadata!.finalizers!.filter((f) => f !== finalizer);
    try {
      await this.d.client.update(node.resource, latest);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
