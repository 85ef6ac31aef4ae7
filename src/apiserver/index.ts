// startApiServer: the registry on a Store, the transport-free handler, and the HTTPS front, plus bootstrap of
// the system namespaces and the `kubernetes` Service.
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { setMaxListeners } from 'node:events';
import type { Store } from '../storage/backend.js';
import type { ApiHandler } from '../api/transport.js';
import { Registry } from './registry/registry.js';
import { createApiHandler, type SubresourceHandler } from './api-handler.js';
import { createHttpsServer, destroyUpgradedConnections, type ClientTimeouts } from './http-server.js';
import type { KubeletClientConfig } from './handlers/kubelet-connection.js';
import type { ComponentHealth } from './handlers/component-statuses.js';
import { isPodStreamRequest, podStreamUpgrade, writeUpgradeError } from './handlers/pod-stream.js';
import { notFoundError, type StatusError } from '../api/errors.js';
import { bootstrapCluster } from './bootstrap.js';
import { jsonLogger, type Logger } from './logger.js';
import { allResources } from './registry/all-resources.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../api/validation/object-meta.js';
import { apiServiceNameValidator } from './registry/apiregistration/apiservices/strategy.js';
import { nameIsDNSLabel, nameIsDNS1035Label, isValidPathSegmentName, type NameValidator } from '../api/validation/names.js';
import { managedFieldsHook } from './managed-fields.js';
import type { KubeObject } from '../api/object.js';
import type { ResourceDefinition } from './registry/types.js';
import { createAuthenticator, staticTokenAuthenticator, type TokenAuthenticator } from './authn/authenticator.js';
import { ServiceAccountTokens, type LiveObjects } from './authn/service-account-tokens.js';
import { createAuditor, type AuditBackend } from './audit/audit.js';
import type { AuditPolicy } from './audit/policy.js';
import { encryptedStore } from './encryption/encrypted-store.js';
import type { EncryptionRule } from './encryption/config.js';
import { ephemeralServiceAccountKey, type ServiceAccountKeyPair } from '../pki/service-account-key.js';
import { startCrdController } from './apiextensions/crd-controller.js';
import type { MetricsSource } from '../api/metrics.js';
import type { Registry as PromRegistry } from 'prom-client';
import { ApiServerMetrics } from './metrics.js';
import { startAuthorization } from './authorization/index.js';
import { rbacEscalation } from './authorization/rbac/escalation.js';
import { nodeRestriction } from './admission/node-restriction.js';
import { validatingAdmissionPolicyFromRegistry } from './admission/policy/registry-source.js';
import { defaultAdmission, type AdmissionPlugin } from './api-handler.js';
import { authorize, impersonate, resourceAttributes, ANONYMOUS } from './authorization/filter.js';
import { parseResourcePath, requestTarget } from './request-info.js';
import { FlowTap } from './flow/tap.js';
import { flowStore } from './flow/store.js';
import { createFlowControl } from './flowcontrol/index.js';

export { DEFAULT_SERVER_CONCURRENCY_LIMIT } from './flowcontrol/index.js';

export interface ApiServerOptions {
  store: Store;
  host: string; port: number;
  tls: { cert: string; key: string; ca: string };
  tokens?: Record<string, { username: string; groups: string[] }>;
  serviceCIDR?: string;
  nodePortRange?: string;
  logger?: Logger;
  clock?: () => Date;
  subresources?: Record<string, SubresourceHandler>;
  /** Live events one watcher may have waiting before it is closed as too slow (tests lower it). */
  watcherCapacity?: number;
  /** The apiserver-kubelet-client certificate and the cluster CA: pods/log, exec, attach, portforward, nodes/proxy. */
  kubeletClient?: KubeletClientConfig;
  /** The service-account signing key (<home>/pki/sa.key, sa.pub); default a throwaway one held in memory. */
  serviceAccountKey?: ServiceAccountKeyPair;
  /** Encryption at rest (<home>/encryption-config.yaml, see encryption/config.ts); default none. */
  encryption?: EncryptionRule[];
  /** Authorization (Node, RBAC) and the admission steps that need it; default on. Off only for the bench's baseline. */
  authorization?: boolean;
  /** Auditing (<home>/audit-policy.yaml and audit.log, see audit/); default none. */
  audit?: { policy: AuditPolicy; backend: AuditBackend };
  /** API Priority and Fairness; default on with DEFAULT_SERVER_CONCURRENCY_LIMIT seats. false: off (the bench's baseline). */
  flowControl?: FlowControlSettings | false;
  /** Bounds on slow clients (http-server.ts); tests shorten them. */
  clientTimeouts?: Partial<ClientTimeouts>;
}

export interface FlowControlSettings {
  /** Seats shared among the Limited priority levels (upstream: --max-requests-inflight + --max-mutating-requests-inflight). */
  serverConcurrencyLimit?: number;
}

export { ensureAuditPolicy, AUDIT_POLICY_FILE } from './audit/policy.js';
export { fileAuditBackend, AUDIT_LOG_FILE, AUDIT_BACKUP_DIR } from './audit/audit.js';

export { ensureEncryptionConfig, ENCRYPTION_CONFIG_FILE } from './encryption/config.js';
export type { ComponentHealth } from './handlers/component-statuses.js';

export interface RunningApiServer {
  port: number; url: string; handler: ApiHandler; registry: Registry;
  /** Serves metrics.k8s.io from this source from now on (the metrics server registers itself once it runs). */
  setMetricsSource(source: MetricsSource | undefined): void;
  /** Lists these components (the scheduler, the controller manager) in componentstatuses before the datastore's etcd-0. */
  setComponentHealth(probe: () => ComponentHealth[]): void;
  /** The live architecture view's tap (GET /debug/flow streams it). */
  flow: FlowTap;
  /** Serves a component's Prometheus registry on GET /metrics beside the API server's own. */
  includeMetrics(registry: PromRegistry): void;
  close(): Promise<void>;
}

const rbacName: NameValidator = (n) => isValidPathSegmentName(n);
/** Resources whose names upstream validates more strictly than a DNS-1123 subdomain, or (RBAC: path segments) less. */
const nameValidators: Record<string, NameValidator> = {
  namespaces: nameIsDNSLabel, services: nameIsDNS1035Label, apiservices: apiServiceNameValidator,
  roles: rbacName, clusterroles: rbacName, rolebindings: rbacName, clusterrolebindings: rbacName,
};

export function validateMeta(obj: KubeObject, def: ResourceDefinition, old?: KubeObject) {
  const errs = validateObjectMeta(obj.metadata, { namespaced: def.namespaced, nameValidator: nameValidators[def.resource] });
  if (old) errs.push(...validateObjectMetaUpdate(obj.metadata, old.metadata));
  return errs;
}

/** The address other hosts reach this apiserver at: the listen address, or for a wildcard the first external IP. */
function advertiseAddress(host: string): string {
  if (host !== '0.0.0.0' && host !== '::') return host;
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) if (!a.internal && a.family === 'IPv4') return a.address;
  }
  return '127.0.0.1';
}

/** The objects ServiceAccount tokens are checked against, read from the registry. */
export function liveObjects(registry: Registry): LiveObjects {
  const get = (resource: string) => (ns: string | undefined, name: string) => registry.forResource('', resource)!.tryGet(ns, name);
  return {
    serviceAccount: get('serviceaccounts'), pod: get('pods'), secret: get('secrets'),
    node: (name) => get('nodes')(undefined, name),
  };
}

export function createRegistry(store: Store, clock?: () => Date): Registry {
  return new Registry({ store, resources: allResources, clock, validateObjectMeta: validateMeta, updateManagedFields: managedFieldsHook });
}

export interface ApiHandlerOnlyOptions {
  store: Store;
  logger?: Logger;
  /** The address discovery advertises (no socket listens on it); default 127.0.0.1:6443. */
  serverAddress?: string;
  watcherCapacity?: number;
  serviceAccountKey?: ServiceAccountKeyPair;
  /** Authorization (Node, RBAC) and its admission steps; default on. Off only for the bench's baseline. */
  authorization?: boolean;
  /** false: no admission plugins at all (the bench's baseline). */
  admission?: false;
  /** API Priority and Fairness; default on. false: off (the bench's baseline). */
  flowControl?: FlowControlSettings | false;
}

/** The authorization stage and the admission plugins that go with it, or nothing when turned off. */
async function authorizationFor(registry: Registry, on: boolean, signal: AbortSignal) {
  if (!on) return { authorization: undefined, admission: undefined };
  const authz = await startAuthorization(registry, signal);
  const admission: AdmissionPlugin[] = defaultAdmission(registry, [nodeRestriction(), rbacEscalation(authz),
    await validatingAdmissionPolicyFromRegistry(registry, authz.authorizer, signal)], signal);
  return { authorization: { authorizer: authz.authorizer, rules: authz.rules }, admission };
}

/**
 * The API without a socket: the registry on `store`, the cluster bootstrapped (system namespaces, the `kubernetes`
 * Service), and the transport-free handler, for in-process clients (benchmarks of the API itself, tests).
 */
export async function createApiHandlerOnly(opts: ApiHandlerOnlyOptions): Promise<{ handler: ApiHandler; registry: Registry; flow: FlowTap; close(): void; setMetricsSource(source: MetricsSource | undefined): void }> {
  const flow = new FlowTap();
  const registry = createRegistry(flowStore(opts.store, flow));
  const address = opts.serverAddress ?? '127.0.0.1:6443';
  const i = address.lastIndexOf(':');
  await bootstrapCluster(registry, Number(address.slice(i + 1)), address.slice(0, i));
  const logger = opts.logger ?? jsonLogger('apiserver');
  const crds = startCrdController({ registry, logger });
  await crds.ready;
  let metricsSource: MetricsSource | undefined;
  const ac = new AbortController();
  // Every watch-fed cache (RBAC, the node graph, admission listers, APF, policies) listens for this one signal.
  setMaxListeners(64, ac.signal);
  const { authorization, admission } = await authorizationFor(registry, opts.authorization !== false, ac.signal);
  const apf = opts.flowControl === false ? undefined : createFlowControl(registry, { ...opts.flowControl, logger, signal: ac.signal });
  await apf?.start();
  const handler = createApiHandler({
    flowControl: apf?.flowControl,
    metrics: () => metricsSource,
    registry, logger, serverAddress: () => address,
    ready: async () => { try { await opts.store.currentRevision(); return true; } catch { return false; } },
    watcherCapacity: opts.watcherCapacity, authorization, admission: opts.admission === false ? [] : admission,
    serviceAccountTokens: new ServiceAccountTokens({ key: opts.serviceAccountKey ?? ephemeralServiceAccountKey(), objects: liveObjects(registry) }),
    flow,
  });
  return { handler, registry, flow, close: () => { crds.stop(); ac.abort(); }, setMetricsSource: (source) => { metricsSource = source; } };
}

export async function startApiServer(opts: ApiServerOptions): Promise<RunningApiServer> {
  const logger = opts.logger ?? jsonLogger('apiserver');
  const flow = new FlowTap();
  const prometheus = new ApiServerMetrics();
  const registry = createRegistry(flowStore(encryptedStore(prometheus.instrument(opts.store), opts.encryption ?? []), flow), opts.clock);
  let url = '';
  const serviceAccountTokens = new ServiceAccountTokens({ key: opts.serviceAccountKey ?? ephemeralServiceAccountKey(), objects: liveObjects(registry), clock: opts.clock });
  let metricsSource: MetricsSource | undefined;
  let componentHealth: (() => ComponentHealth[]) | undefined;
  const ready = async () => { try { await opts.store.currentRevision(); return true; } catch { return false; } };
  const ac = new AbortController();
  // Every watch-fed cache (RBAC, the node graph, admission listers, APF, policies) listens for this one signal.
  setMaxListeners(64, ac.signal);
  const { authorization, admission } = await authorizationFor(registry, opts.authorization !== false, ac.signal);
  const auditor = opts.audit ? createAuditor({ ...opts.audit, clock: opts.clock }) : undefined;
  const apf = opts.flowControl === false ? undefined : createFlowControl(registry, { ...opts.flowControl, logger, signal: ac.signal });
  const unaudited = createApiHandler({
    flowControl: apf?.flowControl,
    metrics: () => metricsSource, prometheus,
    registry, logger, serverAddress: () => url.replace(/^https:\/\//, ''),
    ready,
    // As upstream's: the datastore is "etcd-0" whichever it is (as k3s's SQLite shows it too).
    componentStatuses: async () => [...(componentHealth?.() ?? []),
      (await ready()) ? { name: 'etcd-0', healthy: true, message: 'ok' } : { name: 'etcd-0', healthy: false, error: 'the datastore does not answer' }],
    subresources: opts.subresources,
    watcherCapacity: opts.watcherCapacity,
    kubeletClient: opts.kubeletClient,
    serviceAccountTokens,
    authorization, admission, flow,
  });
  // In-process callers (the components) get the audited handler too: they pass through the same stages.
  const handler = auditor ? auditor.wrap(unaudited) : unaudited;
  const tokenAuthenticators: TokenAuthenticator[] = [];
  if (opts.tokens) tokenAuthenticators.push(staticTokenAuthenticator(opts.tokens));
  tokenAuthenticators.push((t) => serviceAccountTokens.authenticate(t));
  const podStreams = opts.kubeletClient ? podStreamUpgrade({ registry, kubelet: opts.kubeletClient, logger, flow }) : undefined;
  const server = createHttpsServer({
    handler, tls: opts.tls, authenticate: createAuthenticator(tokenAuthenticators), logger, clientTimeouts: opts.clientTimeouts,
    auditRejected: auditor && ((req, status, message) => auditor.recordRejected(req, status, message)),
    upgrade: (req, socket, head, user) => {
      if (!podStreams || !isPodStreamRequest(req)) return writeUpgradeError(socket, notFoundError());
      if (authorization) {
        // exec, attach and port-forward upgrades need `create` on the subresource (upstream since 1.31, websockets included).
        try {
          const headers: Record<string, string | undefined> = {};
          for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
          const acting = impersonate(authorization.authorizer, user ?? ANONYMOUS, headers);
          const url = requestTarget(req.url);
          const info = parseResourcePath(req.method ?? 'GET', url.path, url.query)!;
          authorize(authorization.authorizer, resourceAttributes(acting, { ...info, verb: 'create' }));
          user = acting;
        } catch (e) { return writeUpgradeError(socket, e as StatusError); }
      }
      if (flow.active) {
        const info = parseResourcePath(req.method ?? 'GET', new URL(req.url ?? '/', 'https://localhost').pathname, new URLSearchParams());
        if (info) flow.upgrade(user, req.headers['user-agent'], info);
      }
      podStreams(req, socket, head, user);
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => { server.off('error', reject); resolve(); });
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  url = `https://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  try { await bootstrapCluster(registry, port, advertiseAddress(opts.host)); await apf?.start(); }
  catch (e) { server.close(); ac.abort(); throw e; }
  const crds = startCrdController({ registry, logger });
  try { await crds.ready; } catch (e) { crds.stop(); ac.abort(); server.close(); throw e; }
  return {
    port, url, handler, registry, flow,
    setMetricsSource: (source) => { metricsSource = source; },
    setComponentHealth: (probe) => { componentHealth = probe; },
    includeMetrics: (r) => prometheus.include(r),
    close: () => new Promise<void>((resolve) => {
      crds.stop();
      ac.abort();
      server.close(() => { void (opts.audit?.backend.close() ?? Promise.resolve()).then(() => resolve()); });
      server.closeAllConnections();
      destroyUpgradedConnections(server);
    }),
  };
}
