// storageclasses (storage.k8s.io/v1, cluster-scoped): defaults (reclaimPolicy Delete, volumeBindingMode Immediate),
// upstream's ValidateStorageClass(Update) (provisioner, parameters and reclaimPolicy fixed after creation,
// volumeBindingMode immutable) and kubectl 1.32's NAME PROVISIONER RECLAIMPOLICY VOLUMEBINDINGMODE
// ALLOWVOLUMEEXPANSION AGE table, with " (default)" after the name of a class annotated as default.
import type { KubeObject } from '../../../../api/object.js';
import type { ResourceDefinition } from '../../types.js';
import { column, nameColumn, ageColumn } from '../../printing.js';
import { translateTimestampSince } from '../../age.js';
import { resources } from '../../../../api/resources.js';
import { FieldError } from '../../../../api/errors.js';
import { isQualifiedName, semanticEqual, validateImmutableField } from '../../../../api/validation/index.js';
import { isDefaultStorageClass } from '../../../../api/storage.js';

const RECLAIM_POLICIES = ['Delete', 'Retain'];
const BINDING_MODES = ['Immediate', 'WaitForFirstConsumer'];
const MAX_PROVISIONER_LEN = 63;
const MAX_PARAMETERS = 512;
const MAX_PARAMETERS_SIZE = 256 * 1024;

export function validateStorageClass(sc: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const prov = sc.provisioner;
  if (!prov) errs.push(FieldError.required('provisioner'));
  else if (String(prov).length > MAX_PROVISIONER_LEN) errs.push(new FieldError('FieldValueTooLong', 'provisioner', prov, `may not be more than ${MAX_PROVISIONER_LEN} bytes`));
  else for (const m of isQualifiedName(String(prov).toLowerCase())) errs.push(FieldError.invalid('provisioner', prov, m));
  const params: Record<string, string> = sc.parameters ?? {};
  const keys = Object.keys(params);
  if (keys.length > MAX_PARAMETERS) errs.push(new FieldError('FieldValueTooLong', 'parameters', '', `must have at most ${MAX_PARAMETERS} parameters`));
  let size = 0;
  for (const k of keys) {
    if (k === '') errs.push(FieldError.invalid('parameters', k, 'field can not be empty.'));
    size += k.length + String(params[k] ?? '').length;
  }
  if (size > MAX_PARAMETERS_SIZE) errs.push(new FieldError('FieldValueTooLong', 'parameters', '', `must have at most ${MAX_PARAMETERS_SIZE} bytes`));
  if (sc.reclaimPolicy != null && !RECLAIM_POLICIES.includes(sc.reclaimPolicy)) errs.push(FieldError.notSupported('reclaimPolicy', sc.reclaimPolicy, RECLAIM_POLICIES));
  if (sc.volumeBindingMode == null) errs.push(FieldError.required('volumeBindingMode'));
  else if (!BINDING_MODES.includes(sc.volumeBindingMode)) errs.push(FieldError.notSupported('volumeBindingMode', sc.volumeBindingMode, BINDING_MODES));
  return errs;
}

export function validateStorageClassUpdate(sc: KubeObject, old: KubeObject): FieldError[] {
  const errs = validateStorageClass(sc);
  if (!semanticEqual(sc.parameters ?? {}, old.parameters ?? {})) errs.push(FieldError.forbidden('parameters', 'updates to parameters are forbidden.'));
  if (sc.provisioner !== old.provisioner) errs.push(FieldError.forbidden('provisioner', 'updates to provisioner are forbidden.'));
  if (sc.reclaimPolicy !== old.reclaimPolicy) errs.push(FieldError.forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
  errs.push(...validateImmutableField(sc.volumeBindingMode, old.volumeBindingMode, 'volumeBindingMode'));
  return errs;
}

export const storageclasses: ResourceDefinition = {
  ...resources.storageclasses,
  strategy: {
    defaults(obj) {
      if (!obj.reclaimPolicy) obj.reclaimPolicy = 'Delete';
      if (!obj.volumeBindingMode) obj.volumeBindingMode = 'Immediate';
    },
    validate: (obj) => validateStorageClass(obj),
    validateUpdate: (newObj, oldObj) => validateStorageClassUpdate(newObj, oldObj),
    table: {
      columns: [
        nameColumn(),
        column('Provisioner', 'string', 'provisioner indicates the type of the provisioner.'),
        column('ReclaimPolicy', 'string', 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete.'),
        column('VolumeBindingMode', 'string', 'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.  When unset, VolumeBindingImmediate is used. This field is only honored by servers that enable the VolumeScheduling feature.'),
        column('AllowVolumeExpansion', 'string', 'allowVolumeExpansion shows whether the storage class allow volume expand.'),
        ageColumn(),
      ],
      row: (o, now) => [isDefaultStorageClass(o) ? `${o.metadata.name} (default)` : o.metadata.name, o.provisioner ?? '', o.reclaimPolicy ?? 'Delete',
        o.volumeBindingMode ?? 'Immediate', o.allowVolumeExpansion === true, translateTimestampSince(o.metadata.creationTimestamp, now)],
    },
  },
};
