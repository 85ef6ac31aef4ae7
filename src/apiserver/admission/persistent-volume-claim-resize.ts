// PersistentVolumeClaimResize (upstream plugin/pkg/admission/storage/persistentvolume/resize): a claim's storage
// request may grow only when the claim is bound and its StorageClass sets allowVolumeExpansion: true; otherwise
// 403, with upstream's words.
import { forbidden } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { claimClass, storageBytes } from '../../api/storage.js';
import type { AdmissionPlugin } from './admission.js';

export interface PersistentVolumeClaimResizeOptions {
  /** Reads a StorageClass; undefined when it does not exist. */
  getStorageClass(name: string): Promise<KubeObject | undefined>;
}

export function persistentVolumeClaimResize(opts: PersistentVolumeClaimResizeOptions): AdmissionPlugin {
  return {
    name: 'PersistentVolumeClaimResize',
    resources: ['/persistentvolumeclaims'],
    async admit(attrs) {
      if (attrs.operation !== 'UPDATE' || attrs.subresource || !attrs.oldObject) return;
      if (attrs.def.group !== '' || attrs.def.resource !== 'persistentvolumeclaims') return;
      const pvc = attrs.object;
      const old = attrs.oldObject;
      const newSize = storageBytes(pvc.spec?.resources?.requests?.storage);
      const oldSize = storageBytes(old.spec?.resources?.requests?.storage);
      if (!(newSize > oldSize)) return;
      const what = `persistentvolumeclaims "${pvc.metadata.name}" is forbidden`;
      if (old.status?.phase !== 'Bound') throw forbidden(`${what}: Only bound persistent volume claims can be expanded`);
      const className = claimClass(pvc);
      const sc = className ? await opts.getStorageClass(className) : undefined;
      if (sc?.allowVolumeExpansion !== true) {
        throw forbidden(`${what}: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize`);
      }
    },
  };
}
