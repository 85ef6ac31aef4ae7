// The PersistentVolume controller's binder (upstream pkg/controller/volume/persistentvolume, "persistentvolume-binder"):
// binds claims to volumes and keeps both phases true.
//  - An unbound claim takes the best matching volume: one pre-bound to it (volume.spec.claimRef names it, or the
//    claim's spec.volumeName names the volume), else the smallest Available volume of the same class, volumeMode,
//    with the access modes, capacity and labels (spec.selector) it asks for. With a WaitForFirstConsumer class
//    nothing unbound is taken until the scheduler has chosen a node (volume.kubernetes.io/selected-node), and then
//    only a volume whose node affinity admits that node. Without a match a class with a provisioner gets
//    volume.kubernetes.io/storage-provisioner and the provisioner creates a volume pre-bound to the claim.
//  - Binding writes the volume first (claimRef, pv.kubernetes.io/bound-by-controller, phase Bound), then the claim
//    (spec.volumeName, pv.kubernetes.io/bind-completed and bound-by-controller, status Bound with capacity and access
//    modes), as upstream, so a crash between them is repaired by the next sync.
//  - A claim created with no class at all before a default class existed gets the default class (upstream's
//    RetroactiveDefaultStorageClass).
//  - A volume whose claim is gone is Released; reclaimPolicy Retain leaves it so, Delete is the provisioner's job for
//    volumes it provisioned (others become Failed, as upstream without a deleter), Recycle becomes Failed.
// Keys: `claim:<namespace>/<name>` and `volume:<name>`.
import { startController } from '../shared/start.js';
import type { ControllerOptions } from '../shared/options.js';
import type { KubeObject } from '../../api/object.js';
import { isConflict, isNotFound } from '../../api/errors.js';
import { resources as builtin } from '../../api/resources.js';
import { deletedObject, metaNamespaceKey, splitMetaNamespaceKey } from '../../client/keys.js';
import {
  ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_BETA_STORAGE_PROVISIONER, ANN_PROVISIONED_BY, ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER,
  BETA_STORAGE_CLASS_ANNOTATION, accessModesSatisfied, claimClass, pickDefaultStorageClass, claimRefMatches, requestedStorage, storageBytes, volumeClass, volumeNodeAffinityMatches,
} from '../../api/storage.js';
import { selectorMatches } from '../../api/validation/index.js';

export type BinderOptions = ControllerOptions;

const CLAIM = 'claim:';
const VOLUME = 'volume:';

/** Whether the class binds late (WaitForFirstConsumer). */
export const isDelayBinding = (sc: KubeObject | undefined): boolean => sc?.volumeBindingMode === 'WaitForFirstConsumer';

/**
 * upstream findMatchingVolume: the volume pre-bound to the claim, else the smallest matching Available one. With
 * delayBinding and no node, only a pre-bound volume is returned.
 */
export function findMatchingVolume(claim: KubeObject, volumes: readonly KubeObject[], opts: { delayBinding: boolean; node?: KubeObject }): KubeObject | undefined {
  const requested = requestedStorage(claim);
  const cls = claimClass(claim);
  const claimMode = claim.spec?.volumeMode ?? 'Filesystem';
  let best: KubeObject | undefined;
  for (const pv of volumes) {
    const spec = pv.spec ?? {};
    if ((spec.volumeMode ?? 'Filesystem') !== claimMode) continue;
    if (opts.node && !volumeNodeAffinityMatches(pv, { labels: opts.node.metadata.labels, name: opts.node.metadata.name })) continue;
    if (claimRefMatches(pv, claim) && pv.spec?.claimRef?.uid) {
      if (pv.metadata.deletionTimestamp) continue;
      return pv;
    }
    if (spec.claimRef) { if (!claimRefMatches(pv, claim)) continue; return pv; } // pre-bound by name only
    if (!opts.node && opts.delayBinding) continue;
    if (pv.metadata.deletionTimestamp || pv.status?.phase !== 'Available') continue;
    if (volumeClass(pv) !== cls) continue;
    if (claim.spec?.selector && !selectorMatches(claim.spec.selector, pv.metadata.labels)) continue;
    if (!accessModesSatisfied(claim.spec?.accessModes, spec.accessModes)) continue;
    const size = storageBytes(spec.capacity?.storage);
    if (!(size >= requested)) continue;
    if (!best || size < storageBytes(best.spec.capacity.storage)) best = pv;
  }
  return best;
}

export function startPersistentVolumeBinderController(opts: BinderOptions): Promise<void> {
  return startController(opts, { name: 'persistentvolume-binder', queue: 'volumes', component: 'persistentvolume-controller', defaultWorkers: 2 },
    ({ client, informers, queue, recorder }) => {
      const claims = informers.informerFor(builtin.persistentvolumeclaims);
      const volumes = informers.informerFor(builtin.persistentvolumes);
      const classes = informers.informerFor(builtin.storageclasses);
      const nodes = informers.informerFor(builtin.nodes);

      const enqueueClaim = (o: KubeObject) => queue.add(CLAIM + metaNamespaceKey(o));
      const enqueueVolume = (o: KubeObject) => queue.add(VOLUME + o.metadata.name);
      claims.addEventHandler({
        onAdd: enqueueClaim, onUpdate: (_o, n) => enqueueClaim(n),
        onDelete: (o) => {
          const c = deletedObject(o);
          // Its volume is Released now.
          if (c.spec?.volumeName) queue.add(VOLUME + c.spec.volumeName);
          for (const pv of volumes.list()) if (claimRefMatches(pv, c)) enqueueVolume(pv);
        },
      });
      volumes.addEventHandler({
        onAdd: enqueueVolume,
        onUpdate: (_o, n) => enqueueVolume(n),
        onDelete: (o) => { const pv = deletedObject(o); const ref = pv.spec?.claimRef; if (ref?.name) queue.add(`${CLAIM}${ref.namespace}/${ref.name}`); },
      });
      // A new class or node may let waiting claims proceed.
      const requeuePending = () => { for (const c of claims.list()) if (!c.spec?.volumeName) enqueueClaim(c); };
      classes.addEventHandler({ onAdd: requeuePending, onUpdate: requeuePending });

      const setClaimPhase = async (claim: KubeObject, phase: string, volume?: KubeObject) => {
        const status = { ...(claim.status ?? {}), phase };
        if (volume) {
          status.accessModes = volume.spec?.accessModes;
          status.capacity = { ...(volume.spec?.capacity ?? {}) };
        }
        if (JSON.stringify(status) === JSON.stringify(claim.status ?? {})) return;
        const c = structuredClone(claim);
        c.status = status;
        await client.updateStatus(builtin.persistentvolumeclaims, c);
      };
      const setVolumePhase = async (pv: KubeObject, phase: string, message?: string) => {
        if (pv.status?.phase === phase && (message === undefined || pv.status?.message === message)) return pv;
        const v = structuredClone(pv);
        v.status = { ...(v.status ?? {}), phase };
        if (message !== undefined) v.status.message = message; else delete v.status.message;
        return client.updateStatus(builtin.persistentvolumes, v);
      };

      /** Writes the volume's half of a bind, then the claim's (upstream bind()). */
      const bind = async (pv: KubeObject, claim: KubeObject) => {
        let v = pv;
        const ref = v.spec?.claimRef;
        if (!ref || ref.uid !== claim.metadata.uid || ref.name !== claim.metadata.name) {
          v = structuredClone(v);
          v.spec.claimRef = { kind: 'PersistentVolumeClaim', namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid,
            apiVersion: 'v1', resourceVersion: claim.metadata.resourceVersion };
          v.metadata.annotations = { ...(v.metadata.annotations ?? {}), [ANN_BOUND_BY_CONTROLLER]: 'yes' };
          v = await client.update(builtin.persistentvolumes, v);
        }
        v = await setVolumePhase(v, 'Bound');
        let c = claim;
        const anns = c.metadata.annotations ?? {};
        if (c.spec?.volumeName !== v.metadata.name || anns[ANN_BIND_COMPLETED] !== 'yes') {
          c = structuredClone(c);
          const byController = c.spec.volumeName !== v.metadata.name;
          c.spec.volumeName = v.metadata.name;
          c.metadata.annotations = { ...anns, [ANN_BIND_COMPLETED]: 'yes', ...(byController ? { [ANN_BOUND_BY_CONTROLLER]: 'yes' } : {}) };
          c = await client.update(builtin.persistentvolumeclaims, c);
        }
        await setClaimPhase(c, 'Bound', v);
      };

      const syncUnboundClaim = async (claim: KubeObject) => {
        // RetroactiveDefaultStorageClass: a claim created with no class (not even "") while no default class existed
        // gets the default class once there is one.
        if (claim.spec?.storageClassName == null && claim.metadata.annotations?.[BETA_STORAGE_CLASS_ANNOTATION] === undefined) {
          const def = pickDefaultStorageClass(classes.list());
          if (def) {
            const c = structuredClone(claim);
            c.spec = { ...(c.spec ?? {}), storageClassName: def.metadata.name };
            await client.update(builtin.persistentvolumeclaims, c);
            return; // the update brings the claim back
          }
        }
        const cls = claimClass(claim);
        const sc = cls ? classes.getByName(undefined, cls) : undefined;
        const delayBinding = isDelayBinding(sc);
        const selected = claim.metadata.annotations?.[ANN_SELECTED_NODE];
        const node = selected ? nodes.getByName(undefined, selected) : undefined;
        const volume = findMatchingVolume(claim, volumes.list(), { delayBinding, node });
        if (volume) {
          await bind(volume, claim);
          return;
        }
        if (delayBinding && !selected) {
          await setClaimPhase(claim, 'Pending');
          await recorder.eventf(claim, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
          return;
        }
        if (sc?.provisioner && sc.provisioner !== 'kubernetes.io/no-provisioner') {
          const anns = claim.metadata.annotations ?? {};
          if (anns[ANN_STORAGE_PROVISIONER] !== sc.provisioner) {
            const c = structuredClone(claim);
            c.metadata.annotations = { ...anns, [ANN_STORAGE_PROVISIONER]: sc.provisioner, [ANN_BETA_STORAGE_PROVISIONER]: sc.provisioner };
            claim = await client.update(builtin.persistentvolumeclaims, c);
          }
          await setClaimPhase(claim, 'Pending');
          await recorder.eventf(claim, 'Normal', 'ExternalProvisioning',
            "Waiting for a volume to be created either by the external provisioner '%s' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.", sc.provisioner);
          return;
        }
        await setClaimPhase(claim, 'Pending');
        if (!cls) await recorder.eventf(claim, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
        else if (!sc) await recorder.eventf(claim, 'Warning', 'ProvisioningFailed', 'storageclass.storage.k8s.io "%s" not found', cls);
      };

      const syncClaim = async (key: string) => {
        const cached = claims.get(key);
        if (!cached) return;
        const claim = structuredClone(cached);
        const volumeName = claim.spec?.volumeName;
        if (!volumeName) { await syncUnboundClaim(claim); return; }
        const pv = volumes.getByName(undefined, volumeName);
        if (!pv) {
          if (claim.status?.phase === 'Bound') {
            await setClaimPhase(claim, 'Lost');
            await recorder.eventf(claim, 'Warning', 'ClaimLost', 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!');
          } else await setClaimPhase(claim, 'Pending');
          return;
        }
        // Pre-bound by the user (spec.volumeName), or our own bind to complete: bind() is idempotent.
        if (!pv.spec?.claimRef || claimRefMatches(pv, claim)) { await bind(pv, claim); return; }
        if (claim.status?.phase === 'Bound') {
          await setClaimPhase(claim, 'Lost');
          await recorder.eventf(claim, 'Warning', 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly');
        } else await setClaimPhase(claim, 'Pending');
      };

      /** The claim a volume's claimRef names, from the cache or, when the cache has none, from the API (it may be new). */
      const claimOf = async (ref: any): Promise<KubeObject | undefined> => {
        const cached = claims.getByName(ref.namespace, ref.name);
        if (cached) return cached;
        try { return await client.get(builtin.persistentvolumeclaims, ref.namespace, ref.name); } catch (e) { if (isNotFound(e)) return undefined; throw e; }
      };

      const syncVolume = async (name: string) => {
        const pv = volumes.getByName(undefined, name);
        if (!pv) return;
        const ref = pv.spec?.claimRef;
        if (!ref) { await setVolumePhase(pv, 'Available'); return; }
        if (!ref.uid) { await setVolumePhase(pv, 'Available'); if (ref.name) queue.add(`${CLAIM}${ref.namespace}/${ref.name}`); return; }
        const claim = await claimOf(ref);
        if (claim && claim.metadata.uid === ref.uid) {
          if (!claim.spec?.volumeName) { queue.add(CLAIM + metaNamespaceKey(claim)); return; }
          if (claim.spec.volumeName === name) { await setVolumePhase(pv, 'Bound'); return; }
          // The claim is bound to another volume: undo our half-bind, or leave a user's pre-bind Available.
          if (pv.metadata.annotations?.[ANN_BOUND_BY_CONTROLLER]) {
            const v = structuredClone(pv);
            delete v.spec.claimRef;
            delete v.metadata.annotations?.[ANN_BOUND_BY_CONTROLLER];
            await setVolumePhase(await client.update(builtin.persistentvolumes, v), 'Available');
          } else await setVolumePhase(pv, 'Available');
          return;
        }
        // The claim is gone: the volume is Released and reclaimed by its policy.
        const policy = pv.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
        if (pv.status?.phase === 'Failed') return;
        if (policy === 'Delete' && pv.metadata.annotations?.[ANN_PROVISIONED_BY]) {
          await setVolumePhase(pv, 'Released'); // the provisioner that made it deletes it
          return;
        }
        if (policy === 'Retain') { await setVolumePhase(pv, 'Released'); return; }
        const v = await setVolumePhase(pv, 'Failed', policy === 'Recycle' ? 'No recycler plugin found for the volume!'
          : `error getting deleter volume plugin for volume "${name}": no deletable volume plugin matched`);
        await recorder.eventf(v, 'Warning', policy === 'Recycle' ? 'VolumeFailedRecycle' : 'VolumeFailedDelete', v.status?.message ?? '');
      };

      return {
        informers: [claims, volumes, classes, nodes],
        async reconcile(key) {
          try {
            if (key.startsWith(CLAIM)) await syncClaim(key.slice(CLAIM.length));
            else if (key.startsWith(VOLUME)) await syncVolume(splitMetaNamespaceKey(key.slice(VOLUME.length)).name);
          } catch (e) {
            // A stale cache lost a race with another writer: the update event brings the key back.
            if (isConflict(e) || isNotFound(e)) return;
            throw e;
          }
        },
      };
    });
}
