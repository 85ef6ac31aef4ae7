// persistentvolumeclaims (core/v1): defaults (volumeMode Filesystem), upstream's validation (validation.ts), the
// status subresource (the binder and the resizer write status; main-resource writes keep it), and kubectl 1.32's
// NAME STATUS VOLUME CAPACITY ACCESS MODES STORAGECLASS VOLUMEATTRIBUTESCLASS AGE (VOLUMEMODE wide) table.
import type { ResourceDefinition } from '../../types.js';
import { column, nameColumn, ageColumn } from '../../printing.js';
import { translateTimestampSince } from '../../age.js';
import { resources } from '../../../../api/resources.js';
import { accessModesAsString, claimClass } from '../../../../api/storage.js';
import { validatePersistentVolumeClaim, validatePersistentVolumeClaimStatus, validatePersistentVolumeClaimUpdate } from './validation.js';
import { keepAllButStatus } from '../../status-subresource.js';

export const persistentvolumeclaims: ResourceDefinition = {
  ...resources.persistentvolumeclaims,
  strategy: {
    hasStatus: true,
    defaults(obj) {
      if (obj.spec && typeof obj.spec === 'object' && obj.spec.volumeMode == null) obj.spec.volumeMode = 'Filesystem';
    },
    prepareForCreate(obj) { obj.status = {}; },
    prepareForStatusUpdate: keepAllButStatus,
    validate: (obj) => validatePersistentVolumeClaim(obj),
    validateUpdate: (newObj, oldObj) => [...validatePersistentVolumeClaimUpdate(newObj, oldObj), ...validatePersistentVolumeClaimStatus(newObj)],
    table: {
      columns: [
        nameColumn(),
        column('Status', 'string', 'phase represents the current phase of PersistentVolumeClaim.'),
        column('Volume', 'string', 'volumeName is the binding reference to the PersistentVolume backing this claim.'),
        column('Capacity', 'string', 'capacity represents the actual resources of the underlying volume.'),
        column('Access Modes', 'string', 'accessModes contains the actual access modes the volume backing the PVC has. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes-1'),
        column('StorageClass', 'string', 'StorageClass of the pvc'),
        column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
        ageColumn(),
        column('VolumeMode', 'string', 'volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec.', { priority: 1 }),
      ],
      row(o, now) {
        const phase = o.metadata.deletionTimestamp ? 'Terminating' : (o.status?.phase ?? '');
        const volumeName = o.spec?.volumeName ?? '';
        const capacity = volumeName ? String(o.status?.capacity?.storage ?? '0') : '';
        const modes = volumeName ? accessModesAsString(o.status?.accessModes) : '';
        return [o.metadata.name, phase, volumeName, capacity, modes, claimClass(o), o.spec?.volumeAttributesClassName ?? '<unset>',
          translateTimestampSince(o.metadata.creationTimestamp, now), o.spec?.volumeMode ?? '<unset>'];
      },
    },
  },
};
