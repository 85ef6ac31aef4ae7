// ResourceQuota (upstream k8s.io/apiserver/pkg/admission/plugin/resourcequota): a new object is refused when
// what it uses (src/api/quota-usage.ts: object counts, a pod's requests and limits, a claim's storage) would take
// a quota of its namespace over spec.hard ("exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2"),
// and a pod must name a request or limit for each of cpu and memory its quotas constrain ("must specify
// limits.cpu for: c"). Admitted usage is charged at once to each quota's status.used with a resourceVersion
// precondition, as upstream's quota evaluator does: of two creates racing for the last unit, the second write
// conflicts, re-reads the quota and is refused, so a burst cannot overshoot. The resource quota controller
// recomputes status.used from the objects, which gives back usage charged for a write that later failed.
// Not done: updates (pod resizes, claim expansion, service type changes) are not charged.
import { forbiddenResource, isConflict } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { canonicalQuantity, parseQuantity } from '../../api/quantity.js';
import { claimUsage, countedResource, formatUsage, objectUsage, podUsage, quotaSelectsPod } from '../../api/quota-usage.js';
import { admitted, noMutation, type AdmissionAttributes, type AdmissionPlugin } from './admission.js';

export interface ResourceQuotaOptions {
  /**
   * Lists the ResourceQuotas of a namespace: from a cache the first time (`live` false), from the store when a charge
   * conflicted. The objects are not changed.
   */
  listQuotas(namespace: string, live: boolean): Promise<KubeObject[]>;
  /** How many quotas the namespace has, when the cache knows at once (0: the write is not looked at); else undefined. */
  countQuotas?(namespace: string): number | undefined;
  /** Writes a quota's status under its metadata.resourceVersion; throws a Conflict when the quota changed since. */
  updateQuotaStatus(quota: KubeObject): Promise<void>;
  /** Lists a namespace's objects of a resource (for usage a quota's status does not show yet); undefined if not served. */
  listObjects(group: string, resource: string, namespace: string): Promise<KubeObject[] | undefined>;
  now?: () => number;
}

/** Resources every container must name when a quota constrains them (upstream's pod evaluator validationSet). */
const VALIDATION_SET = ['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'];
const ATTEMPTS = 20;

const nanos = (q: unknown): bigint => { try { return parseQuantity(q as string).nanos; } catch { return 0n; } };
const show = (q: unknown) => { try { return canonicalQuantity(q); } catch { return String(q); } };
const pretty = (m: Map<string, string>) => [...m.keys()].sort().map((k) => `${k}=${m.get(k)}`).join(',');
const isScoped = (q: KubeObject) => !!(q.spec?.scopes?.length || q.spec?.scopeSelector?.matchExpressions?.length);

/** The names a container's resources provide (upstream's podComputeUsageHelper, for the validation set). */
function containerProvides(c: any): Set<string> {
  const out = new Set<string>();
  for (const k of Object.keys(c?.resources?.requests ?? {})) { if (k === 'cpu' || k === 'memory') { out.add(k); out.add(`requests.${k}`); } }
  for (const k of Object.keys(c?.resources?.limits ?? {})) { if (k === 'cpu' || k === 'memory') out.add(`limits.${k}`); }
  return out;
}

/** "must specify limits.cpu for: a,b; requests.memory for: a", or undefined when every container names them. */
function missingResources(pod: KubeObject, hard: string[]): string | undefined {
  const required = VALIDATION_SET.filter((n) => hard.includes(n));
  if (!required.length) return undefined;
  const missing = new Map<string, Set<string>>();
  const list = (k: string): any[] => (Array.isArray(pod.spec?.[k]) ? pod.spec[k] : []);
  for (const c of [...list('containers'), ...list('initContainers')]) {
    const has = containerProvides(c);
    for (const r of required) if (!has.has(r)) { if (!missing.has(r)) missing.set(r, new Set()); missing.get(r)!.add(String(c?.name ?? '')); }
  }
  if (!missing.size) return undefined;
  return `must specify ${[...missing.keys()].sort().map((r) => `${r} for: ${[...missing.get(r)!].sort().join(',')}`).join('; ')}`;
}

export function resourceQuota(opts: ResourceQuotaOptions): AdmissionPlugin {
  const now = opts.now ?? Date.now;

  /** The namespace's current use of `name`, from the objects, for a quota whose status does not show it yet. */
  async function computeUsed(quota: KubeObject, name: string, namespace: string): Promise<bigint> {
    const claims = claimUsage(name, []) !== undefined;
    if (!claims && (name === 'pods' || name === 'count/pods' || /^(requests|limits)\.|^(cpu|memory|ephemeral-storage)$|^hugepages-/.test(name))) {
      const used = podUsage({ ...quota, spec: { ...quota.spec, hard: { [name]: '0' } } }, await opts.listObjects('', 'pods', namespace) ?? [], now());
      return used.get(name) ?? 0n;
    }
    const target = claims ? { group: '', resource: 'persistentvolumeclaims' } : countedResource(name);
    if (!target) return 0n;
    const items = await opts.listObjects(target.group, target.resource, namespace) ?? [];
    if (claims) return claimUsage(name, items)!;
    return items.reduce((sum, o) => sum + (objectUsage(target.group, target.resource, o).get(name) ?? 0n), 0n);
  }

  async function validate(attrs: AdmissionAttributes): Promise<void> {
    const { group, resource } = attrs.def;
    const namespace = attrs.namespace!;
    const obj = attrs.object;
    // Most namespaces have no quota: nothing is computed for them.
    const cached = await opts.listQuotas(namespace, false);
    if (!cached.length) return;
    const isPod = group === '' && resource === 'pods';
    const delta = objectUsage(group, resource, obj);
    const refuse = (why: string) => forbiddenResource({ group, resource }, obj.metadata?.name, why);
    const charged = new Set<string>(); // quotas already charged for this object (by uid), across conflict retries
    for (let attempt = 0; ; attempt++) {
      const quotas = [...(attempt > 0 ? await opts.listQuotas(namespace, true) : cached)].sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
      const plan: Array<{ quota: KubeObject; used: Map<string, bigint> }> = [];
      for (const quota of quotas) {
        if (charged.has(quota.metadata.uid ?? quota.metadata.name!)) continue;
        if (isScoped(quota) && !(isPod && quotaSelectsPod(quota, obj))) continue;
        const hard: Record<string, unknown> = quota.spec?.hard ?? {};
        const hardNames = Object.keys(hard);
        if (isPod) {
          const missing = missingResources(obj, hardNames);
          if (missing) throw refuse(`failed quota: ${quota.metadata.name}: ${missing}`);
        }
        const requested = [...delta.keys()].filter((n) => n in hard);
        if (!requested.length) continue;
        const statusUsed: Record<string, unknown> = quota.status?.used ?? {};
        const used = new Map<string, bigint>();
        for (const n of requested) used.set(n, n in statusUsed ? nanos(statusUsed[n]) : await computeUsed(quota, n, namespace));
        const exceeded = requested.filter((n) => used.get(n)! + delta.get(n)! > nanos(hard[n]));
        if (exceeded.length) {
          const fmt = (f: (n: string) => string) => pretty(new Map(exceeded.map((n) => [n, f(n)])));
          throw refuse(`exceeded quota: ${quota.metadata.name}, requested: ${fmt((n) => formatUsage(delta.get(n)!, hard[n]))}, `
            + `used: ${fmt((n) => formatUsage(used.get(n)!, hard[n]))}, limited: ${fmt((n) => show(hard[n]))}`);
        }
        plan.push({ quota, used: new Map(requested.map((n) => [n, used.get(n)! + delta.get(n)!])) });
      }
      if (attrs.dryRun) return;
      try {
        for (const { quota, used } of plan) {
          const hard: Record<string, unknown> = quota.spec?.hard ?? {};
          const next = structuredClone(quota);
          next.status = {
            hard: quota.status?.hard ?? Object.fromEntries(Object.entries(hard).map(([k, v]) => [k, show(v)])),
            used: { ...(quota.status?.used ?? {}), ...Object.fromEntries([...used].map(([n, v]) => [n, formatUsage(v, hard[n])])) },
          };
          await opts.updateQuotaStatus(next);
          charged.add(quota.metadata.uid ?? quota.metadata.name!);
        }
        return;
      } catch (e) {
        if (!isConflict(e) || attempt + 1 >= ATTEMPTS) throw e;
      }
    }
  }

  return {
    name: 'ResourceQuota',
    admit: noMutation,
    // Not an async function: a write no quota can concern is passed at once.
    validate(attrs) {
      if (attrs.operation !== 'CREATE' || attrs.subresource || !attrs.def.namespaced || !attrs.namespace) return admitted;
      if (opts.countQuotas?.(attrs.namespace) === 0) return admitted;
      return validate(attrs);
    },
  };
}
