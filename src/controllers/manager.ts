// The controller manager: every controller, started together on one set of shared informers, while this process
// holds the kube-controller-manager Lease (so two control planes can run; only the leader reconciles).
import type { Client } from '../client/client.js';
import { InformerFactory } from '../client/informer.js';
import type { Clock } from '../client/clock.js';
import { realClock } from '../client/clock.js';
import type { LogFn } from '../client/log.js';
import { discardLog, errorText } from '../client/log.js';
import { runAsLeader } from '../client/run-as-leader.js';
import { startReplicaSetController } from './replicaset/index.js';
import { startDeploymentController } from './deployment/index.js';
import { startReplicationManager } from './replication/index.js';
import { startStatefulSetController } from './statefulset/index.js';
import { startDaemonSetController } from './daemonset/index.js';
import { startGarbageCollectorController } from './garbagecollector/index.js';
import { startNamespaceController } from './namespace/index.js';
import { startServiceAccountController } from './serviceaccount/index.js';
import { startEndpointsController } from './endpoints/index.js';
import { startEndpointSliceController } from './endpointslice/index.js';
import { startNodeLifecycleController } from './nodelifecycle/index.js';
import { startRootCACertPublisher } from './rootcacertpublisher/index.js';
import { startPodGCController } from './podgc/index.js';
import { startHorizontalPodAutoscalerController } from './podautoscaler/index.js';
import { startNodeIpamController } from './nodeipam/index.js';
import { startServiceLBController } from './servicelb/index.js';
import { startJobController } from './job/index.js';
import { startTTLAfterFinishedController } from './ttlafterfinished/index.js';
import { startValidatingAdmissionPolicyStatusController } from './validatingadmissionpolicystatus/index.js';
import { startDisruptionController } from './disruption/index.js';
import { startResourceQuotaController } from './resourcequota/index.js';
import { startCronJobController } from './cronjob/index.js';
import { startCSRSigningController } from './csrsigning/index.js';
import { startTokensController } from './serviceaccounttoken/index.js';
import type { KeyPairPem, ServiceAccountKeyPair } from '../pki/index.js';
import { localPathDirectories, startLocalPathProvisioner, startPersistentVolumeBinderController, startStorageProtectionController } from './volume/index.js';
import { startClusterRoleAggregationController } from './clusterroleaggregation/index.js';
import type { WorkqueueMetricsProvider } from '../client/workqueue-metrics.js';

export interface ControllerManagerOptions {
  /** The controller manager's own client (leader election; controllers without clientFor). */
  client: Client;
  /**
   * Each controller's client, by controller name (upstream's --use-service-account-credentials: every controller
   * calls as its own service account in kube-system, bound to its system:controller:* role).
   */
  clientFor?: (controller: string) => Client;
  /** Shared informers (e.g. with the scheduler in the same process); default: a factory of its own per term. */
  informers?: InformerFactory;
  identity: string;
  signal: AbortSignal;
  clock?: Clock;
  log?: LogFn;
  /** Node lifecycle: seconds without a Lease renewal before a node is marked Unknown (upstream default 40). */
  nodeMonitorGracePeriodSeconds?: number;
  /** The cluster CA bundle (PEM) the root CA publisher puts in every namespace; without it that controller is off. */
  clusterCA?: string;
  /** Pod GC: seconds a node must stay missing before its pods are deleted (upstream 40; tests shorten it). */
  podGCQuarantineSeconds?: number;
  /** Node IPAM: the cluster CIDR each Node's spec.podCIDR (/24) is taken from; default 10.244.0.0/16. */
  clusterCIDR?: string;
  /** The service-account signing key the tokens controller signs legacy Secret tokens with; without it that controller is off. */
  serviceAccountKey?: ServiceAccountKeyPair;
  /** The cluster CA key pair the CSR signer signs with; without it that controller is off. */
  clusterSigning?: KeyPairPem;
  /** Where the built-in local-path provisioner keeps volume directories (NANOKUBE_HOME/storage); absent = it creates none. */
  storageRoot?: string;
  /** How often each HorizontalPodAutoscaler is evaluated, in seconds (upstream 15; tests shorten it). */
  hpaSyncPeriodSeconds?: number;
  /** Where the controllers' work queues report workqueue_* metrics (GET /metrics); none without it. */
  workqueueMetrics?: WorkqueueMetricsProvider;
  /** Leader election; off only for tests that run a single manager and want no Lease traffic. */
  leaderElection?: boolean;
}

/** What the individual controllers are configured with (as kube-controller-manager's flags). */
type ControllerSettings = Pick<ControllerManagerOptions, 'nodeMonitorGracePeriodSeconds' | 'clusterCA' | 'podGCQuarantineSeconds' | 'clusterCIDR' | 'clusterSigning' | 'serviceAccountKey' | 'storageRoot' | 'hpaSyncPeriodSeconds'>;

type Starter = (o: { client: Client; informers: InformerFactory; clock: Clock; signal: AbortSignal; log: LogFn; workqueueMetrics?: WorkqueueMetricsProvider }) => Promise<void>;

export function controllerStarters(opts: ControllerSettings): Record<string, Starter> {
  const rootCA = opts.clusterCA;
  const publisher: Record<string, Starter> = rootCA ? { 'root-ca-cert-publisher': (o) => startRootCACertPublisher({ ...o, rootCA }) } : {};
  return {
    replicaset: (o) => startReplicaSetController(o),
    deployment: (o) => startDeploymentController(o),
    replicationcontroller: (o) => startReplicationManager(o),
    statefulset: (o) => startStatefulSetController(o),
    daemonset: (o) => startDaemonSetController(o),
    job: (o) => startJobController(o),
    'ttl-after-finished': (o) => startTTLAfterFinishedController(o),
    cronjob: (o) => startCronJobController(o),
    garbagecollector: (o) => startGarbageCollectorController(o),
    namespace: (o) => startNamespaceController(o),
    serviceaccount: (o) => startServiceAccountController(o),
    endpoints: (o) => startEndpointsController(o),
    endpointslice: (o) => startEndpointSliceController(o),
    servicelb: (o) => startServiceLBController(o),
    disruption: (o) => startDisruptionController(o),
    resourcequota: (o) => startResourceQuotaController(o),
    nodeipam: (o) => startNodeIpamController({ ...o, ...(opts.clusterCIDR ? { clusterCIDR: opts.clusterCIDR } : {}) }),
    nodelifecycle: (o) => startNodeLifecycleController({ ...o, ...(opts.nodeMonitorGracePeriodSeconds ? { nodeMonitorGracePeriodMs: opts.nodeMonitorGracePeriodSeconds * 1000 } : {}) }),
    ...publisher,
    ...(opts.serviceAccountKey && rootCA ? { 'serviceaccount-token': ((key, ca) => (o) => startTokensController({ ...o, key, rootCA: ca }))(opts.serviceAccountKey, rootCA) as Starter } : {}),
    ...(opts.clusterSigning ? { csrsigning: ((ca) => (o) => startCSRSigningController({ ...o, ca }))(opts.clusterSigning) as Starter } : {}),
    'persistentvolume-binder': (o) => startPersistentVolumeBinderController(o),
    'local-path-provisioner': (o) => startLocalPathProvisioner({ ...o, ...(opts.storageRoot ? { directories: localPathDirectories(opts.storageRoot) } : {}) }),
    'storage-protection': (o) => startStorageProtectionController(o),
    'clusterrole-aggregation': (o) => startClusterRoleAggregationController(o),
    'validatingadmissionpolicy-status': (o) => startValidatingAdmissionPolicyStatusController(o),
    horizontalpodautoscaling: (o) => startHorizontalPodAutoscalerController({ ...o, ...(opts.hpaSyncPeriodSeconds !== undefined ? { syncPeriodMs: opts.hpaSyncPeriodSeconds * 1000 } : {}) }),
    podgc: (o) => startPodGCController({ ...o, ...(opts.podGCQuarantineSeconds !== undefined ? { quarantineMs: opts.podGCQuarantineSeconds * 1000 } : {}) }),
  };
}

/** Controllers that run with the controller manager's own credentials, as upstream's (the tokens controller). */
const ROOT_CREDENTIAL_CONTROLLERS = new Set(['serviceaccount-token']);

/** Runs every controller until `signal` aborts. Resolves once all have stopped. */
export async function runControllers(opts: { client: Client; clientFor?: (controller: string) => Client; informers?: InformerFactory; clock: Clock; signal: AbortSignal; log: LogFn; workqueueMetrics?: WorkqueueMetricsProvider } & ControllerSettings): Promise<void> {
  const informers = opts.informers ?? new InformerFactory(opts.client);
  const starters = controllerStarters(opts);
  await Promise.all(Object.entries(starters).map(async ([name, start]) => {
    try { await start({ client: (ROOT_CREDENTIAL_CONTROLLERS.has(name) ? undefined : opts.clientFor?.(name)) ?? opts.client, informers, clock: opts.clock, signal: opts.signal, log: opts.log, ...(opts.workqueueMetrics ? { workqueueMetrics: opts.workqueueMetrics } : {}) }); }
    catch (e) { if (!opts.signal.aborted) opts.log({ level: 'error', msg: 'controller stopped with an error', controller: name, error: errorText(e) }); }
  }));
}

export async function runControllerManager(opts: ControllerManagerOptions): Promise<void> {
  const clock = opts.clock ?? realClock;
  const log = opts.log ?? discardLog;
  if (opts.leaderElection === false) return runControllers({ ...opts, clock, log });
  await runAsLeader({ client: opts.client, identity: opts.identity, lease: 'kube-controller-manager', clock, log, signal: opts.signal,
    run: (signal) => runControllers({ ...opts, clock, log, signal }) });
}
