// LimitRanger (upstream plugin/pkg/admission/limitranger): the LimitRanges of a namespace give new pods' containers
// their default requests and limits (mutating; the pod is annotated kubernetes.io/limit-ranger with what was set),
// then bound them (validating): min, max and maxLimitRequestRatio per Container, per Pod (the sum over containers,
// or an init container when larger) and per PersistentVolumeClaim (its storage request). Violations are forbidden
// with upstream's words, e.g. `maximum cpu usage per Container is 1, but limit is 2`. Pods are checked on create
// only (their containers' resources cannot change by update); claims on create and update.
import { forbiddenResource } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { canonicalQuantity, formatQuantity, parseQuantity, type ParsedQuantity } from '../../api/quantity.js';
import type { AdmissionAttributes, AdmissionPlugin } from './admission.js';

export interface LimitRangerOptions {
  /** Lists the LimitRanges of a namespace. */
  listLimitRanges(namespace: string): Promise<KubeObject[]>;
}

type ResourceList = Record<string, unknown>;

const nanos = (q: unknown): bigint | undefined => {
  if (typeof q !== 'string' && typeof q !== 'number') return undefined;
  try { return parseQuantity(q).nanos; } catch { return undefined; }
};
const show = (q: unknown) => { try { return canonicalQuantity(q); } catch { return String(q); } };
const entries = (l: unknown): [string, unknown][] => (l && typeof l === 'object' && !Array.isArray(l) ? Object.entries(l as ResourceList) : []);

function minConstraint(type: string, name: string, enforced: unknown, request: ResourceList, limit: ResourceList): string | undefined {
  const e = nanos(enforced) ?? 0n;
  if (!(name in request)) return `minimum ${name} usage per ${type} is ${show(enforced)}.  No request is specified`;
  if ((nanos(request[name]) ?? 0n) < e) return `minimum ${name} usage per ${type} is ${show(enforced)}, but request is ${show(request[name])}`;
  if (name in limit && (nanos(limit[name]) ?? 0n) < e) return `minimum ${name} usage per ${type} is ${show(enforced)}, but limit is ${show(limit[name])}`;
  return undefined;
}

function maxConstraint(type: string, name: string, enforced: unknown, request: ResourceList, limit: ResourceList): string | undefined {
  const e = nanos(enforced) ?? 0n;
  if (!(name in limit)) return `maximum ${name} usage per ${type} is ${show(enforced)}.  No limit is specified`;
  if ((nanos(limit[name]) ?? 0n) > e) return `maximum ${name} usage per ${type} is ${show(enforced)}, but limit is ${show(limit[name])}`;
  if (name in request && (nanos(request[name]) ?? 0n) > e) return `maximum ${name} usage per ${type} is ${show(enforced)}, but request is ${show(request[name])}`;
  return undefined;
}

/** For claims, whose limits are not user input: the request alone is bounded. */
function maxRequestConstraint(type: string, name: string, enforced: unknown, request: ResourceList): string | undefined {
  if (!(name in request)) return `maximum ${name} usage per ${type} is ${show(enforced)}.  No request is specified`;
  if ((nanos(request[name]) ?? 0n) > (nanos(enforced) ?? 0n)) return `maximum ${name} usage per ${type} is ${show(enforced)}, but request is ${show(request[name])}`;
  return undefined;
}

function ratioConstraint(type: string, name: string, enforced: unknown, request: ResourceList, limit: ResourceList): string | undefined {
  const req = nanos(request[name]) ?? 0n, lim = nanos(limit[name]) ?? 0n;
  if (!(name in request) || req === 0n) return `${name} max limit to request ratio per ${type} is ${show(enforced)}, but no request is specified or request is 0`;
  if (!(name in limit) || lim === 0n) return `${name} max limit to request ratio per ${type} is ${show(enforced)}, but no limit is specified or limit is 0`;
  const ratio = Number(lim) / Number(req);
  if (ratio * 1e9 > Number(nanos(enforced) ?? 0n)) return `${name} max limit to request ratio per ${type} is ${show(enforced)}, but provided ratio is ${ratio.toFixed(6)}`;
  return undefined;
}

function bound(item: any, type: string, request: ResourceList, limit: ResourceList, errs: string[]): void {
  for (const [k, v] of entries(item.min)) { const e = minConstraint(type, k, v, request, limit); if (e) errs.push(e); }
  for (const [k, v] of entries(item.max)) { const e = maxConstraint(type, k, v, request, limit); if (e) errs.push(e); }
  for (const [k, v] of entries(item.maxLimitRequestRatio)) { const e = ratioConstraint(type, k, v, request, limit); if (e) errs.push(e); }
}

const containers = (pod: KubeObject, key: 'containers' | 'initContainers'): any[] => (Array.isArray(pod.spec?.[key]) ? pod.spec[key].filter((c: any) => c && typeof c === 'object') : []);
const resourcesOf = (c: any, kind: 'requests' | 'limits'): ResourceList => (c.resources?.[kind] && typeof c.resources[kind] === 'object' ? c.resources[kind] : {});

/**
 * The pod's effective requests or limits (upstream's PodRequests without overhead): the containers' sum plus
 * restartable (sidecar) init containers, or a regular init container with the sidecars started before it, when larger.
 */
export function podResourceTotals(pod: KubeObject, kind: 'requests' | 'limits'): ResourceList {
  const sum = new Map<string, bigint>();
  const formats = new Map<string, ParsedQuantity['format']>(); // a sum shows in its first term's format (2Gi, not 2147483648)
  const add = (m: Map<string, bigint>, l: ResourceList) => {
    for (const [k, v] of entries(l)) {
      m.set(k, (m.get(k) ?? 0n) + (nanos(v) ?? 0n));
      if (!formats.has(k)) { try { formats.set(k, parseQuantity(v as string).format); } catch { /* not a quantity */ } }
    }
  };
  for (const c of containers(pod, 'containers')) add(sum, resourcesOf(c, kind));
  const sidecars = new Map<string, bigint>();
  const initMax = new Map<string, bigint>();
  for (const c of containers(pod, 'initContainers')) {
    let current: Map<string, bigint>;
    if (c.restartPolicy === 'Always') { add(sum, resourcesOf(c, kind)); add(sidecars, resourcesOf(c, kind)); current = new Map(sidecars); }
    else { current = new Map(sidecars); add(current, resourcesOf(c, kind)); }
    for (const [k, v] of current) if (v > (initMax.get(k) ?? 0n)) initMax.set(k, v);
  }
  for (const [k, v] of initMax) if (!sum.has(k) || v > sum.get(k)!) sum.set(k, v);
  return Object.fromEntries([...sum].map(([k, v]) => [k, formatQuantity({ nanos: v, format: formats.get(k) ?? 'DecimalSI' })]));
}

export function limitRanger(opts: LimitRangerOptions): AdmissionPlugin {
  const isPod = (a: AdmissionAttributes) => a.def.group === '' && a.def.resource === 'pods';
  const isClaim = (a: AdmissionAttributes) => a.def.group === '' && a.def.resource === 'persistentvolumeclaims';
  const applies = (a: AdmissionAttributes) => !a.subresource && a.namespace && !a.oldObject?.metadata?.deletionTimestamp
    && ((isPod(a) && a.operation === 'CREATE') || (isClaim(a) && (a.operation === 'CREATE' || a.operation === 'UPDATE')));

  function reject(attrs: AdmissionAttributes, errs: string[]): never {
    const unique = [...new Set(errs)];
    throw forbiddenResource({ group: attrs.def.group, resource: attrs.def.resource }, attrs.object.metadata?.name,
      unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`);
  }

  return {
    name: 'LimitRanger',
    // Upstream's SupportsAttributes: pods and claims only.
    resources: ['/pods', '/persistentvolumeclaims'],
    async admit(attrs) {
      if (!applies(attrs) || !isPod(attrs)) return;
      const pod = attrs.object;
      const ranges = await opts.listLimitRanges(attrs.namespace!);
      if (!ranges.length) return;
      // Upstream decodes (and so defaults) a pod before admission: requests a container leaves out but limits are
      // taken from its limits first, so a LimitRange's defaultRequest only fills what neither names.
      for (const c of [...containers(pod, 'containers'), ...containers(pod, 'initContainers')]) {
        const limits = c.resources?.limits;
        if (!limits || typeof limits !== 'object') continue;
        c.resources.requests = c.resources.requests && typeof c.resources.requests === 'object' ? c.resources.requests : {};
        for (const [k, v] of Object.entries(limits)) if (!(k in c.resources.requests)) c.resources.requests[k] = v;
      }
      for (const lr of ranges) {
        const defaults = { limits: {} as ResourceList, requests: {} as ResourceList };
        for (const item of lr.spec?.limits ?? []) {
          if (item?.type !== 'Container') continue;
          Object.assign(defaults.requests, item.defaultRequest ?? {});
          Object.assign(defaults.limits, item.default ?? {});
        }
        const notes: string[] = [];
        const merge = (c: any, prefix: string) => {
          c.resources = c.resources && typeof c.resources === 'object' ? c.resources : {};
          const set = { requests: [] as string[], limits: [] as string[] };
          for (const kind of ['limits', 'requests'] as const) {
            for (const [k, v] of Object.entries(defaults[kind])) {
              c.resources[kind] = c.resources[kind] && typeof c.resources[kind] === 'object' ? c.resources[kind] : {};
              if (!(k in c.resources[kind])) { c.resources[kind][k] = v; set[kind].push(k); }
            }
          }
          if (set.requests.length) notes.push(`${set.requests.sort().join(', ')} request for ${prefix} ${c.name}`);
          if (set.limits.length) notes.push(`${set.limits.sort().join(', ')} limit for ${prefix} ${c.name}`);
        };
        for (const c of containers(pod, 'containers')) merge(c, 'container');
        for (const c of containers(pod, 'initContainers')) merge(c, 'init container');
        if (notes.length) {
          pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), 'kubernetes.io/limit-ranger': `LimitRanger plugin set: ${notes.join('; ')}` };
        }
      }
    },
    async validate(attrs) {
      if (!applies(attrs)) return;
      const obj = attrs.object;
      for (const lr of await opts.listLimitRanges(attrs.namespace!)) {
        const errs: string[] = [];
        for (const item of lr.spec?.limits ?? []) {
          if (isClaim(attrs)) {
            if (item?.type !== 'PersistentVolumeClaim') continue;
            const requests: ResourceList = obj.spec?.resources?.requests ?? {};
            for (const [k, v] of entries(item.min)) { const e = minConstraint('PersistentVolumeClaim', k, v, requests, {}); if (e) errs.push(e); }
            for (const [k, v] of entries(item.max)) { const e = maxRequestConstraint('PersistentVolumeClaim', k, v, requests); if (e) errs.push(e); }
          } else if (item?.type === 'Container') {
            for (const c of [...containers(obj, 'containers'), ...containers(obj, 'initContainers')]) bound(item, 'Container', resourcesOf(c, 'requests'), resourcesOf(c, 'limits'), errs);
          } else if (item?.type === 'Pod') {
            bound(item, 'Pod', podResourceTotals(obj, 'requests'), podResourceTotals(obj, 'limits'), errs);
          }
        }
        if (errs.length) reject(attrs, errs);
      }
    },
  };
}
