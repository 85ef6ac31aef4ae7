// What a ResourceQuota counts (upstream pkg/quota/v1/evaluator/core): pods that still hold resources (not
// Succeeded/Failed, not past their deletion grace) count as "pods"/"count/pods" and by their requests and limits
// (requests.cpu or cpu, limits.memory, requests.<extended>, ...: the sum over containers, or the largest init
// container when larger, plus overhead); scopes and scopeSelector narrow which pods count. Other objects count
// by their resource name ("services", "configmaps", "count/deployments.apps", "services.nodeports", ...);
// PersistentVolumeClaims also by their storage request (requests.storage, and per storage class
// "<class>.storageclass.storage.k8s.io/requests.storage"). Shared by the resource quota controller (which recomputes
// status.used) and the ResourceQuota admission plugin (which charges each new object's usage).
import type { KubeObject } from './object.js';
import { formatQuantity, parseQuantity, type ParsedQuantity } from './quantity.js';
import { isPodTerminal } from './pod.js';

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
/** Names that claims, not pods, use. */
const isClaimName = (name: string) => name === 'requests.storage' || name.includes('.storageclass.storage.k8s.io/');

/** Usage by the pods for every pod-related name in hard (pods, count/pods, requests.*, limits.*, cpu, memory...). */
export function podUsage(quota: KubeObject, pods: readonly KubeObject[], nowMs: number): Map<string, bigint> {
  const hard = Object.keys(quota.spec?.hard ?? {});
  const used = new Map<string, bigint>();
  const counted = pods.filter((p) => podCounts(p, nowMs) && quotaSelectsPod(quota, p));
  for (const name of hard) {
    if (name === 'pods' || name === 'count/pods') { used.set(name, BigInt(counted.length) * 1_000_000_000n); continue; }
    if (!POD_COMPUTE.test(name) || isClaimName(name)) continue;
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

/** The resource a count name refers to: "services", "count/deployments.apps", "count/pods", "services.nodeports". */
export function countedResource(name: string): { group: string; resource: string; filter?: (o: KubeObject) => boolean } | undefined {
  if (name === 'services.nodeports' || name === 'services.loadbalancers') {
    return { group: '', resource: 'services', filter: (s) => (name === 'services.loadbalancers' ? s.spec?.type === 'LoadBalancer' : s.spec?.type === 'NodePort' || s.spec?.type === 'LoadBalancer') };
  }
  if (LEGACY_COUNT_NAMES[name]) return LEGACY_COUNT_NAMES[name];
  if (!name.startsWith('count/') || name === 'count/pods') return undefined;
  const rest = name.slice('count/'.length);
  const dot = rest.indexOf('.');
  return dot < 0 ? { group: '', resource: rest } : { group: rest.slice(dot + 1), resource: rest.slice(0, dot) };
}

/** What one claim uses of each claim-related name (requests.storage, persistentvolumeclaims per storage class). */
function claimUsageOf(pvc: KubeObject): Map<string, bigint> {
  const out = new Map<string, bigint>();
  const storage = nanos(pvc.spec?.resources?.requests?.storage);
  out.set('requests.storage', storage);
  const sc = pvc.spec?.storageClassName;
  if (typeof sc === 'string' && sc) {
    out.set(`${sc}.storageclass.storage.k8s.io/requests.storage`, storage);
    out.set(`${sc}.storageclass.storage.k8s.io/persistentvolumeclaims`, 1_000_000_000n);
  }
  return out;
}

/** Usage by the claims of `name` when it is a claim-related name, else undefined. */
export function claimUsage(name: string, pvcs: readonly KubeObject[]): bigint | undefined {
  if (!isClaimName(name)) return undefined;
  let total = 0n;
  for (const p of pvcs) total += claimUsageOf(p).get(name) ?? 0n;
  return total;
}

/**
 * What creating `obj` adds to each quota name (upstream's evaluators' Usage): 1 for its object counts, a pod's
 * requests and limits (only the resources it names), a claim's storage, a service's node ports and load balancer.
 */
export function objectUsage(group: string, resource: string, obj: KubeObject): Map<string, bigint> {
  const one = 1_000_000_000n;
  const out = new Map<string, bigint>([[`count/${resource}${group ? `.${group}` : ''}`, one]]);
  const legacy = LEGACY_COUNT_NAMES[resource];
  if (legacy && legacy.group === group) out.set(resource, one);
  if (group !== '') return out;
  if (resource === 'pods') {
    out.set('pods', one);
    for (const [k, v] of podResources(obj, 'requests')) {
      out.set(`requests.${k}`, v);
      if (k === 'cpu' || k === 'memory' || k === 'ephemeral-storage' || k.startsWith('hugepages-')) out.set(k, v);
    }
    for (const [k, v] of podResources(obj, 'limits')) if (k === 'cpu' || k === 'memory' || k === 'ephemeral-storage') out.set(`limits.${k}`, v);
  } else if (resource === 'persistentvolumeclaims') {
    for (const [k, v] of claimUsageOf(obj)) out.set(k, v);
  } else if (resource === 'services') {
    const type = obj.spec?.type;
    out.set('services.loadbalancers', type === 'LoadBalancer' ? one : 0n);
    out.set('services.nodeports', type === 'NodePort' || type === 'LoadBalancer' ? BigInt(Array.isArray(obj.spec?.ports) ? obj.spec.ports.length : 0) * one : 0n);
  }
  return out;
}
