// Which resources the server serves, from legacy discovery (/api/v1, /apis, /apis/<group>/<version>), as the
// garbage collector and the namespace controller learn it upstream (client-go's discovery.ServerPreferredResources).
// The answer has the shape of the built-in registry's entries (api/resources.ts), with the verbs always given.
import type { ApiResource } from '../api/resources.js';
import type { Client } from './client.js';

export interface DiscoveredResource extends ApiResource {
  verbs: string[];
}

interface APIResourceList {
  groupVersion?: string;
  resources?: { name: string; singularName?: string; namespaced: boolean; kind: string; verbs?: string[]; shortNames?: string[]; categories?: string[] }[];
}
interface APIGroupList { groups?: { name: string; preferredVersion?: { groupVersion: string; version: string }; versions?: { groupVersion: string; version: string }[] }[] }

/**
 * Every top-level resource (no subresources) of the preferred version of each group. Throws when discovery
 * fails, so callers retry instead of acting on a partial view (the namespace controller must never finalize
 * a namespace because a group was missing from discovery).
 */
export async function discoverResources(client: Client, signal?: AbortSignal): Promise<DiscoveredResource[]> {
  const out: DiscoveredResource[] = [];
  const add = (group: string, version: string, list: APIResourceList) => {
    for (const r of list.resources ?? []) {
      if (r.name.includes('/')) continue;
      out.push({
        group, version, resource: r.name, namespaced: r.namespaced, kind: r.kind, singular: r.singularName || r.kind.toLowerCase(),
        verbs: r.verbs ?? [], ...(r.shortNames ? { shortNames: r.shortNames } : {}), ...(r.categories ? { categories: r.categories } : {}),
      });
    }
  };
  add('', 'v1', await client.requestJson<APIResourceList>({ method: 'GET', path: '/api/v1', signal }));
  const groups = await client.requestJson<APIGroupList>({ method: 'GET', path: '/apis', signal });
  for (const g of groups.groups ?? []) {
    const version = g.preferredVersion?.version ?? g.versions?.[0]?.version;
    if (!version) continue;
    add(g.name, version, await client.requestJson<APIResourceList>({ method: 'GET', path: `/apis/${g.name}/${version}`, signal }));
  }
  return out;
}

/** True when the resource supports every verb named. */
export const supports = (r: DiscoveredResource, ...verbs: string[]) => verbs.every((v) => r.verbs.includes(v));
