// DefaultStorageClass (upstream plugin/pkg/admission/storage/storageclass/setdefault): a new PersistentVolumeClaim
// that names no class (spec.storageClassName absent, not even "", and no beta storage-class annotation) gets the
// StorageClass annotated storageclass.kubernetes.io/is-default-class: "true"; when several are marked, the most
// recently created one wins (ties by name), as upstream since 1.28. Only creates are changed.
import type { KubeObject } from '../../api/object.js';
import { BETA_STORAGE_CLASS_ANNOTATION, pickDefaultStorageClass } from '../../api/storage.js';
import type { AdmissionPlugin } from './admission.js';

export interface DefaultStorageClassOptions {
  /** Lists every StorageClass. */
  listStorageClasses(): Promise<KubeObject[]>;
}

export function defaultStorageClass(opts: DefaultStorageClassOptions): AdmissionPlugin {
  return {
    name: 'DefaultStorageClass',
    resources: ['/persistentvolumeclaims'],
    async admit(attrs) {
      if (attrs.operation !== 'CREATE' || attrs.subresource) return;
      if (attrs.def.group !== '' || attrs.def.resource !== 'persistentvolumeclaims') return;
      const pvc = attrs.object;
      if (pvc.spec?.storageClassName != null) return;
      if (pvc.metadata?.annotations?.[BETA_STORAGE_CLASS_ANNOTATION] !== undefined) return;
      const def = pickDefaultStorageClass(await opts.listStorageClasses());
      if (!def) return;
      pvc.spec = pvc.spec && typeof pvc.spec === 'object' ? pvc.spec : {};
      pvc.spec.storageClassName = def.metadata.name;
    },
  };
}
