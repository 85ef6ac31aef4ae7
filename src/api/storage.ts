// Storage vocabulary shared by the apiserver (validation, DefaultStorageClass and protection admission), the volume
// controllers, the scheduler's VolumeBinding plugin and the kubelet: upstream's annotation and finalizer names and
// the small helpers upstream keeps in pkg/apis/core/helper and pkg/apis/storage/util.
import { quantityNumber } from './quantity.js';
import type { KubeObject } from './object.js';

/** A StorageClass with this annotation set to "true" is the default for claims that name none. */
export const IS_DEFAULT_STORAGE_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
/** The beta annotation upstream still honours beside the GA one. */
export const BETA_IS_DEFAULT_STORAGE_CLASS_ANNOTATION = 'storageclass.beta.kubernetes.io/is-default-class';
/** The deprecated annotation that named a claim's or volume's class before spec.storageClassName. */
export const BETA_STORAGE_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

/** Finalizers the StorageObjectInUseProtection admission plugin adds (removed by the protection controllers). */
export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';

// Annotations of the PV controller (pkg/controller/volume/persistentvolume/util).
export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
export const ANN_PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
/** Finalizer on dynamically provisioned PVs until the provisioner has deleted the backing storage. */
export const PV_DELETION_PROTECTION_FINALIZER = 'external-provisioner.volume.kubernetes.io/finalizer';

/** The provisioner of nanokube's built-in local-path class (directories under NANOKUBE_HOME/storage). */
export const LOCAL_PATH_PROVISIONER = 'nanokube.io/local-path';
/** The built-in default StorageClass, as minikube's. */
export const DEFAULT_STORAGE_CLASS_NAME = 'standard';

export const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'] as const;

/** storageutil.IsDefaultAnnotation: either annotation set to "true" exactly. */
export const isDefaultStorageClass = (sc: KubeObject): boolean =>
  sc.metadata?.annotations?.[IS_DEFAULT_STORAGE_CLASS_ANNOTATION] === 'true' || sc.metadata?.annotations?.[BETA_IS_DEFAULT_STORAGE_CLASS_ANNOTATION] === 'true';

/** The default class among `classes`: the newest marked one, ties broken by name (upstream since 1.28). */
export function pickDefaultStorageClass(classes: readonly KubeObject[]): KubeObject | undefined {
  const defaults = classes.filter(isDefaultStorageClass);
  defaults.sort((a, b) => String(b.metadata.creationTimestamp ?? '').localeCompare(String(a.metadata.creationTimestamp ?? ''))
    || String(a.metadata.name).localeCompare(String(b.metadata.name)));
  return defaults[0];
}

/** helper.GetPersistentVolumeClaimClass: the beta annotation wins over spec.storageClassName; '' for none. */
export function claimClass(pvc: KubeObject): string {
  const ann = pvc.metadata?.annotations?.[BETA_STORAGE_CLASS_ANNOTATION];
  if (ann !== undefined) return ann;
  return pvc.spec?.storageClassName ?? '';
}

/** helper.GetPersistentVolumeClass. */
export function volumeClass(pv: KubeObject): string {
  const ann = pv.metadata?.annotations?.[BETA_STORAGE_CLASS_ANNOTATION];
  if (ann !== undefined) return ann;
  return pv.spec?.storageClassName ?? '';
}

/** helper.GetAccessModesAsString: "RWO,ROX,RWX,RWOP" in that order, each once. */
export function accessModesAsString(modes: readonly string[] | undefined): string {
  const m = modes ?? [];
  const out: string[] = [];
  if (m.includes('ReadWriteOnce')) out.push('RWO');
  if (m.includes('ReadOnlyMany')) out.push('ROX');
  if (m.includes('ReadWriteMany')) out.push('RWX');
  if (m.includes('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}

/** A storage quantity in bytes (a float); NaN when it is not a valid Quantity. */
export const storageBytes = (q: unknown): number => quantityNumber(q);

/** The claim's requested storage (spec.resources.requests.storage) in bytes; NaN when absent or invalid. */
export const requestedStorage = (pvc: KubeObject): number => storageBytes(pvc.spec?.resources?.requests?.storage);

/** Whether a volume's access modes include every mode the claim asks for (upstream's CheckAccessModes). */
export function accessModesSatisfied(claimModes: readonly string[] | undefined, volumeModes: readonly string[] | undefined): boolean {
  const have = new Set(volumeModes ?? []);
  return (claimModes ?? []).every((m) => have.has(m));
}

/** A namespace/name key for a claim. */
export const claimKey = (namespace: string | undefined, name: string | undefined): string => `${namespace ?? ''}/${name ?? ''}`;

/** Whether the PV's claimRef names this claim (and, when both have one, the same uid). */
export function claimRefMatches(pv: KubeObject, pvc: KubeObject): boolean {
  const ref = pv.spec?.claimRef;
  if (!ref) return false;
  if (ref.name !== pvc.metadata.name || (ref.namespace ?? '') !== (pvc.metadata.namespace ?? '')) return false;
  return !ref.uid || !pvc.metadata.uid || ref.uid === pvc.metadata.uid;
}

function requirementMatches(req: any, value: string | undefined): boolean {
  const values: string[] = req?.values ?? [];
  switch (req?.operator) {
    case 'In': return value !== undefined && values.includes(value);
    case 'NotIn': return value === undefined || !values.includes(value);
    case 'Exists': return value !== undefined;
    case 'DoesNotExist': return value === undefined;
    case 'Gt': return value !== undefined && Number.parseInt(value, 10) > Number.parseInt(values[0] ?? '', 10);
    case 'Lt': return value !== undefined && Number.parseInt(value, 10) < Number.parseInt(values[0] ?? '', 10);
    default: return false;
  }
}

/**
 * Whether a node satisfies a volume's spec.nodeAffinity.required (upstream's CheckNodeAffinity): the terms are ORed,
 * each term's expressions (labels) and fields (metadata.name) ANDed. A volume without node affinity fits every node.
 */
export function volumeNodeAffinityMatches(pv: KubeObject, node: { labels?: Record<string, string>; name?: string }): boolean {
  const terms: any[] | undefined = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms;
  if (!terms) return true;
  const labels = node.labels ?? {};
  return terms.some((t) => {
    const exprs: any[] = t?.matchExpressions ?? [];
    const fields: any[] = t?.matchFields ?? [];
    if (exprs.length === 0 && fields.length === 0) return false;
    return exprs.every((r) => requirementMatches(r, labels[r.key]))
      && fields.every((r) => requirementMatches(r, r.key === 'metadata.name' ? node.name : undefined));
  });
}
