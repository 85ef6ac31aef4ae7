// Serving OpenAPI: /openapi/v2 (JSON, or protobuf for kubectl's Accept), /openapi/v3 (the
// index of group-versions) and /openapi/v3/<api|apis/group>/<version>, with ETags as upstream.
import type { ApiRequest, ApiResponse } from '../../api/transport.js';
import { notFoundError } from '../../api/errors.js';
import { jsonResponse } from '../handlers/context.js';
import { groupVersions } from '../discovery.js';
import { openapiV2, openapiV2Protobuf, openapiV3Root, openapiV3Document } from './index.js';
import { OPENAPI_V2_PROTOBUF_MEDIA_TYPE } from './protobuf-v2.js';
import type { ResourceDefinition } from '../registry/types.js';

/** The answer for an OpenAPI path, or undefined if `path` is not one. */
export function serveOpenApi(req: ApiRequest, path: string, resources: ResourceDefinition[]): ApiResponse | undefined {
  if (path === '/openapi/v2') {
    const acc = req.headers['accept'] ?? '';
    // Both spellings upstream accepts: …spec.v2@v1.0+protobuf (kubectl) and …spec.v2.v1.0+protobuf.
    if (/application\/com\.github\.proto-openapi\.spec\.v2[@.]v1\.0\+protobuf/.test(acc)) {
      const pb = openapiV2Protobuf(resources);
      if (req.headers['if-none-match'] === pb.etag) return { status: 304, headers: { etag: pb.etag }, body: '' };
      return { status: 200, headers: { 'content-type': OPENAPI_V2_PROTOBUF_MEDIA_TYPE, etag: pb.etag, vary: 'Accept', 'x-varied-accept': acc }, body: pb.body };
    }
    if (acc && !/application\/json|\*\/\*/.test(acc)) throw notFoundError();
    const doc = openapiV2(resources);
    if (req.headers['if-none-match'] === doc.etag) return { status: 304, headers: { etag: doc.etag }, body: '' };
    return { status: 200, headers: { 'content-type': 'application/json', etag: doc.etag }, body: doc.body };
  }
  if (path === '/openapi/v3') {
    const gvs = groupVersions(resources).map((gv) => gv.group ? `apis/${gv.group}/${gv.version}` : `api/${gv.version}`);
    return jsonResponse(200, openapiV3Root(gvs, resources));
  }
  if (!path.startsWith('/openapi/v3/')) return undefined;
  const gvPath = path.slice('/openapi/v3/'.length);
  const m = /^(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(gvPath);
  if (!m) throw notFoundError();
  const group = m[1] ? '' : m[2], version = m[1] ?? m[3];
  const rs = resources.filter((r) => r.group === group && r.version === version);
  if (rs.length === 0) throw notFoundError();
  const doc = openapiV3Document(gvPath, rs);
  const headers: Record<string, string> = { etag: doc.etag, 'cache-control': req.query.has('hash') ? 'public, immutable' : 'no-cache, private', vary: 'Accept' };
  if (req.headers['if-none-match'] === doc.etag) return { status: 304, headers, body: '' };
  return { status: 200, headers: { 'content-type': 'application/json', ...headers }, body: doc.body };
}
