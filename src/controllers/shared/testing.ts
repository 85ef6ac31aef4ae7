// Test support for the controllers (not shipped behaviour). TestCluster, for the workload controllers: an in-memory
// API built on the client package's FakeApiHandler, wrapped to add what the controllers depend on and the fake does
// not do — metadata.generation bumps on spec changes and status-subresource semantics for apps and batch objects — plus a
// kubelet stand-in that marks pods Running and Ready, and a hook to observe every request. FakeCluster (below), for
// the controllers that delete and finalize: the same fake with the apiserver's deletion semantics.
import assert from 'node:assert/strict';
import type { ApiHandler, ApiRequest, ApiResponse } from '../../api/transport.js';
import { Client } from '../../client/client.js';
import { resources } from '../../api/resources.js';
import { FakeClock, settle, FakeApiHandler, mergePatch } from '../../client/testing.js';
import { EventRecorder } from '../../client/events.js';
import { InformerFactory } from '../../client/informer.js';
import { discardLog } from '../../client/log.js';
import { inProcessTransport } from '../../client/transport.js';
import { semanticEqual } from '../../api/validation/index.js';
import { rfc3339 } from './time.js';
import type { Pod } from './types.js';

export type RequestHook = (req: ApiRequest, fake: FakeApiHandler) => Promise<ApiResponse | void> | ApiResponse | void;

// The workload resources with generation and a status subresource (core/v1 replicationcontrollers among them).
const workloads = '(deployments|replicasets|statefulsets|daemonsets|replicationcontrollers|jobs|cronjobs)';
const appsPath = new RegExp(`^/(?:apis/(apps|batch)/v1|api/v1)/namespaces/([^/]+)/${workloads}/([^/]+)(?:/(status))?$`);
const appsCollection = new RegExp(`^/(?:apis/(apps|batch)/v1|api/v1)/namespaces/([^/]+)/${workloads}$`);

/** Adds apiserver behaviour the controllers rely on to the fake: generation and the status subresource. */
function withApiSemantics(fake: FakeApiHandler, hooks: RequestHook[]): ApiHandler {
  return async (req) => {
    for (const h of hooks) {
      const r = await h(req, fake);
      if (r) return r;
    }
    const body = req.body?.length ? JSON.parse(req.body.toString('utf8')) : undefined;
    const coll = appsCollection.exec(req.path);
    if (coll && req.method === 'POST' && body) {
      body.metadata = { ...body.metadata, generation: 1 };
      body.status = {};
      return fake.handler({ ...req, body: Buffer.from(JSON.stringify(body)) });
    }
    const m = appsPath.exec(req.path);
    if (m && (req.method === 'PUT' || req.method === 'PATCH') && body) {
      const [, group, ns, resource, name, sub] = m;
      const cur = fake.peek(group ?? '', resource, ns, name);
      if (!cur) return fake.handler(req);
      let next = req.method === 'PUT' ? body : mergePatch(structuredClone(cur), body) as any;
      if (sub === 'status') {
        next = { ...next, spec: cur.spec, metadata: { ...next.metadata, generation: cur.metadata.generation, labels: cur.metadata.labels } };
      } else {
        const gen = cur.metadata.generation ?? 1;
        next = { ...next, status: cur.status, metadata: { ...next.metadata, generation: semanticEqual(next.spec, cur.spec) ? gen : gen + 1 } };
      }
      if (req.method === 'PUT') {
        return fake.handler({ ...req, path: req.path.replace(/\/status$/, ''), body: Buffer.from(JSON.stringify(next)) });
      }
      // A PATCH becomes a PUT of the merged object (keeping the patch's resourceVersion precondition, if any).
      if (!body.metadata?.resourceVersion) next.metadata.resourceVersion = cur.metadata.resourceVersion;
      return fake.handler({ ...req, method: 'PUT', path: req.path.replace(/\/status$/, ''), headers: { ...req.headers, 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(next)) });
    }
    return fake.handler(req);
  };
}

export interface TestCluster {
  fake: FakeApiHandler;
  client: Client;
  clock: FakeClock;
  informers: InformerFactory;
  recorder: (component: string) => EventRecorder;
  signal: AbortSignal;
  /** Every request the controllers sent, in order. */
  requests: { method: string; path: string }[];
  /** Runs before the API handles a request; returning a response short-circuits it. */
  hooks: RequestHook[];
  stop(): void;
}

export function newTestCluster(): TestCluster {
  const fake = new FakeApiHandler();
  const hooks: RequestHook[] = [];
  const requests: { method: string; path: string }[] = [];
  hooks.push((req) => { requests.push({ method: req.method, path: req.path }); });
  const client = new Client(inProcessTransport(withApiSemantics(fake, hooks)));
  const clock = new FakeClock();
  const informers = new InformerFactory(client, { clock, log: discardLog });
  const ac = new AbortController();
  return {
    fake, client, clock, informers, requests, hooks, signal: ac.signal,
    recorder: (component) => new EventRecorder({ client, component, clock, log: discardLog }),
    stop: () => ac.abort(),
  };
}

/**
 * Waits until cond holds, letting promises settle between checks. With stepMs, the fake clock also moves that much
 * each round, so rate-limited retries (a conflict, a stale cache) get their turn.
 */
export async function until(c: TestCluster, cond: () => boolean | Promise<boolean>, what: string, stepMs = 10): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await cond()) return;
    if (stepMs > 0) await c.clock.stepAsync(stepMs); else await settle(5);
  }
  assert.fail(`never happened: ${what}`);
}

/** Lists pods through the API (the fake's list), as a test assertion helper. */
export async function apiPods(c: TestCluster, namespace = 'default', labelSelector?: string): Promise<Pod[]> {
  return (await c.client.list<Pod>(resources.pods, { namespace, labelSelector })).items;
}

/** The kubelet's part in these tests: schedules pods to a node and makes them Running with Ready=True. */
export async function makePodsReady(c: TestCluster, pods?: Pod[], node = 'node-1'): Promise<number> {
  let n = 0;
  for (const p of pods ?? await apiPods(c)) {
    if (p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True')) continue;
    const now = rfc3339(c.clock.now());
    c.fake.put('', 'pods', {
      ...p,
      spec: { ...p.spec!, nodeName: p.spec?.nodeName ?? node },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] },
    } as any);
    n++;
  }
  return n;
}

export async function eventMessages(c: TestCluster, reason?: string): Promise<string[]> {
  const list = await c.client.list(resources.events, { namespace: 'default' });
  return list.items.filter((e) => !reason || e.reason === reason).map((e) => e.message as string);
}

export { settle };

// --- FakeCluster: for the controllers that delete and finalize (garbage collector, namespace, pod GC, ...) ----------
// src/client's FakeApiHandler wrapped with the deletion semantics our apiserver has (and upstream's): DELETE with propagationPolicy Orphan/Foreground adds the
// "orphan"/"foregroundDeletion" finalizer and sets deletionTimestamp; an object with finalizers is only marked;
// a namespace with spec.finalizers becomes Terminating; PUT /namespaces/<n>/finalize sets spec.finalizers; an
// update that leaves a deleting object with no finalizers removes it. Not used by production code.

interface Route { group: string; resource: string; namespace?: string; name?: string; sub?: string }

function route(p: string): Route | undefined {
  const s = p.split('/').filter(Boolean).map(decodeURIComponent);
  let group = '', rest: string[];
  if (s[0] === 'api') rest = s.slice(2);
  else if (s[0] === 'apis') { group = s[1]; rest = s.slice(3); }
  else return undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && !['finalize', 'status'].includes(rest[2])) {
    return { group, namespace: rest[1], resource: rest[2], name: rest[3], sub: rest[4] };
  }
  return { group, resource: rest[0], name: rest[1], sub: rest[2] };
}

const json = (status: number, body: unknown): ApiResponse => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

export class FakeCluster {
  readonly api = new FakeApiHandler();
  readonly clock = new FakeClock();
  readonly client: Client;
  readonly informers: InformerFactory;
  readonly handler: ApiHandler = (req) => this.handle(req);
  /** Every request the controllers sent. */
  readonly requests: { method: string; path: string }[] = [];

  constructor() {
    this.client = new Client(inProcessTransport(this.handler));
    this.informers = new InformerFactory(this.client, { clock: this.clock, log: discardLog });
  }

  private now(): string { return new Date(this.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z'); }

  private async handle(req: ApiRequest): Promise<ApiResponse> {
    this.requests.push({ method: req.method, path: req.path });
    const r = route(req.path);
    const body = req.body?.length ? JSON.parse(req.body.toString('utf8')) : undefined;
    if (r?.name && req.method === 'DELETE' && !r.sub) {
      const marked = this.markDeleting(r, r.namespace, r.name, body);
      if (marked) return json(200, marked);
    }
    if (r && !r.name && req.method === 'DELETE') {
      // deletecollection: each item as a single DELETE would go.
      const list = JSON.parse(String((await this.api.handler({ ...req, method: 'GET', body: undefined })).body));
      for (const o of list.items) {
        if (!this.markDeleting(r, o.metadata.namespace, o.metadata.name, body)) this.api.remove(r.group, r.resource, o.metadata.namespace, o.metadata.name);
      }
      return json(200, list);
    }
    if (r?.name && (r.sub === 'finalize' || r.sub === 'status') && req.method === 'PUT' && r.resource === 'namespaces') {
      const cur = this.api.peek('', 'namespaces', undefined, r.name);
      if (cur) {
        const rv = body?.metadata?.resourceVersion;
        if (rv && rv !== cur.metadata.resourceVersion) return json(409, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Conflict', code: 409, message: 'the object has been modified' });
        const next = structuredClone(cur);
        if (r.sub === 'finalize') next.spec = { ...(next.spec ?? {}), finalizers: body?.spec?.finalizers ?? [] };
        else next.status = body?.status;
        const stored = this.api.put('', 'namespaces', next);
        this.removeIfDone(r, stored);
        return json(200, stored);
      }
    }
    const res = await this.api.handler(req);
    if (r?.name && (req.method === 'PUT' || req.method === 'PATCH') && res.status < 300 && typeof res.body === 'string') {
      this.removeIfDone(r, JSON.parse(res.body));
    }
    return res;
  }

  /** Applies a DELETE's finalizer semantics; returns the object when it is only marked, undefined to delete it. */
  private markDeleting(r: Route, namespace: string | undefined, name: string, body: any): any {
    const cur = this.api.peek(r.group, r.resource, namespace, name);
    const pre = body?.preconditions;
    if (!cur || (pre?.uid && pre.uid !== cur.metadata.uid)) return undefined;
    const fins = new Set<string>(cur.metadata.finalizers ?? []);
    const policy = body?.propagationPolicy;
    if (policy === 'Orphan') { fins.add('orphan'); fins.delete('foregroundDeletion'); }
    if (policy === 'Foreground') { fins.add('foregroundDeletion'); fins.delete('orphan'); }
    if (policy === 'Background') { fins.delete('orphan'); fins.delete('foregroundDeletion'); }
    const nsHeld = r.resource === 'namespaces' && (cur.spec?.finalizers?.length ?? 0) > 0;
    if (fins.size === 0 && !nsHeld) return undefined;
    const next = structuredClone(cur);
    if (fins.size) next.metadata.finalizers = [...fins]; else delete next.metadata.finalizers;
    next.metadata.deletionTimestamp ??= this.now();
    next.metadata.deletionGracePeriodSeconds ??= 0;
    if (r.resource === 'namespaces') next.status = { ...(next.status ?? {}), phase: 'Terminating' };
    return this.api.put(r.group, r.resource, next);
  }

  private removeIfDone(r: Route, obj: any): void {
    const m = obj?.metadata;
    if (!m?.deletionTimestamp || m.finalizers?.length) return;
    if (r.resource === 'namespaces' && obj.spec?.finalizers?.length) return;
    this.api.remove(r.group, r.resource, m.namespace, m.name);
  }
}

/** Lets the controllers run (and the fake clock advance `stepMs` per round) until cond holds. */
export async function waitUntil(cond: () => boolean | Promise<boolean>, what: string, clock?: FakeClock, stepMs = 0): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await cond()) return;
    if (clock && stepMs) await clock.stepAsync(stepMs); else await settle(5);
  }
  assert.fail(`never happened: ${what}`);
}
