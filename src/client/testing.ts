// Test doubles for the client side (DESIGN.md §5): a manually stepped clock, settle(), and a small in-memory
// ApiHandler.
//
// A small in-memory ApiHandler for client-side tests (informers, controllers, leader election) that need an API
// without the real apiserver. It keeps a revision log like the real store, so lists at a revision, paging with
// continue tokens, watches from a resourceVersion and 410 Expired after compact() behave as upstream does.
// It does no validation, defaulting or admission: it is a test double for the wire protocol, not an apiserver.
import { randomUUID } from 'node:crypto';
import { alreadyExists, badRequest, conflict, gone, methodNotAllowed, notFound, StatusError, unsupportedMediaType } from '../api/errors.js';
import { resources } from '../api/resources.js';
import type { ApiHandler, ApiRequest, ApiResponse } from '../api/transport.js';
import type { Clock, TimerHandle } from './clock.js';

type Obj = { apiVersion?: string; kind?: string; metadata: Record<string, any>; [k: string]: any };
interface LogEntry { rev: number; type: 'ADDED' | 'MODIFIED' | 'DELETED'; key: string; obj: Obj }
interface Watcher {
  gr: string; namespace?: string; filter: (o: Obj) => boolean; bookmarks: boolean;
  push(line: string | null): void;
}

interface Route { group: string; version: string; resource: string; namespace?: string; name?: string; sub?: string }

function parsePath(p: string): Route | undefined {
  const s = p.split('/').filter(Boolean).map(decodeURIComponent);
  let group = '', version: string, rest: string[];
  if (s[0] === 'api') { version = s[1]; rest = s.slice(2); }
  else if (s[0] === 'apis') { group = s[1]; version = s[2]; rest = s.slice(3); }
  else return undefined;
  if (!version || rest.length === 0) return undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    return { group, version, namespace: rest[1], resource: rest[2], name: rest[3], sub: rest[4] };
  }
  return { group, version, resource: rest[0], name: rest[1], sub: rest[2] };
}

/** The Kind of a group/resource, from the one registry. */
const kindOf = (group: string, resource: string): string | undefined =>
  Object.values(resources).find((r) => r.group === group && r.resource === resource)?.kind;

function getPath(o: any, dotted: string): unknown {
  return dotted.split('.').reduce((v, k) => (v == null ? undefined : v[k]), o);
}
/** Equality-based label selectors (a=b, a==b, a!=b, a, !a) and field selectors (dotted.path=value, !=). */
function selector(expr: string | null, get: (o: Obj, k: string) => unknown): (o: Obj) => boolean {
  if (!expr) return () => true;
  const terms = expr.split(',').map((t) => t.trim()).filter(Boolean).map((t) => {
    const m = /^(!?)([^=!]+?)\s*(?:(==|=|!=)\s*(.*))?$/.exec(t);
    if (!m) throw badRequest(`unable to parse requirement: ${t}`);
    return { not: m[1] === '!', key: m[2].trim(), op: m[3], value: m[4]?.trim() };
  });
  return (o) => terms.every(({ not, key, op, value }) => {
    const v = get(o, key);
    if (!op) return not ? v === undefined : v !== undefined;
    const s = v === undefined || v === null ? '' : String(v);
    return op === '!=' ? s !== value : s === value;
  });
}

export class FakeApiHandler {
  rev = 1;
  private compactedRev = 0;
  private objects = new Map<string, Obj>();
  private log: LogEntry[] = [];
  /** The state at compactedRev (what the dropped log had built). */
  private base = new Map<string, Obj>();
  private watchers = new Set<Watcher>();
  /** Every request seen, for assertions ("the informer relisted"). */
  readonly requests: { method: string; path: string; query: string }[] = [];

  readonly handler: ApiHandler = (req) => this.handle(req);

  private static key(gr: string, ns: string | undefined, name: string) { return `${gr}/${ns ?? ''}/${name}`; }

  /** Drops history up to the current revision: watches and continue tokens from older revisions get 410. */
  compact(): void {
    this.compactedRev = this.rev;
    this.log = [];
    this.base = new Map([...this.objects].map(([k, o]) => [k, structuredClone(o)]));
  }
  /** Ends every open watch normally, as a server-side timeout does. */
  closeWatches(): void { for (const w of [...this.watchers]) w.push(null); }
  /** Sends an ERROR 410 event to every open watch and ends it. */
  expireWatches(): void {
    const line = JSON.stringify({ type: 'ERROR', object: gone('too old resource version').status }) + '\n';
    for (const w of [...this.watchers]) { w.push(line); w.push(null); }
  }
  /** Sends a BOOKMARK with the current revision to watches that asked for them. */
  sendBookmarks(): void {
    for (const w of this.watchers) {
      if (w.bookmarks) w.push(JSON.stringify({ type: 'BOOKMARK', object: { kind: kindOf(w.gr.split('/')[0], w.gr.split('/')[1]) ?? '', apiVersion: '', metadata: { resourceVersion: String(this.rev) } } }) + '\n');
    }
  }
  get openWatches(): number { return this.watchers.size; }

  // --- direct store access for test setup (bypasses HTTP, still emits watch events) -------------------------

  put(group: string, resource: string, obj: Obj): Obj {
    const gr = `${group}/${resource}`;
    const key = FakeApiHandler.key(gr, obj.metadata.namespace, obj.metadata.name);
    const exists = this.objects.has(key);
    const stored = structuredClone(obj);
    stored.metadata.uid ??= randomUUID();
    stored.metadata.creationTimestamp ??= new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    this.commit(exists ? 'MODIFIED' : 'ADDED', key, gr, stored);
    return structuredClone(stored);
  }
  remove(group: string, resource: string, namespace: string | undefined, name: string): void {
    const gr = `${group}/${resource}`;
    const key = FakeApiHandler.key(gr, namespace, name);
    const old = this.objects.get(key);
    if (old) this.commit('DELETED', key, gr, structuredClone(old));
  }
  peek(group: string, resource: string, namespace: string | undefined, name: string): Obj | undefined {
    const o = this.objects.get(FakeApiHandler.key(`${group}/${resource}`, namespace, name));
    return o && structuredClone(o);
  }

  private commit(type: LogEntry['type'], key: string, gr: string, obj: Obj): void {
    this.rev++;
    obj.metadata.resourceVersion = String(this.rev);
    if (type === 'DELETED') this.objects.delete(key); else this.objects.set(key, obj);
    this.log.push({ rev: this.rev, type, key, obj: structuredClone(obj) });
    const line = JSON.stringify({ type, object: obj }) + '\n';
    for (const w of this.watchers) {
      if (w.gr === gr && (!w.namespace || w.namespace === obj.metadata.namespace) && w.filter(obj)) w.push(line);
    }
  }

  /** State of one resource at a past revision (replays the log; needs rev >= compactedRev). */
  private snapshot(gr: string, atRev: number): Map<string, Obj> {
    if (atRev === this.rev) {
      return new Map([...this.objects].filter(([k]) => k.startsWith(gr + '/')));
    }
    if (atRev < this.compactedRev) throw gone(`The provided continue parameter is too old to display a consistent list result.`);
    // Undo the log back to atRev.
    const state = new Map([...this.objects].filter(([k]) => k.startsWith(gr + '/')));
    for (let i = this.log.length - 1; i >= 0 && this.log[i].rev > atRev; i--) {
      const e = this.log[i];
      if (!e.key.startsWith(gr + '/')) continue;
      const prev = this.log.slice(0, i).reverse().find((p) => p.key === e.key);
      const before = prev ? (prev.type === 'DELETED' ? undefined : prev.obj) : this.base.get(e.key);
      if (before) state.set(e.key, before); else state.delete(e.key);
    }
    return state;
  }

  private async handle(req: ApiRequest): Promise<ApiResponse> {
    this.requests.push({ method: req.method, path: req.path, query: req.query.toString() });
    try {
      return await this.route(req);
    } catch (e) {
      if (e instanceof StatusError) return json(e.code, e.status);
      throw e;
    }
  }

  private async route(req: ApiRequest): Promise<ApiResponse> {
    const r = parsePath(req.path);
    if (!r) throw notFound({ resource: '' }, req.path);
    const gr = `${r.group}/${r.resource}`;
    const ref = { group: r.group || undefined, resource: r.resource };
    const body = req.body?.length ? JSON.parse(req.body.toString('utf8')) : undefined;
    const q = req.query;
    if (!r.name) {
      if (req.method === 'GET' && q.get('watch') === 'true') return this.watch(req, r, gr);
      if (req.method === 'GET') return json(200, this.list(r, gr, q));
      if (req.method === 'POST') return json(201, this.create(r, gr, body, ref, q));
      if (req.method === 'DELETE') {
        const list = this.list(r, gr, q);
        if (q.get('dryRun') !== 'All') for (const o of list.items) this.remove(r.group, r.resource, o.metadata.namespace, o.metadata.name);
        return json(200, list);
      }
      throw methodNotAllowed('method not allowed');
    }
    const key = FakeApiHandler.key(gr, r.namespace, r.name);
    const cur = this.objects.get(key);
    if (r.sub === 'binding' && req.method === 'POST') {
      if (!cur) throw notFound(ref, r.name);
      if (cur.spec?.nodeName) throw conflict(ref, r.name, `pod ${r.name} is already assigned to node "${cur.spec.nodeName}"`);
      const next = structuredClone(cur);
      next.spec = { ...next.spec, nodeName: body?.target?.name };
      this.commit('MODIFIED', key, gr, next);
      return json(201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
    }
    if (r.sub === 'scale') {
      if (!cur) throw notFound(ref, r.name);
      if (req.method === 'PUT') {
        const next = structuredClone(cur);
        next.spec = { ...next.spec, replicas: body?.spec?.replicas };
        this.commit('MODIFIED', key, gr, next);
      }
      const o = this.objects.get(key)!;
      return json(200, {
        apiVersion: 'autoscaling/v1', kind: 'Scale',
        metadata: { name: r.name, namespace: r.namespace, resourceVersion: o.metadata.resourceVersion, uid: o.metadata.uid },
        spec: { replicas: o.spec?.replicas ?? 0 }, status: { replicas: o.status?.replicas ?? 0 },
      });
    }
    switch (req.method) {
      case 'GET':
        if (!cur) throw notFound(ref, r.name);
        return json(200, cur);
      case 'PUT': {
        if (!cur) throw notFound(ref, r.name);
        const rv = body?.metadata?.resourceVersion;
        if (rv && rv !== cur.metadata.resourceVersion) {
          throw conflict(ref, r.name, 'the object has been modified; please apply your changes to the latest version and try again');
        }
        const next = structuredClone(body) as Obj;
        next.metadata = { ...next.metadata, uid: cur.metadata.uid, creationTimestamp: cur.metadata.creationTimestamp };
        if (q.get('dryRun') === 'All') return json(200, next);
        this.commit('MODIFIED', key, gr, next);
        return json(200, next);
      }
      case 'PATCH': {
        if (!cur) throw notFound(ref, r.name);
        const ct = req.headers['content-type'] ?? '';
        if (!ct.startsWith('application/merge-patch+json')) throw unsupportedMediaType(ct);
        const next = mergePatch(structuredClone(cur), body) as Obj;
        next.metadata.uid = cur.metadata.uid;
        next.metadata.name = cur.metadata.name;
        this.commit('MODIFIED', key, gr, next);
        return json(200, next);
      }
      case 'DELETE': {
        if (!cur) throw notFound(ref, r.name);
        const pre = body?.preconditions;
        if (pre?.uid && pre.uid !== cur.metadata.uid) throw conflict(ref, r.name, 'Precondition failed: UID in precondition does not match');
        if (pre?.resourceVersion && pre.resourceVersion !== cur.metadata.resourceVersion) throw conflict(ref, r.name, 'Precondition failed: ResourceVersion in precondition does not match');
        this.commit('DELETED', key, gr, structuredClone(cur));
        return json(200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: r.name, kind: r.resource, uid: cur.metadata.uid } });
      }
    }
    throw methodNotAllowed('method not allowed');
  }

  private filterFor(q: URLSearchParams): (o: Obj) => boolean {
    const ls = selector(q.get('labelSelector'), (o, k) => o.metadata.labels?.[k]);
    const fs = selector(q.get('fieldSelector'), (o, k) => getPath(o, k));
    return (o) => ls(o) && fs(o);
  }

  private list(r: Route, gr: string, q: URLSearchParams) {
    let atRev = this.rev;
    let after = '';
    const cont = q.get('continue');
    if (cont) {
      const c = JSON.parse(Buffer.from(cont, 'base64').toString('utf8')) as { rev: number; after: string };
      atRev = c.rev; after = c.after;
      if (atRev < this.compactedRev) throw gone('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
    }
    const filter = this.filterFor(q);
    const all = [...this.snapshot(gr, atRev)].filter(([, o]) => (!r.namespace || o.metadata.namespace === r.namespace) && filter(o))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).filter(([k]) => k > after);
    const limit = Number(q.get('limit') ?? 0);
    const page = limit > 0 ? all.slice(0, limit) : all;
    const metadata: Record<string, unknown> = { resourceVersion: String(atRev) };
    if (limit > 0 && all.length > limit) {
      metadata.continue = Buffer.from(JSON.stringify({ rev: atRev, after: page[page.length - 1][0] })).toString('base64');
      metadata.remainingItemCount = all.length - limit;
    }
    const kind = kindOf(r.group, r.resource) ?? 'Object';
    // Items without TypeMeta, as the real apiserver's list items may be.
    const items = page.map(([, o]) => { const c = structuredClone(o); delete c.apiVersion; delete c.kind; return c; });
    return { apiVersion: r.group ? `${r.group}/${r.version}` : r.version, kind: `${kind}List`, metadata, items };
  }

  private create(r: Route, gr: string, body: any, ref: { group?: string; resource: string }, q: URLSearchParams): Obj {
    if (!body?.metadata) throw badRequest('metadata is required');
    const obj = structuredClone(body) as Obj;
    if (r.namespace) obj.metadata.namespace = r.namespace;
    if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = obj.metadata.generateName + randomUUID().slice(0, 5);
    if (!obj.metadata.name) throw badRequest('name or generateName is required');
    const key = FakeApiHandler.key(gr, r.namespace, obj.metadata.name);
    if (this.objects.has(key)) throw alreadyExists(ref, obj.metadata.name);
    obj.metadata.uid = randomUUID();
    obj.metadata.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    if (q.get('dryRun') === 'All') return obj;
    this.commit('ADDED', key, gr, obj);
    return obj;
  }

  private async watch(req: ApiRequest, r: Route, gr: string): Promise<ApiResponse> {
    const q = req.query;
    const filter = this.filterFor(q);
    const rvParam = q.get('resourceVersion') ?? '';
    const queue: (string | null)[] = [];
    let wake: (() => void) | undefined;
    const w: Watcher = {
      gr, namespace: r.namespace, filter, bookmarks: q.get('allowWatchBookmarks') === 'true',
      push: (line) => { queue.push(line); wake?.(); },
    };
    const inNs = (o: Obj) => (!r.namespace || o.metadata.namespace === r.namespace) && filter(o);
    if (rvParam === '' || rvParam === '0') {
      for (const o of this.snapshot(gr, this.rev).values()) if (inNs(o)) queue.push(JSON.stringify({ type: 'ADDED', object: o }) + '\n');
    } else {
      const from = Number(rvParam);
      if (from < this.compactedRev) {
        queue.push(JSON.stringify({ type: 'ERROR', object: gone(`too old resource version: ${from} (${this.compactedRev})`).status }) + '\n', null);
      } else {
        for (const e of this.log) {
          if (e.rev > from && e.key.startsWith(gr + '/') && inNs(e.obj)) queue.push(JSON.stringify({ type: e.type, object: e.obj }) + '\n');
        }
      }
    }
    if (queue[queue.length - 1] !== null) this.watchers.add(w);
    const watchers = this.watchers;
    const signal = req.signal;
    // Cleanup hangs on the request signal, not on iteration: a client may go away before reading anything.
    const onAbort = () => { watchers.delete(w); queue.push(null); wake?.(); };
    if (signal?.aborted) onAbort(); else signal?.addEventListener('abort', onAbort, { once: true });
    async function* stream(): AsyncIterable<string> {
      try {
        for (;;) {
          while (queue.length === 0) await new Promise<void>((res) => { wake = res; });
          wake = undefined;
          const line = queue.shift()!;
          if (line === null) return;
          yield line;
        }
      } finally {
        watchers.delete(w);
        signal?.removeEventListener('abort', onAbort);
      }
    }
    return { status: 200, headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, stream: stream() };
  }
}

function json(status: number, body: unknown): ApiResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as object) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k]; else out[k] = mergePatch(out[k], v);
  }
  return out;
}

let nextFakeTimerId = 1;

interface FakeTimer { id: number; at: number; seq: number; fn: () => void }

/**
 * A manually stepped clock for tests. Timers fire in time order when step()/stepAsync() moves time past them.
 * stepAsync also lets pending promise callbacks run between timers, so async code driven by the clock
 * (await sleep(...); await client.get(...)) makes progress the way it would in real time.
 */
export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private timers = new Map<number, FakeTimer>();
  constructor(start = Date.UTC(2025, 0, 1)) { this.t = start; }

  now(): number { return this.t; }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = nextFakeTimerId++;
    this.timers.set(id, { id, at: this.t + Math.max(0, ms), seq: this.seq++, fn });
    return { id };
  }
  clearTimeout(handle: TimerHandle): void { this.timers.delete(handle.id); }
  /** Number of pending timers (lets tests assert something is waiting). */
  get pending(): number { return this.timers.size; }

  private nextDue(until: number): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const tm of this.timers.values()) {
      if (tm.at > until) continue;
      if (!best || tm.at < best.at || (tm.at === best.at && tm.seq < best.seq)) best = tm;
    }
    return best;
  }

  /** Moves time forward by ms, firing due timers synchronously. */
  step(ms: number): void {
    const until = this.t + ms;
    for (let tm = this.nextDue(until); tm; tm = this.nextDue(until)) {
      this.timers.delete(tm.id);
      this.t = Math.max(this.t, tm.at);
      tm.fn();
    }
    this.t = until;
  }

  /** Moves time forward by ms, firing due timers and settling promise chains before and after each. */
  async stepAsync(ms: number): Promise<void> {
    const until = this.t + ms;
    await settle();
    for (let tm = this.nextDue(until); tm; tm = this.nextDue(until)) {
      this.timers.delete(tm.id);
      this.t = Math.max(this.t, tm.at);
      tm.fn();
      await settle();
    }
    this.t = until;
    await settle();
  }
}

/** Lets queued promise callbacks and immediates run (several rounds, for chains of awaits). */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}
