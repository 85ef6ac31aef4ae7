// PersistentVolumeClaim validation as upstream's ValidatePersistentVolumeClaim(Update) (pkg/apis/core/validation):
// access modes, the storage request, volumeMode, class name, and a spec that is immutable after creation except
// resources.requests of a bound claim (expansion; whether the class allows it is the PersistentVolumeClaimResize
// admission plugin's question, as upstream).
import type { KubeObject } from '../../../../api/object.js';
import { FieldError } from '../../../../api/errors.js';
import { isDNS1123Subdomain, semanticEqual, validateLabelSelector } from '../../../../api/validation/index.js';
import { ACCESS_MODES, BETA_STORAGE_CLASS_ANNOTATION, storageBytes } from '../../../../api/storage.js';

export const VOLUME_MODES = ['Block', 'Filesystem'];

/** Access modes of a claim or volume spec: at least one, each known, ReadWriteOncePod alone. */
export function validateAccessModes(modes: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const list = Array.isArray(modes) ? modes : [];
  if (list.length === 0) errs.push(FieldError.required(path, 'at least 1 access mode is required'));
  for (const m of list) if (!(ACCESS_MODES as readonly string[]).includes(m)) errs.push(FieldError.notSupported(path, m, [...ACCESS_MODES]));
  if (list.includes('ReadWriteOncePod') && list.length > 1) errs.push(FieldError.forbidden(path, 'may not use ReadWriteOncePod with other access modes'));
  return errs;
}

/** A storage quantity that must be valid and positive (ValidatePositiveQuantityValue). */
export function validatePositiveStorage(q: unknown, path: string): FieldError[] {
  const bytes = storageBytes(q);
  if (Number.isNaN(bytes)) return [FieldError.invalid(path, q, 'must be a valid quantity')];
  if (bytes <= 0) return [FieldError.invalid(path, q, 'must be greater than zero')];
  return [];
}

export function validateStorageClassName(name: unknown, path: string): FieldError[] {
  if (name == null || name === '') return [];
  return isDNS1123Subdomain(String(name)).map((m) => FieldError.invalid(path, name, m));
}

export function validatePersistentVolumeClaimSpec(spec: any, path = 'spec'): FieldError[] {
  const errs: FieldError[] = [];
  spec ??= {};
  errs.push(...validateAccessModes(spec.accessModes, `${path}.accessModes`));
  if (spec.selector != null) errs.push(...validateLabelSelector(spec.selector, `${path}.selector`));
  const storage = spec.resources?.requests?.storage;
  if (storage === undefined) errs.push(FieldError.required(`${path}.resources[storage]`));
  else errs.push(...validatePositiveStorage(storage, `${path}.resources[storage]`));
  if (spec.volumeMode != null && !VOLUME_MODES.includes(spec.volumeMode)) errs.push(FieldError.notSupported(`${path}.volumeMode`, spec.volumeMode, VOLUME_MODES));
  errs.push(...validateStorageClassName(spec.storageClassName, `${path}.storageClassName`));
  return errs;
}

export function validatePersistentVolumeClaim(pvc: KubeObject): FieldError[] {
  return validatePersistentVolumeClaimSpec(pvc.spec);
}

export function validatePersistentVolumeClaimUpdate(pvc: KubeObject, old: KubeObject): FieldError[] {
  const errs = validatePersistentVolumeClaim(pvc);
  const newSpec = structuredClone(pvc.spec ?? {});
  const oldSpec = structuredClone(old.spec ?? {});
  // The binder fills volumeName once (an empty one may become set); the rest is fixed, except the storage request of
  // a bound claim, which may grow (expansion).
  if (!oldSpec.volumeName && newSpec.volumeName) oldSpec.volumeName = newSpec.volumeName;
  // RetroactiveDefaultStorageClass (GA in 1.28): a claim created with no class at all may be given one later.
  if (oldSpec.storageClassName == null && newSpec.storageClassName != null && old.metadata.annotations?.[BETA_STORAGE_CLASS_ANNOTATION] === undefined) {
    oldSpec.storageClassName = newSpec.storageClassName;
  }
  const bound = pvc.status?.phase === 'Bound';
  if (bound && newSpec.resources?.requests) {
    newSpec.resources.requests.storage = oldSpec.resources?.requests?.storage;
    if (newSpec.resources.requests.storage === undefined) delete newSpec.resources.requests.storage;
  }
  if (!semanticEqual(newSpec, oldSpec)) {
    errs.push(FieldError.forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
  }
  if (bound) {
    const newSize = storageBytes(pvc.spec?.resources?.requests?.storage);
    const oldSize = storageBytes(old.spec?.resources?.requests?.storage);
    const statusSize = storageBytes(old.status?.capacity?.storage);
    // RecoverVolumeExpansionFailure (beta, on in 1.32): a request may shrink back, but never to status.capacity or below.
    if (newSize < oldSize && !(Number.isFinite(statusSize) && newSize > statusSize)) {
      errs.push(FieldError.forbidden('spec.resources.requests.storage', Number.isFinite(statusSize) ? 'field can not be less than status.capacity' : 'field can not be less than previous value'));
    }
  }
  return errs;
}

const CLAIM_PHASES = ['Pending', 'Bound', 'Lost'];

export function validatePersistentVolumeClaimStatus(pvc: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const phase = pvc.status?.phase;
  if (phase != null && phase !== '' && !CLAIM_PHASES.includes(phase)) errs.push(FieldError.notSupported('status.phase', phase, CLAIM_PHASES));
  const cap = pvc.status?.capacity?.storage;
  if (cap !== undefined && Number.isNaN(storageBytes(cap))) errs.push(FieldError.invalid('status.capacity[storage]', cap, 'must be a valid quantity'));
  return errs;
}
