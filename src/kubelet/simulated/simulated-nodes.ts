// Simulated nodes, kwok-style: registered Node objects with capacity whose pods a tiny in-process kubelet marks
// Running and Ready, so no process or container ever runs. Built to scale to thousands of nodes in one process:
//  - one shared pod informer and one shared node informer for all simulated nodes (pods indexed by spec.nodeName),
//    never a watch per node;
//  - one timer wheel renews every node's Lease (renewIntervalMs, 10 s as the kubelet);
//  - every API write goes through one WriteLimiter (at most maxInflightWrites at once, Lease renewals first),
//    fed by two keyed work queues (pods; node leases and status), so a burst of 10 000 pods neither floods the
//    API nor loses a pod: the queue holds each key once and retries failures with backoff.
//
// What each simulated kubelet does, as upstream's:
//  - registers its Node (POST, status included) and creates its Lease in kube-node-lease, owned by the Node;
//  - renews the Lease; posts node status again when it is stale (nodeStatusReportIntervalMs, 5 min upstream) or
//    when someone else changed the kubelet's conditions (the node lifecycle controller marking it Unknown);
//  - podStartDelayMs after a pod bound to it first appears, writes pods/status: Running, Ready, podIP from the
//    node's podCIDR, one running containerStatus per container;
//  - when a pod gets a deletionTimestamp, "stops its containers" for podStopDelayMs and confirms with
//    DELETE gracePeriodSeconds=0 (uid precondition), so graceful deletion finishes promptly.
// fail(name) makes a node's kubelet go silent (no lease renewals, no status, no pod updates), as a dead kubelet;
// the node lifecycle controller then marks it NotReady/Unknown. recover(name) brings it back.
//
// Restart-safe: Nodes labelled type=simulated whose names are `${namePrefix}<n>` are adopted, not created again;
// pods already Running keep their status and IP.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { isAlreadyExists, isNotFound } from '../../api/errors.js';
import type { Client } from '../../client/client.js';
import { resources } from '../../api/resources.js';
import type { KubeObject } from '../../api/object.js';
import { realClock, type Clock } from '../../client/clock.js';
import { runController } from '../../client/controller.js';
import type { InformerFactory, SharedInformer } from '../../client/informer.js';
import { deletedObject, metaNamespaceKey } from '../../client/keys.js';
import { errorText, stderrLog, type LogFn } from '../../client/log.js';
import { ItemExponentialFailureRateLimiter, RateLimitingQueue } from '../../client/workqueue.js';
import { PodIPAllocator } from './ip-allocator.js';
import { LeaseWheel } from './lease-wheel.js';
import {
  defaultCapacity, MAX_SIMULATED_NODES, NODE_LEASE_NAMESPACE, nodeIndex, nodeInternalIP, nodeName, nodeObject,
  nodePodCIDR, SIMULATED_LABEL, SIMULATED_LABEL_VALUE,
} from './node-template.js';
import { SimulatedPods } from './simulated-pods.js';
import { postSimulatedNodeStatus, renewSimulatedLease, type SimulatedNodeState } from './simulated-node-status.js';
import type { Lease } from '../../client/leader-election.js';
import { WriteLimiter } from './write-limiter.js';
import { podNodeNameIndex, podNodeNameIndexers } from '../../client/indexes.js';
import { quantityNumber } from '../../api/quantity.js';
import type { Summary } from '../stats/summary.js';
import { simulatedSummary } from './simulated-stats.js';

export interface SimulatedNodesOptions {
  /** For what no kubelet does itself (removing a node, as an administrator would), and every node without clientFor. */
  client: Client;
  /** Each simulated kubelet's own client (identity system:node:<name>), so the Node authorizer sees who asks. */
  clientFor?: (nodeName: string) => Client;
  /** The shared factory: the pods and nodes informers are shared with every other component using it. */
  informers: InformerFactory;
  /** Nodes `${namePrefix}0` .. `${namePrefix}${count-1}` exist after start (created or adopted). */
  count: number;
  /** Default "sim-node-". */
  namePrefix?: string;
  /** status.capacity (= allocatable); merged over cpu 32, memory 256Gi, pods 110, ephemeral-storage 100Gi. */
  capacity?: { cpu?: string; memory?: string; pods?: string; [resource: string]: string | undefined };
  /** Time from a pod first being seen on a node to its Running/Ready status write. Default 200; 0 allowed. */
  podStartDelayMs?: number;
  /** Time from a pod's deletionTimestamp to the kubelet's DELETE gracePeriodSeconds=0. Default 100. */
  podStopDelayMs?: number;
  /** spec.leaseDurationSeconds of each node Lease. Default 40 (kubelet's nodeLeaseDurationSeconds). */
  leaseDurationSeconds?: number;
  /** How often each Lease is renewed. Default 10 000 (a quarter of the lease duration, as the kubelet). */
  renewIntervalMs?: number;
  /** Node status is posted at least this often even when unchanged. Default 300 000 (kubelet's 5 min). */
  nodeStatusReportIntervalMs?: number;
  /** API writes in flight at once, over all simulated nodes. Default 32. */
  maxInflightWrites?: number;
  clock?: Clock;
  /** Aborting stops every simulated kubelet (as stop() does). Nodes are left registered, as a stopped kubelet's. */
  signal: AbortSignal;
  log?: LogFn;
}

export interface SimulatedNodes {
  /** Registers n more nodes (numbered after the highest existing one); resolves with their names once created. */
  add(n: number): Promise<string[]>;
  /** The node's kubelet goes silent: no Lease renewals, no node status, no pod status or deletions. */
  fail(name: string): void;
  /** The node's kubelet comes back: renews its Lease and posts Ready at once, then catches up with its pods. */
  recover(name: string): void;
  /** Stops simulating the node and deletes its Node and Lease. Its pods are left to the pod GC controller. */
  remove(name: string): Promise<void>;
  /** Names of the simulated nodes (failed ones included), in index order. */
  names(): string[];
  /** Whether fail() holds for the node. */
  isFailed(name: string): boolean;
  /** The node's synthetic Summary (simulated-stats.ts); undefined for a node not simulated here or failed. */
  summary(name: string): Summary | undefined;
  /** Stops every simulated kubelet and resolves when in-flight writes are done. Nodes stay registered. */
  stop(): Promise<void>;
}

interface SimNode extends SimulatedNodeState {
  hostIP: string;
  ips: PodIPAllocator;
  failed: boolean;
  /** The Lease last read or written; renewals PUT it with its resourceVersion. */
  lease?: Lease;
}

/** The shared pods-by-node index (client/indexes.ts); this name stays for importers of the kubelet package. */
export const podsByNodeIndex = podNodeNameIndex;

export async function startSimulatedNodes(opts: SimulatedNodesOptions): Promise<SimulatedNodes> {
  const { client } = opts;
  const nodeClients = new Map<string, Client>();
  const clientOf = (name: string): Client => {
    if (!opts.clientFor) return client;
    let c = nodeClients.get(name);
    if (!c) nodeClients.set(name, c = opts.clientFor(name));
    return c;
  };
  const clock = opts.clock ?? realClock;
  const log = opts.log ?? stderrLog;
  const prefix = opts.namePrefix ?? 'sim-node-';
  const startDelay = Math.max(0, opts.podStartDelayMs ?? 200);
  const stopDelay = Math.max(0, opts.podStopDelayMs ?? 100);
  const leaseDurationSeconds = opts.leaseDurationSeconds ?? 40;
  const renewIntervalMs = opts.renewIntervalMs ?? 10_000;
  const reportIntervalMs = opts.nodeStatusReportIntervalMs ?? 300_000;
  const capacity: Record<string, string> = { ...defaultCapacity };
  for (const [k, v] of Object.entries(opts.capacity ?? {})) if (v !== undefined) capacity[k] = v;
  if (!Number.isInteger(opts.count) || opts.count < 0) throw new Error(`simulated node count must be a whole number ≥ 0, not ${opts.count}`);
  if (opts.count > MAX_SIMULATED_NODES) throw new Error(`at most ${MAX_SIMULATED_NODES} simulated nodes are supported`);

  const ac = new AbortController();
  const signal = ac.signal;
  const onOuterAbort = () => ac.abort();
  if (opts.signal.aborted) ac.abort(); else opts.signal.addEventListener('abort', onOuterAbort, { once: true });

  const limiter = new WriteLimiter(opts.maxInflightWrites ?? 32);
  const nodes = new Map<string, SimNode>();
  const pods = new SimulatedPods({ clientFor: clientOf, clock, log, startDelayMs: startDelay, stopDelayMs: stopDelay, run: (w) => limiter.run('normal', w) });
  const high = <T>(w: () => Promise<T>) => limiter.run('high', w);
  const retry = () => new ItemExponentialFailureRateLimiter<string>(10, 30_000);
  const podQueue = new RateLimitingQueue<string>({ clock, name: 'simulated-kubelet-pods', rateLimiter: retry() });
  const nodeQueue = new RateLimitingQueue<string>({ clock, name: 'simulated-kubelet-nodes', rateLimiter: retry() });
  const wheel = new LeaseWheel({ clock, intervalMs: renewIntervalMs, onDue: (names) => { for (const n of names) nodeQueue.add(`lease:${n}`); } });

  const podInformer = opts.informers.informerFor<Pod & KubeObject>(resources.pods, { indexers: podNodeNameIndexers });
  const nodeInformer = opts.informers.informerFor<Node & KubeObject>(resources.nodes);
  const startedAt = Date.now();
  // The caller's signal, not ours: the informers are shared, and stop() must not stop other components' caches.
  opts.informers.start(opts.signal);
  if (!(await podInformer.waitForSync(signal)) || !(await nodeInformer.waitForSync(signal))) {
    throw new Error('simulated nodes: stopped before the pod and node caches synced');
  }

  const simNode = (name: string, index: number, uid: string | undefined, podCIDR: string | undefined): SimNode => {
    let ips: PodIPAllocator;
    try { ips = new PodIPAllocator(podCIDR ?? nodePodCIDR(index)); } catch { ips = new PodIPAllocator(nodePodCIDR(index)); }
    return { name, index, uid, hostIP: nodeInternalIP(index), ips, failed: false, statusPosted: false };
  };

  const enqueuePodsOf = (name: string) => {
    for (const p of podInformer.byIndex(podsByNodeIndex, name)) podQueue.add(metaNamespaceKey(p));
  };

  /** Starts simulating a node whose Node object exists. */
  const manage = (n: SimNode) => {
    if (nodes.has(n.name)) return;
    nodes.set(n.name, n);
    wheel.add(n.name);
    nodeQueue.add(`lease:${n.name}`);
    nodeQueue.add(`status:${n.name}`);
    for (const p of podInformer.byIndex(podsByNodeIndex, n.name)) observePod(p);
  };

  // --- adoption ----------------------------------------------------------------------------------------------
  for (const node of nodeInformer.list()) {
    const name = node.metadata?.name ?? '';
    const index = nodeIndex(prefix, name);
    if (index === undefined || node.metadata?.labels?.[SIMULATED_LABEL] !== SIMULATED_LABEL_VALUE) continue;
    nodes.set(name, simNode(name, index, node.metadata?.uid, node.spec?.podCIDR));
  }
  const adopted = nodes.size;

  // --- pods --------------------------------------------------------------------------------------------------
  function observePod(pod: Pod) {
    const node = nodes.get(pod.spec?.nodeName ?? '');
    if (node && pods.observe(pod, node)) podQueue.add(metaNamespaceKey(pod));
  }
  function forgetPod(pod: Pod) {
    pods.forget(pod, nodes.get(pod.spec?.nodeName ?? ''));
  }

  async function reconcilePod(key: string): Promise<void | { requeueAfter: number }> {
    const pod = podInformer.get(key) as Pod | undefined;
    const node = nodes.get(pod?.spec?.nodeName ?? '');
    if (!pod || !node || !pod.metadata?.uid || node.failed || signal.aborted) return;
    return pods.sync(pod, node, key);
  }

  // --- node lease and status (shared with the real kubelet) ----------------------------------------------------
  async function postNodeStatus(node: SimNode): Promise<void | { requeueAfter: number }> {
    const cached = nodeInformer.getByName(undefined, node.name) as Node | undefined;
    if (!cached) return; // not in the cache yet: its ADDED event enqueues this again
    return postSimulatedNodeStatus(clientOf(node.name), node, cached, { nowMs: clock.now(), reportIntervalMs, capacity, run: high });
  }

  async function reconcileNode(key: string): Promise<void | { requeueAfter: number }> {
    const [what, name] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
    const node = nodes.get(name);
    if (!node || node.failed || signal.aborted) return;
    if (what === 'lease') return renewSimulatedLease(clientOf(node.name), node, clock.now(), leaseDurationSeconds, high);
    return postNodeStatus(node);
  }

  // --- registration ------------------------------------------------------------------------------------------
  async function register(index: number): Promise<SimNode> {
    const name = nodeName(prefix, index);
    let created: Node;
    try {
      created = await limiter.run('normal', () => clientOf(name).create<Node & KubeObject>(resources.nodes, undefined, nodeObject({ name, index, capacity }, clock.now()) as KubeObject));
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      created = await clientOf(name).get<Node & KubeObject>(resources.nodes, undefined, name);
      if (created.metadata?.labels?.[SIMULATED_LABEL] !== SIMULATED_LABEL_VALUE) {
        throw new Error(`node ${name} already exists and is not a simulated node (label ${SIMULATED_LABEL}=${SIMULATED_LABEL_VALUE} missing)`);
      }
      manage(simNode(name, index, created.metadata?.uid, created.spec?.podCIDR));
      return nodes.get(name)!;
    }
    manage(simNode(name, index, created.metadata?.uid, created.spec?.podCIDR));
    const n = nodes.get(name)!;
    n.statusPosted = true; // the POST carried the full status
    return n;
  }

  async function registerAll(indices: number[]): Promise<string[]> {
    const results = await Promise.allSettled(indices.map((i) => register(i)));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length) throw new Error(`could not register ${failed.length} of ${indices.length} simulated nodes: ${errorText(failed[0].reason)}`);
    return (results as PromiseFulfilledResult<SimNode>[]).map((r) => r.value.name);
  }

  // --- wiring ------------------------------------------------------------------------------------------------
  const removePodHandler = podInformer.addEventHandler({
    onAdd: (p) => observePod(p),
    onUpdate: (_old, p) => observePod(p),
    onDelete: (p) => forgetPod(deletedObject(p)),
  });
  const removeNodeHandler = nodeInformer.addEventHandler({
    onAdd: (n) => nodeChanged(n),
    onUpdate: (_old, n) => nodeChanged(n),
    onDelete: (obj) => {
      const name = deletedObject(obj).metadata?.name ?? '';
      if (!nodes.has(name)) return;
      // Someone deleted the Node: like a kubelet whose registration is gone, stop posting for it.
      nodes.delete(name);
      wheel.remove(name);
      log({ level: 'info', msg: 'simulated node deleted; no longer simulating it', node: name });
    },
  });
  function nodeChanged(n: Node) {
    const sim = nodes.get(n.metadata?.name ?? '');
    if (!sim) {
      // A simulated Node registered by someone else at runtime (`nanokube node add`, or kubectl apply of a Node
      // labelled type=simulated named <prefix><n>) is taken over, as kwok takes over the nodes it is told to.
      const name = n.metadata?.name ?? '';
      const index = nodeIndex(prefix, name);
      if (index !== undefined && n.metadata?.labels?.[SIMULATED_LABEL] === SIMULATED_LABEL_VALUE && !n.metadata?.deletionTimestamp && !signal.aborted) {
        manage(simNode(name, index, n.metadata?.uid, n.spec?.podCIDR));
        log({ level: 'info', msg: 'simulated node registered at runtime; simulating it', node: name });
      }
      return;
    }
    sim.uid = n.metadata?.uid ?? sim.uid;
    if (!sim.failed) nodeQueue.add(`status:${sim.name}`);
  }

  // Adopted nodes: leases, status and their pods (the handler's replay above saw the pods already).
  for (const n of nodes.values()) { wheel.add(n.name); nodeQueue.add(`lease:${n.name}`); nodeQueue.add(`status:${n.name}`); }

  const controllers = [
    runController({ name: 'simulated-kubelet-pods', informers: [podInformer, nodeInformer], workers: limiter.limit, queue: podQueue, reconcile: reconcilePod, signal, log }),
    runController({ name: 'simulated-kubelet-nodes', informers: [podInformer, nodeInformer], workers: Math.min(16, limiter.limit), queue: nodeQueue, reconcile: reconcileNode, signal, log }),
  ];
  wheel.start();
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      ac.abort();
      wheel.stop();
      removePodHandler();
      removeNodeHandler();
      opts.signal.removeEventListener('abort', onOuterAbort);
      await Promise.allSettled(controllers);
    })();
    return stopped;
  };
  signal.addEventListener('abort', () => { void stop(); }, { once: true });

  const missing: number[] = [];
  for (let i = 0; i < opts.count; i++) if (!nodes.has(nodeName(prefix, i))) missing.push(i);
  try {
    await registerAll(missing);
  } catch (e) {
    await stop();
    throw e;
  }
  log({ level: 'info', msg: 'simulated nodes started', nodes: nodes.size, adopted, created: missing.length, prefix });

  const mustGet = (name: string) => {
    const n = nodes.get(name);
    if (!n) throw new Error(`no simulated node named ${JSON.stringify(name)}`);
    return n;
  };

  return {
    async add(count: number) {
      if (!Number.isInteger(count) || count < 0) throw new Error(`cannot add ${count} simulated nodes`);
      if (signal.aborted) throw new Error('simulated nodes are stopped');
      let next = 0;
      for (const n of nodes.values()) next = Math.max(next, n.index + 1);
      if (next + count > MAX_SIMULATED_NODES) throw new Error(`at most ${MAX_SIMULATED_NODES} simulated nodes are supported`);
      return registerAll(Array.from({ length: count }, (_, k) => next + k));
    },
    fail(name) {
      const n = mustGet(name);
      if (n.failed) return;
      n.failed = true;
      wheel.remove(name);
      log({ level: 'info', msg: 'simulated node failed: kubelet stopped posting', node: name });
    },
    recover(name) {
      const n = mustGet(name);
      if (!n.failed) return;
      n.failed = false;
      n.statusPosted = false;
      wheel.add(name);
      nodeQueue.add(`lease:${name}`);
      nodeQueue.add(`status:${name}`);
      enqueuePodsOf(name);
      log({ level: 'info', msg: 'simulated node recovered', node: name });
    },
    async remove(name) {
      mustGet(name);
      nodes.delete(name);
      wheel.remove(name);
      for (const [res, ns] of [[resources.nodes, undefined], [resources.leases, NODE_LEASE_NAMESPACE]] as const) {
        try { await limiter.run('high', () => client.delete(res, ns, name)); }
        catch (e) { if (!isNotFound(e)) throw e; }
      }
    },
    names() {
      return [...nodes.values()].sort((a, b) => a.index - b.index).map((n) => n.name);
    },
    isFailed(name) { return mustGet(name).failed; },
    summary(name) {
      const n = nodes.get(name);
      if (!n || n.failed) return undefined;
      const node = nodeInformer.get(name) as Node | undefined;
      const start = Date.parse(node?.metadata?.creationTimestamp ?? '') || startedAt;
      return simulatedSummary(name, start, podInformer.byIndex(podsByNodeIndex, name), Date.now(), quantityNumber(node?.status?.allocatable?.memory) || 0);
    },
    stop,
  };
}
