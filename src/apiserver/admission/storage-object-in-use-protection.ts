// StorageObjectInUseProtection (upstream plugin/pkg/admission/storage/storageobjectinuseprotection): every new
// PersistentVolumeClaim gets the kubernetes.io/pvc-protection finalizer and every new PersistentVolume the
// kubernetes.io/pv-protection one, so neither disappears while a pod uses the claim or a claim is bound to the
// volume; the protection controllers remove them once that is no longer so.
import { PVC_PROTECTION_FINALIZER, PV_PROTECTION_FINALIZER } from '../../api/storage.js';
import type { AdmissionPlugin } from './admission.js';

export function storageObjectInUseProtection(): AdmissionPlugin {
  return {
    name: 'StorageObjectInUseProtection',
    resources: ['/persistentvolumeclaims', '/persistentvolumes'],
    async admit(attrs) {
      if (attrs.operation !== 'CREATE' || attrs.subresource || attrs.def.group !== '') return;
      const finalizer = attrs.def.resource === 'persistentvolumeclaims' ? PVC_PROTECTION_FINALIZER
        : attrs.def.resource === 'persistentvolumes' ? PV_PROTECTION_FINALIZER : undefined;
      if (!finalizer) return;
      const meta = attrs.object.metadata;
      const finalizers = Array.isArray(meta.finalizers) ? meta.finalizers : [];
      if (!finalizers.includes(finalizer)) meta.finalizers = [...finalizers, finalizer];
    },
  };
}
