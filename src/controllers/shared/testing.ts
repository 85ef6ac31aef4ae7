// Test support for the workload controllers (not shipped behaviour): an in-memory API built on the client
// package's FakeApiHandler, wrapped to add what the controllers depend on and the fake does not do —
// metadata.generation bumps on spec changes and status-subresource semantics for apps objects — plus a
// kubelet stand-in that marks pods Running and Ready, and a hook to observe every request.
import assert from 'node:assert/strict';
import type { ApiHandler, ApiRequest, ApiResponse } from '../../api/transport.js';
import { Client } from '../../client/client.js';
import { resources } from '../../api/resources.js';
import { FakeClock, settle } from '../../client/clock.js';
import { EventRecorder } from '../../client/events.js';
import { FakeApiHandler, mergePatch } from '../../client/fake-api-handler.js';
import { InformerFactory } from '../../client/informer.js';
import { discardLog } from '../../client/log.js';
import { inProcessTransport } from '../../client/transport.js';
import { semanticEqual } from '../../api/validation/index.js';
import { rfc3339 } from './time.js';
import type { Pod } from './types.js';

export type RequestHook = (req: ApiRequest, fake: FakeApiHandler) => Promise<ApiResponse | void> | ApiResponse | void;

const appsPath = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/(deployments|replicasets)\/([^/]+)(?:\/(status))?$/;
const appsCollection = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/(deployments|replicasets)$/;

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
      const [, ns, resource, name, sub] = m;
      const cur = fake.peek('apps', resource, ns, name);
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
