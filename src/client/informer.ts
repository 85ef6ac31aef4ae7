// A shared informer, as client-go's: list (paged) then watch from the list's resourceVersion, keeping a local cache
// that every controller reads instead of the API (DESIGN.md §4). On 410 Expired it relists; when the server ends
// a watch (timeoutSeconds) it re-watches from the last resourceVersion it saw, so no event is lost in between.
//
// Cached objects are deep-frozen and shared by every consumer: treat them as read-only and clone
// (structuredClone) before changing anything.
import { getMaxListeners, setMaxListeners } from 'node:events';
import { isGone } from '../api/errors.js';
import type { Client } from './client.js';
import type { ResourceId } from '../api/resources.js';
import type { KubeObject } from '../api/object.js';
import { isAbortError, realClock, sleep, type Clock } from './clock.js';
import { DeletedFinalStateUnknown, metaNamespaceKey } from './keys.js';
import { errorText, stderrLog, type LogFn } from './log.js';

export type IndexFunc<T extends KubeObject = KubeObject> = (obj: T) => string[];

export interface EventHandler<T extends KubeObject = KubeObject> {
  /** isInInitialList: the object came from the first list (or a replay to a handler added after sync). */
  onAdd?(obj: T, isInInitialList: boolean): void;
  /** Also called for every still-present object after a relist, as client-go does (old may equal new). */
  onUpdate?(oldObj: T, newObj: T): void;
  /** A tombstone when the deletion was only noticed by relisting. */
  onDelete?(obj: T | DeletedFinalStateUnknown<T>): void;
}

export interface InformerOptions<T extends KubeObject = KubeObject> {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** List page size (limit); default 500 as client-go. */
  pageSize?: number;
  indexers?: Record<string, IndexFunc<T>>;
  clock?: Clock;
  log?: LogFn;
  /** Server-side watch timeout; default random in [300, 600) seconds as client-go's reflector. */
  watchTimeoutSeconds?: () => number;
  /** Retry delay after a failed list/watch: doubles from initial to max. Default 800 ms → 30 s. */
  backoff?: { initialMs: number; maxMs: number };
  /** Keep metadata.managedFields in the cache (default false: stripped, as kube-controller-manager's and
   *  kube-scheduler's informers do, since no controller reads them and they are a large share of each object). */
  keepManagedFields?: boolean;
}

/** client-go's NamespaceIndex, always present. */
export const namespaceIndex = 'namespace';

/** What the cache keeps of an object arriving from the API (frozen: consumers clone before mutating). */
function cached<T>(o: T, keepManagedFields: boolean | undefined): T {
  const holder = o as { metadata?: Record<string, unknown> };
  const meta = holder?.metadata;
  if (!keepManagedFields && meta && meta.managedFields !== undefined) holder.metadata = withoutManagedFields(meta);
  return deepFreeze(o);
}

/**
 * metadata without managedFields, as a new object with the other fields in their order. Deleting the field instead
 * (it is not the last one: resourceVersion follows it) turned every cached object's metadata into a dictionary,
 * slower for every consumer's metadata.name/namespace/uid read and larger in the heap.
 */
function withoutManagedFields(meta: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in meta) if (k !== 'managedFields') out[k] = meta[k];
  return out;
}

export function deepFreeze<T>(o: T): T {
  if (o !== null && typeof o === 'object' && !Object.isFrozen(o)) freezeTree(o);
  return o;
}

/** Freezes o and every object under it not frozen yet (indexed loops, no values arrays: a third cheaper per pod). */
function freezeTree(o: object): void {
  Object.freeze(o);
  if (Array.isArray(o)) {
    for (let i = 0; i < o.length; i++) {
      const v: unknown = o[i];
      if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) freezeTree(v);
    }
    return;
  }
  const keys = Object.keys(o);
  for (let i = 0; i < keys.length; i++) {
    const v = (o as Record<string, unknown>)[keys[i]];
    if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) freezeTree(v);
  }
}

export class SharedInformer<T extends KubeObject = KubeObject> {
  private items = new Map<string, T>();
  private indexers = new Map<string, IndexFunc<T>>();
  /** index name → indexed value → keys */
  private indices = new Map<string, Map<string, Set<string>>>();
  /** The index functions with their indices, walked on every event. */
  private indexList: { fn: IndexFunc<T>; idx: Map<string, Set<string>> }[] = [];
  /**
   * The handlers, replaced (never changed in place) when one is added or removed: a dispatch walks the array it
   * started with, so a handler added or removed by a handler takes effect from the next event, as with a copy.
   */
  private handlers: EventHandler<T>[] = [];
  private synced = false;
  private syncWaiters: (() => void)[] = [];
  private running = false;
  private rv = '';
  private readonly clock: Clock;
  private readonly log: LogFn;

  constructor(readonly client: Client, readonly resource: ResourceId, private readonly opts: InformerOptions<T> = {}) {
    this.clock = opts.clock ?? realClock;
    this.log = opts.log ?? stderrLog;
    this.addIndexers({ [namespaceIndex]: (o) => [o.metadata?.namespace ?? ''], ...opts.indexers });
  }

  // --- cache reads -------------------------------------------------------------------------------------------

  /** By cache key: `namespace/name`, or `name` for cluster-scoped resources. */
  get(key: string): T | undefined { return this.items.get(key); }
  getByName(namespace: string | undefined, name: string): T | undefined {
    return this.items.get(namespace ? `${namespace}/${name}` : name);
  }
  list(namespace?: string): T[] {
    return namespace === undefined ? [...this.items.values()] : this.byIndex(namespaceIndex, namespace);
  }
  keys(): string[] { return [...this.items.keys()]; }
  /** Objects whose index function returned `value`. Throws for an unknown index name (a programming error). */
  byIndex(indexName: string, value: string): T[] {
    const idx = this.indices.get(indexName);
    if (!idx) throw new Error(`index "${indexName}" does not exist on the ${this.resource.resource} informer`);
    const keys = idx.get(value);
    const out: T[] = [];
    if (keys) for (const k of keys) { const o = this.items.get(k); if (o) out.push(o); }
    return out;
  }
  /** The resourceVersion of the last list or watch event applied to the cache. */
  get lastSyncResourceVersion(): string { return this.rv; }

  /** Adds index functions (allowed at any time; the index is built from the current cache). */
  addIndexers(indexers: Record<string, IndexFunc<T>>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      const existing = this.indexers.get(name);
      if (existing === fn) continue;
      if (existing) throw new Error(`indexer "${name}" already exists on the ${this.resource.resource} informer`);
      this.indexers.set(name, fn);
      const idx = new Map<string, Set<string>>();
      this.indices.set(name, idx);
      this.indexList.push({ fn, idx });
      for (const [key, obj] of this.items) for (const v of fn(obj)) addTo(idx, v, key);
    }
  }

  // --- handlers and sync -------------------------------------------------------------------------------------

  /** Registers handlers; when the cache already holds objects they are replayed as onAdd. Returns a remover. */
  addEventHandler(h: EventHandler<T>): () => void {
    if (!this.handlers.includes(h)) this.handlers = [...this.handlers, h];
    if (h.onAdd) for (const obj of this.items.values()) this.callAdd(h, obj, true);
    return () => { this.handlers = this.handlers.filter((x) => x !== h); };
  }

  hasSynced(): boolean { return this.synced; }

  /** Resolves true once the first list has been applied, false if the signal aborts first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = () => resolve(false);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.syncWaiters.push(() => { signal?.removeEventListener('abort', onAbort); resolve(true); });
    });
  }

  get isRunning(): boolean { return this.running; }

  // --- the reflector loop ------------------------------------------------------------------------------------

  /** Lists and watches until signal aborts. Resolves when stopped. Retries failures with backoff. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.running) throw new Error(`the ${this.resource.resource} informer is already running`);
    this.running = true;
    const { initialMs, maxMs } = this.opts.backoff ?? { initialMs: 800, maxMs: 30_000 };
    let delay = initialMs;
    const backoff = async () => { await sleep(this.clock, delay, signal); delay = Math.min(maxMs, delay * 2); };
    try {
      while (!signal.aborted) {
        try {
          await this.listAndReplace(signal);
        } catch (e) {
          if (signal.aborted || isAbortError(e)) return;
          this.log({ level: 'warn', msg: 'list failed', resource: this.resource.resource, error: errorText(e) });
          await backoff();
          continue;
        }
        delay = initialMs;
        let eventlessCloses = 0;
        for (;;) {
          try {
            const events = await this.watchOnce(signal);
            if (signal.aborted) return;
            // The server ended the watch (timeout): resume from the last resourceVersion. A server that keeps
            // closing watches immediately gets backoff rather than a tight loop.
            eventlessCloses = events === 0 ? eventlessCloses + 1 : 0;
            if (eventlessCloses >= 2) await backoff(); else delay = initialMs;
          } catch (e) {
            if (signal.aborted || isAbortError(e)) return;
            if (isGone(e)) {
              this.log({ level: 'info', msg: 'watch expired, relisting', resource: this.resource.resource, resourceVersion: this.rv });
              break;
            }
            this.log({ level: 'warn', msg: 'watch failed', resource: this.resource.resource, error: errorText(e) });
            await backoff();
          }
        }
      }
    } catch (e) {
      if (!isAbortError(e)) throw e;
    } finally {
      this.running = false;
    }
  }

  /** Lists all pages of one consistent snapshot and replaces the cache with it. */
  private async listAndReplace(signal: AbortSignal): Promise<void> {
    const base = { namespace: this.opts.namespace, labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector };
    const pageSize = this.opts.pageSize ?? 500;
    let items: T[] = [];
    let rv = '';
    let cont: string | undefined;
    let paged = pageSize > 0;
    do {
      if (signal.aborted) return;
      try {
        const page = await this.client.list<T>(this.resource, { ...base, limit: paged ? pageSize : undefined, continue: cont });
        if (!cont) rv = page.metadata.resourceVersion ?? '';
        items.push(...page.items);
        cont = page.metadata.continue || undefined;
      } catch (e) {
        // An expired continue token: the snapshot is gone; list again in one unpaged request (as client-go).
        if (cont && isGone(e)) { items = []; cont = undefined; paged = false; continue; }
        throw e;
      }
    } while (cont);
    if (signal.aborted) return;
    this.replace(items, rv);
  }

  /** Runs one watch from this.rv; resolves with the number of events when the server ends it. */
  private async watchOnce(signal: AbortSignal): Promise<number> {
    const timeout = this.opts.watchTimeoutSeconds?.() ?? Math.floor(300 + Math.random() * 300);
    let n = 0;
    for await (const ev of this.client.watchEvents<T>(this.resource, {
      namespace: this.opts.namespace, labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector,
      resourceVersion: this.rv, allowWatchBookmarks: true, timeoutSeconds: timeout,
    }, signal)) {
      if (signal.aborted) break;
      n++;
      const objRv = ev.object?.metadata?.resourceVersion;
      switch (ev.type) {
        case 'ADDED': case 'MODIFIED': this.upsert(cached(ev.object, this.opts.keepManagedFields), false); break;
        case 'DELETED': this.remove(cached(ev.object, this.opts.keepManagedFields)); break;
        case 'BOOKMARK': break;
      }
      if (objRv) this.rv = objRv;
    }
    return n;
  }

  // --- cache writes ------------------------------------------------------------------------------------------

  private replace(list: T[], rv: string): void {
    const firstList = !this.synced;
    const fresh = new Map<string, T>();
    for (const o of list) fresh.set(metaNamespaceKey(o), cached(o, this.opts.keepManagedFields));
    for (const [key, old] of [...this.items]) {
      if (fresh.has(key)) continue;
      this.unindex(key, old);
      this.items.delete(key);
      this.dispatchDelete(new DeletedFinalStateUnknown<T>(key, old));
    }
    for (const obj of fresh.values()) this.upsert(obj, firstList);
    this.rv = rv;
    if (!this.synced) {
      this.synced = true;
      const waiters = this.syncWaiters;
      this.syncWaiters = [];
      for (const w of waiters) w();
    }
  }

  private upsert(obj: T, initial: boolean): void {
    const key = metaNamespaceKey(obj);
    const old = this.items.get(key);
    this.items.set(key, obj);
    if (old) this.reindex(key, old, obj); else this.index(key, obj);
    const handlers = this.handlers;
    if (old) { for (let i = 0; i < handlers.length; i++) if (handlers[i].onUpdate) this.callUpdate(handlers[i], old, obj); }
    else { for (let i = 0; i < handlers.length; i++) if (handlers[i].onAdd) this.callAdd(handlers[i], obj, initial); }
  }

  private remove(obj: T): void {
    const key = metaNamespaceKey(obj);
    const old = this.items.get(key);
    if (old) { this.unindex(key, old); this.items.delete(key); }
    this.dispatchDelete(obj);
  }

  private index(key: string, obj: T): void {
    for (const { fn, idx } of this.indexList) for (const v of fn(obj)) addTo(idx, v, key);
  }
  private unindex(key: string, obj: T): void {
    for (const { fn, idx } of this.indexList) removeFrom(idx, fn(obj), key);
  }
  /** An update: only the indices whose values changed are touched (most updates change none: status, renewals). */
  private reindex(key: string, old: T, obj: T): void {
    for (const { fn, idx } of this.indexList) {
      const before = fn(old), after = fn(obj);
      if (sameValues(before, after)) continue;
      removeFrom(idx, before, key);
      for (const v of after) addTo(idx, v, key);
    }
  }

  // A throwing handler is logged and must not break the informer or other handlers.
  private callAdd(h: EventHandler<T>, obj: T, initial: boolean): void {
    try { h.onAdd!(obj, initial); } catch (e) { this.handlerFailed('onAdd', e); }
  }
  private callUpdate(h: EventHandler<T>, old: T, obj: T): void {
    try { h.onUpdate!(old, obj); } catch (e) { this.handlerFailed('onUpdate', e); }
  }
  private dispatchDelete(obj: T | DeletedFinalStateUnknown<T>): void {
    for (const h of this.handlers) {
      if (!h.onDelete) continue;
      try { h.onDelete(obj); } catch (e) { this.handlerFailed('onDelete', e); }
    }
  }
  private handlerFailed(what: string, e: unknown): void {
    this.log({ level: 'error', msg: 'event handler failed', resource: this.resource.resource, handler: what, error: errorText(e) });
  }
}

function sameValues(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function removeFrom(idx: Map<string, Set<string>>, values: string[], key: string): void {
  for (const v of values) {
    const s = idx.get(v);
    if (!s) continue;
    s.delete(key);
    if (s.size === 0) idx.delete(v);
  }
}

function addTo(idx: Map<string, Set<string>>, v: string, key: string): void {
  let s = idx.get(v);
  if (!s) idx.set(v, (s = new Set()));
  s.add(key);
}

export interface InformerFactoryOptions {
  clock?: Clock;
  log?: LogFn;
  pageSize?: number;
  /**
   * For a factory shared by several components in one process: informers run on this signal, whatever start()
   * is given, so one component losing its leadership (or stopping) does not stop the caches the others read.
   */
  signal?: AbortSignal;
}

/**
 * One informer per (resource, namespace, labelSelector, fieldSelector), shared by every controller in the process,
 * as client-go's SharedInformerFactory. start() runs the informers not yet running; informers requested after
 * start() run on the next start() call.
 */
export class InformerFactory {
  private informers = new Map<string, SharedInformer<any>>();
  private runs: Promise<void>[] = [];

  constructor(readonly client: Client, private readonly opts: InformerFactoryOptions = {}) {}

  informerFor<T extends KubeObject = KubeObject>(res: ResourceId, opts: Pick<InformerOptions<T>, 'namespace' | 'labelSelector' | 'fieldSelector' | 'indexers'> = {}): SharedInformer<T> {
    const key = [res.group, res.version, res.resource, opts.namespace ?? '', opts.labelSelector ?? '', opts.fieldSelector ?? ''].join('|');
    let inf = this.informers.get(key) as SharedInformer<T> | undefined;
    if (!inf) {
      inf = new SharedInformer<T>(this.client, res, {
        namespace: opts.namespace, labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector,
        clock: this.opts.clock, log: this.opts.log, pageSize: this.opts.pageSize,
      });
      this.informers.set(key, inf);
    }
    if (opts.indexers) inf.addIndexers(opts.indexers);
    return inf;
  }

  start(signal: AbortSignal): void {
    const runOn = this.opts.signal ?? signal;
    for (const inf of this.informers.values()) {
      if (!inf.isRunning) this.runs.push(inf.run(runOn));
    }
  }

  /** Resolves true when every informer created so far has synced; false if signal aborts first. */
  async waitForCacheSync(signal?: AbortSignal): Promise<boolean> {
    // One abort listener per informer is expected here, not a leak.
    if (signal) setMaxListeners(Math.max(getMaxListeners(signal), this.informers.size + 10), signal);
    const results = await Promise.all([...this.informers.values()].map((i) => i.waitForSync(signal)));
    return results.every(Boolean);
  }

  /** Resolves when every started informer has stopped (after the start signal aborted). */
  async stopped(): Promise<void> { await Promise.allSettled(this.runs); }
}
