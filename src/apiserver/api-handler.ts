// The apiserver as one transport-independent function: ApiRequest in, ApiResponse out (src/api/transport.ts).
// Routing and the error boundary live here; verbs live in handlers/, health in health.ts, discovery in
// discovery-endpoints.ts, OpenAPI in openapi/endpoints.ts.
import { errorResponse, requestWith, type ApiHandler, type ApiRequest, type ApiResponse } from '../api/transport.js';
import { StatusError, badRequest, internal, methodNotSupported, notFoundError } from '../api/errors.js';
import { parseResourcePath } from './request-info.js';
import { isValidPathSegmentName } from '../api/validation/names.js';
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
import { handleEviction } from './handlers/eviction.js';
import { handleReview } from './handlers/review.js';
import { handleMetrics } from './handlers/metrics.js';
import { handleComponentStatuses, type ComponentHealth } from './handlers/component-statuses.js';
import type { MetricsSource } from '../api/metrics.js';
import type { ApiServerMetrics } from './metrics.js';
import { serveHealth } from './health.js';
import { serveDiscovery } from './discovery-endpoints.js';
import { serveOpenApi } from './openapi/endpoints.js';
import { versionInfo } from './version.js';
import type { Logger } from './logger.js';
import { admissionChain, type AdmissionPlugin } from './admission/admission.js';
import { namespaceLifecycle } from './admission/namespace-lifecycle.js';
import { defaultIngressClass } from './admission/default-ingress-class.js';
import { priority } from './admission/priority.js';
import { defaultStorageClass } from './admission/default-storage-class.js';
import { persistentVolumeClaimResize } from './admission/persistent-volume-claim-resize.js';
import { serviceAccountAdmission } from './admission/service-account.js';
import { storageObjectInUseProtection } from './admission/storage-object-in-use-protection.js';
import { podSecurity } from './admission/pod-security.js';
import { limitRanger } from './admission/limit-ranger.js';
import { resourceQuota } from './admission/resource-quota.js';
import { liveLister, watchedLister } from './registry/watched-objects.js';
import type { GenericStore } from './registry/generic-store.js';
import { handlePodLog } from './handlers/pod-log.js';
import { handleNodeProxy } from './handlers/node-proxy.js';
import { streamSubresources } from './handlers/pod-stream.js';
import type { KubeletClientConfig } from './handlers/kubelet-connection.js';
import { handleTokenRequest } from './handlers/token-request.js';
import type { ServiceAccountTokens } from './authn/service-account-tokens.js';
import { ANONYMOUS, authorize, impersonate, resourceAttributes, type Authorization } from './authorization/filter.js';
import type { UserInfo } from '../api/transport.js';
import type { FlowTap } from './flow/tap.js';
import { FLOW_PATH, serveFlow } from './flow/endpoint.js';
import type { FlowControl } from './flowcontrol/filter.js';
import type { ResourceRequestInfo } from './request-info.js';
import { sameSerialized } from './json-bodies.js';

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
  /** Admission plugins run on writes (default: NamespaceLifecycle, LimitRanger, ServiceAccount, PodSecurity, DefaultIngressClass, Priority, DefaultStorageClass, PersistentVolumeClaimResize, StorageObjectInUseProtection, ResourceQuota). */
  admission?: AdmissionPlugin[];
  /** Live events one watcher may have waiting before it is closed as too slow (tests lower it). */
  watcherCapacity?: number;
  /** Issues ServiceAccount tokens (serviceaccounts/token) and serves OIDC discovery; without it those are 404. */
  serviceAccountTokens?: ServiceAccountTokens;
  /** Prometheus metrics: requests are counted and timed, GET /metrics serves them. */
  prometheus?: ApiServerMetrics;
  /** The metrics server's samples (metrics.k8s.io), once a metrics server runs. */
  metrics?: () => MetricsSource | undefined;
  /** Probes the control plane's components (componentstatuses); absent: none are listed. */
  componentStatuses?: () => Promise<ComponentHealth[]>;
  /**
   * The authorization stage (authorization/): impersonation, then one decision per request. Absent: every
   * request is allowed (unit tests of the handler, and the bench's baseline).
   */
  authorization?: Authorization;
  /** The live architecture view's tap (flow/): requests and watch deliveries are told to it; GET /debug/flow streams it. */
  flow?: FlowTap;
  /** API Priority and Fairness (flowcontrol/), between impersonation and authorization. Absent: no limiting. */
  flowControl?: FlowControl;
}

const notFoundStatus = () => notFoundError();

export type { AdmissionPlugin };

/** The admission plugins every apiserver runs, with `validating` (the authorization-dependent ones, from index.ts) before ResourceQuota. */
export function defaultAdmission(registry: Registry, validating: AdmissionPlugin[] = [], signal?: AbortSignal): AdmissionPlugin[] {
  const namespaces = registry.forResource('', 'namespaces');
  const ingressClasses = registry.forResource('networking.k8s.io', 'ingressclasses');
  const priorityClasses = registry.forResource('scheduling.k8s.io', 'priorityclasses');
  const storageClasses = registry.forResource('storage.k8s.io', 'storageclasses');
  const serviceAccounts = registry.forResource('', 'serviceaccounts');
  const pods = registry.forResource('', 'pods');
  const limitRanges = registry.forResource('', 'limitranges');
  const quotas = registry.forResource('', 'resourcequotas');
  // With a lifetime to stop them by, LimitRanges and ResourceQuotas are read from watched caches, as upstream's informers.
  const lister = (s: GenericStore) => (signal ? watchedLister(s, signal) : liveLister(s));
  const cachedLimitRanges = limitRanges && lister(limitRanges);
  const cachedQuotas = quotas && lister(quotas);
  // Namespaces too (upstream's NamespaceLifecycle reads a lister); one the cache does not hold is looked up live.
  const cachedNamespaces = namespaces && lister(namespaces);
  // The classes admission defaults from (every pod create reads the PriorityClasses), as upstream's listers.
  const cachedPriorityClasses = priorityClasses && lister(priorityClasses);
  const cachedIngressClasses = ingressClasses && lister(ingressClasses);
  const cachedStorageClasses = storageClasses && lister(storageClasses);
  // Every pod create reads its ServiceAccount: from a watched cache too, one it lacks (created a moment ago) live, as
  // upstream's plugin falls back to a live GET.
  const cachedServiceAccounts = serviceAccounts && lister(serviceAccounts);
  const getNamespace = async (name: string) => (await cachedNamespaces!.get('', name)) ?? namespaces!.tryGet(undefined, name);
  return [
    ...(namespaces ? [namespaceLifecycle({ getNamespace, cachedNamespace: (name) => cachedNamespaces!.cached?.('', name) })] : []),
    ...(cachedLimitRanges ? [limitRanger({ listLimitRanges: (ns) => cachedLimitRanges.list(ns) })] : []),
    ...(serviceAccounts ? [serviceAccountAdmission({ getServiceAccount: async (ns, name) => (await cachedServiceAccounts!.get(ns, name)) ?? serviceAccounts.tryGet(ns, name) })] : []),
    ...(namespaces && pods ? [podSecurity({ getNamespace, listPods: async (ns) => (await pods.list(ns)).items })] : []),
    ...(cachedIngressClasses ? [defaultIngressClass({ listIngressClasses: () => cachedIngressClasses.list('') })] : []),
    ...(cachedPriorityClasses ? [priority({
      listPriorityClasses: async (live) => (live ? (await priorityClasses!.list(undefined)).items : cachedPriorityClasses.list('')),
      // A class created a moment ago may not be in the cache yet: a name it lacks is looked up live.
      getPriorityClass: async (name) => (await cachedPriorityClasses.get('', name)) ?? priorityClasses!.tryGet(undefined, name),
    })] : []),
    ...(storageClasses && cachedStorageClasses ? [defaultStorageClass({ listStorageClasses: () => cachedStorageClasses.list('') }),
      persistentVolumeClaimResize({ getStorageClass: (name) => storageClasses.tryGet(undefined, name) })] : []),
    storageObjectInUseProtection(),
    ...validating,
    // Last, as upstream: usage is charged only for what every other plugin admitted.
    ...(quotas && cachedQuotas ? [resourceQuota({
      listQuotas: async (ns, live) => (live ? (await quotas.list(ns)).items : cachedQuotas.list(ns)),
      countQuotas: (ns) => cachedQuotas.count?.(ns),
      updateQuotaStatus: async (q) => { await quotas.update(q.metadata.namespace, q.metadata.name!, q, { ...registry.writeContext(), subresource: 'status' }); },
      listObjects: async (group, resource, ns) => { const s = registry.forResource(group, resource); return s && (await s.list(ns)).items; },
      now: () => registry.clock().getTime(),
    })] : []),
  ];
}

export function createApiHandler(opts: ApiHandlerOptions): ApiHandler {
  const { registry, logger } = opts;
  const admit = admissionChain(opts.admission ?? defaultAdmission(registry));
  const authz = opts.authorization;
  const flow = opts.flow;
  const prometheus = opts.prometheus;
  /** The resource request each request was parsed as, for the Prometheus metrics (only when they are kept). */
  const requestInfos = prometheus ? new WeakMap<ApiRequest, ResourceRequestInfo>() : undefined;
  const server = { admit, logger, watcherCapacity: opts.watcherCapacity, metrics: opts.metrics, componentStatuses: opts.componentStatuses, authorization: authz, flow };

  /** Authorization denials of the components' own identities are logged: they mean a missing bootstrap rule. */
  function check(user: UserInfo, a: Parameters<typeof authorize>[1]): void {
    try { authorize(authz!.authorizer, a); } catch (e) {
      if (user.username.startsWith('system:') && user.username !== 'system:anonymous') logger.info('forbidden', { user: user.username, verb: a.verb, resource: a.resource, subresource: a.subresource, namespace: a.namespace, name: a.name, path: a.path });
      throw e;
    }
  }

  /**
   * A deprecated custom resource version answers every request with upstream's deprecation Warning header. A
   * request that fails still carries the warnings added before it failed (admission's Warn), as upstream's do.
   */
  async function route(req: ApiRequest): Promise<ApiResponse> {
    const served: { warning?: string; warnings?: string[] } = {};
    let res: ApiResponse;
    try {
      res = await routeResource(req, served);
    } catch (err) {
      if (!(err instanceof StatusError) || !served.warnings?.length) throw err;
      res = errorResponse(err);
    }
    // (flow control answers errors itself, so the error may already be a response here)
    if (res.status >= 400 && served.warnings?.length && !res.headers?.warning) {
      res = sameSerialized(res, { ...res, headers: { ...res.headers, warning: served.warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ') } });
    }
    if (!served.warning) return res;
    const w = `299 - ${JSON.stringify(served.warning)}`;
    const prior = res.headers?.warning;
    return sameSerialized(res, { ...res, headers: { ...res.headers, warning: prior ? `${w}, ${prior}` : w } });
  }

  async function routeResource(req: ApiRequest, served: { warning?: string; warnings?: string[] }): Promise<ApiResponse> {
    const path = req.path.length > 1 && req.path.endsWith('/') ? req.path.slice(0, -1) : req.path;
    const info = parseResourcePath(req.method, path, req.query);
    if (info && requestInfos) requestInfos.set(req, info);
    if (authz) {
      const user = impersonate(authz.authorizer, req.user ?? ANONYMOUS, req.headers);
      if (user !== req.user) req = requestWith(req, { user });
    }
    if (opts.flowControl) {
      const r = req;
      return opts.flowControl.serve(r, r.user ?? ANONYMOUS, info, path, () => authorizeAndServe(r, info, path, served));
    }
    return authorizeAndServe(req, info, path, served);
  }

  async function authorizeAndServe(req: ApiRequest, info: ResourceRequestInfo | undefined, path: string, served: { warning?: string; warnings?: string[] }): Promise<ApiResponse> {
    if (authz) {
      const user = req.user ?? ANONYMOUS;
      if (info) check(user, resourceAttributes(user, info, req.query));
      else check(user, { user, verb: req.method === 'HEAD' ? 'get' : req.method.toLowerCase(), resourceRequest: false, path: req.path });
    }
    if (info) {
      // Upstream's key functions refuse these names (".." once addressed the namespace itself).
      if (info.namespace !== undefined) {
        const msgs = isValidPathSegmentName(info.namespace);
        if (msgs.length) throw badRequest(`Namespace parameter invalid: ${JSON.stringify(info.namespace)}: ${msgs.join(';')}`);
      }
      if (info.name !== undefined) {
        const msgs = isValidPathSegmentName(info.name);
        if (msgs.length) throw badRequest(`Name parameter invalid: ${JSON.stringify(info.name)}: ${msgs.join(';')}`);
      }
      const store = registry.lookup(info.group, info.version, info.resource);
      if (!store) throw notFoundStatus();
      const def = store.def;
      if (!def.namespaced && info.namespace) throw notFoundStatus();
      const ctx = makeContext(req, info, registry, store, server);
      served.warning = def.deprecationWarning ?? def.custom?.deprecationWarning;
      served.warnings = ctx.warnings;
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
        if (sub === 'eviction') {
          if (info.verb !== 'create') throw methodNotSupported(store.ref, info.verb);
          return handleEviction(ctx);
        }
        if (sub === 'token' && def.group === '' && def.resource === 'serviceaccounts') {
          if (info.verb !== 'create') throw methodNotSupported(store.ref, info.verb);
          if (!opts.serviceAccountTokens) throw notFoundStatus();
          return handleTokenRequest(ctx, opts.serviceAccountTokens);
        }
        if (sub === 'status' || sub === 'finalize' || sub === 'approval' || (sub === 'ephemeralcontainers' && def.group === '' && def.resource === 'pods')) {
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
      if (def.metrics) {
        if (info.verb !== 'get' && info.verb !== 'list') throw methodNotSupported(store.ref, info.verb);
        return handleMetrics(ctx);
      }
      if (def.componentStatuses) {
        if (info.verb !== 'get' && info.verb !== 'list') throw methodNotSupported(store.ref, info.verb);
        return handleComponentStatuses(ctx);
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
        case 'update': if (!info.name) throw methodNotSupported(store.ref, 'update'); return handleUpdate(ctx);
        case 'patch': if (!info.name) throw methodNotSupported(store.ref, 'patch'); return handlePatch(ctx);
        case 'delete': return handleDelete(ctx);
        case 'deletecollection': return handleDeleteCollection(ctx);
        default: throw methodNotSupported(store.ref, info.verb);
      }
    }
    return nonResource(req, path);
  }

  /** Everything that is not a resource: version, health, discovery, OpenAPI; anything else is a 404. */
  async function nonResource(req: ApiRequest, path: string): Promise<ApiResponse> {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw notFoundStatus();
    if (path === '/version') return jsonResponse(200, versionInfo());
    if (flow && path === FLOW_PATH) return serveFlow(req, flow);
    if (opts.flowControl && path === '/debug/api_priority_and_fairness/dump_priority_levels') {
      return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: opts.flowControl.dumpPriorityLevels() };
    }
    if (path === '/metrics' && opts.prometheus) {
      return { status: 200, headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }, body: await opts.prometheus.text() };
    }
    if (opts.serviceAccountTokens && path === '/.well-known/openid-configuration') {
      return jsonResponse(200, opts.serviceAccountTokens.openidConfiguration(opts.serverAddress()), { 'cache-control': 'public, max-age=3600' });
    }
    if (opts.serviceAccountTokens && path === '/openid/v1/jwks') {
      return jsonResponse(200, opts.serviceAccountTokens.jwks(), { 'content-type': 'application/jwk-set+json', 'cache-control': 'public, max-age=3600' });
    }
    const r = serveHealth(req, path, opts.ready) ?? serveDiscovery(req, path, registry.resources, opts.serverAddress) ?? serveOpenApi(req, path, registry.resources);
    if (!r) throw notFoundStatus();
    return r;
  }

  async function handle(req: ApiRequest): Promise<ApiResponse> {
    try {
      return await route(req);
    } catch (err) {
      // Anything but a StatusError is a bug: logged here in full, answered as a bare 500.
      if (!(err instanceof StatusError)) logger.error('request failed', { method: req.method, path: req.path, error: (err as Error)?.message ?? String(err), stack: (err as Error)?.stack?.split('\n').slice(0, 4).join(' | ') });
      return errorResponse(err);
    }
  }
  // Counted and timed outside the flow tap (upstream's apiserver_request_total / _duration_seconds, resource
  // requests only, as routeResource parsed them). Not an async function either: one promise more per request.
  const observed = (inner: ApiHandler): ApiHandler => {
    if (!prometheus || !requestInfos) return inner;
    return (req) => {
      const t0 = performance.now();
      return inner(req).then((res) => {
        const info = requestInfos.get(req);
        if (info) prometheus.observe(info, req.query.has('dryRun') && req.query.getAll('dryRun').includes('All'), res.status, (performance.now() - t0) / 1000);
        return res;
      });
    };
  };
  if (!flow) return observed(handle);
  // With nobody watching the flow, a request costs one field read more; the flow's own stream is not shown in it.
  // Not an async function: unwatched, the handler's own promise is returned as is, nothing more is made.
  return observed((req) => {
    if (!flow.active || req.path === FLOW_PATH) return handle(req);
    return handle(req).then((res) => { if (flow.active) flow.request(req, res); return res; });
  });
}
