// The apiserver as one transport-independent function: ApiRequest in, ApiResponse out (src/api/transport.ts).
// Routing, discovery, OpenAPI, health, and the error boundary live here; verbs live in handlers/.
import { errorResponse, type ApiHandler, type ApiRequest, type ApiResponse } from '../api/transport.js';
import { StatusError, badRequest, internal, methodNotSupported, notFoundError } from '../api/errors.js';
import { parseResourcePath } from './request-info.js';
import type { Registry } from './registry/registry.js';
import { makeContext, jsonResponse, type HandlerContext } from './handlers/context.js';
import { handleGet } from './handlers/get.js';
import { handleList } from './handlers/list.js';
import { handleWatch } from './handlers/watch.js';
import { handleCreate } from './handlers/create.js';
import { handleUpdate } from './handlers/update.js';
import { handlePatch } from './handlers/patch.js';
import { handleDelete, handleDeleteCollection } from './handlers/delete.js';
import { handleScale } from './handlers/scale.js';
import { handleBinding } from './handlers/binding.js';
import { handleReview } from './handlers/review.js';
import { aggregatedDiscovery, legacyApiVersions, legacyApiGroupList, legacyApiGroup, legacyResourceList, groupVersions } from './discovery.js';
import { openapiV2, openapiV3Root, openapiV3Document } from './openapi/index.js';
import { versionInfo } from './version.js';
import type { Logger } from './logger.js';
import { admissionChain, type AdmissionPlugin } from './admission/admission.js';
import { namespaceLifecycle } from './admission/namespace-lifecycle.js';
import { handlePodLog } from './handlers/pod-log.js';
import { handleNodeProxy } from './handlers/node-proxy.js';
import { streamSubresources } from './handlers/pod-stream.js';
import type { KubeletClientConfig } from './handlers/kubelet-connection.js';

export interface SubresourceHandler { (ctx: HandlerContext): Promise<ApiResponse> }

export interface ApiHandlerOptions {
  registry: Registry;
  logger: Logger;
  /** The address clients reach us at, for legacy /api discovery. */
  serverAddress: () => string;
  /** Readiness checks (e.g. the store answers). */
  ready?: () => Promise<boolean>;
  /** Extra subresource handlers by "resource/subresource" (pods/log, pods/exec... once the kubelet exists). */
  subresources?: Record<string, SubresourceHandler>;
  /** How to reach kubelets for pods/log, nodes/proxy (and, in the HTTPS front, pods/exec|attach|portforward). */
  kubeletClient?: KubeletClientConfig;
  /** Admission plugins run on writes (default: NamespaceLifecycle). */
  admission?: AdmissionPlugin[];
  /** Live events one watcher may have waiting before it is closed as too slow (tests lower it). */
  watcherCapacity?: number;
}

const notFoundStatus = () => notFoundError();

export function createApiHandler(opts: ApiHandlerOptions): ApiHandler {
  const { registry, logger } = opts;
  const resources = registry.resources;
  const namespaces = registry.forResource('', 'namespaces');
  const admit = admissionChain(opts.admission ?? (namespaces ? [
    namespaceLifecycle({ getNamespace: (name) => namespaces.tryGet(undefined, name) }),
  ] : []));
  const server = { admit, logger, watcherCapacity: opts.watcherCapacity };

  async function route(req: ApiRequest): Promise<ApiResponse> {
    const path = req.path.length > 1 && req.path.endsWith('/') ? req.path.slice(0, -1) : req.path;
    const info = parseResourcePath(req.method, path, req.query);
    if (info) {
      const store = registry.lookup(info.group, info.version, info.resource);
      if (!store) throw notFoundStatus();
      const def = store.def;
      if (!def.namespaced && info.namespace) throw notFoundStatus();
      const ctx = makeContext(req, info, registry, store, server);
      if (info.subresource) {
        const sub = info.subresource;
        if (!def.subresources?.includes(sub)) throw notFoundStatus();
        const extra = opts.subresources?.[`${def.resource}/${sub}`];
        if (extra) return extra(ctx);
        if (sub === 'scale') {
          if (!['get', 'update', 'patch'].includes(info.verb)) throw methodNotSupported(store.ref, info.verb);
          return handleScale(ctx);
        }
        if (sub === 'binding' && info.verb === 'create') return handleBinding(ctx);
        if (sub === 'status' || sub === 'finalize') {
          if (info.verb === 'get') return handleGet(ctx);
          if (info.verb === 'update') return handleUpdate(ctx);
          if (info.verb === 'patch') return handlePatch(ctx);
          throw methodNotSupported(store.ref, info.verb);
        }
        if (def.group === '' && (def.resource === 'pods' && sub === 'log' || def.resource === 'nodes' && sub === 'proxy')) {
          if (!opts.kubeletClient) throw internal('this apiserver has no kubelet client certificate configured');
          return sub === 'log' ? handlePodLog(ctx, opts.kubeletClient) : handleNodeProxy(ctx, opts.kubeletClient);
        }
        // exec, attach and portforward arrive as HTTP upgrades, which the HTTPS front hands to pod-stream.ts.
        if (def.group === '' && def.resource === 'pods' && streamSubresources.includes(sub)) throw badRequest('Upgrade request required');
        throw notFoundStatus();
      }
      if (def.review) {
        // Review APIs: create only, nothing stored.
        if (info.verb !== 'create' || info.name !== undefined) throw methodNotSupported(store.ref, info.verb);
        return handleReview(ctx);
      }
      if (def.namespaced && !info.namespace && info.verb !== 'list' && info.verb !== 'watch' && info.name === undefined && info.verb !== 'deletecollection') {
        // POST /api/v1/pods (no namespace) is not a valid route upstream either.
        throw notFoundStatus();
      }
      if (def.namespaced && !info.namespace && info.name !== undefined) throw notFoundStatus();
      switch (info.verb) {
        case 'get': return handleGet(ctx);
        case 'list': return handleList(ctx);
        case 'watch': return handleWatch(ctx);
        case 'create': if (info.name) throw methodNotSupported(store.ref, 'create'); return handleCreate(ctx);
        case 'update': return handleUpdate(ctx);
        case 'patch': return handlePatch(ctx);
        case 'delete': return handleDelete(ctx);
        case 'deletecollection': return handleDeleteCollection(ctx);
        default: throw methodNotSupported(store.ref, info.verb);
      }
    }
    return nonResource(req, path);
  }

  async function nonResource(req: ApiRequest, path: string): Promise<ApiResponse> {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw notFoundStatus();
    switch (path) {
      case '/version': return jsonResponse(200, versionInfo());
      case '/healthz': case '/livez': case '/readyz': return health(req, path.slice(1));
      case '/api': return discovery(req, true);
      case '/apis': return discovery(req, false);
      case '/openapi/v2': {
        // kubectl asks for v2 only as protobuf (and tolerates a 404); JSON clients get JSON.
        const acc = req.headers['accept'] ?? '';
        if (acc && !/application\/json|\*\/\*/.test(acc)) throw notFoundStatus();
        const doc = openapiV2(resources);
        if (req.headers['if-none-match'] === doc.etag) return { status: 304, headers: { etag: doc.etag }, body: '' };
        return { status: 200, headers: { 'content-type': 'application/json', etag: doc.etag }, body: doc.body };
      }
      case '/openapi/v3': {
        const gvs = groupVersions(resources).map((gv) => gv.group ? `apis/${gv.group}/${gv.version}` : `api/${gv.version}`);
        return jsonResponse(200, openapiV3Root(gvs, resources));
      }
    }
    const check = /^\/(healthz|livez|readyz)\/([a-z-]+)$/.exec(path);
    if (check) return health(req, check[1], check[2]);
    if (path.startsWith('/openapi/v3/')) {
      const gvPath = path.slice('/openapi/v3/'.length);
      const m = /^(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(gvPath);
      if (!m) throw notFoundStatus();
      const group = m[1] ? '' : m[2], version = m[1] ?? m[3];
      const rs = resources.filter((r) => r.group === group && r.version === version);
      if (rs.length === 0) throw notFoundStatus();
      const doc = openapiV3Document(gvPath, rs);
      const headers: Record<string, string> = { etag: doc.etag, 'cache-control': req.query.has('hash') ? 'public, immutable' : 'no-cache, private', vary: 'Accept' };
      if (req.headers['if-none-match'] === doc.etag) return { status: 304, headers, body: '' };
      return { status: 200, headers: { 'content-type': 'application/json', ...headers }, body: doc.body };
    }
    const apiGV = /^\/api\/(v1)$/.exec(path);
    if (apiGV) return jsonOr404(legacyResourceList(resources, '', 'v1'));
    const g = /^\/apis\/([^/]+)$/.exec(path);
    if (g) return jsonOr404(legacyApiGroup(resources, g[1]));
    const gv = /^\/apis\/([^/]+)\/([^/]+)$/.exec(path);
    if (gv) return jsonOr404(legacyResourceList(resources, gv[1], gv[2]));
    throw notFoundStatus();
  }

  /**
   * /healthz, /livez, /readyz (all checks, `?verbose` lists them) and /<endpoint>/<check> for one check, as
   * upstream's healthz handlers: "ok" or "[-]<check> failed: reason withheld"; an unknown check is a 404.
   * Our checks: ping (the server answers), log (the logger works), etcd (the datastore answers; /livez ignores it,
   * as upstream's liveness does not fail on a slow datastore).
   */
  async function health(req: ApiRequest, endpoint: string, only?: string): Promise<ApiResponse> {
    const checks = ['ping', 'log', 'etcd'];
    if (only && !checks.includes(only)) throw notFoundStatus();
    const storeOk = endpoint === 'livez' || !opts.ready || await opts.ready();
    const text = { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' };
    const results = (only ? [only] : checks).map((c) => ({ c, ok: c !== 'etcd' || storeOk }));
    if (only) {
      const r = results[0];
      return r.ok ? { status: 200, headers: text, body: 'ok' } : { status: 500, headers: text, body: `internal server error: ${r.c} check failed` };
    }
    const allOk = results.every((r) => r.ok);
    const lines = results.map((r) => r.ok ? `[+]${r.c} ok` : `[-]${r.c} failed: reason withheld`).join('\n');
    if (!allOk) return { status: 500, headers: text, body: `${lines}\n${endpoint} check failed\n` };
    return { status: 200, headers: text, body: req.query.has('verbose') ? `${lines}\n${endpoint} check passed\n` : 'ok' };
  }

  function jsonOr404(body: unknown): ApiResponse {
    if (!body) throw notFoundStatus();
    return jsonResponse(200, body);
  }

  function discovery(req: ApiRequest, core: boolean): ApiResponse {
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
    return jsonResponse(200, core ? legacyApiVersions(opts.serverAddress()) : legacyApiGroupList(resources), { vary: 'Accept' });
  }

  return async (req) => {
    try {
      return await route(req);
    } catch (err) {
      // Anything but a StatusError is a bug: logged here in full, answered as a bare 500.
      if (!(err instanceof StatusError)) logger.error('request failed', { method: req.method, path: req.path, error: (err as Error)?.message ?? String(err), stack: (err as Error)?.stack?.split('\n').slice(0, 4).join(' | ') });
      return errorResponse(err);
    }
  };
}
