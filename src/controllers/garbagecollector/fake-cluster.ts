// Test support for the controllers in this area: src/client's FakeApiHandler wrapped with the deletion
// semantics our apiserver has (and upstream's): DELETE with propagationPolicy Orphan/Foreground adds the
// "orphan"/"foregroundDeletion" finalizer and sets deletionTimestamp; an object with finalizers is only marked;
// a namespace with spec.finalizers becomes Terminating; PUT /namespaces/<n>/finalize sets spec.finalizers; an
// update that leaves a deleting object with no finalizers removes it. Not used by production code.
import assert from 'node:assert/strict';
import type { ApiHandler, ApiRequest, ApiResponse } from '../../api/transport.js';
import { Client } from '../../client/client.js';
import { FakeClock, settle } from '../../client/clock.js';
import { FakeApiHandler } from '../../client/fake-api-handler.js';
import { InformerFactory } from '../../client/informer.js';
import { discardLog } from '../../client/log.js';
import { inProcessTransport } from '../../client/transport.js';

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
export async function until(cond: () => boolean | Promise<boolean>, what: string, clock?: FakeClock, stepMs = 0): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await cond()) return;
    if (clock && stepMs) await clock.stepAsync(stepMs); else await settle(5);
  }
  assert.fail(`never happened: ${what}`);
}
