// Controller references (metav1.GetControllerOf / NewControllerRef) and upstream's ControllerRefManager: a
// controller claims the objects its selector matches. It keeps what it already controls and still matches,
// adopts matching orphans (only after re-reading itself from the API to be sure it is not being deleted), and
// releases what it controls that no longer matches. Objects controlled by someone else are never touched.
import { isInvalid, isNotFound } from '../../api/errors.js';
import type { Client } from '../../client/client.js';
import type { ResourceId } from '../../api/resources.js';
import { getControllerOf, type KubeObject } from '../../api/object.js';
import type { SharedInformer } from '../../client/informer.js';
import type { OwnerReference } from './types.js';
import { selectorFromSpec } from '../../api/labels.js';

export { getControllerOf } from '../../api/object.js';

/**
 * The owner a controller reference points to, from the owner kind's informer cache: undefined unless the kind
 * matches and the cached object has the reference's UID (a same-named replacement is not the owner).
 * Upstream's resolveControllerRef in every workload controller.
 */
export function resolveControllerRef<T extends KubeObject>(owners: SharedInformer<T>, kind: string, namespace: string | undefined,
  ref: { kind: string; name: string; uid: string } | undefined): T | undefined {
  if (!ref || ref.kind !== kind) return undefined;
  const owner = owners.getByName(namespace, ref.name);
  return owner && owner.metadata?.uid === ref.uid ? owner : undefined;
}

/**
 * The controllers in `obj`'s namespace whose selector matches its labels: those that may adopt it when it is an
 * orphan (upstream's getPodReplicaSets, getDeploymentsForReplicaSet, ...). An empty or invalid selector matches nothing.
 */
export function controllersSelecting<T extends KubeObject>(controllers: SharedInformer<T>, obj: KubeObject,
  selectorOf: (controller: T) => unknown = (c) => c.spec?.selector): T[] {
  return controllers.list(obj.metadata?.namespace ?? '').filter((c) => {
    try {
      const sel = selectorFromSpec(selectorOf(c) as Parameters<typeof selectorFromSpec>[0]);
      return !sel.empty && sel.matches(obj.metadata?.labels);
    } catch { return false; }
  });
}

export function newControllerRef(owner: KubeObject, gvk: { apiVersion: string; kind: string }): OwnerReference {
  return {
    apiVersion: gvk.apiVersion, kind: gvk.kind, name: owner.metadata?.name ?? '', uid: owner.metadata?.uid ?? '',
    controller: true, blockOwnerDeletion: true,
  };
}

/** Index name and function for "objects by the UID of their controller"; register this exact function everywhere. */
export const controllerUIDIndex = 'controllerUID';
export const controllerUIDIndexFunc = (obj: KubeObject): string[] => {
  const ref = getControllerOf(obj);
  return ref ? [ref.uid] : [];
};

export interface ClaimOptions<T extends KubeObject> {
  client: Client;
  /** The resource of the claimed objects (pods, replicasets). */
  resource: ResourceId;
  /** The controller (a fresh clone of its cached state). */
  controller: KubeObject;
  controllerKind: { apiVersion: string; kind: string };
  match(obj: T): boolean;
  /**
   * Re-reads the controller from the API and throws when it is gone (other UID) or being deleted (upstream's
   * RecheckDeletionTimestamp). Called at most once per claim, and only if there is something to adopt.
   */
  canAdopt(): Promise<void>;
}

/**
 * Returns the objects the controller owns after adoption/release. Throws (after trying every object) when an
 * adoption or release failed for a reason other than the object being gone.
 */
export async function claimObjects<T extends KubeObject>(objs: readonly T[], opts: ClaimOptions<T>): Promise<T[]> {
  const uid = opts.controller.metadata?.uid;
  const controllerDeleting = !!opts.controller.metadata?.deletionTimestamp;
  const claimed: T[] = [];
  const errors: unknown[] = [];
  let adoptCheck: Promise<void> | undefined;
  for (const obj of objs) {
    const ref = getControllerOf(obj);
    try {
      if (ref) {
        if (ref.uid !== uid) continue;
        if (opts.match(obj)) { claimed.push(obj); continue; }
        if (controllerDeleting) continue;
        await release(obj, opts);
        continue;
      }
      if (controllerDeleting || !opts.match(obj) || obj.metadata?.deletionTimestamp) continue;
      if (opts.controller.metadata?.namespace && opts.controller.metadata.namespace !== obj.metadata?.namespace) continue;
      adoptCheck ??= opts.canAdopt();
      await adoptCheck;
      await adopt(obj, opts);
      claimed.push(obj);
    } catch (e) {
      if (isNotFound(e)) continue;
      errors.push(e);
    }
  }
  if (errors.length) throw errors[0];
  return claimed;
}

// Both patches carry uid and resourceVersion, so they apply only to the exact object the decision was made on
// (a JSON merge patch replaces the whole ownerReferences list, unlike upstream's strategic merge by uid).
async function adopt<T extends KubeObject>(obj: T, opts: ClaimOptions<T>): Promise<void> {
  const refs = [...(obj.metadata?.ownerReferences ?? []), newControllerRef(opts.controller, opts.controllerKind)];
  await opts.client.patch(opts.resource, obj.metadata?.namespace, obj.metadata?.name ?? '', 'merge', {
    metadata: { ownerReferences: refs, uid: obj.metadata?.uid, resourceVersion: obj.metadata?.resourceVersion },
  });
}

async function release<T extends KubeObject>(obj: T, opts: ClaimOptions<T>): Promise<void> {
  const refs = (obj.metadata?.ownerReferences ?? []).filter((r) => r.uid !== opts.controller.metadata?.uid);
  try {
    await opts.client.patch(opts.resource, obj.metadata?.namespace, obj.metadata?.name ?? '', 'merge', {
      metadata: { ownerReferences: refs.length ? refs : null, uid: obj.metadata?.uid, resourceVersion: obj.metadata?.resourceVersion },
    });
  } catch (e) {
    // Invalid: the object's UID changed (deleted and re-created); as upstream, it is no longer ours to release.
    if (isNotFound(e) || isInvalid(e)) return;
    throw e;
  }
}

/** upstream's RecheckDeletionTimestamp over a fresh GET of the controller. */
export function recheckDeletionTimestamp(get: () => Promise<KubeObject>, cached: KubeObject): () => Promise<void> {
  return async () => {
    const fresh = await get();
    const m = cached.metadata ?? {};
    if (fresh.metadata?.uid !== m.uid) {
      throw new Error(`original ${cached.kind ?? 'object'} ${m.namespace}/${m.name} is gone: got uid ${fresh.metadata?.uid}, wanted ${m.uid}`);
    }
    if (fresh.metadata?.deletionTimestamp) {
      throw new Error(`${m.namespace}/${m.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
    }
  };
}
