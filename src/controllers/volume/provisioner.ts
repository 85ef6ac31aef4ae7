// The built-in dynamic provisioner of StorageClasses with provisioner nanokube.io/local-path, in the shape of an
// external provisioner (sig-storage-lib-external-provisioner, as k3s's local-path-provisioner):
//  - a claim the binder annotated volume.kubernetes.io/storage-provisioner: nanokube.io/local-path gets a volume
//    `pvc-<claim uid>` pre-bound to it: a hostPath DirectoryOrCreate directory under the storage root, the claim's
//    size, access modes and volumeMode, the class's reclaimPolicy, pv.kubernetes.io/provisioned-by, and, when the
//    scheduler chose a node (WaitForFirstConsumer), node affinity to that node's kubernetes.io/hostname;
//  - a Released volume it provisioned with reclaimPolicy Delete loses its directory and is deleted;
//  - a bound claim whose request grew past its capacity, in a class with allowVolumeExpansion, is expanded (a
//    directory has no size to change: the volume's capacity and the claim's status.capacity take the new size),
//    with the external resizer's events.
// Keys: `claim:<namespace>/<name>` and `volume:<name>`.
import { startController } from '../shared/start.js';
import type { ControllerOptions } from '../shared/options.js';
import type { KubeObject } from '../../api/object.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../api/errors.js';
import { resources as builtin } from '../../api/resources.js';
import { metaNamespaceKey } from '../../client/keys.js';
import {
  ANN_PROVISIONED_BY, ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER, LOCAL_PATH_PROVISIONER, claimClass, storageBytes,
} from '../../api/storage.js';
import type { VolumeDirectories } from './local-path.js';

export interface LocalPathProvisionerOptions extends ControllerOptions {
  /** The host directories; without them volumes point at `defaultRoot` and the kubelet creates them on mount. */
  directories?: VolumeDirectories;
  /** The directory root written into PVs when `directories` is absent. */
  defaultRoot?: string;
}

const CLAIM = 'claim:';
const VOLUME = 'volume:';

/** The PersistentVolume the provisioner creates for a claim (upstream's naming: pvc-<claim uid>). */
export function provisionedVolume(claim: KubeObject, sc: KubeObject, path: string, node?: string): KubeObject {
  const name = `pvc-${claim.metadata.uid}`;
  return {
    apiVersion: 'v1', kind: 'PersistentVolume',
    metadata: { name, annotations: { [ANN_PROVISIONED_BY]: LOCAL_PATH_PROVISIONER } },
    spec: {
      capacity: { storage: claim.spec?.resources?.requests?.storage },
      accessModes: [...(claim.spec?.accessModes ?? [])],
      persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
      storageClassName: sc.metadata.name,
      volumeMode: claim.spec?.volumeMode ?? 'Filesystem',
      claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: claim.metadata.namespace, name: claim.metadata.name,
        uid: claim.metadata.uid, resourceVersion: claim.metadata.resourceVersion },
      hostPath: { path, type: 'DirectoryOrCreate' },
      ...(node ? { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } } } : {}),
    },
  };
}

export function startLocalPathProvisioner(opts: LocalPathProvisionerOptions): Promise<void> {
  return startController(opts, { name: 'local-path-provisioner', queue: 'local_path_provisioner', component: `${LOCAL_PATH_PROVISIONER}`, defaultWorkers: 2 },
    ({ client, informers, queue, recorder, log }) => {
      const claims = informers.informerFor(builtin.persistentvolumeclaims);
      const volumes = informers.informerFor(builtin.persistentvolumes);
      const classes = informers.informerFor(builtin.storageclasses);
      const nodes = informers.informerFor(builtin.nodes);
      const dirs = opts.directories;
      const pathFor = (name: string) => dirs ? dirs.pathFor(name) : `${opts.defaultRoot ?? '/var/lib/nanokube/storage'}/${name}`;

      claims.addEventHandler({ onAdd: (c) => queue.add(CLAIM + metaNamespaceKey(c)), onUpdate: (_o, c) => queue.add(CLAIM + metaNamespaceKey(c)) });
      volumes.addEventHandler({ onAdd: (v) => queue.add(VOLUME + v.metadata.name), onUpdate: (_o, v) => queue.add(VOLUME + v.metadata.name) });

      const ourClass = (claim: KubeObject): KubeObject | undefined => {
        const sc = classes.getByName(undefined, claimClass(claim));
        return sc?.provisioner === LOCAL_PATH_PROVISIONER ? sc : undefined;
      };

      const provision = async (claim: KubeObject, sc: KubeObject) => {
        const name = `pvc-${claim.metadata.uid}`;
        if (volumes.getByName(undefined, name)) return;
        const selected = claim.metadata.annotations?.[ANN_SELECTED_NODE];
        if (sc.volumeBindingMode === 'WaitForFirstConsumer' && !selected) return;
        const node = selected ? nodes.getByName(undefined, selected) : undefined;
        const hostname = node?.metadata.labels?.['kubernetes.io/hostname'] ?? selected;
        await recorder.eventf(claim, 'Normal', 'Provisioning', 'External provisioner is provisioning volume for claim "%s"', metaNamespaceKey(claim));
        await dirs?.create(name);
        try {
          await client.create(builtin.persistentvolumes, undefined, provisionedVolume(claim, sc, pathFor(name), hostname));
        } catch (e) { if (!isAlreadyExists(e)) throw e; }
        log({ level: 'info', msg: 'provisioned volume', controller: 'local-path-provisioner', volume: name, claim: metaNamespaceKey(claim) });
        await recorder.eventf(claim, 'Normal', 'ProvisioningSucceeded', 'Successfully provisioned volume %s', name);
      };

      const expand = async (claim: KubeObject, sc: KubeObject) => {
        if (sc.allowVolumeExpansion !== true || claim.status?.phase !== 'Bound') return;
        const want = claim.spec?.resources?.requests?.storage;
        if (!(storageBytes(want) > storageBytes(claim.status?.capacity?.storage))) return;
        const pv = volumes.getByName(undefined, claim.spec.volumeName);
        if (!pv || pv.metadata.annotations?.[ANN_PROVISIONED_BY] !== LOCAL_PATH_PROVISIONER) return;
        await recorder.eventf(claim, 'Normal', 'Resizing', 'External resizer is resizing volume %s', pv.metadata.name);
        if (storageBytes(pv.spec?.capacity?.storage) < storageBytes(want)) {
          const v = structuredClone(pv);
          v.spec.capacity = { ...(v.spec.capacity ?? {}), storage: want };
          await client.update(builtin.persistentvolumes, v);
        }
        const c = structuredClone(claim);
        c.status = { ...(c.status ?? {}), capacity: { ...(c.status?.capacity ?? {}), storage: want }, allocatedResources: { storage: want } };
        delete c.status.allocatedResourceStatuses;
        c.status.conditions = (c.status.conditions ?? []).filter((x: any) => x.type !== 'Resizing' && x.type !== 'FileSystemResizePending');
        if (c.status.conditions.length === 0) delete c.status.conditions;
        await client.updateStatus(builtin.persistentvolumeclaims, c);
        await recorder.eventf(claim, 'Normal', 'VolumeResizeSuccessful', 'Resize volume succeeded');
      };

      const syncClaim = async (key: string) => {
        const claim = claims.get(key);
        if (!claim || claim.metadata.deletionTimestamp) return;
        const sc = ourClass(claim);
        if (!sc) return;
        if (!claim.spec?.volumeName) {
          if (claim.metadata.annotations?.[ANN_STORAGE_PROVISIONER] === LOCAL_PATH_PROVISIONER) await provision(claim, sc);
          return;
        }
        await expand(claim, sc);
      };

      const syncVolume = async (name: string) => {
        const pv = volumes.getByName(undefined, name);
        if (!pv || pv.metadata.annotations?.[ANN_PROVISIONED_BY] !== LOCAL_PATH_PROVISIONER) return;
        if (pv.status?.phase !== 'Released' || pv.spec?.persistentVolumeReclaimPolicy !== 'Delete' || pv.metadata.deletionTimestamp) return;
        const path = pv.spec?.hostPath?.path ?? pv.spec?.local?.path;
        if (dirs && path) await dirs.remove(path);
        await client.delete(builtin.persistentvolumes, undefined, name, { preconditions: { uid: pv.metadata.uid } });
        log({ level: 'info', msg: 'deleted volume', controller: 'local-path-provisioner', volume: name });
      };

      return {
        informers: [claims, volumes, classes, nodes],
        async reconcile(key) {
          try {
            if (key.startsWith(CLAIM)) await syncClaim(key.slice(CLAIM.length));
            else if (key.startsWith(VOLUME)) await syncVolume(key.slice(VOLUME.length));
          } catch (e) {
            if (isConflict(e) || isNotFound(e)) return;
            throw e;
          }
        },
      };
    });
}
