// The kubelet of the real node (upstream's pkg/kubelet, in its shape): it registers its Node (capacity, addresses
// and nodeInfo from the host), posts node status and renews its Lease, watches only the pods bound to it
// (fieldSelector spec.nodeName=<node>), and runs one pod worker per pod against the CRI-shaped runtime (see
// pod-syncer.ts). A relist of the runtime every second (upstream's PLEG) wakes the worker of any pod whose containers
// changed state; housekeeping removes sandboxes of pods the API no longer has (after a crash, or a force delete).
//
// The node is Ready once the runtime is up and, for a runtime with a pod network, has its podCIDR (given by the
// node IPAM controller): until then it reports Ready=False with upstream's "container runtime network not ready".
import { DEFAULT_CLUSTER_DNS_IP, DEFAULT_CLUSTER_DOMAIN, defaultHostResolvConfPath, readHostResolvConf } from './dns-config.js';
import type { Node, NodeCondition, Pod, Service } from 'kubernetes-types/core/v1.js';
import { isAlreadyExists, isNotFound } from '../api/errors.js';
import type { Client } from '../client/client.js';
import { resources } from '../api/resources.js';
import type { KubeObject } from '../api/object.js';
import { realClock, type Clock, type TimerHandle } from '../client/clock.js';
import { EventSender } from './event-sender.js';
import { InformerFactory } from '../client/informer.js';
import { deletedObject } from '../client/keys.js';
import { errorText, stderrLog, type LogFn } from '../client/log.js';
import { join } from 'node:path';
import { type ContainerConfigResolver, type LifecycleHooks, type ProbeHooks, type VolumeHooks } from './hooks.js';
import { DEFAULT_LEASE_RENEW_INTERVAL_MS, renewNodeLease, type NodeLeaseState } from './lease/node-lease.js';
import { conditionEvents, nodeStatusDueInMs, type NodeHealth } from './nodestatus/conditions.js';
import { hostFacts, hostNodeObject, hostNodeStatus, type HostFacts } from './nodestatus/host-node.js';
import { PodSyncer } from './pod-syncer.js';
import { PodWorkers } from './pod-workers.js';
import { POD_NAME_LABEL, POD_NAMESPACE_LABEL, POD_UID_LABEL } from './container-config.js';
import type { ContainerRuntime } from './runtime/runtime.js';
import { StatusManager } from './status/status-manager.js';
import { apiConfigResolver, listServicesForPod } from './envvars/index.js';
import { WatchBasedManager } from './manager/watch-based-manager.js';
import { apiTokenSource, VolumeManager, volumeHooks } from './volumes/index.js';
import { LifecycleHandlerRunner, ProbeManager } from './prober/index.js';

import { DEFAULT_NODE_NAME } from './node-name.js';
export { DEFAULT_NODE_NAME };

export interface KubeletOptions {
  client: Client;
  runtime: ContainerRuntime;
  /** NANOKUBE_HOME: logs/pods lives under it; its filesystem is the node's ephemeral-storage. */
  home: string;
  /** Default "nanokube". */
  nodeName?: string;
  /** The kubelet server's port, published as status.daemonEndpoints.kubeletEndpoint.Port. Default 10250. */
  kubeletPort?: number;
  config?: ContainerConfigResolver;
  volumes?: VolumeHooks;
  /** The probe manager, given a callback that asks for a pod's sync when a probe result changes. */
  probes?: (onChange: (podUid: string) => void) => ProbeHooks;
  lifecycle?: LifecycleHooks;
  clock?: Clock;
  log?: LogFn;
  /** Aborting stops the kubelet as stop() does. */
  signal: AbortSignal;
  /** Runtime relist period (upstream's PLEG relist, 1 s). */
  relistIntervalMs?: number;
  /** How often node status is checked (upstream's nodeStatusUpdateFrequency, 10 s). */
  nodeStatusUpdateIntervalMs?: number;
  /** Node status is posted at least this often even when unchanged (5 min upstream). */
  nodeStatusReportIntervalMs?: number;
  leaseRenewIntervalMs?: number;
  /** --cluster-dns (default [10.96.0.10], the kube-dns Service); [] = none (ClusterFirst pods fall back to Default). */
  clusterDNS?: string[];
  /** --cluster-domain (default cluster.local). */
  clusterDomain?: string;
  /** --resolv-conf: the host's resolver settings for dnsPolicy Default and the host search path. */
  resolvConf?: string;
}

export interface Kubelet {
  nodeName: string;
  /** Resolves once the node has been posted Ready. */
  ready: Promise<void>;
  /**
   * Stops the kubelet and every pod it runs (preStop hooks, SIGTERM, at most graceSeconds (default 5), SIGKILL), then the
   * runtime's own processes: `nanokube stop`. Pod objects and their statuses are left as they are, so the next
   * start recreates the pods, as a rebooted node's are.
   */
  stop(opts?: { graceSeconds?: number }): Promise<void>;
  /** The pods bound to this node, as the API last showed them (the kubelet server's /pods). */
  pods(): Pod[];
}

const podUidIndex = 'kubelet/uid';

export async function startKubelet(opts: KubeletOptions): Promise<Kubelet> {
  const { client, runtime } = opts;
  const clock = opts.clock ?? realClock;
  const log = opts.log ?? stderrLog;
  const nodeName = opts.nodeName ?? DEFAULT_NODE_NAME;
  const ac = new AbortController();
  const signal = ac.signal;
  const onOuterAbort = () => { void stop(); };
  opts.signal.addEventListener('abort', onOuterAbort, { once: true });

  const version = await runtime.version();
  const runtimeName = version.runtimeName;
  const facts: HostFacts = hostFacts({ home: opts.home, runtimeVersion: `${version.runtimeName}://${version.runtimeVersion}`, nodeName });
  const hostIPs = () => [facts.addresses[0].address];
  // Events are written in the background, after the work that records them (event-sender.ts).
  const recorder = new EventSender({ client, component: 'kubelet', host: nodeName, clock, log });

  const informers = new InformerFactory(client, { signal, log });
  const pods = informers.informerFor<Pod & KubeObject>(resources.pods, { fieldSelector: `spec.nodeName=${nodeName}`, indexers: { [podUidIndex]: (p) => [p.metadata?.uid ?? ''] } });
  const nodes = informers.informerFor<Node & KubeObject>(resources.nodes, { fieldSelector: `metadata.name=${nodeName}` });
  const podByUid = (uid: string) => pods.byIndex(podUidIndex, uid)[0] as Pod | undefined;
  // The Services behind pods' env vars come from a watch, as upstream's kubelet reads them (its service lister),
  // not from a LIST at each container start; until the first list arrives, from the API.
  const services = informers.informerFor<Service & KubeObject>(resources.services);
  const servicesForPod = async (namespace: string): Promise<Service[]> => {
    if (!services.hasSynced()) return listServicesForPod(client, namespace);
    const kubernetes = namespace === 'default' ? undefined : services.getByName('default', 'kubernetes');
    return kubernetes ? [...services.list(namespace), kubernetes] : services.list(namespace);
  };

  // Secrets and ConfigMaps come from watches of the objects pods reference (upstream's Watch strategy): a pod start
  // reads them from memory, and a change rewrites the referencing pods' volumes at once.
  const objects = new WatchBasedManager({
    client, log, onChange: (uids) => { for (const uid of uids) { const p = podByUid(uid); if (p) void volumes.update?.(p); } },
  });
  const volumeManager = opts.volumes ? undefined : new VolumeManager({
    rootDir: join(opts.home, 'kubelet'), objects, tokens: apiTokenSource(client, clock), nodeAllocatable: () => facts.capacity,
    clock, log, onEvent: (e) => { void recorder.event(e.pod as KubeObject, e.type, e.reason, e.message); },
  });
  const volumes = opts.volumes ?? volumeHooks(volumeManager!);
  const statusManager = new StatusManager({ client, clock, log, podByUid });
  let workers!: PodWorkers;
  let syncer!: PodSyncer;
  const probes = opts.probes?.((uid) => workers.update(uid)) ?? new ProbeManager({
    runtime, clock, log,
    recordEvent: (pod, c, type, reason, message) => syncer.event(pod, c, type, reason, message, (pod.spec?.initContainers ?? []).some((i) => i.name === c.name)),
    onUpdate: (u) => workers.update(u.podUid),
  });
  const resolvConfPath = opts.resolvConf ?? defaultHostResolvConfPath();
  syncer = new PodSyncer({
    runtime, runtimeName, nodeName, recorder, statusManager, clock, log, logsRoot: join(opts.home, 'logs', 'pods'),
    config: opts.config ?? apiConfigResolver({ client, objects, services: servicesForPod, nodeAllocatable: () => facts.capacity, warn: (p, reason, message) => { void recorder.event(p as KubeObject, 'Warning', reason, message); } }), volumes, probes, lifecycle: opts.lifecycle ?? new LifecycleHandlerRunner({ runtime, clock }), hostIPs,
    // The host's file is read for each new sandbox, as upstream's kubelet does, so an edit reaches new pods.
    dns: () => ({ clusterDNS: opts.clusterDNS ?? [DEFAULT_CLUSTER_DNS_IP], clusterDomain: opts.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN, host: readHostResolvConf(resolvConfPath) }),
  });

  /** Pods as last seen, so a pod deleted from the API can still be torn down properly. */
  const lastKnown = new Map<string, Pod>();
  const terminated = new Set<string>();
  workers = new PodWorkers({
    clock, log,
    async sync(uid) {
      const pod = podByUid(uid);
      if (!pod) {
        const last = lastKnown.get(uid);
        await syncer.terminate(last ?? orphanPod(uid), true);
        await syncer.cleanup(uid, last);
        lastKnown.delete(uid);
        terminated.delete(uid);
        objects.unregisterPod(uid);
        return { done: true };
      }
      lastKnown.set(uid, pod);
      if (pod.metadata?.deletionTimestamp) {
        if (!terminated.has(uid)) { await syncer.terminate(pod, false); terminated.add(uid); }
        return;
      }
      return syncer.sync(pod);
    },
  });

  // --- node registration, status and lease ------------------------------------------------------------------
  let networkReady = !runtime.updateRuntimeConfig;
  let configuredCIDR: string | undefined;
  let statusPosted = false;
  let markReady!: () => void;
  const ready = new Promise<void>((r) => { markReady = r; });
  const health = (): NodeHealth => (networkReady ? {} : {
    notReadyMessage: 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized',
  });
  const leaseState: NodeLeaseState = { name: nodeName };

  // Events about the node name it as upstream's kubelet does (nodeRef: the UID is the node's name).
  const nodeRef = { kind: 'Node', name: nodeName, uid: nodeName };
  const recordConditionEvents = (previous: NodeCondition[] | undefined, next: NodeCondition[] | undefined) => {
    for (const reason of conditionEvents(previous ?? [], next ?? [])) void recorder.event(nodeRef, 'Normal', reason, `Node ${nodeName} status is now: ${reason}`);
  };
  void recorder.event(nodeRef, 'Normal', 'Starting', 'Starting kubelet.');
  const register = async () => {
    const status = hostNodeStatus(facts, clock.now(), opts.kubeletPort ?? 10250, undefined, health());
    try {
      const created = await client.create<Node & KubeObject>(resources.nodes, undefined, hostNodeObject(nodeName, facts, status) as KubeObject);
      leaseState.uid = created.metadata?.uid;
      log({ level: 'info', msg: 'node registered', node: nodeName });
      recordConditionEvents([], status.conditions);
      statusPosted = true;
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      const existing = await client.get<Node & KubeObject>(resources.nodes, undefined, nodeName);
      leaseState.uid = existing.metadata?.uid;
      await postStatus(existing);
    }
    if (networkReady) markReady();
  };
  const postStatus = async (current: Node | undefined) => {
    const st = health();
    const status = hostNodeStatus(facts, clock.now(), opts.kubeletPort ?? 10250, current, st);
    await client.patch(resources.nodes, undefined, nodeName, 'merge', { status }, { subresource: 'status' });
    recordConditionEvents(current?.status?.conditions, status.conditions);
    statusPosted = true;
    if (!st.notReadyMessage) markReady();
  };
  let lastHealth = JSON.stringify(health());
  const syncNodeStatus = async () => {
    const node = nodes.getByName(undefined, nodeName) as Node | undefined;
    const h = JSON.stringify(health());
    const due = nodeStatusDueInMs(node?.status?.conditions ?? [], clock.now(), opts.nodeStatusReportIntervalMs ?? 300_000, statusPosted);
    if (h === lastHealth && due > 0 && node) return;
    lastHealth = h;
    try { await postStatus(node); } catch (e) {
      if (isNotFound(e)) { statusPosted = false; await register(); return; } // someone deleted the Node: register again
      throw e;
    }
  };
  const configureNetwork = async (node: Node | undefined) => {
    const cidr = node?.spec?.podCIDR;
    if (!cidr || cidr === configuredCIDR || !runtime.updateRuntimeConfig) return;
    configuredCIDR = cidr;
    try {
      await runtime.updateRuntimeConfig({ podCIDR: cidr });
      networkReady = true;
      log({ level: 'info', msg: 'pod network configured', node: nodeName, podCIDR: cidr });
      await syncNodeStatus();
      for (const p of pods.list()) workers.update(p.metadata!.uid!);
    } catch (e) {
      configuredCIDR = undefined;
      log({ level: 'error', msg: 'pod network configuration failed', podCIDR: cidr, error: errorText(e) });
    }
  };

  // --- timers ------------------------------------------------------------------------------------------------
  const timers = new Set<TimerHandle>();
  const every = (ms: number, fn: () => Promise<void>) => {
    const tick = () => {
      if (signal.aborted) return;
      void fn().catch((e) => { if (!signal.aborted) log({ level: 'warn', msg: 'kubelet loop failed', error: errorText(e) }); })
        .finally(() => { if (!signal.aborted) { const h = clock.setTimeout(() => { timers.delete(h); tick(); }, ms); timers.add(h); } });
    };
    tick();
  };

  /** Container states from the last relist, by container id. */
  let lastRelist = new Map<string, string>();
  const relist = async () => {
    const now = new Map<string, string>();
    const changed = new Set<string>();
    for (const c of await runtime.listContainers()) {
      const uid = c.labels[POD_UID_LABEL];
      now.set(c.id, c.state);
      if (uid && lastRelist.get(c.id) !== c.state) changed.add(uid);
    }
    lastRelist = now;
    if (!workersStarted) return;
    for (const uid of changed) if (podByUid(uid) || lastKnown.has(uid)) workers.update(uid);
  };
  const housekeeping = async () => {
    for (const s of await runtime.listPodSandbox()) {
      const uid = s.labels[POD_UID_LABEL] ?? s.metadata.uid;
      if (!podByUid(uid) && !workers.uids().includes(uid)) {
        lastKnown.set(uid, lastKnown.get(uid) ?? orphanPod(uid, s.metadata.name ?? s.labels[POD_NAME_LABEL], s.metadata.namespace ?? s.labels[POD_NAMESPACE_LABEL]));
        workers.update(uid);
      }
    }
  };

  let workersStarted = false;
  pods.addEventHandler({
    onAdd: (p) => { objects.registerPod(p); if (workersStarted) workers.update(p.metadata!.uid!); },
    // Status is the kubelet's own output: an update that changed only status (or bookkeeping) needs no sync, as
    // upstream's pod config ignores it.
    onUpdate: (o, p) => {
      if (!specChanged(o, p)) return;
      objects.registerPod(p);
      if (workersStarted) workers.update(p.metadata!.uid!);
    },
    onDelete: (o) => { const p = deletedObject(o); if (workersStarted && p.metadata?.uid) workers.update(p.metadata.uid); },
  });
  nodes.addEventHandler({
    onAdd: (n) => { void configureNetwork(n); },
    onUpdate: (_o, n) => { void configureNetwork(n); },
  });
  informers.start(signal);
  statusManager.start(signal);
  volumeManager?.start();

  await register();
  every(opts.leaseRenewIntervalMs ?? DEFAULT_LEASE_RENEW_INTERVAL_MS, () => renewNodeLease(client, leaseState, { nowMs: clock.now() }));
  if (!(await pods.waitForSync(signal)) || !(await nodes.waitForSync(signal))) throw new Error('kubelet: stopped before its caches synced');
  // Volumes of pods this node no longer runs (deleted while nanokube was down) go.
  await volumeManager?.cleanupOrphanedPods(new Set(pods.list().map((p) => p.metadata!.uid!))).catch((e) => log({ level: 'warn', msg: 'orphaned volume cleanup failed', error: errorText(e) }));
  await configureNetwork(nodes.getByName(undefined, nodeName) as Node | undefined);
  every(opts.nodeStatusUpdateIntervalMs ?? 10_000, syncNodeStatus);
  // Pods start syncing once the pod network is there (sandboxes need it); until then they stay Pending.
  void ready.then(() => {
    if (signal.aborted) return;
    workersStarted = true;
    for (const p of pods.list()) workers.update(p.metadata!.uid!);
    every(opts.relistIntervalMs ?? 1_000, relist);
    every(2_000, housekeeping);
  });
  log({ level: 'info', msg: 'kubelet started', node: nodeName, runtime: `${version.runtimeName}://${version.runtimeVersion}` });

  let stopping: Promise<void> | undefined;
  async function stop(o: { graceSeconds?: number } = {}): Promise<void> {
    stopping ??= (async () => {
      ac.abort();
      opts.signal.removeEventListener('abort', onOuterAbort);
      for (const h of timers) clock.clearTimeout(h);
      timers.clear();
      await workers.stop();
      probes.stop();
      await statusManager.stop();
      // Every pod's containers stop, each with its preStop hook and grace period (capped), all at once.
      const cap = o.graceSeconds ?? 5;
      const uids = new Set<string>();
      try { for (const s of await runtime.listPodSandbox()) uids.add(s.labels[POD_UID_LABEL] ?? s.metadata.uid); } catch { /* runtime gone */ }
      await Promise.allSettled([...uids].map(async (uid) => {
        const pod = podByUid(uid) ?? lastKnown.get(uid) ?? orphanPod(uid);
        const capped = structuredClone(pod);
        capped.metadata = { ...capped.metadata, deletionGracePeriodSeconds: Math.min(cap, pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30) };
        await syncer.terminate(capped, false, { writeStatus: false });
      }));
      await runtime.shutdown?.();
      await volumeManager?.shutdown();
      objects.stop();
      log({ level: 'info', msg: 'kubelet stopped', node: nodeName });
    })();
    return stopping;
  }

  return { nodeName, ready, stop, pods: () => pods.list() as Pod[] };
}

const KUBELET_POD_CONDITIONS = new Set(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);

/** Whether anything the kubelet acts on changed: all but status, except conditions others own (readiness gates). */
function specChanged(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) => JSON.stringify({
    ...o, metadata: { ...o.metadata, resourceVersion: undefined, managedFields: undefined, generation: undefined },
    status: ((o as Pod).status?.conditions ?? []).filter((c) => !KUBELET_POD_CONDITIONS.has(c.type)),
  });
  return strip(a) !== strip(b);
}

/** A stand-in for a pod known only from its sandbox (the API no longer has it). */
function orphanPod(uid: string, name = 'unknown', namespace = 'default'): Pod {
  return { metadata: { uid, name, namespace }, spec: { containers: [] } };
}
