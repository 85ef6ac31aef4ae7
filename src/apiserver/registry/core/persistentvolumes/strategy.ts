// persistentvolumes (core/v1, cluster-scoped): defaults (persistentVolumeReclaimPolicy Retain, volumeMode Filesystem,
// hostPath type ""), a new volume is Pending with its lastPhaseTransitionTime, every phase change through /status
// stamps a new one (as upstream's PersistentVolumeLastPhaseTransitionTime, GA in 1.31), and kubectl 1.32's NAME CAPACITY
// ACCESS MODES RECLAIM POLICY STATUS CLAIM STORAGECLASS VOLUMEATTRIBUTESCLASS REASON AGE (VOLUMEMODE wide) table.
import type { KubeObject } from '../../../../api/object.js';
import type { ResourceDefinition } from '../../types.js';
import { column, nameColumn, ageColumn } from '../../printing.js';
import { translateTimestampSince } from '../../age.js';
import { resources } from '../../../../api/resources.js';
import { accessModesAsString, volumeClass } from '../../../../api/storage.js';
import { keepAllButStatus } from '../../status-subresource.js';
import { validatePersistentVolume, validatePersistentVolumeStatus, validatePersistentVolumeUpdate } from './validation.js';

const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d+Z$/, 'Z');

export const persistentvolumes: ResourceDefinition = {
  ...resources.persistentvolumes,
  strategy: {
    hasStatus: true,
    defaults(obj) {
      const spec = obj.spec;
      if (!spec || typeof spec !== 'object') return;
      if (!spec.persistentVolumeReclaimPolicy) spec.persistentVolumeReclaimPolicy = 'Retain';
      if (spec.volumeMode == null) spec.volumeMode = 'Filesystem';
      if (spec.hostPath && typeof spec.hostPath === 'object' && spec.hostPath.type == null) spec.hostPath.type = '';
    },
    prepareForCreate(obj, ctx) { obj.status = { phase: 'Pending', lastPhaseTransitionTime: rfc3339(ctx.now()) }; },
    prepareForStatusUpdate(newObj, oldObj) {
      keepAllButStatus(newObj, oldObj);
      const phase = newObj.status?.phase;
      if (phase && phase !== oldObj.status?.phase && newObj.status.lastPhaseTransitionTime === oldObj.status?.lastPhaseTransitionTime) {
        newObj.status.lastPhaseTransitionTime = rfc3339(new Date());
      }
    },
    validate: (obj) => validatePersistentVolume(obj),
    validateUpdate: (newObj, oldObj) => [...validatePersistentVolumeUpdate(newObj, oldObj), ...validatePersistentVolumeStatus(newObj)],
    table: {
      columns: [
        nameColumn(),
        column('Capacity', 'string', "capacity is the description of the persistent volume's resources and capacity. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#capacity"),
        column('Access Modes', 'string', 'accessModes contains all ways the volume can be mounted. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes'),
        column('Reclaim Policy', 'string', 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim. Valid options are Retain (default for manually created PersistentVolumes), Delete (default for dynamically provisioned PersistentVolumes), and Recycle (deprecated). Recycle must be supported by the volume plugin underlying this PersistentVolume. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#reclaiming'),
        column('Status', 'string', 'phase indicates if a volume is available, bound to a claim, or released by a claim. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#phase'),
        column('Claim', 'string', 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim. Expected to be non-nil when bound. claim.VolumeName is the authoritative bind between PV and PVC. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#binding'),
        column('StorageClass', 'string', 'StorageClass of the pv'),
        column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv'),
        column('Reason', 'string', 'reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.'),
        ageColumn(),
        column('VolumeMode', 'string', 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state. Value of Filesystem is implied when not included in spec.', { priority: 1 }),
      ],
      row(o: KubeObject, now) {
        const ref = o.spec?.claimRef;
        const claim = ref ? `${ref.namespace ?? ''}/${ref.name ?? ''}` : '';
        const phase = o.metadata.deletionTimestamp ? 'Terminating' : (o.status?.phase ?? '');
        return [o.metadata.name, String(o.spec?.capacity?.storage ?? '0'), accessModesAsString(o.spec?.accessModes), o.spec?.persistentVolumeReclaimPolicy ?? '',
          phase, claim, volumeClass(o), o.spec?.volumeAttributesClassName ?? '<unset>', o.status?.reason ?? '',
          translateTimestampSince(o.metadata.creationTimestamp, now), o.spec?.volumeMode ?? '<unset>'];
      },
    },
  },
};
