// The one shape of a Kubernetes object as JSON, shared by the apiserver, the client and every component. Code that
// needs a resource's own fields narrows with kubernetes-types (e.g. `Pod & KubeObject`).

/** Upstream's ObjectMeta (metav1.ObjectMeta), the fields nanokube reads; others pass through untouched. */
export interface ObjectMeta {
  name?: string; generateName?: string; namespace?: string; uid?: string; resourceVersion?: string;
  generation?: number; creationTimestamp?: string; deletionTimestamp?: string; deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>; annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[]; finalizers?: string[]; managedFields?: any[]; [k: string]: any;
}

export interface OwnerReference {
  apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean;
}

/** Any Kubernetes object as JSON. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [k: string]: any;
}

/** metav1.GetControllerOf: the owner reference with controller: true, if any (at most one is valid). */
export function getControllerOf(obj: { metadata?: { ownerReferences?: readonly OwnerReference[] } }): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}
