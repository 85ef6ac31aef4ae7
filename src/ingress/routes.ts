// The route table of the ingress controller: which backend answers a request's host and path, computed from the
// Ingresses of our class. Pure functions over objects, so the matching rules are tested without sockets.
//   Hosts: a precise host matches the Host header exactly (case-insensitive, port dropped); `*.example.com`
//   matches exactly one more label (`a.example.com`, not `example.com` nor `a.b.example.com`); a rule without host
//   matches every host. A host's precise rules are used if any, else a matching wildcard's, else the host-less
//   rules (one group answers, as a server block does in ingress-nginx).
//   Paths: Exact compares the whole path; Prefix compares '/'-separated elements (upstream: `/foo/bar` matches
//   `/foo/bar` and `/foo/bar/baz`, not `/foo/barbaz`; a trailing '/' is ignored); ImplementationSpecific is
//   treated as Prefix. Among the matching paths of the chosen host the longest wins; at equal length Exact wins.
//   No path matches: the defaultBackend of an Ingress whose rules are that group, else the oldest Ingress's
//   defaultBackend, else no route (404).
import type { KubeObject } from '../api/object.js';

export interface ServiceBackendRef {
  namespace: string;
  service: string;
  /** Service port number or name (exactly one is set). */
  port: { number?: number; name?: string };
  /** `namespace/name` of the Ingress, for logs. */
  ingress: string;
}

interface PathRoute { pathType: string; path: string; elements: string[]; backend: ServiceBackendRef | undefined }
interface HostRules { host: string; routes: PathRoute[]; defaultBackends: Array<ServiceBackendRef | undefined> }

export interface RouteTable {
  precise: Map<string, HostRules>;
  wildcard: Map<string, HostRules>;
  any: HostRules;
  /** The oldest Ingress's defaultBackend, for hosts no rule names. */
  fallback?: ServiceBackendRef;
}

export type RouteResult = { backend: ServiceBackendRef } | { backend: undefined; reason: 'no-rule' | 'unsupported-backend' };

const elementsOf = (p: string) => p.split('/').filter((e) => e !== '');

function backendOf(b: any, namespace: string, ingress: string): ServiceBackendRef | undefined {
  const svc = b?.service;
  if (!svc?.name) return undefined; // resource backends are not served
  const port = svc.port?.name ? { name: String(svc.port.name) } : { number: Number(svc.port?.number) };
  return { namespace, service: svc.name, port, ingress };
}

/** Builds the table from the Ingresses to serve (already filtered by class). */
export function buildRouteTable(ingresses: KubeObject[]): RouteTable {
  const table: RouteTable = { precise: new Map(), wildcard: new Map(), any: { host: '', routes: [], defaultBackends: [] } };
  const sorted = [...ingresses].sort((a, b) => String(a.metadata.creationTimestamp ?? '').localeCompare(String(b.metadata.creationTimestamp ?? ''))
    || `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
  for (const ing of sorted) {
    const ns = ing.metadata.namespace ?? 'default';
    const key = `${ns}/${ing.metadata.name}`;
    const def = ing.spec?.defaultBackend ? backendOf(ing.spec.defaultBackend, ns, key) : undefined;
    if (ing.spec?.defaultBackend && !table.fallback && def) table.fallback = def;
    for (const rule of ing.spec?.rules ?? []) {
      const host = String(rule?.host ?? '').toLowerCase();
      const map = host === '' ? undefined : host.startsWith('*.') ? table.wildcard : table.precise;
      let hr = map ? map.get(host) : table.any;
      if (!hr) { hr = { host, routes: [], defaultBackends: [] }; map!.set(host, hr); }
      if (ing.spec?.defaultBackend) hr.defaultBackends.push(def);
      for (const p of rule?.http?.paths ?? []) {
        const pathType = p?.pathType === 'Exact' ? 'Exact' : 'Prefix';
        const path = p?.path || '/';
        hr.routes.push({ pathType, path, elements: elementsOf(path), backend: backendOf(p?.backend, ns, key) });
      }
    }
  }
  return table;
}

/** Whether a request path matches one Ingress path. */
export function pathMatches(pathType: string, path: string, requestPath: string): boolean {
  if (pathType === 'Exact') return requestPath === path;
  const want = elementsOf(path);
  const got = elementsOf(requestPath);
  if (want.length > got.length) return false;
  for (let i = 0; i < want.length; i++) if (want[i] !== got[i]) return false;
  return true;
}

function bestPath(hr: HostRules, requestPath: string): PathRoute | undefined {
  let best: PathRoute | undefined;
  for (const r of hr.routes) {
    if (!pathMatches(r.pathType, r.path, requestPath)) continue;
    const len = r.pathType === 'Exact' ? r.path.length : r.elements.join('/').length;
    const bestLen = best ? (best.pathType === 'Exact' ? best.path.length : best.elements.join('/').length) : -1;
    if (!best || len > bestLen || (len === bestLen && r.pathType === 'Exact' && best.pathType !== 'Exact')) best = r;
  }
  return best;
}

/** The host a request is for: the Host header without port, lower case. */
export function requestHost(hostHeader: string | undefined): string {
  const h = (hostHeader ?? '').trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon >= 0 ? h.slice(0, colon) : h;
}

/** The rules that answer a host: its precise rules, else a one-label wildcard's, else the host-less ones. */
export function hostRulesFor(table: RouteTable, host: string): HostRules {
  const precise = table.precise.get(host);
  if (precise) return precise;
  const dot = host.indexOf('.');
  const w = dot > 0 ? table.wildcard.get('*' + host.slice(dot)) : undefined;
  return w ?? table.any;
}

export function route(table: RouteTable, host: string, requestPath: string): RouteResult {
  const path = requestPath.split('?')[0] || '/';
  const hr = hostRulesFor(table, host);
  const r = bestPath(hr, path);
  if (r) return r.backend ? { backend: r.backend } : { backend: undefined, reason: 'unsupported-backend' };
  const d = hr.defaultBackends.find(Boolean) ?? table.fallback;
  return d ? { backend: d } : { backend: undefined, reason: 'no-rule' };
}
