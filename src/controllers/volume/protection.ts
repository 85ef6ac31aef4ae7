// The storage-object-in-use protection controllers (upstream pkg/controller/volume/pvcprotection and pvprotection):
// a deleting PersistentVolumeClaim keeps its kubernetes.io/pvc-protection finalizer while a pod that is not
// terminated uses it (confirmed with a live list, as upstream, so a pod the cache has not seen yet still counts);
// a deleting PersistentVolume keeps kubernetes.io/pv-protection while it is Bound.
// Keys: `claim:<namespace>/<name>` and `volume:<name>`.
import { startController } from '../shared/start.js';
import type { ControllerOptions } from '../shared/options.js';
import type { KubeObject } from '../../api/object.js';
import { isConflict, isNotFound } from '../../api/errors.js';
import { resources as builtin } from '../../api/resources.js';
import { deletedObject, metaNamespaceKey } from '../../client/keys.js';
import { PVC_PROTECTION_FINALIZER, PV_PROTECTION_FINALIZER } from '../../api/storage.js';

const CLAIM = 'claim:';
const VOLUME = 'volume:';

/** The claims a pod's volumes name (persistentVolumeClaim volumes and generic ephemeral volumes, `<pod>-<volume>`). */
export function podClaimNames(pod: KubeObject): string[] {
  const out: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v?.persistentVolumeClaim?.claimName) out.push(v.persistentVolumeClaim.claimName);
    else if (v?.ephemeral) out.push(`${pod.metadata.name}-${v.name}`);
  }
  return out;
}

const podTerminated = (pod: KubeObject) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

export function startStorageProtectionController(opts: ControllerOptions): Promise<void> {
  return startController(opts, { name: 'storage-protection', queue: 'pvcprotection', component: 'pvc-protection-controller', defaultWorkers: 1 },
    ({ client, informers, queue }) => {
      const claims = informers.informerFor(builtin.persistentvolumeclaims);
      const volumes = informers.informerFor(builtin.persistentvolumes);
      const pods = informers.informerFor(builtin.pods);
      const onClaim = (c: KubeObject) => { if (c.metadata.deletionTimestamp) queue.add(CLAIM + metaNamespaceKey(c)); };
      const onVolume = (v: KubeObject) => { if (v.metadata.deletionTimestamp) queue.add(VOLUME + v.metadata.name); };
      const onPod = (p: KubeObject) => { for (const n of podClaimNames(p)) queue.add(`${CLAIM}${p.metadata.namespace}/${n}`); };
      claims.addEventHandler({ onAdd: onClaim, onUpdate: (_o, c) => onClaim(c) });
      volumes.addEventHandler({ onAdd: onVolume, onUpdate: (_o, v) => onVolume(v) });
      pods.addEventHandler({ onUpdate: (_o, p) => { if (podTerminated(p)) onPod(p); }, onDelete: (o) => onPod(deletedObject(o)) });

      const removeFinalizer = async (res: typeof builtin.persistentvolumes, obj: KubeObject, finalizer: string) => {
        const o = structuredClone(obj);
        o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f: string) => f !== finalizer);
        await client.update(res, o);
      };

      const claimInUse = async (claim: KubeObject): Promise<boolean> => {
        const uses = (p: KubeObject) => !podTerminated(p) && podClaimNames(p).includes(claim.metadata.name!);
        if (pods.list(claim.metadata.namespace).some(uses)) return true;
        return (await client.list(builtin.pods, { namespace: claim.metadata.namespace })).items.some(uses);
      };

      return {
        informers: [claims, volumes, pods],
        async reconcile(key) {
          try {
            if (key.startsWith(CLAIM)) {
              const claim = claims.get(key.slice(CLAIM.length));
              if (!claim?.metadata.deletionTimestamp || !claim.metadata.finalizers?.includes(PVC_PROTECTION_FINALIZER)) return;
              if (await claimInUse(claim)) return;
              await removeFinalizer(builtin.persistentvolumeclaims, claim, PVC_PROTECTION_FINALIZER);
            } else if (key.startsWith(VOLUME)) {
              const pv = volumes.getByName(undefined, key.slice(VOLUME.length));
              if (!pv?.metadata.deletionTimestamp || !pv.metadata.finalizers?.includes(PV_PROTECTION_FINALIZER)) return;
              if (pv.status?.phase === 'Bound') return;
              await removeFinalizer(builtin.persistentvolumes, pv, PV_PROTECTION_FINALIZER);
            }
          } catch (e) {
            if (isConflict(e) || isNotFound(e)) return;
            throw e;
          }
        },
      };
    });
}
