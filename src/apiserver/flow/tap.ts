// The flow tap behind the dashboard's live architecture view: every API request, every storage write and every
// watch event delivered, as an edge between the seed's components (participants.ts), told to whoever subscribed.
//
// Contracts:
// - Nobody watching costs nothing: every hook in the request path reads `active` first and does no work (no
//   parsing, no allocation) while it is false.
// - Names only: an event carries verb, resource, namespace, name, response code and revision, never an object's
//   body, so Secret data cannot reach a subscriber (a Secret's name does, as in `kubectl get secrets`).
// - A flood cannot drown a subscriber: each one takes at most `maxPerBatch` events per `batchMs` window, and
//   counts the rest per edge (from → to, verb, resource) in the batch's `dropped` summary.
import type { ApiRequest, ApiResponse } from '../../api/transport.js';
import { parseResourcePath } from '../request-info.js';
import { participantOf, parseStorageKey, type Participant } from './participants.js';

export type FlowKind =
  /** A client's request to the API server and its response code. */
  | 'request'
  /** The API server writing to the store (the commit the store's watch then hands back to the API server). */
  | 'write'
  /** A watch event the API server delivered to one watcher. */
  | 'watch'
  /** The API server calling a kubelet for a client (pods/log, exec, attach, port-forward, nodes/proxy). */
  | 'proxy';

export interface FlowEvent {
  /** Increasing per API server. */
  seq: number;
  /** Milliseconds since the epoch. */
  time: number;
  kind: FlowKind;
  from: Participant;
  to: Participant;
  /** The authenticated user of a request or watcher. */
  user?: string;
  verb?: string;
  group?: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** The response code of a request. */
  code?: number;
  /** ADDED, MODIFIED or DELETED, of a watch event. */
  type?: string;
  /** The store revision of a write or a watch event's object (its resourceVersion). */
  revision?: number;
  /** A pod's node (spec.nodeName), on watch events of pods: which kubelet the change concerns. */
  podNode?: string;
}

/** Events coalesced when a subscriber's window was full: how many went along one edge. */
export interface FlowDropped { kind: FlowKind; from: string; to: string; verb?: string; resource: string; count: number }

export interface FlowBatch { events: FlowEvent[]; dropped: FlowDropped[] }

export interface FlowSubscribeOptions {
  /** How long events gather before a batch goes out (default 100 ms). */
  batchMs?: number;
  /** Events per batch at most; the rest are counted in `dropped` (default 100, so at most ~1,000 a second). */
  maxPerBatch?: number;
  signal: AbortSignal;
}

const API_SERVER: Participant = Object.freeze({ kind: 'apiserver' }) as Participant;
const STORE: Participant = Object.freeze({ kind: 'store' }) as Participant;

const label = (p: Participant) => p.node ? `${p.kind}:${p.node}` : p.controller ? `${p.kind}:${p.controller}` : p.kind;

class Subscription {
  private pending: FlowEvent[] = [];
  private dropped = new Map<string, FlowDropped>();
  private wake: (() => void) | undefined;
  constructor(private readonly maxPerBatch: number) {}

  offer(ev: FlowEvent): void {
    if (this.pending.length < this.maxPerBatch) this.pending.push(ev);
    else {
      const from = label(ev.from), to = label(ev.to);
      const key = `${ev.kind}|${from}|${to}|${ev.verb ?? ''}|${ev.resource}`;
      const d = this.dropped.get(key);
      if (d) d.count++;
      else this.dropped.set(key, { kind: ev.kind, from, to, ...(ev.verb ? { verb: ev.verb } : {}), resource: ev.resource, count: 1 });
    }
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  take(): FlowBatch | undefined {
    if (this.pending.length === 0 && this.dropped.size === 0) return undefined;
    const batch = { events: this.pending, dropped: [...this.dropped.values()] };
    this.pending = [];
    this.dropped = new Map();
    return batch;
  }

  /** Resolves on the next offer (or at once when something waits). */
  next(): Promise<void> {
    if (this.pending.length || this.dropped.size) return Promise.resolve();
    return new Promise((resolve) => { this.wake = resolve; });
  }

  release(): void { const w = this.wake; this.wake = undefined; w?.(); }
}

export class FlowTap {
  /** True while anyone subscribes; hooks read it before doing anything. */
  active = false;
  private readonly subs = new Set<Subscription>();
  private seq = 0;
  constructor(private readonly clock: () => number = Date.now) {}

  /** Batches of events until the signal aborts. */
  async *subscribe(opts: FlowSubscribeOptions): AsyncGenerator<FlowBatch> {
    const sub = new Subscription(opts.maxPerBatch ?? 100);
    const batchMs = opts.batchMs ?? 100;
    const onAbort = () => sub.release();
    opts.signal.addEventListener('abort', onAbort, { once: true });
    this.subs.add(sub);
    this.active = true;
    try {
      while (!opts.signal.aborted) {
        await sub.next();
        if (opts.signal.aborted) break;
        // Gather for one window, so a burst becomes one message rather than one per event.
        await new Promise<void>((resolve) => {
          const t = setTimeout(done, batchMs);
          function done() { clearTimeout(t); opts.signal.removeEventListener('abort', done); resolve(); }
          opts.signal.addEventListener('abort', done, { once: true });
        });
        const batch = sub.take();
        if (batch && !opts.signal.aborted) yield batch;
      }
    } finally {
      opts.signal.removeEventListener('abort', onAbort);
      this.subs.delete(sub);
      this.active = this.subs.size > 0;
    }
  }

  emit(ev: Omit<FlowEvent, 'seq' | 'time'>): void {
    if (!this.active) return;
    const full = ev as FlowEvent;
    full.seq = ++this.seq;
    full.time = this.clock();
    for (const s of this.subs) s.offer(full);
  }

  /** A request the handler answered (call only while active). */
  request(req: ApiRequest, res: ApiResponse): void {
    const info = parseResourcePath(req.method, req.path, req.query);
    const from = participantOf(req.user, req.headers['user-agent']);
    const user = req.user?.username;
    if (!info) {
      this.emit({ kind: 'request', from, to: API_SERVER, user, verb: req.method === 'HEAD' ? 'get' : req.method.toLowerCase(), resource: req.path, code: res.status });
      return;
    }
    let name = info.name;
    // A create names its object in the answer (generateName), not in the path.
    if (!name && info.verb === 'create' && res.status < 300 && res.body !== undefined && res.body.length < 65_536) {
      try { name = JSON.parse(res.body.toString()).metadata?.name; } catch { /* not JSON */ }
    }
    const what = { verb: info.verb, group: info.group || undefined, resource: info.resource, subresource: info.subresource, namespace: info.namespace, name };
    this.emit({ kind: 'request', from, to: API_SERVER, user, ...what, code: res.status });
  }

  /** A stream upgrade (exec, attach, port-forward) the API server accepted (call only while active). */
  upgrade(user: ApiRequest['user'], userAgent: string | undefined, info: { resource: string; subresource?: string; namespace?: string; name?: string }): void {
    const from = participantOf(user, userAgent);
    this.emit({ kind: 'request', from, to: API_SERVER, user: user?.username, verb: 'create', resource: info.resource, subresource: info.subresource, namespace: info.namespace, name: info.name, code: 101 });
  }

  /** The API server calling the kubelet of `node` for a client: pods/log, exec, attach, port-forward, nodes/proxy. */
  proxied(user: string | undefined, verb: string, info: { resource: string; subresource?: string; namespace?: string; name?: string }, node: string): void {
    this.emit({ kind: 'proxy', from: API_SERVER, to: { kind: 'kubelet', node }, user, verb, resource: info.resource, subresource: info.subresource, namespace: info.namespace, name: info.name });
  }

  /** A committed storage write (call only while active). */
  write(verb: 'create' | 'update' | 'delete', key: string, revision: number): void {
    const k = parseStorageKey(key);
    this.emit({ kind: 'write', from: API_SERVER, to: STORE, verb, group: k.group, resource: k.resource, namespace: k.namespace, name: k.name, revision });
  }

  /** A watch event sent to the watcher `to` (call only while active). */
  delivered(to: Participant, user: string | undefined, what: { group: string; resource: string }, type: string,
    object: { metadata?: { name?: string; namespace?: string; resourceVersion?: string }; spec?: { nodeName?: string } }): void {
    const m = object.metadata;
    this.emit({
      kind: 'watch', from: API_SERVER, to, user, verb: 'watch', group: what.group || undefined, resource: what.resource, type,
      namespace: m?.namespace, name: m?.name, revision: m?.resourceVersion ? Number(m.resourceVersion) : undefined,
      ...(what.group === '' && what.resource === 'pods' && object.spec?.nodeName ? { podNode: object.spec.nodeName } : {}),
    });
  }
}
