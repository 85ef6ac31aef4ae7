// The one in-process cluster (DESIGN.md §5): what tests and benchmarks start instead of assembling a store, an API
// server and components by hand. It is the server process's own wiring (server.ts, components.ts) with test-sized
// choices: a temporary home removed on close, port 0, no log output, and optionally no socket at all.
//
//   serve: 'https'   the API server on 127.0.0.1:<free port> with the cluster's certificates, as `nanokube start`
//                    runs it (startControlPlane), components beside it unless `components: false`.
//   serve: 'handler' no socket and no certificates: the datastore, the bootstrapped registry and the transport-free
//                    handler only (benchmarks of the API and the scheduler, where TLS would only add noise).
// Either way `client()` reaches the API in process (same bytes as HTTPS) and close() stops everything it started
// and removes the temporary home it made, also when start-up fails half way.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiHandler } from '../api/transport.js';
import { Client } from '../client/client.js';
import { discardLog, type LogFn } from '../client/log.js';
import { httpTransport, inProcessTransport } from '../client/transport.js';
import type { RunningNode, SimulatedNodes } from '../kubelet/index.js';
import { readClusterPki } from '../pki/index.js';
import type { RunningComponents } from './components.js';
import { startControlPlane, type RunningControlPlane, type ServerOptions } from './server.js';

/** The server's own options (server.ts), with test-sized defaults; the ones below differ. */
export interface ClusterOptions extends Partial<Omit<ServerOptions, 'home' | 'node' | 'kubeletPort'>> {
  /** NANOKUBE_HOME (data/ and pki/ live here); absent = a new temporary folder that close() removes. */
  home?: string;
  /** 'https' (default): the API server listens with TLS on listenAddress:port (default 127.0.0.1:0); 'handler': no socket. */
  serve?: 'https' | 'handler';
  /** Run the real node `nanokube` (kubelet + sandbox runtime, its kubelet server on a free port); 'https' mode only. */
  node?: boolean;
  /** Where the cluster's log lines go (default: nowhere). */
  log?: LogFn;
}

export interface ClientOptions {
  /** Default kubernetes-admin. */
  username?: string;
  /** Default system:masters and system:authenticated. */
  groups?: string[];
  userAgent?: string;
}

export interface InProcessCluster {
  home: string;
  handler: ApiHandler;
  /** https://127.0.0.1:<port> in 'https' mode; '' in 'handler' mode. */
  url: string;
  port: number;
  /** The cluster CA and the admin's client certificate ('https' mode). */
  admin?: { ca: string; cert: string; key: string };
  /** The control plane ('https' mode), for what only it has (e.g. its own close, to test restarts). */
  plane?: RunningControlPlane;
  /** A client over the in-process transport. */
  client(opts?: ClientOptions): Client;
  /** A client over HTTPS with the admin certificate ('https' mode). */
  httpsClient(opts?: { userAgent?: string }): Client;
  addSimulatedNodes(n: number): Promise<string[]>;
  simulatedNodes(): Promise<SimulatedNodes>;
  node(): Promise<RunningNode | undefined>;
  /** Stops components, the API server and the datastore, then removes a temporary home. Safe to call twice. */
  close(): Promise<void>;
}

/** Starts an in-process cluster; resolves once its API answers. */
export async function startCluster(opts: ClusterOptions = {}): Promise<InProcessCluster> {
  const home = opts.home ?? mkdtempSync(join(tmpdir(), 'nanokube-cluster-'));
  const removeHome = () => { if (!opts.home) rmSync(home, { recursive: true, force: true }); };
  const log = opts.log ?? discardLog;
  let parts: { handler: ApiHandler; url: string; port: number; admin?: InProcessCluster['admin']; plane?: RunningControlPlane;
    components?: Promise<RunningComponents>; stop(): Promise<void> };
  try {
    parts = opts.serve === 'handler' ? await startHandlerOnly(home, opts, log) : await startHttps(home, opts, log);
  } catch (e) {
    removeHome();
    throw e;
  }
  // In 'handler' mode the components run here; in 'https' mode the control plane runs them.
  const components = async (): Promise<RunningComponents> => {
    if (!parts.components) throw new Error('components are disabled');
    return parts.components;
  };
  let closing: Promise<void> | undefined;
  return {
    home, handler: parts.handler, url: parts.url, port: parts.port, admin: parts.admin, plane: parts.plane,
    client: (o = {}) => new Client(inProcessTransport(parts.handler, {
      user: { username: o.username ?? 'kubernetes-admin', groups: o.groups ?? ['system:masters', 'system:authenticated'] },
    }), { userAgent: o.userAgent ?? 'nanokube-test' }),
    httpsClient: (o = {}) => {
      if (!parts.admin) throw new Error("httpsClient needs serve: 'https'");
      return new Client(httpTransport({ server: parts.url, ...parts.admin }), { userAgent: o.userAgent ?? 'nanokube-test' });
    },
    addSimulatedNodes: async (n) => (parts.plane ? parts.plane.addSimulatedNodes(n) : (await components()).addSimulatedNodes(n)),
    simulatedNodes: async () => (parts.plane ? parts.plane.simulatedNodes() : (await components()).simulatedNodes()),
    node: async () => (parts.plane ? parts.plane.node() : (await parts.components?.catch(() => undefined))?.node()),
    close() {
      closing ??= (async () => { try { await parts.stop(); } finally { removeHome(); } })();
      return closing;
    },
  };
}

async function startHttps(home: string, opts: ClusterOptions, log: LogFn) {
  const plane = await startControlPlane({
    ...opts, home, listenAddress: opts.listenAddress ?? '127.0.0.1', port: opts.port ?? 0, log,
    // A test's node never takes the host's ports 80/443 (tests run in parallel): its ingress gets free ports.
    ...(opts.node ? { node: true, kubeletPort: 0, ingressHttpPort: opts.ingressHttpPort ?? 0, ingressHttpsPort: opts.ingressHttpsPort ?? 0 } : { node: false }),
  });
  const pki = readClusterPki(join(home, 'pki'))!;
  return {
    handler: plane.handler, url: plane.url, port: plane.port, plane,
    admin: { ca: pki.caCert, cert: pki.admin.cert, key: pki.admin.key },
    stop: () => plane.close(),
  };
}

async function startHandlerOnly(home: string, opts: ClusterOptions, log: LogFn) {
  if (opts.node) throw new Error("a real node needs serve: 'https'");
  const [{ openStore }, { createApiHandlerOnly }, { silentLogger }] = await Promise.all([
    import('../storage/index.js'), import('../apiserver/index.js'), import('../apiserver/logger.js'),
  ]);
  const store = await openStore({ dataDir: join(home, 'data'), datastoreEndpoint: opts.datastoreEndpoint, compactionIntervalMs: opts.compactionIntervalMs });
  let handler: ApiHandler;
  let closeApi = () => {};
  let setMetricsSource: Awaited<ReturnType<typeof createApiHandlerOnly>>['setMetricsSource'];
  try {
    ({ handler, close: closeApi, setMetricsSource } = await createApiHandlerOnly({ store, logger: silentLogger, watcherCapacity: opts.watcherCapacity, authorization: opts.authorization, ...(opts.flowControl !== undefined ? { flowControl: opts.flowControl } : {}) }));
  } catch (e) {
    await store.close().catch(() => undefined);
    throw e;
  }
  const components = opts.components === false ? undefined : (await import('./components.js')).startComponents({
    handler, log, simulatedNodes: opts.simulatedNodes, nodeMonitorGracePeriodSeconds: opts.nodeMonitorGracePeriodSeconds,
    podGCQuarantineSeconds: opts.podGCQuarantineSeconds, clusterCIDR: opts.clusterCIDR, metricsResolutionMs: opts.metricsResolutionMs, hpaSyncPeriodSeconds: opts.hpaSyncPeriodSeconds,
    storageRoot: join(home, 'storage'),
  });
  components?.catch((e) => log({ level: 'error', msg: 'components failed to start', error: String(e) }));
  components?.then((c) => c.metrics()).then((m) => setMetricsSource(m)).catch(() => undefined);
  return {
    handler, url: '', port: 0, components,
    async stop() {
      try { await (await components?.catch(() => undefined))?.stop(); } finally { closeApi(); await store.close(); }
    },
  };
}
