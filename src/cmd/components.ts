// The components that run beside the API server in one process (DESIGN.md §1): scheduler, controller manager and
// simulated nodes. They reach the API only through the client, over the in-process transport (same bytes in and
// out as HTTPS), so any of them could run in another process unchanged.
import { hostname } from 'node:os';
import { setMaxListeners } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { ApiHandler } from '../api/transport.js';
import type { RunningNode, SimulatedNodes } from '../kubelet/index.js';
import type { RunningClusterDNS } from '../dns/index.js';
import type { RunningProxy } from '../proxy/index.js';
import type { RunningIngressController } from '../ingress/index.js';
import type { RunningMetricsServer } from '../metrics/index.js';
import type { KeyPairPem } from '../pki/index.js';
import type { LogFn } from '../client/log.js';
import { errorText } from '../client/log.js';
import { controllerServiceAccounts, UNMAPPED_CONTROLLERS_GROUP } from '../apiserver/authorization/rbac/bootstrap-policy.js';

export interface ComponentOptions {
  handler: ApiHandler;
  log: LogFn;
  /** Simulated nodes to register at start. */
  simulatedNodes?: number;
  /** Node lifecycle grace period (tests shorten it). */
  nodeMonitorGracePeriodSeconds?: number;
  /** The cluster CA bundle (PEM, <home>/pki/ca.crt) published in every namespace as ConfigMap kube-root-ca.crt. */
  clusterCA?: string;
  /** The cluster CA key pair: the CSR signing controller signs approved CertificateSigningRequests with it. */
  clusterSigning?: KeyPairPem;
  /** The service-account signing key: the tokens controller fills legacy token Secrets with it. */
  serviceAccountKey?: import('../pki/index.js').ServiceAccountKeyPair;
  /** The real node `nanokube` (kubelet + sandbox runtime); absent = no real node (tests, benches). */
  node?: RealNodeOptions;
  /** The cluster CIDR node podCIDRs come from (node IPAM); default 10.244.0.0/16. */
  clusterCIDR?: string;
  /** Where the built-in local-path provisioner keeps volume directories (<home>/storage). */
  storageRoot?: string;
  /** Pod GC quarantine for missing nodes in seconds (default 40; tests shorten it). */
  podGCQuarantineSeconds?: number;
  /**
   * Cluster DNS (src/dns). Default: on the real node in runc mode, listening on the pod network gateway port 53;
   * `false` turns it off; an object gives an explicit listen address and upstreams (tests, benches).
   */
  dns?: false | { listen?: { host: string; port: number }; upstreams?: Array<{ host: string; port: number }> };
  /** How often the metrics server reads every node (default 15 s; tests shorten it). */
  metricsResolutionMs?: number;
  /** How often each HorizontalPodAutoscaler is evaluated, in seconds (default 15; tests shorten it). */
  hpaSyncPeriodSeconds?: number;
}

export interface RealNodeOptions {
  /** NANOKUBE_HOME: images, runtime state, pod logs and volumes live under it. */
  home: string;
  /** The cluster CA key pair: the kubelet's serving certificate is issued by it. */
  ca: KeyPairPem;
  /** The kubelet server's port (default 10250, a free one when taken; 0 = any free one). */
  kubeletPort?: number;
  /** Force the runtime's mode (tests); default runc when possible. */
  runtimeMode?: 'runc' | 'process';
  /** Force the service proxy's mode (tests); default nftables when possible (root, Linux, nft), else userspace. */
  proxyMode?: 'nftables' | 'userspace';
  /** The ingress controller's HTTP port (default 80; 0 = any free one; false = none). */
  ingressHttpPort?: number | false;
  /** The ingress controller's HTTPS port (default 443; 0 = any free one; false = none). */
  ingressHttpsPort?: number | false;
}

export interface RunningComponents {
  /** Adds simulated nodes at runtime; resolves with their names. */
  addSimulatedNodes(n: number): Promise<string[]>;
  /** The simulated kubelets (started on first use): add, fail, recover, remove nodes. */
  simulatedNodes(): Promise<SimulatedNodes>;
  /** The real node, once started (undefined without one, or when it failed to start). */
  node(): Promise<RunningNode | undefined>;
  /** Where the cluster DNS server listens, once it does (undefined when it does not run). */
  dns(): Promise<{ host: string; port: number } | undefined>;
  /** The real node's service proxy (undefined without a real node). */
  proxy(): Promise<RunningProxy | undefined>;
  /** The real node's ingress controller (undefined without a real node). */
  ingress(): Promise<RunningIngressController | undefined>;
  /** The controller manager's (work queues) and the scheduler's Prometheus registries, for the API server's /metrics. */
  readonly prometheusRegistries: import('prom-client').Registry[];
  /** The metrics server (metrics.k8s.io), once it runs (undefined when it failed to start). */
  metrics(): Promise<RunningMetricsServer | undefined>;
  /** The scheduler's and the controller manager's health, for componentstatuses: "ok" while they run, else why not. */
  health(): Array<{ name: string; healthy: boolean; message?: string; error?: string }>;
  stop(): Promise<void>;
}

export async function startComponents(opts: ComponentOptions): Promise<RunningComponents> {
  const [{ Client }, { inProcessTransport }, { InformerFactory }, { realClock }, { runControllerManager }, { startScheduler, SchedulerPrometheus }, { runAsLeader }, { WorkqueueMetricsProvider }] = await Promise.all([
    import('../client/client.js'), import('../client/transport.js'), import('../client/informer.js'), import('../client/clock.js'),
    import('../controllers/index.js'), import('../scheduler/index.js'), import('../client/run-as-leader.js'), import('../client/workqueue-metrics.js'),
  ]);
  // Each component's Prometheus registry, of this cluster only (upstream: the controller manager's and the
  // scheduler's /metrics); the API server serves them beside its own.
  const workqueueMetrics = new WorkqueueMetricsProvider();
  const schedulerPrometheus = new SchedulerPrometheus();
  const ac = new AbortController();
  // Every informer and controller listens on this one signal.
  setMaxListeners(0, ac.signal);
  const identity = `${hostname()}_${randomUUID()}`;
  // Each component calls as its upstream identity (DESIGN.md §3), through the same authorization as HTTP callers.
  // The User-Agent's product names the field manager of what a component writes (upstream: "kube-scheduler",
  // "kubelet", and "kube-controller-manager" for every controller, whose name follows the version as upstream's
  // AddUserAgent puts it).
  const clientAs = (username: string, groups: string[], agent = username.replace(/^system:/, ''), detail = '') =>
    new Client(inProcessTransport(opts.handler, { user: { username, groups: [...groups, 'system:authenticated'] } }), { userAgent: `${agent}/v1.32.2 (nanokube)${detail}` });
  const clientFor = (username: string) => clientAs(username, []);
  const serviceAccountClient = (name: string, namespace = 'kube-system') =>
    clientAs(`system:serviceaccount:${namespace}:${name}`, ['system:serviceaccounts', `system:serviceaccounts:${namespace}`], name);
  const nodeClient = (name: string) => clientAs(`system:node:${name}`, ['system:nodes'], 'kubelet');
  const controllerClients = new Map<string, InstanceType<typeof Client>>();
  /** upstream --use-service-account-credentials: controller X calls as kube-system's service account of X. */
  const controllerClient = (controller: string) => {
    const mapped = controllerServiceAccounts[controller];
    const sa = mapped ?? `${controller}-controller`;
    let c = controllerClients.get(sa);
    if (!c) {
      if (!mapped) opts.log({ level: 'warn', component: 'controller-manager', msg: 'controller has no bootstrap RBAC role: it runs with cluster-admin rights (add it to controllerServiceAccounts)', controller });
      c = clientAs(`system:serviceaccount:kube-system:${sa}`,
        ['system:serviceaccounts', 'system:serviceaccounts:kube-system', ...(mapped ? [] : [UNMAPPED_CONTROLLERS_GROUP])], 'kube-controller-manager', `/${sa}`);
      controllerClients.set(sa, c);
    }
    return c;
  };
  const log = (component: string): LogFn => (e) => opts.log({ ...e, component });
  // One set of informer caches for every component in this process: each object is held and decoded once, not
  // once per component. Writes still go through each component's own client.
  // The shared caches read as their own identity (system:nanokube:informers: list and watch of everything).
  const informers = new InformerFactory(clientFor('system:nanokube:informers'), { signal: ac.signal, log: log('informers') });
  const running: Promise<unknown>[] = [];
  /** Why a component stopped on its own (it failed), for componentstatuses. */
  const failed = new Map<string, string>();

  running.push(runControllerManager({ client: clientFor('system:kube-controller-manager'), clientFor: controllerClient, informers, identity, signal: ac.signal, log: log('controller-manager'), workqueueMetrics,
    nodeMonitorGracePeriodSeconds: opts.nodeMonitorGracePeriodSeconds, clusterCA: opts.clusterCA, podGCQuarantineSeconds: opts.podGCQuarantineSeconds, clusterCIDR: opts.clusterCIDR,
      clusterSigning: opts.clusterSigning, serviceAccountKey: opts.serviceAccountKey, storageRoot: opts.storageRoot, hpaSyncPeriodSeconds: opts.hpaSyncPeriodSeconds })
    .catch((e) => { failed.set('controller-manager', errorText(e)); opts.log({ level: 'error', msg: 'controller manager failed', error: errorText(e) }); }));

  const schedClient = clientFor('system:kube-scheduler');
  running.push(runAsLeader({ client: schedClient, identity, lease: 'kube-scheduler', clock: realClock, log: log('scheduler'), signal: ac.signal,
    run: async (signal) => {
      const s = await startScheduler({ client: schedClient, informers, signal, log: log('scheduler'), prometheus: schedulerPrometheus });
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      await s.stop();
    } }).catch((e) => { failed.set('scheduler', errorText(e)); opts.log({ level: 'error', msg: 'scheduler failed', error: errorText(e) }); }));

  let sim: Promise<SimulatedNodes> | undefined;
  // Started once (the promise is shared by concurrent callers) with the configured count: existing simulated
  // nodes are adopted, so a restart keeps N nodes.
  const simulated = (): Promise<SimulatedNodes> => {
    sim ??= (async () => {
      const { startSimulatedNodes } = await import('../kubelet/index.js');
      // Removing a simulated node is the simulator acting as an administrator; everything else each node does as itself.
      const c = clientAs('system:nanokube:simulator', ['system:masters']);
      return startSimulatedNodes({ client: c, clientFor: nodeClient, informers, count: opts.simulatedNodes ?? 0, signal: ac.signal, log: log('simulated-kubelet') });
    })();
    return sim;
  };
  if (opts.simulatedNodes) {
    running.push(simulated()
      .then((s) => opts.log({ level: 'info', msg: 'simulated nodes registered', count: s.names().length }))
      .catch((e) => opts.log({ level: 'error', msg: 'simulated nodes failed', error: errorText(e) })));
  }

  // The real node: its own client as system:node:nanokube, its own informers (pods bound to it only).
  const nodeAc = new AbortController();
  const node: Promise<RunningNode | undefined> = opts.node ? (async () => {
    const { startNode } = await import('../kubelet/index.js');
    return startNode({ client: nodeClient('nanokube'), home: opts.node!.home, ca: opts.node!.ca, signal: nodeAc.signal, log: log('kubelet'),
      ...(opts.node!.kubeletPort !== undefined ? { kubeletPort: opts.node!.kubeletPort } : {}), ...(opts.node!.runtimeMode ? { runtimeMode: opts.node!.runtimeMode } : {}) });
  })().catch((e) => { opts.log({ level: 'error', msg: 'node failed to start', error: errorText(e) }); return undefined; }) : Promise.resolve(undefined);

  // The real node's service proxy (kube-proxy), on the shared informers; its rules go with it on stop.
  const proxy: Promise<RunningProxy | undefined> = opts.node ? (async () => {
    const [{ startProxy }, { clusterNetworkNames }] = await Promise.all([import('../proxy/index.js'), import('../kubelet/index.js')]);
    const bridge = clusterNetworkNames(opts.node!.home).bridge;
    return startProxy({ informers, home: opts.node!.home, nodeName: 'nanokube', clusterCIDR: opts.clusterCIDR ?? '10.244.0.0/16',
      podInterfaces: () => [bridge], signal: ac.signal, log: log('kube-proxy'), ...(opts.node!.proxyMode ? { mode: opts.node!.proxyMode } : {}) });
  })().catch((e) => { opts.log({ level: 'error', msg: 'service proxy failed to start', error: errorText(e) }); return undefined; }) : Promise.resolve(undefined);

  // The built-in ingress controller (class nanokube) on the real node's ports 80/443, on the shared informers.
  const ingress: Promise<RunningIngressController | undefined> = opts.node ? (async () => {
    const { startIngressController } = await import('../ingress/index.js');
    return startIngressController({ client: serviceAccountClient('nanokube-ingress-controller'), informers, nodeName: 'nanokube',
      ca: opts.node!.ca, httpPort: opts.node!.ingressHttpPort, httpsPort: opts.node!.ingressHttpsPort, signal: ac.signal, log: log('ingress-controller') });
  })().catch((e) => { opts.log({ level: 'error', msg: 'ingress controller failed to start', error: errorText(e) }); return undefined; }) : Promise.resolve(undefined);

  // Cluster DNS: where pods can reach it (the real node's pod network, which needs runc mode), or where asked.
  const dnsAc = new AbortController();
  setMaxListeners(0, dnsAc.signal);
  const dns: Promise<RunningClusterDNS | undefined> = (async () => {
    if (opts.dns === false) return undefined;
    if (!opts.dns?.listen) {
      const n = await node;
      if (!n || n.runtime.mode !== 'runc') {
        if (n) opts.log({ level: 'info', component: 'cluster-dns', msg: 'cluster DNS is not started: pods run on the host network (process mode) and use the host resolver' });
        return undefined;
      }
    }
    const { startClusterDNS } = await import('../dns/index.js');
    return startClusterDNS({ client: serviceAccountClient('coredns'), informers, signal: dnsAc.signal, log: opts.log,
      ...(opts.dns?.listen ? { listen: opts.dns.listen } : {}), ...(opts.dns?.upstreams ? { upstreams: opts.dns.upstreams } : {}) });
  })().catch((e) => { opts.log({ level: 'error', msg: 'cluster DNS failed to start', error: errorText(e) }); return undefined; });

  // The metrics server: simulated nodes' Summaries straight from the simulator, real kubelets through the node proxy.
  const metrics: Promise<RunningMetricsServer | undefined> = (async () => {
    const { startMetricsServer } = await import('../metrics/index.js');
    return startMetricsServer({ client: serviceAccountClient('metrics-server'), informers, signal: ac.signal, log: log('metrics-server'),
      localSummary: async (name) => (sim ? (await sim.catch(() => undefined))?.summary(name) : undefined),
      ...(opts.metricsResolutionMs !== undefined ? { resolutionMs: opts.metricsResolutionMs } : {}) });
  })().catch((e) => { opts.log({ level: 'error', msg: 'metrics server failed to start', error: errorText(e) }); return undefined; });

  return {
    prometheusRegistries: [workqueueMetrics.registry, schedulerPrometheus.registry],
    health: () => ['scheduler', 'controller-manager'].map((name) => {
      const why = failed.get(name) ?? (ac.signal.aborted ? 'stopped' : undefined);
      return why ? { name, healthy: false, error: why } : { name, healthy: true, message: 'ok' };
    }),
    node: () => node,
    metrics: () => metrics,
    dns: async () => (await dns)?.listening.catch(() => undefined),
    proxy: () => proxy,
    ingress: () => ingress,
    addSimulatedNodes: async (n) => (await simulated()).add(n),
    simulatedNodes: simulated,
    async stop() {
      // Pods stop first, while the API is still there for their last events.
      await (await node)?.stop();
      dnsAc.abort();
      await (await dns)?.stop();
      await (await proxy)?.stop().catch((e) => opts.log({ level: 'error', msg: 'service proxy did not clean up', error: errorText(e) }));
      await (await ingress)?.stop().catch((e) => opts.log({ level: 'error', msg: 'ingress controller did not stop cleanly', error: errorText(e) }));
      nodeAc.abort();
      ac.abort();
      await (await sim?.catch(() => undefined))?.stop();
      await Promise.allSettled(running);
    },
  };
}
