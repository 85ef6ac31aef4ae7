// PersistentVolume validation as upstream's ValidatePersistentVolume(Update) (pkg/apis/core/validation): exactly one
// volume source, a positive storage capacity, access modes, reclaim policy, hostPath/local paths, node affinity
// required for local volumes; the source, volumeMode and a set nodeAffinity are immutable.
import type { KubeObject } from '../../../../api/object.js';
import { FieldError } from '../../../../api/errors.js';
import { semanticEqual, validateImmutableField } from '../../../../api/validation/index.js';
import { VOLUME_MODES, validateAccessModes, validatePositiveStorage, validateStorageClassName } from '../persistentvolumeclaims/validation.js';

/** The PersistentVolumeSource members, in upstream's order. */
export const PV_SOURCES = ['gcePersistentDisk', 'awsElasticBlockStore', 'hostPath', 'glusterfs', 'nfs', 'rbd', 'quobyte', 'iscsi', 'cephfs',
  'cinder', 'fc', 'flocker', 'flexVolume', 'azureFile', 'vsphereVolume', 'azureDisk', 'photonPersistentDisk', 'portworxVolume', 'scaleIO',
  'local', 'storageos', 'csi'];
const RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'];
const VOLUME_PHASES = ['Pending', 'Available', 'Bound', 'Released', 'Failed'];

function noBacksteps(path: unknown, field: string): FieldError[] {
  return String(path ?? '').split('/').includes('..') ? [FieldError.invalid(field, path, "must not contain '..'")] : [];
}

function validateNodeAffinity(na: any, path: string): FieldError[] {
  if (na == null) return [];
  const terms = na.required?.nodeSelectorTerms;
  if (na.required != null && (!Array.isArray(terms) || terms.length === 0)) return [FieldError.required(`${path}.required.nodeSelectorTerms`, 'must have at least one node selector term')];
  return [];
}

export function validatePersistentVolume(pv: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = pv.spec ?? {};
  errs.push(...validateAccessModes(spec.accessModes, 'spec.accessModes'));
  const cap = spec.capacity;
  const keys = cap && typeof cap === 'object' ? Object.keys(cap) : [];
  if (keys.length === 0) errs.push(FieldError.required('spec.capacity'));
  if (!keys.includes('storage') || keys.length > 1) errs.push(FieldError.notSupported('spec.capacity', cap, ['storage']));
  for (const k of keys) errs.push(...validatePositiveStorage(cap[k], `spec.capacity[${k}]`));
  const policy = spec.persistentVolumeReclaimPolicy;
  if (policy != null && !RECLAIM_POLICIES.includes(policy)) errs.push(FieldError.notSupported('spec.persistentVolumeReclaimPolicy', policy, RECLAIM_POLICIES));
  errs.push(...validateStorageClassName(spec.storageClassName, 'spec.storageClassName'));
  if (spec.volumeMode != null && !VOLUME_MODES.includes(spec.volumeMode)) errs.push(FieldError.notSupported('spec.volumeMode', spec.volumeMode, VOLUME_MODES));
  errs.push(...validateNodeAffinity(spec.nodeAffinity, 'spec.nodeAffinity'));

  const sources = PV_SOURCES.filter((s) => spec[s] != null);
  if (sources.length === 0) errs.push(FieldError.required('spec', 'must specify a volume type'));
  for (const extra of sources.slice(1)) errs.push(FieldError.forbidden(`spec.${extra}`, 'may not specify more than 1 volume type'));
  if (spec.hostPath != null) {
    if (!spec.hostPath.path) errs.push(FieldError.required('spec.hostPath.path'));
    errs.push(...noBacksteps(spec.hostPath.path, 'spec.hostPath.path'));
  }
  if (spec.local != null) {
    if (!spec.local.path) errs.push(FieldError.required('spec.local.path'));
    errs.push(...noBacksteps(spec.local.path, 'spec.local.path'));
    if (spec.nodeAffinity?.required == null) errs.push(FieldError.required('spec.nodeAffinity', 'Local volume requires node affinity'));
  }
  if (spec.claimRef != null && !spec.claimRef.name) errs.push(FieldError.required('spec.claimRef.name'));
  return errs;
}

function volumeSource(spec: any): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of PV_SOURCES) if (spec?.[s] != null) out[s] = spec[s];
  return out;
}

export function validatePersistentVolumeUpdate(pv: KubeObject, old: KubeObject): FieldError[] {
  const errs = validatePersistentVolume(pv);
  if (!semanticEqual(volumeSource(pv.spec), volumeSource(old.spec))) {
    errs.push(FieldError.forbidden('spec.persistentvolumesource', 'spec.persistentvolumesource is immutable after creation'));
  }
  errs.push(...validateImmutableField(pv.spec?.volumeMode, old.spec?.volumeMode, 'spec.volumeMode'));
  if (old.spec?.nodeAffinity != null) errs.push(...validateImmutableField(pv.spec?.nodeAffinity, old.spec.nodeAffinity, 'spec.nodeAffinity'));
  return errs;
}

export function validatePersistentVolumeStatus(pv: KubeObject): FieldError[] {
  const phase = pv.status?.phase;
  if (phase != null && phase !== '' && !VOLUME_PHASES.includes(phase)) return [FieldError.notSupported('status.phase', phase, VOLUME_PHASES)];
  return [];
}
