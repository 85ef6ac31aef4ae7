// A StatefulSet pod's stable identity (upstream stateful_set_utils.go): the name <set>-<ordinal>, hostname and
// subdomain, the statefulset.kubernetes.io/pod-name and apps.kubernetes.io/pod-index labels, the
// controller-revision-hash label naming its revision, and its claims <template>-<set>-<ordinal>.
import type { KubeObject } from '../../api/object.js';
import { newControllerRef } from '../shared/controller-ref.js';
import type { Pod } from '../shared/types.js';

export const statefulSetKind = { apiVersion: 'apps/v1', kind: 'StatefulSet' } as const;
export const podNameLabel = 'statefulset.kubernetes.io/pod-name';
export const podIndexLabel = 'apps.kubernetes.io/pod-index';
export const revisionLabel = 'controller-revision-hash';

const ordinalName = /^(.*)-([0-9]+)$/;

/** The ordinal in a pod's name, or -1 when the name has none. */
export function getOrdinal(pod: KubeObject): number {
  const m = ordinalName.exec(pod.metadata?.name ?? '');
  return m ? Number(m[2]) : -1;
}

/** isMemberOf: the pod's name is <set>-<ordinal>. */
export function isMemberOf(set: KubeObject, pod: KubeObject): boolean {
  const m = ordinalName.exec(pod.metadata?.name ?? '');
  return !!m && m[1] === set.metadata?.name;
}

export const startOrdinal = (set: KubeObject): number => set.spec?.ordinals?.start ?? 0;
export const podName = (set: KubeObject, ordinal: number): string => `${set.metadata?.name}-${ordinal}`;
export const claimName = (set: KubeObject, templateName: string, ordinal: number): string => `${templateName}-${set.metadata?.name}-${ordinal}`;

/** The claims a pod of this ordinal uses, one per volumeClaimTemplate (getPersistentVolumeClaims). */
export function claimsFor(set: KubeObject, ordinal: number): KubeObject[] {
  const matchLabels = set.spec?.selector?.matchLabels ?? {};
  return (set.spec?.volumeClaimTemplates ?? []).map((tpl: any) => {
    const claim = structuredClone(tpl);
    delete claim.status;
    claim.apiVersion = 'v1';
    claim.kind = 'PersistentVolumeClaim';
    claim.metadata = { ...(claim.metadata ?? {}), name: claimName(set, tpl.metadata?.name ?? '', ordinal), namespace: set.metadata?.namespace,
      labels: { ...(tpl.metadata?.labels ?? {}), ...matchLabels } };
    delete claim.metadata.creationTimestamp;
    return claim;
  });
}

/** newVersionedStatefulSetPod: the pod for an ordinal from `set`'s template at `revision`. */
export function newStatefulSetPod(set: KubeObject, revision: string, ordinal: number): Pod {
  const t = set.spec?.template ?? {};
  const name = podName(set, ordinal);
  const pod: Pod = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, namespace: set.metadata?.namespace,
      labels: { ...(t.metadata?.labels ?? {}), [podNameLabel]: name, [podIndexLabel]: String(ordinal), [revisionLabel]: revision },
      ownerReferences: [newControllerRef(set, statefulSetKind)],
    },
    spec: structuredClone(t.spec ?? { containers: [] }),
  };
  if (t.metadata?.annotations) pod.metadata!.annotations = { ...t.metadata.annotations };
  if (t.metadata?.finalizers) pod.metadata!.finalizers = [...t.metadata.finalizers];
  pod.spec!.hostname = name;
  if (set.spec?.serviceName) pod.spec!.subdomain = set.spec.serviceName;
  // updateStorage: each claim template becomes a volume of that name, replacing a template volume of the same name.
  const templates: any[] = set.spec?.volumeClaimTemplates ?? [];
  if (templates.length) {
    const names = new Set(templates.map((c) => c.metadata?.name));
    const volumes = (pod.spec!.volumes ?? []).filter((v) => !names.has(v.name));
    for (const c of templates) volumes.push({ name: c.metadata?.name, persistentVolumeClaim: { claimName: claimName(set, c.metadata?.name ?? '', ordinal) } });
    pod.spec!.volumes = volumes;
  }
  return pod;
}
