// Test helpers: Node and Pod objects as a kubelet and a ReplicaSet controller would write them, and a cluster
// made of the client's FakeApiHandler with a running scheduler.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { Client } from '../client/client.js';
import { resources } from '../api/resources.js';
import { FakeApiHandler } from '../client/testing.js';
import { InformerFactory } from '../client/informer.js';
import { discardLog } from '../client/log.js';
import { inProcessTransport } from '../client/transport.js';
import type { ApiHandler } from '../api/transport.js';
import { startScheduler, type RunningScheduler, type SchedulerOptions } from './scheduler.js';

export interface NodeSpec {
  cpu?: string; memory?: string; pods?: string;
  labels?: Record<string, string>;
  taints?: { key: string; value?: string; effect: string }[];
  unschedulable?: boolean;
  ready?: 'True' | 'False' | 'Unknown';
}

export function makeNode(name: string, s: NodeSpec = {}): Node {
  const capacity = { cpu: s.cpu ?? '4', memory: s.memory ?? '8Gi', pods: s.pods ?? '110', 'ephemeral-storage': '100Gi' };
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...s.labels } },
    spec: { ...(s.taints ? { taints: s.taints } : {}), ...(s.unschedulable ? { unschedulable: true } : {}) },
    status: {
      capacity, allocatable: capacity,
      conditions: [{ type: 'Ready', status: s.ready ?? 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
    },
  };
}

export interface PodSpecOpts {
  namespace?: string;
  cpu?: string; memory?: string;
  nodeSelector?: Record<string, string>;
  tolerations?: Pod['spec'] extends infer S ? S extends { tolerations?: infer T } ? T : never : never;
  affinity?: NonNullable<Pod['spec']>['affinity'];
  owner?: { kind: string; name: string; uid: string };
  schedulerName?: string;
  priority?: number;
  creationTimestamp?: string;
}

export function makePod(name: string, o: PodSpecOpts = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, namespace: o.namespace ?? 'default', labels: { app: 'web' },
      ...(o.creationTimestamp ? { creationTimestamp: o.creationTimestamp } : {}),
      ...(o.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: o.owner.kind, name: o.owner.name, uid: o.owner.uid, controller: true }] } : {}),
    },
    spec: {
      schedulerName: o.schedulerName ?? 'default-scheduler',
      containers: [{ name: 'app', image: 'nginx', resources: { requests } }],
      ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
      ...(o.tolerations ? { tolerations: o.tolerations } : {}),
      ...(o.affinity ? { affinity: o.affinity } : {}),
      ...(o.priority !== undefined ? { priority: o.priority } : {}),
    },
    status: { phase: 'Pending' },
  };
}

export interface FakeCluster {
  api: FakeApiHandler;
  client: Client;
  scheduler: RunningScheduler;
  addNode(n: Node): void;
  addPod(p: Pod): void;
  pod(name: string, namespace?: string): Pod | undefined;
  /** Events of the pod, oldest first. */
  events(podName: string): Promise<{ type: string; reason: string; message: string; count?: number }[]>;
}

/** A FakeApiHandler-backed cluster with the scheduler running; everything stops in t.after. */
export async function startFakeCluster(
  t: { after(fn: () => unknown): void },
  opts: { wrapHandler?: (h: ApiHandler) => ApiHandler; scheduler?: Partial<SchedulerOptions> } = {},
): Promise<FakeCluster> {
  const api = new FakeApiHandler();
  const handler = opts.wrapHandler ? opts.wrapHandler(api.handler) : api.handler;
  const client = new Client(inProcessTransport(handler));
  const ac = new AbortController();
  const informers = new InformerFactory(client, { log: discardLog });
  const scheduler = await startScheduler({ client, informers, signal: ac.signal, log: discardLog, ...opts.scheduler });
  t.after(async () => { await scheduler.stop(); ac.abort(); await informers.stopped(); });
  return {
    api, client, scheduler,
    addNode: (n) => { api.put('', 'nodes', n as any); },
    addPod: (p) => { api.put('', 'pods', p as any); },
    pod: (name, ns = 'default') => api.peek('', 'pods', ns, name) as Pod | undefined,
    events: async (podName) => {
      const list = await client.list(resources.events);
      return list.items.filter((e) => e.involvedObject?.name === podName)
        .sort((a, b) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1))
        .map((e) => ({ type: e.type, reason: e.reason, message: e.message, count: e.count }));
    },
  };
}

/** Polls cond (real time) until true; fails the test with `what` otherwise. */
export async function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting until ${what}`);
}
