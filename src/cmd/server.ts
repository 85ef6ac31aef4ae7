// The nanokube server process: wires the control plane together, the datastore and API server here and, beside
// them (components.ts), the scheduler, the controller manager and the simulated kubelets. `nanokube start` runs it
// detached with stdout/stderr in $NANOKUBE_HOME/server.log; `nanokube start --foreground` runs it in the CLI's own
// process.
//
// Startup time is a headline figure (target ≤ 1 s from `nanokube start` to a healthy /readyz), so this file imports
// the heavy modules (storage, apiserver) lazily and in parallel, and reads certificates from disk without the X.509
// library (src/pki only generates on first start).

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { LogEntry, LogFn } from '../client/log.js';

/** One JSON line per event on stdout (server.log when daemonized). Never Secret data or tokens. */
export const stdoutLog: LogFn = (entry: LogEntry) => {
  process.stdout.write(JSON.stringify({ ts: new Date().toISOString(), component: 'server', ...entry }) + '\n');
};

export interface ServerOptions {
  /** $NANOKUBE_HOME: pki/ and data/ live here; server.pid is written here by runServer. */
  home: string;
  /** Address the API server binds (127.0.0.1 by default in the CLI). */
  listenAddress: string;
  /** API server port; 0 = pick a free one. */
  port: number;
  /** External datastore (etcd) URL; absent = embedded SQLite in <home>/data. */
  datastoreEndpoint?: string;
  /** Simulated nodes (kwok-style) registered at start. */
  simulatedNodes?: number;
  /** Run the scheduler, controllers and simulated nodes beside the API server (default true). */
  components?: boolean;
  /** Run the real node `nanokube` (kubelet + sandbox runtime) in this process (default false; `nanokube start` sets it). */
  node?: boolean;
  /** The kubelet server's port for the real node (default 10250, or any free one when taken; 0 = any free one). */
  kubeletPort?: number;
  /** Force the real node's runtime mode (tests). */
  runtimeMode?: 'runc' | 'process';
  /** Force the real node's service proxy mode (tests); default nftables when possible, else userspace. */
  proxyMode?: 'nftables' | 'userspace';
  /** The cluster CIDR Nodes' podCIDRs come from (default 10.244.0.0/16). */
  clusterCIDR?: string;
  /** The cluster DNS's upstream resolvers (tests: a fake one on 127.0.0.1); default the host's resolv.conf. */
  dnsUpstreams?: Array<{ host: string; port: number }>;
  /** The real node's ingress HTTP port (default 80; 0 = any free one; false = none). */
  ingressHttpPort?: number | false;
  /** The real node's ingress HTTPS port (default 443; 0 = any free one; false = none). */
  ingressHttpsPort?: number | false;
  /** Node lifecycle grace period in seconds (tests shorten it; default 40). */
  nodeMonitorGracePeriodSeconds?: number;
  /** Pod GC quarantine for missing nodes in seconds (tests shorten it; default 40). */
  podGCQuarantineSeconds?: number;
  /** Live events one watcher may have waiting before the API server closes it as too slow (tests lower it). */
  watcherCapacity?: number;
  /** Bearer tokens the API server accepts besides client certificates (benchmarks drive it with wrk). */
  tokens?: Record<string, { username: string; groups: string[] }>;
  /** How often the metrics server reads every node (default 15 s; tests shorten it). */
  metricsResolutionMs?: number;
  /** Authorization (Node, RBAC) and its admission steps; default on. Off only for the bench's baseline. */
  authorization?: boolean;
  /**
   * API Priority and Fairness: the seats shared among the Limited priority levels (default 200; upstream's
   * --max-requests-inflight + --max-mutating-requests-inflight, 600). false: APF off.
   */
  flowControl?: { serverConcurrencyLimit?: number } | false;
  /** How often each HorizontalPodAutoscaler is evaluated, in seconds (default 15; tests shorten it). */
  hpaSyncPeriodSeconds?: number;
  /** Periodic datastore compaction interval (default 60 s; 0 disables: benchmarks). */
  compactionIntervalMs?: number;
  /** The web dashboard on 127.0.0.1:<port> (0 = any free one), its URL written to <home>/dashboard.json; absent = none. */
  dashboard?: { port: number };
  /** Bounds on slow clients of the API server (tests shorten them; default: http-server.ts). */
  clientTimeouts?: Partial<import('../apiserver/http-server.js').ClientTimeouts>;
  log?: LogFn;
}

export interface RunningControlPlane {
  /** https://host:port the API server listens on. */
  url: string;
  port: number;
  /** The transport-free API handler, for in-process clients (tests reach the server without TLS through it). */
  handler: import('../api/transport.js').ApiHandler;
  /** Registers more simulated nodes at runtime; resolves with their names. */
  addSimulatedNodes(n: number): Promise<string[]>;
  /** The simulated kubelets: add, fail, recover, remove nodes (tests use fail() to make a node go silent). */
  simulatedNodes(): Promise<import('../kubelet/index.js').SimulatedNodes>;
  /** The real node once started (undefined without one or when it failed). */
  node(): Promise<import('../kubelet/index.js').RunningNode | undefined>;
  /** The real node's service proxy (undefined without a real node). */
  proxy(): Promise<import('../proxy/index.js').RunningProxy | undefined>;
  /** The real node's ingress controller (undefined without a real node). */
  ingress(): Promise<import('../ingress/index.js').RunningIngressController | undefined>;
  /** The web dashboard when ServerOptions.dashboard asked for one. */
  dashboard?: import('../dashboard/index.js').RunningDashboard;
  /** Stops every component, then closes the datastore. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts the control plane in this process and resolves once the API server is listening.
 * On failure everything already started is closed again and the error is rethrown (its `code`, e.g.
 * EADDRINUSE, preserved for the caller).
 */
export async function startControlPlane(opts: ServerOptions): Promise<RunningControlPlane> {
  const log = opts.log ?? stdoutLog;
  const [{ ensureClusterPki, ensureServiceAccountKey }, { openStore }, { startApiServer, ensureEncryptionConfig, ENCRYPTION_CONFIG_FILE, ensureAuditPolicy, AUDIT_POLICY_FILE, fileAuditBackend, AUDIT_LOG_FILE }] = await Promise.all([
    import('../pki/index.js'), import('../storage/index.js'), import('../apiserver/index.js'),
  ]);
  const pki = await ensureClusterPki({ dir: join(opts.home, 'pki') });
  if (pki.generated.length > 0) log({ level: 'info', msg: 'certificates generated', which: pki.generated });
  const serviceAccountKey = ensureServiceAccountKey(join(opts.home, 'pki'));
  if (serviceAccountKey.generated) log({ level: 'info', msg: 'service account signing key generated', file: 'pki/sa.key' });

  const dataDir = join(opts.home, 'data');
  const store = await openStore({ dataDir, ...(opts.datastoreEndpoint ? { datastoreEndpoint: opts.datastoreEndpoint } : {}),
    ...(opts.compactionIntervalMs !== undefined ? { compactionIntervalMs: opts.compactionIntervalMs } : {}) });
  log({ level: 'info', msg: 'datastore opened', ...(opts.datastoreEndpoint ? { endpoint: opts.datastoreEndpoint } : { dataDir }) });

  let api: Awaited<ReturnType<typeof startApiServer>>;
  try {
    const encryption = ensureEncryptionConfig(join(opts.home, ENCRYPTION_CONFIG_FILE));
    const auditPolicy = ensureAuditPolicy(join(opts.home, AUDIT_POLICY_FILE));
    if (auditPolicy.generated) log({ level: 'info', msg: 'audit policy written', file: AUDIT_POLICY_FILE, log: AUDIT_LOG_FILE });
    if (encryption.generated) log({ level: 'info', msg: 'encryption at rest configured', file: ENCRYPTION_CONFIG_FILE, resources: encryption.rules.map((r) => r.resource) });
    api = await startApiServer({
      store, host: opts.listenAddress, port: opts.port,
      tls: { cert: pki.apiserver.cert, key: pki.apiserver.key, ca: pki.caCert },
      watcherCapacity: opts.watcherCapacity, clientTimeouts: opts.clientTimeouts,
      ...(opts.authorization === false ? { authorization: false } : {}),
      ...(opts.flowControl !== undefined ? { flowControl: opts.flowControl } : {}),
      ...(opts.tokens ? { tokens: opts.tokens } : {}),
      kubeletClient: { cert: pki.kubeletClient.cert, key: pki.kubeletClient.key, ca: pki.caCert },
      serviceAccountKey,
      encryption: encryption.rules,
      audit: { policy: auditPolicy.policy, backend: fileAuditBackend(join(opts.home, AUDIT_LOG_FILE)) },
      // The API server's events go through the same log function (server.log, or a test's capture).
      logger: {
        info: (msg, fields) => log({ level: 'info', component: 'apiserver', msg, ...fields }),
        error: (msg, fields) => log({ level: 'error', component: 'apiserver', msg, ...fields }),
      },
    });
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  log({ level: 'info', msg: 'apiserver listening', url: api.url, port: api.port });
  let dashboard: import('../dashboard/index.js').RunningDashboard | undefined;
  let forgetDashboard: (() => void) | undefined;
  if (opts.dashboard) {
    const { startDashboard, writeDashboardInfo } = await import('../dashboard/index.js');
    try {
      dashboard = await startDashboard({ upstream: { url: api.url, ca: pki.caCert }, port: opts.dashboard.port,
        log: (e) => log({ component: 'dashboard', ...e }) });
      forgetDashboard = writeDashboardInfo(opts.home, { url: dashboard.url, apiServer: api.url, pid: process.pid });
    } catch (err) {
      // The cluster works without its dashboard: say why there is none and go on.
      log({ level: 'error', msg: 'dashboard failed to start', error: (err as Error).message, port: opts.dashboard.port });
    }
  }
  // The other components start after the API is healthy and do not hold up `nanokube start`.
  const components = opts.components === false ? undefined : (await import('./components.js')).startComponents({
    handler: api.handler, log, simulatedNodes: opts.simulatedNodes, nodeMonitorGracePeriodSeconds: opts.nodeMonitorGracePeriodSeconds,
    clusterCA: pki.caCert, clusterSigning: pki.ca, serviceAccountKey, podGCQuarantineSeconds: opts.podGCQuarantineSeconds, clusterCIDR: opts.clusterCIDR, metricsResolutionMs: opts.metricsResolutionMs, hpaSyncPeriodSeconds: opts.hpaSyncPeriodSeconds,
    storageRoot: join(opts.home, 'storage'),
    ...(opts.dnsUpstreams ? { dns: { upstreams: opts.dnsUpstreams } } : {}),
    ...(opts.node ? { node: { home: opts.home, ca: pki.ca, kubeletPort: opts.kubeletPort, runtimeMode: opts.runtimeMode, proxyMode: opts.proxyMode,
      ingressHttpPort: opts.ingressHttpPort, ingressHttpsPort: opts.ingressHttpsPort } } : {}),
  });
  components?.catch((e) => log({ level: 'error', msg: 'components failed to start', error: String(e) }));
  // metrics.k8s.io answers once the metrics server runs (503, as an unavailable APIService, before).
  components?.then((c) => c.metrics()).then((m) => api.setMetricsSource(m)).catch(() => undefined);
  components?.then((c) => api.setComponentHealth(() => c.health())).catch(() => undefined);
  // GET /metrics also carries the in-process components' metrics (work queues, the scheduler).
  components?.then((c) => { for (const r of c.prometheusRegistries) api.includeMetrics(r); }).catch(() => undefined);

  let closing: Promise<void> | undefined;
  return {
    url: api.url, port: api.port, handler: api.handler, ...(dashboard ? { dashboard } : {}),
    addSimulatedNodes: async (n: number) => {
      if (!components) throw new Error('components are disabled');
      return (await components).addSimulatedNodes(n);
    },
    simulatedNodes: async () => {
      if (!components) throw new Error('components are disabled');
      return (await components).simulatedNodes();
    },
    node: async () => (await components?.catch(() => undefined))?.node(),
    proxy: async () => (await components?.catch(() => undefined))?.proxy(),
    ingress: async () => (await components?.catch(() => undefined))?.ingress(),
    close() {
      closing ??= (async () => {
        try {
          forgetDashboard?.();
          await dashboard?.close();
          await (await components?.catch(() => undefined))?.stop(); await api.close();
        } finally { await store.close(); }
        log({ level: 'info', msg: 'control plane stopped' });
      })();
      return closing;
    },
  };
}

export interface RunServerOptions extends ServerOptions {
  /** Called once the API server listens (used by `start --foreground` to print progress and write kubeconfig). */
  onReady?: (cp: RunningControlPlane) => void | Promise<void>;
  /** Writes the pid file; defaults to <home>/server.pid. */
  pidFile?: string;
}

/**
 * The server process's main: writes the pid file, starts the control plane, and on SIGTERM/SIGINT closes it
 * cleanly and removes the pid file. Resolves after a clean shutdown; rejects (after cleanup) if startup fails.
 * Startup failures are logged as one structured line with the error code, which `nanokube start` reads back
 * from server.log to explain them (e.g. a port taken between its check and our bind).
 */
export async function runServer(opts: RunServerOptions): Promise<void> {
  const log = opts.log ?? stdoutLog;
  const pidFile = opts.pidFile ?? join(opts.home, 'server.pid');
  const { writeFileSync, readFileSync, mkdirSync } = await import('node:fs');
  mkdirSync(opts.home, { recursive: true, mode: 0o700 });
  // Written before anything slow so a concurrent `nanokube start` sees this server as running.
  writeFileSync(pidFile, `${process.pid}\n`);
  const removePidFile = () => {
    try { if (readFileSync(pidFile, 'utf8').trim() === String(process.pid)) rmSync(pidFile, { force: true }); } catch { /* gone */ }
  };

  let stopRequested: string | undefined;
  let wake: (() => void) | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopRequested) return;
    stopRequested = signal;
    log({ level: 'info', msg: 'shutting down', signal });
    wake?.();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  let cp: RunningControlPlane | undefined;
  try {
    log({ level: 'info', msg: 'starting control plane', pid: process.pid, listenAddress: opts.listenAddress, port: opts.port });
    cp = await startControlPlane(opts);
    if (!stopRequested) await opts.onReady?.(cp);
    if (!stopRequested) await new Promise<void>((resolve) => { wake = resolve; });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    log({ level: 'error', msg: 'control plane failed', error: e?.message ?? String(err), ...(e?.code ? { code: e.code } : {}) });
    throw err;
  } finally {
    try { await cp?.close(); } finally {
      removePidFile();
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    }
  }
}
