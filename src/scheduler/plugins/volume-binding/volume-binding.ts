// VolumeBinding (upstream pkg/scheduler/framework/plugins/volumebinding), kept to what nanokube's storage needs:
//  - PreFilter: every PersistentVolumeClaim the pod's volumes name must exist and not be deleting; an unbound claim
//    of a class that binds Immediately makes the pod unschedulable ("pod has unbound immediate
//    PersistentVolumeClaims") until the binder has bound it.
//  - Filter: a bound claim's volume must admit the node (its spec.nodeAffinity: local and provisioned
//    directory volumes live on one node); an unbound WaitForFirstConsumer claim needs a matching Available volume
//    that admits the node, or a class with a provisioner.
//  - Bind (before DefaultBinder, then Skip): each unbound WaitForFirstConsumer claim is annotated
//    volume.kubernetes.io/selected-node with the chosen node, which lets the binder bind it to a volume on that node
//    or the provisioner create one there. Unlike upstream's PreBind it does not wait for the claims to be bound
//    before the pod is: the kubelet waits for them when it mounts.
import type { KubeObject } from '../../../api/object.js';
import { resources } from '../../../api/resources.js';
import { isNotFound } from '../../../api/errors.js';
import { ANN_SELECTED_NODE, accessModesSatisfied, claimClass, requestedStorage, storageBytes, volumeClass, volumeNodeAffinityMatches } from '../../../api/storage.js';
import { selectorMatches } from '../../../api/validation/index.js';
import type { InformerFactory, SharedInformer } from '../../../client/informer.js';
import type { BindPlugin, FilterPlugin, FrameworkHandle, PreFilterPlugin } from '../../framework/types.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { SKIP, Status } from '../../framework/status.js';

export const NAME = 'VolumeBinding';
export const ERR_UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';
export const ERR_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const ERR_NO_VOLUMES = "node(s) didn't find available persistent volumes to bind";

interface State {
  /** Volumes of bound claims: the node must satisfy their affinity. */
  bound: KubeObject[];
  /** Unbound WaitForFirstConsumer claims with their class. */
  delayed: { claim: KubeObject; sc: KubeObject | undefined }[];
}

export interface VolumeListers {
  claim(namespace: string, name: string): KubeObject | undefined;
  volume(name: string): KubeObject | undefined;
  volumes(): KubeObject[];
  storageClass(name: string): KubeObject | undefined;
}

/** Listers over the shared informers (requested here, started with the scheduler's). */
export function informerListers(informers: InformerFactory): VolumeListers {
  const claims: SharedInformer = informers.informerFor(resources.persistentvolumeclaims);
  const volumes: SharedInformer = informers.informerFor(resources.persistentvolumes);
  const classes: SharedInformer = informers.informerFor(resources.storageclasses);
  return {
    claim: (ns, name) => claims.getByName(ns, name),
    volume: (name) => volumes.getByName(undefined, name),
    volumes: () => volumes.list(),
    storageClass: (name) => classes.getByName(undefined, name),
  };
}

/** The claim names of a pod's persistentVolumeClaim and generic ephemeral volumes. */
function podClaims(pod: KubeObject): string[] {
  const out: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v?.persistentVolumeClaim?.claimName) out.push(v.persistentVolumeClaim.claimName);
    else if (v?.ephemeral) out.push(`${pod.metadata.name}-${v.name}`);
  }
  return out;
}

function volumeFits(pv: KubeObject, claim: KubeObject, node: NodeInfo): boolean {
  if (pv.spec?.claimRef || pv.status?.phase !== 'Available' || pv.metadata.deletionTimestamp) return false;
  if (volumeClass(pv) !== claimClass(claim)) return false;
  if ((pv.spec?.volumeMode ?? 'Filesystem') !== (claim.spec?.volumeMode ?? 'Filesystem')) return false;
  if (claim.spec?.selector && !selectorMatches(claim.spec.selector, pv.metadata.labels)) return false;
  if (!accessModesSatisfied(claim.spec?.accessModes, pv.spec?.accessModes)) return false;
  if (!(storageBytes(pv.spec?.capacity?.storage) >= requestedStorage(claim))) return false;
  return volumeNodeAffinityMatches(pv, { labels: node.labels, name: node.name });
}

export function newVolumeBinding(handle: FrameworkHandle, listers: VolumeListers | undefined): PreFilterPlugin & FilterPlugin & BindPlugin {
  return {
    name: NAME,
    preFilter(state, pod) {
      const names = podClaims(pod.pod as KubeObject);
      if (names.length === 0 || !listers) return SKIP;
      const s: State = { bound: [], delayed: [] };
      for (const name of names) {
        const claim = listers.claim(pod.namespace, name);
        if (!claim) return Status.unresolvable(`persistentvolumeclaim "${name}" not found`);
        if (claim.metadata.deletionTimestamp) return Status.unresolvable(`persistentvolumeclaim "${name}" is being deleted`);
        const volumeName = claim.spec?.volumeName;
        if (volumeName) {
          const pv = listers.volume(volumeName);
          if (!pv) return Status.unresolvable(`pvc(s) bound to non-existent pv(s)`);
          s.bound.push(pv);
          continue;
        }
        const cls = claimClass(claim);
        const sc = cls ? listers.storageClass(cls) : undefined;
        if (sc?.volumeBindingMode !== 'WaitForFirstConsumer') return Status.unresolvable(ERR_UNBOUND_IMMEDIATE);
        s.delayed.push({ claim, sc });
      }
      state.write(NAME, s);
      return null;
    },
    filter(state, _pod, node) {
      const s = state.read<State>(NAME);
      if (!s || !listers) return null;
      for (const pv of s.bound) if (!volumeNodeAffinityMatches(pv, { labels: node.labels, name: node.name })) return Status.unresolvable(ERR_NODE_CONFLICT);
      if (s.delayed.length) {
        const all = listers.volumes();
        for (const { claim, sc } of s.delayed) {
          const dynamic = !!sc?.provisioner && sc.provisioner !== 'kubernetes.io/no-provisioner';
          if (!dynamic && !all.some((pv) => volumeFits(pv, claim, node))) return Status.unresolvable(ERR_NO_VOLUMES);
        }
      }
      return null;
    },
    async bind(state, pod, nodeName) {
      const s = state.read<State>(NAME);
      for (const { claim } of s?.delayed ?? []) {
        if (claim.metadata.annotations?.[ANN_SELECTED_NODE] === nodeName) continue;
        try {
          await handle.client.patch(resources.persistentvolumeclaims, pod.namespace, claim.metadata.name!, 'merge',
            { metadata: { annotations: { [ANN_SELECTED_NODE]: nodeName } } });
        } catch (e) { if (!isNotFound(e)) throw e; }
      }
      return SKIP;
    },
  };
}
