// Cache and work-queue keys, as client-go's cache.MetaNamespaceKeyFunc: `namespace/name`, or `name` for
// cluster-scoped objects. Controllers enqueue these and split them back in reconcile.
import type { KubeObject, ObjectMeta } from '../api/object.js';

/**
 * What onDelete receives when the informer learned of a deletion only by relisting (the final state of the object
 * is unknown; `obj` is the last state the cache held). As client-go's cache.DeletedFinalStateUnknown.
 */
export class DeletedFinalStateUnknown<T extends KubeObject = KubeObject> {
  constructor(readonly key: string, readonly obj: T) {}
}

/** Takes any object with metadata, kubernetes-types' too (their metadata is optional). */
export function metaNamespaceKey(obj: { metadata?: ObjectMeta } | DeletedFinalStateUnknown): string {
  if (obj instanceof DeletedFinalStateUnknown) return obj.key;
  const name = obj.metadata?.name ?? '';
  const ns = obj.metadata?.namespace;
  return ns ? `${ns}/${name}` : name;
}

export function splitMetaNamespaceKey(key: string): { namespace?: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/** The object behind an onDelete argument, tombstone or not. */
export function deletedObject<T extends KubeObject>(obj: T | DeletedFinalStateUnknown<T>): T {
  return obj instanceof DeletedFinalStateUnknown ? obj.obj : obj;
}
