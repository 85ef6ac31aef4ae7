// API discovery: legacy (APIVersions, APIGroupList, APIResourceList) and aggregated
// (apidiscovery.k8s.io/v2 APIGroupDiscoveryList), which kubectl asks for first.
import { verbsOf } from '../api/resources.js';
import type { ResourceDefinition } from './registry/types.js';


interface GroupVersion { group: string; version: string; resources: ResourceDefinition[] }

export function groupVersions(resources: ResourceDefinition[]): GroupVersion[] {
  const map = new Map<string, GroupVersion>();
  for (const r of resources) {
    const k = `${r.group}/${r.version}`;
    if (!map.has(k)) map.set(k, { group: r.group, version: r.version, resources: [] });
    map.get(k)!.resources.push(r);
  }
  return [...map.values()];
}

function subresourceInfo(r: ResourceDefinition, sub: string): { kind: { group: string; version: string; kind: string }; verbs: string[] } {
  switch (sub) {
    case 'status': case 'ephemeralcontainers': return { kind: { group: r.group, version: r.version, kind: r.kind }, verbs: ['get', 'patch', 'update'] };
    case 'scale': return { kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] };
    case 'binding': return { kind: { group: '', version: 'v1', kind: 'Binding' }, verbs: ['create'] };
    case 'eviction': return { kind: { group: 'policy', version: 'v1', kind: 'Eviction' }, verbs: ['create'] };
    case 'log': return { kind: { group: '', version: 'v1', kind: 'Pod' }, verbs: ['get'] };
    case 'exec': case 'attach': case 'portforward': return { kind: { group: '', version: 'v1', kind: sub === 'exec' ? 'PodExecOptions' : sub === 'attach' ? 'PodAttachOptions' : 'PodPortForwardOptions' }, verbs: ['create', 'get'] };
    case 'proxy': return { kind: { group: '', version: 'v1', kind: r.kind === 'Pod' ? 'PodProxyOptions' : r.kind === 'Node' ? 'NodeProxyOptions' : 'ServiceProxyOptions' }, verbs: ['create', 'delete', 'get', 'patch', 'update'] };
    case 'token': return { kind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' }, verbs: ['create'] };
    case 'approval': return { kind: { group: r.group, version: r.version, kind: r.kind }, verbs: ['get', 'patch', 'update'] };
    case 'finalize': return { kind: { group: '', version: 'v1', kind: 'Namespace' }, verbs: ['update'] };
    default: return { kind: { group: r.group, version: r.version, kind: r.kind }, verbs: ['get'] };
  }
}

function aggregatedResource(r: ResourceDefinition) {
  const out: Record<string, unknown> = {
    resource: r.resource,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: verbsOf(r),
  };
  if (r.shortNames?.length) out.shortNames = r.shortNames;
  if (r.categories?.length) out.categories = r.categories;
  if (r.subresources?.length) {
    out.subresources = r.subresources.map((s) => {
      const i = subresourceInfo(r, s);
      return { subresource: s, responseKind: i.kind, verbs: i.verbs };
    });
  }
  return out;
}

/** /api (core) or /apis (named groups) in the aggregated format. */
export function aggregatedDiscovery(resources: ResourceDefinition[], core: boolean, apiVersion: 'v2' | 'v2beta1') {
  const gvs = groupVersions(resources).filter((gv) => (gv.group === '') === core);
  const groups = new Map<string, GroupVersion[]>();
  for (const gv of gvs) { if (!groups.has(gv.group)) groups.set(gv.group, []); groups.get(gv.group)!.push(gv); }
  return {
    kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${apiVersion}`, metadata: {},
    items: [...groups.entries()].map(([group, versions]) => ({
      metadata: core ? { creationTimestamp: null } : { name: group, creationTimestamp: null },
      versions: versions.map((gv) => ({ version: gv.version, resources: gv.resources.map(aggregatedResource), freshness: 'Current' })),
    })),
  };
}

export function legacyApiVersions(serverAddress: string) {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function apiGroup(group: string, versions: string[]) {
  return {
    name: group,
    versions: versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v })),
    preferredVersion: { groupVersion: `${group}/${versions[0]}`, version: versions[0] },
  };
}

export function legacyApiGroupList(resources: ResourceDefinition[]) {
  const groups = new Map<string, string[]>();
  for (const gv of groupVersions(resources)) {
    if (gv.group === '') continue;
    if (!groups.has(gv.group)) groups.set(gv.group, []);
    groups.get(gv.group)!.push(gv.version);
  }
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [...groups.entries()].map(([g, v]) => apiGroup(g, v)) };
}

export function legacyApiGroup(resources: ResourceDefinition[], group: string) {
  const versions = groupVersions(resources).filter((gv) => gv.group === group).map((gv) => gv.version);
  if (versions.length === 0) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group, versions) };
}

export function legacyResourceList(resources: ResourceDefinition[], group: string, version: string) {
  const rs = resources.filter((r) => r.group === group && r.version === version);
  if (rs.length === 0) return undefined;
  const list: Record<string, unknown>[] = [];
  for (const r of rs) {
    const e: Record<string, unknown> = { name: r.resource, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: verbsOf(r) };
    if (r.shortNames?.length) e.shortNames = r.shortNames;
    if (r.categories?.length) e.categories = r.categories;
    list.push(e);
    for (const s of r.subresources ?? []) {
      const i = subresourceInfo(r, s);
      const se: Record<string, unknown> = { name: `${r.resource}/${s}`, singularName: '', namespaced: r.namespaced, kind: i.kind.kind, verbs: i.verbs };
      if (i.kind.group !== r.group || i.kind.version !== r.version) { se.group = i.kind.group; se.version = i.kind.version; }
      list.push(se);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources: list };
}
