// Serving discovery: /api and /apis (aggregated discovery when the Accept header asks for it, else the legacy
// documents), /api/v1, /apis/<group> and /apis/<group>/<version>. The documents themselves: discovery.ts.
import type { ApiRequest, ApiResponse } from '../api/transport.js';
import { notFoundError } from '../api/errors.js';
import { jsonResponse } from './handlers/context.js';
import { aggregatedDiscovery, legacyApiVersions, legacyApiGroupList, legacyApiGroup, legacyResourceList } from './discovery.js';
import type { ResourceDefinition } from './registry/types.js';

/** The answer for a discovery path, or undefined if `path` is not one. */
export function serveDiscovery(req: ApiRequest, path: string, resources: ResourceDefinition[], serverAddress: () => string): ApiResponse | undefined {
  if (path === '/api') return root(req, true, resources, serverAddress);
  if (path === '/apis') return root(req, false, resources, serverAddress);
  if (path === '/api/v1') return jsonOr404(legacyResourceList(resources, '', 'v1'));
  const g = /^\/apis\/([^/]+)$/.exec(path);
  if (g) return jsonOr404(legacyApiGroup(resources, g[1]));
  const gv = /^\/apis\/([^/]+)\/([^/]+)$/.exec(path);
  if (gv) return jsonOr404(legacyResourceList(resources, gv[1], gv[2]));
  return undefined;
}

function jsonOr404(body: unknown): ApiResponse {
  if (!body) throw notFoundError();
  return jsonResponse(200, body);
}

function root(req: ApiRequest, core: boolean, resources: ResourceDefinition[], serverAddress: () => string): ApiResponse {
  const accept = req.headers['accept'] ?? '';
  for (const entry of accept.split(',')) {
    const e = entry.trim();
    if (/as=APIGroupDiscoveryList/.test(e) && /g=apidiscovery\.k8s\.io/.test(e)) {
      const v = /v=v2beta1/.test(e) ? 'v2beta1' : /v=v2(;|$)/.test(e) ? 'v2' : undefined;
      if (!v) continue;
      return jsonResponse(200, aggregatedDiscovery(resources, core, v), { 'content-type': `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`, vary: 'Accept' });
    }
    if (e.startsWith('application/json') || e.startsWith('*/*') || e === '') break;
  }
  return jsonResponse(200, core ? legacyApiVersions(serverAddress()) : legacyApiGroupList(resources), { vary: 'Accept' });
}
