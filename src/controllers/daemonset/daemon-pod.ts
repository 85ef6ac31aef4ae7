// What a DaemonSet's pod for one node is, and whether it belongs there (upstream pkg/controller/daemon/util and
// NodeShouldRunDaemonPod): the template with the automatic daemon tolerations, pinned to the node by a required
// node affinity on metadata.name (the scheduler binds it, as upstream), and the predicates — node name, nodeSelector
// and required node affinity, taints — that decide whether the node should run it and whether a running one may stay.
import type { KubeObject } from '../../api/object.js';
import { newControllerRef } from '../shared/controller-ref.js';
import type { Pod } from '../shared/types.js';
import { toleratesTaint, type Taint, type Toleration } from '../nodelifecycle/taints.js';

export const daemonSetKind = { apiVersion: 'apps/v1', kind: 'DaemonSet' } as const;
/** DefaultDaemonSetUniqueLabelKey: the revision's hash on pods and revisions. */
export const revisionHashLabel = 'controller-revision-hash';
/** The deprecated template generation label upstream still puts on daemon pods. */
export const templateGenerationLabel = 'pod-template-generation';
export const templateGenerationAnnotation = 'deprecated.daemonset.template.generation';

/** AddOrUpdateDaemonPodTolerations: what every daemon pod tolerates, so node conditions never evict it. */
export function addDaemonPodTolerations(spec: any): void {
  const auto: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (spec.hostNetwork) auto.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  const tolerations: Toleration[] = [...(spec.tolerations ?? [])];
  for (const t of auto) {
    const i = tolerations.findIndex((x) => x.key === t.key && (x.effect ?? '') === t.effect);
    if (i >= 0) tolerations[i] = t; else tolerations.push(t);
  }
  spec.tolerations = tolerations;
}

/** ReplaceDaemonSetPodNodeNameNodeAffinity: the required node affinity becomes exactly "metadata.name In [node]". */
export function pinToNode(spec: any, nodeName: string): void {
  const term = { matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] };
  spec.affinity ??= {};
  spec.affinity.nodeAffinity ??= {};
  spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = { nodeSelectorTerms: [term] };
}

/** The node a daemon pod is for: its nodeName, else the node its required affinity pins it to (GetTargetNodeName). */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  for (const term of pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of term.matchFields ?? []) {
      if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
    }
  }
  return undefined;
}

/** The daemon pod for a node: template labels plus the revision hash and template generation. */
export function newDaemonPod(ds: KubeObject, nodeName: string, hash: string): Pod {
  const t = ds.spec?.template ?? {};
  const generation = ds.metadata?.annotations?.[templateGenerationAnnotation];
  const pod: Pod = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      generateName: `${ds.metadata?.name}-`, namespace: ds.metadata?.namespace,
      labels: { ...(t.metadata?.labels ?? {}), [revisionHashLabel]: hash, ...(generation ? { [templateGenerationLabel]: generation } : {}) },
      ownerReferences: [newControllerRef(ds, daemonSetKind)],
    },
    spec: structuredClone(t.spec ?? { containers: [] }),
  };
  if (t.metadata?.annotations) pod.metadata!.annotations = { ...t.metadata.annotations };
  if (t.metadata?.finalizers) pod.metadata!.finalizers = [...t.metadata.finalizers];
  addDaemonPodTolerations(pod.spec);
  pinToNode(pod.spec, nodeName);
  return pod;
}

function requirementMatches(r: { operator: string; values?: string[] }, v: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In': return v !== undefined && values.includes(v);
    case 'NotIn': return v === undefined || !values.includes(v);
    case 'Exists': return v !== undefined;
    case 'DoesNotExist': return v === undefined;
    case 'Gt': case 'Lt': {
      if (v === undefined || !/^[+-]?\d+$/.test(v) || values.length !== 1) return false;
      return r.operator === 'Gt' ? Number(v) > Number(values[0]) : Number(v) < Number(values[0]);
    }
    default: return false;
  }
}

/** nodeSelector and the required node affinity (terms ORed, requirements ANDed) against a node. */
export function fitsNodeAffinity(spec: any, node: KubeObject): boolean {
  const labels: Record<string, string> = node.metadata?.labels ?? {};
  const get = (k: string) => (Object.prototype.hasOwnProperty.call(labels, k) ? labels[k] : undefined);
  for (const [k, v] of Object.entries(spec?.nodeSelector ?? {})) if (get(k) !== v) return false;
  const terms: any[] | undefined = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms) return true;
  return terms.some((term) => {
    const exprs = term.matchExpressions ?? [], fields = term.matchFields ?? [];
    if (exprs.length + fields.length === 0) return false;
    return exprs.every((r: any) => requirementMatches(r, get(r.key)))
      && fields.every((f: any) => f.key === 'metadata.name' && requirementMatches(f, node.metadata?.name));
  });
}

/**
 * NodeShouldRunDaemonPod: shouldRun — the node fits and no NoSchedule/NoExecute taint goes untolerated;
 * shouldContinueRunning — a pod already there may stay (only an untolerated NoExecute taint or a misfit evicts it).
 */
export function nodeShouldRunDaemonPod(ds: KubeObject, node: KubeObject): { shouldRun: boolean; shouldContinueRunning: boolean } {
  const spec = structuredClone(ds.spec?.template?.spec ?? {});
  addDaemonPodTolerations(spec);
  if (spec.nodeName && spec.nodeName !== node.metadata?.name) return { shouldRun: false, shouldContinueRunning: false };
  if (!fitsNodeAffinity(spec, node)) return { shouldRun: false, shouldContinueRunning: false };
  const tolerations: Toleration[] = spec.tolerations ?? [];
  let shouldRun = true, shouldContinueRunning = true;
  for (const taint of (node.spec?.taints ?? []) as Taint[]) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (tolerations.some((t) => toleratesTaint(t, taint))) continue;
    shouldRun = false;
    if (taint.effect === 'NoExecute') shouldContinueRunning = false;
  }
  return { shouldRun, shouldContinueRunning };
}
