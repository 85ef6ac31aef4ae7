// What a ResourceQuota counts (upstream pkg/quota/v1/evaluator/core): pods that still hold resources (not
// Succeeded/Failed, not past their deletion grace) count as "pods"/"count/pods" and by their requests and limits
// (requests.cpu or cpu, limits.memory, requests.<extended>, ...: the sum over containers, or the largest init
// container when larger, plus overhead); scopes and scopeSelector narrow which pods count. Other objects count
// by their resource name ("services", "configmaps", "count/deployments.apps", "services.nodeports", ...).
import type { KubeObject } from '../../api/object.js';
import { formatQuantity, parseQuantity, type ParsedQuantity } from '../../api/quantity.js';
import { isPodTerminal } from '../../api/pod.js';

/** The object-count names kube-controller-manager tracks without the count/ prefix, by resource. */
export const LEGACY_COUNT_NAMES: Record<string, { group: string; resource: string }> = {
  services: { group: '', resource: 'services' }, configmaps: { group: '', resource: 'configmaps' },
  secrets: { group: '', resource: 'secrets' }, persistentvolumeclaims: { group: '', resource: 'persistentvolumeclaims' },
  replicationcontrollers: { group: '', resource: 'replicationcontrollers' }, resourcequotas: { group: '', resource: 'resourcequotas' },
};

const nanos = (q: unknown): bigint => {
  if (typeof q !== 'string' && typeof q !== 'number') return 0n;
  try { return parseQuantity(q).nanos; } catch { return 0n; }
};

/** Whether the pod still counts against quota at `nowMs` (QuotaV1Pod). */
export function podCounts(pod: KubeObject, nowMs: number): boolean {
  if (isPodTerminal(pod)) return false;
  const del = pod.metadata.deletionTimestamp;
  if (del && pod.metadata.deletionGracePeriodSeconds != null) {
    if (nowMs > Date.parse(del) + pod.metadata.deletionGracePeriodSeconds * 1000) return false;
  }
  return true;
}

/** The pod's effective requests or limits per resource name, in nanos. */
export function podResources(pod: KubeObject, kind: 'requests' | 'limits'): Map<string, bigint> {
  const sum = new Map<string, bigint>();
  const add = (m: Map<string, bigint>, list: Record<string, unknown> | undefined) => {
    for (const [k, v] of Object.entries(list ?? {})) m.set(k, (m.get(k) ?? 0n) + nanos(v));
  };
  for (const c of pod.spec?.containers ?? []) add(sum, c?.resources?.[kind]);
  for (const c of pod.spec?.initContainers ?? []) {
    const one = new Map<string, bigint>();
    add(one, c?.resources?.[kind]);
    for (const [k, v] of one) if (v > (sum.get(k) ?? 0n)) sum.set(k, v);
  }
  if (sum.size && pod.spec?.overhead) add(sum, pod.spec.overhead);
  return sum;
}

const isBestEffort = (pod: KubeObject) => ['requests', 'limits'].every((k) => (pod.spec?.containers ?? []).every((c: any) => !Object.keys(c?.resources?.[k] ?? {}).some((r) => r === 'cpu' || r === 'memory')));

function scopeMatches(scope: string, pod: KubeObject, op = 'Exists', values: string[] = []): boolean {
  switch (scope) {
    case 'Terminating': return pod.spec?.activeDeadlineSeconds != null;
    case 'NotTerminating': return pod.spec?.activeDeadlineSeconds == null;
    case 'BestEffort': return isBestEffort(pod);
    case 'NotBestEffort': return !isBestEffort(pod);
    case 'PriorityClass': {
      const pc = pod.spec?.priorityClassName ?? '';
      if (op === 'Exists') return !!pc;
      if (op === 'DoesNotExist') return !pc;
      if (op === 'In') return values.includes(pc);
      if (op === 'NotIn') return !values.includes(pc);
      return false;
    }
    case 'CrossNamespacePodAffinity': {
      const terms = [...(pod.spec?.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []), ...(pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [])];
      return terms.some((t: any) => t?.namespaces?.length || t?.namespaceSelector != null);
    }
    default: return false;
  }
}

/** Whether the quota's scopes and scopeSelector select the pod. */
export function quotaSelectsPod(quota: KubeObject, pod: KubeObject): boolean {
  for (const s of quota.spec?.scopes ?? []) if (!scopeMatches(s, pod)) return false;
  for (const r of quota.spec?.scopeSelector?.matchExpressions ?? []) if (!scopeMatches(r.scopeName, pod, r.operator, r.values)) return false;
  return true;
}

const POD_COMPUTE = /^(requests\.|limits\.)?(cpu|memory|ephemeral-storage)$|^requests\.|^limits\./;

/** Usage by the pods for every pod-related name in hard (pods, count/pods, requests.*, limits.*, cpu, memory...). */
export function podUsage(quota: KubeObject, pods: readonly KubeObject[], nowMs: number): Map<string, bigint> {
  const hard = Object.keys(quota.spec?.hard ?? {});
  const used = new Map<string, bigint>();
  const counted = pods.filter((p) => podCounts(p, nowMs) && quotaSelectsPod(quota, p));
  for (const name of hard) {
    if (name === 'pods' || name === 'count/pods') { used.set(name, BigInt(counted.length) * 1_000_000_000n); continue; }
    if (!POD_COMPUTE.test(name)) continue;
    const kind = name.startsWith('limits.') ? 'limits' : 'requests';
    const resource = name.replace(/^(requests|limits)\./, '');
    let total = 0n;
    for (const p of counted) total += podResources(p, kind).get(resource) ?? 0n;
    used.set(name, total);
  }
  return used;
}

/** A usage in the format of the hard limit it is reported beside (so 512Mi shows beside 2Gi). */
export function formatUsage(value: bigint, hard: unknown): string {
  let format: ParsedQuantity['format'] = 'DecimalSI';
  try { if (typeof hard === 'string' || typeof hard === 'number') format = parseQuantity(hard).format; } catch { /* keep DecimalSI */ }
  return formatQuantity({ nanos: value, format });
}
