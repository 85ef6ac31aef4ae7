// OpenAPI documents for the served resources, built from our schema model:
//   GET /openapi/v3              → openapiV3Root
//   GET /openapi/v3/<gv path>    → openapiV3Document (kubectl apply/explain fetch the GV of each kind)
//   GET /openapi/v2              → openapiV2 (Swagger 2.0, JSON), or openapiV2Protobuf (gnostic's
//                                  openapi.v2.Document) for Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf,
//                                  the only form kubectl 1.32 asks for (validation and apply of a kind that
//                                  /openapi/v3 does not describe)
// Each document is computed once per process for a given set of resources and cached with its ETag.
import { createHash } from 'node:crypto';
import type { ResourceDefinition } from '../registry/types.js';
import type { SchemaModel, SchemaNode } from '../../api/schema/types.js';
import { loadSchemaModel, overlaySchemaModel } from '../../api/schema/index.js';
import { reachableDefinitions, refTo, schemaSection, type OpenApiFlavor } from './schemas.js';
import { encodeOpenApiV2 } from './protobuf-v2.js';
import { groupVersionPath, PATCH_MEDIA_TYPES, resourcePaths, type Operation, type Param, type PathItem } from './operations.js';

export { groupVersionPath } from './operations.js';

export interface OpenApiDocument {
  /** The serialized JSON document. */
  body: string;
  /** Strong ETag (quoted), derived from the body. */
  etag: string;
  /** Short content hash, used as ?hash= in /openapi/v3 serverRelativeURLs. */
  hash: string;
}

export interface OpenApiOptions {
  /** info.version; upstream puts the server's gitVersion there. */
  serverVersion?: string;
  /** Schema model (default: loadSchemaModel()). */
  model?: SchemaModel;
}

const DEFAULT_SERVER_VERSION = 'v1.32.2';
const cache = new Map<string, OpenApiDocument>();
const CACHE_LIMIT = 256;

function digest(body: string): { etag: string; hash: string } {
  const hex = createHash('sha512').update(body).digest('hex').toUpperCase();
  return { etag: `"${hex}"`, hash: hex.slice(0, 16) };
}

function resourcesKey(resources: ResourceDefinition[]): string {
  return JSON.stringify(resources.map((r) => [r.group, r.version, r.resource, r.kind, r.listKind, r.namespaced, r.verbs, r.subresources, r.custom?.schemaKey]));
}

/** The model describing `resources`: the given or built-in one, plus the schemas of any custom resources among them. */
function modelOf(resources: ResourceDefinition[], options: OpenApiOptions): SchemaModel {
  const base = options.model ?? loadSchemaModel();
  const custom = resources.filter((r) => r.custom);
  if (custom.length === 0) return base;
  const extra: Record<string, SchemaNode> = {};
  for (const r of custom) for (const name of Object.keys(r.custom!.model.definitions)) extra[name] = r.custom!.model.definitions[name];
  return overlaySchemaModel(base, extra);
}

const modelIds = new WeakMap<SchemaModel, number>();
let nextModelId = 1;
/** Cache-key part naming the schema model: '' for the default one, a per-object id for others. */
function modelKey(options: OpenApiOptions): string {
  if (!options.model) return '';
  let id = modelIds.get(options.model);
  if (id === undefined) { id = nextModelId++; modelIds.set(options.model, id); }
  return `model${id}`;
}

function cached(key: string, build: () => string): OpenApiDocument {
  let doc = cache.get(key);
  if (!doc) {
    const body = build();
    doc = { body, ...digest(body) };
    // Served resources change at run time (custom resources): keep one Swagger document (megabytes) and a bounded
    // number of the rest, oldest dropped first.
    if (key.startsWith('v2:')) for (const k of cache.keys()) if (k.startsWith('v2:')) cache.delete(k);
    while (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
    cache.set(key, doc);
  }
  return doc;
}

/** "v1", "apps/v1", "api/v1" or "apis/apps/v1" → {group, version}. */
export function parseGroupVersion(gv: string): { group: string; version: string } {
  const parts = gv.replace(/^\/+|\/+$/g, '').split('/');
  if (parts[0] === 'api' && parts.length === 2) return { group: '', version: parts[1] };
  if (parts[0] === 'apis' && parts.length === 3) return { group: parts[1], version: parts[2] };
  if (parts.length === 1) return { group: '', version: parts[0] };
  if (parts.length === 2) return { group: parts[0], version: parts[1] };
  throw new Error(`not a group-version: ${gv}`);
}

function renderParam(p: Param, flavor: OpenApiFlavor): Record<string, unknown> {
  const out: Record<string, unknown> = { name: p.name, in: p.in, description: p.description };
  if (p.required) out.required = true;
  if (flavor === 'v3') out.schema = { type: p.type, uniqueItems: true };
  else { out.type = p.type; out.uniqueItems = true; }
  return out;
}

function renderSchemaRef(definition: string | undefined, flavor: OpenApiFlavor): Record<string, unknown> | undefined {
  if (definition === undefined || definition === '') return undefined;
  if (definition === 'string') return { type: 'string' };
  return refTo(flavor, definition);
}

function renderOperation(o: Operation, flavor: OpenApiFlavor): Record<string, unknown> {
  const out: Record<string, unknown> = { tags: [o.tag], description: o.description, operationId: o.operationId };
  const params = o.params.map((p) => renderParam(p, flavor));
  const bodySchema = o.body ? renderSchemaRef(o.body.definition, flavor) : undefined;
  if (flavor === 'v2') {
    if (o.body && bodySchema) params.unshift({ name: 'body', in: 'body', ...(o.body.required ? { required: true } : {}), schema: bodySchema });
    out.consumes = o.body?.patch ? PATCH_MEDIA_TYPES : ['*/*'];
    out.produces = o.produces;
    out.schemes = ['https'];
  } else if (o.body && bodySchema) {
    const types = o.body.patch ? PATCH_MEDIA_TYPES : ['*/*'];
    out.requestBody = {
      content: Object.fromEntries(types.map((t) => [t, { schema: bodySchema }])),
      ...(o.body.required ? { required: true } : {}),
    };
  }
  if (params.length) out.parameters = params;
  const responses: Record<string, unknown> = {};
  for (const r of o.responses) {
    const schema = renderSchemaRef(r.body, flavor);
    if (!schema) { responses[r.code] = { description: r.description }; continue; }
    responses[r.code] = flavor === 'v3'
      ? { description: r.description, content: Object.fromEntries(o.produces.map((t) => [t, { schema }])) }
      : { description: r.description, schema };
  }
  out.responses = responses;
  out['x-kubernetes-action'] = o.action;
  if (o.gvk) out['x-kubernetes-group-version-kind'] = o.gvk;
  return out;
}

function renderPaths(items: PathItem[], flavor: OpenApiFlavor): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const item of [...items].sort((a, b) => a.path.localeCompare(b.path))) {
    const entry: Record<string, unknown> = {};
    for (const o of item.operations) entry[o.method] = renderOperation(o, flavor);
    entry.parameters = item.params.map((p) => renderParam(p, flavor));
    paths[item.path] = entry;
  }
  return paths;
}

function collect(model: SchemaModel, resources: ResourceDefinition[]): { items: PathItem[]; definitions: string[] } {
  const items: PathItem[] = [];
  const roots = new Set<string>();
  for (const r of resources) {
    const built = resourcePaths(model, r);
    items.push(...built.items);
    for (const d of built.definitions) roots.add(d);
  }
  return { items, definitions: reachableDefinitions(model, roots) };
}

/**
 * The OpenAPI v3 discovery root: {paths: {"api/v1": {serverRelativeURL: "/openapi/v3/api/v1?hash=..."}, ...}}.
 * gvs: "api/v1" / "apis/apps/v1" (or "v1" / "apps/v1"). Pass the served resources so that each hash is the
 * hash of the document openapiV3Document serves (what lets clients cache it as immutable); without them the
 * hash covers the group-version and the schema model only.
 */
export function openapiV3Root(gvs: string[], resources?: ResourceDefinition[], options: OpenApiOptions = {}): object {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of [...gvs].sort()) {
    const { group, version } = parseGroupVersion(gv);
    const key = groupVersionPath(group, version);
    let hash: string;
    if (resources) {
      hash = openapiV3Document(key, resources, options).hash;
    } else {
      const model = options.model ?? loadSchemaModel();
      hash = cached(`v3root:${modelKey(options)}:${key}`, () => JSON.stringify([key, modelFingerprint(model)])).hash;
    }
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
  }
  return { paths };
}

const fingerprints = new WeakMap<SchemaModel, string>();
function modelFingerprint(model: SchemaModel): string {
  let f = fingerprints.get(model);
  if (!f) {
    f = createHash('sha256').update(JSON.stringify(model.definitions)).digest('hex');
    fingerprints.set(model, f);
  }
  return f;
}

/**
 * The OpenAPI v3 document of one group-version (gv as in openapiV3Root). resources may hold other
 * group-versions too; only those of gv are described. components.schemas holds every definition reachable
 * from the described kinds and request/response bodies.
 */
export function openapiV3Document(gv: string, resources: ResourceDefinition[], options: OpenApiOptions = {}): OpenApiDocument {
  const { group, version } = parseGroupVersion(gv);
  const mine = resources.filter((r) => r.group === group && r.version === version);
  const serverVersion = options.serverVersion ?? DEFAULT_SERVER_VERSION;
  return cached(`v3:${modelKey(options)}:${group}/${version}:${serverVersion}:${resourcesKey(mine)}`, () => {
    const model = modelOf(mine, options);
    const { items, definitions } = collect(model, mine);
    return JSON.stringify({
      openapi: '3.0.0',
      info: { title: 'Kubernetes', version: serverVersion },
      paths: renderPaths(items, 'v3'),
      components: {
        schemas: schemaSection(model, definitions, 'v3'),
        securitySchemes: { BearerToken: { type: 'apiKey', description: 'Bearer token authentication', name: 'authorization', in: 'header' } },
      },
      security: [{ BearerToken: [] }],
    });
  });
}

/** The Swagger 2.0 document of every served resource (JSON). */
export function openapiV2(resources: ResourceDefinition[], options: OpenApiOptions = {}): OpenApiDocument {
  const serverVersion = options.serverVersion ?? DEFAULT_SERVER_VERSION;
  return cached(`v2:${modelKey(options)}:${serverVersion}:${resourcesKey(resources)}`, () => {
    const model = modelOf(resources, options);
    const { items, definitions } = collect(model, resources);
    return JSON.stringify({
      swagger: '2.0',
      info: { title: 'Kubernetes', version: serverVersion },
      paths: renderPaths(items, 'v2'),
      definitions: schemaSection(model, definitions, 'v2'),
      securityDefinitions: { BearerToken: { type: 'apiKey', description: 'Bearer token authentication', name: 'authorization', in: 'header' } },
      security: [{ BearerToken: [] }],
    });
  });
}

const protobufCache = new Map<string, Buffer>();

/**
 * The Swagger 2.0 document of every served resource as a gnostic openapi.v2.Document message; its ETag is the
 * JSON document's (the same content), as upstream's handler shares one ETag between the two.
 */
export function openapiV2Protobuf(resources: ResourceDefinition[], options: OpenApiOptions = {}): { body: Buffer; etag: string } {
  const json = openapiV2(resources, options);
  let body = protobufCache.get(json.etag);
  if (!body) {
    body = encodeOpenApiV2(JSON.parse(json.body) as Record<string, unknown>);
    protobufCache.set(json.etag, body);
  }
  return { body, etag: json.etag };
}
