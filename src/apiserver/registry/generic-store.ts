// The generic registry store (DESIGN.md §3): CRUD, resourceVersion checks, watch and error translation for every
// resource, on top of the Store seam. A resource only adds a Strategy (registry/<group>/<resource>/strategy.ts).
import type { Store, KeyValue } from '../../storage/backend.js';
import { KeyExistsError, ConflictError, NotFoundError, CompactedError, FutureRevisionError } from '../../storage/backend.js';
import {
  StatusError, notFound, alreadyExists, conflict, invalid, badRequest, gone, FieldError, type ResourceRef,
} from '../../api/errors.js';
import { parseLabelSelector, parseFieldSelector, type FieldRequirement, type Selector } from '../../api/labels.js';
import type { KObject, ResourceDefinition, StrategyContext } from './types.js';
import { fillCreateMeta, keepImmutableMeta, specChanged, deepEqual, clone, timestamp } from './object-meta.js';
import { randomSuffix } from './names.js';

export interface WriteContext {
  now: Date;
  dryRun: boolean;
  fieldManager?: string;
  /** Derived from the User-Agent when fieldManager is absent (upstream: the UA's first token, e.g. "kubectl"). */
  userAgent?: string;
  /** Set for server-side apply writes: managedFields were already computed by the apply. */
  apply?: boolean;
  /** Adds an HTTP Warning header to the response (e.g. unknown fields under fieldValidation=Warn). */
  warn?: (msg: string) => void;
}

export interface ListQuery {
  labelSelector?: string | null;
  fieldSelector?: string | null;
  limit?: number;
  continue?: string | null;
  resourceVersion?: string | null;
  resourceVersionMatch?: string | null;
}

export interface ListResult { items: KObject[]; resourceVersion: string; continue?: string; remainingItemCount?: number }

/** Compiled label and field selectors: `everything` is true when no selector was given. */
export interface SelectionPredicate { everything: boolean; matches: (o: KObject) => boolean }

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
export interface WatchEvent { type: WatchEventType; object: KObject | Record<string, unknown> }

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
}

/** Hooks the registry wires in (admission-like checks that need other resources, managedFields). */
export interface StoreHooks {
  strategyContext(dryRun: boolean): StrategyContext;
  /** Validates ObjectMeta (names, labels, annotations) as upstream's ValidateObjectMeta. */
  validateObjectMeta(obj: KObject, def: ResourceDefinition, old?: KObject): FieldError[];
  /** NamespaceLifecycle admission: throws if the namespace is missing or terminating. */
  admitNamespace?(namespace: string, obj: KObject): Promise<void>;
  /** Records field ownership for a non-apply write. */
  updateManagedFields?(args: { def: ResourceDefinition; old: KObject | undefined; updated: KObject; ctx: WriteContext; subresource?: string }): void;
}


export class GenericStore {
  readonly ref: ResourceRef;
  constructor(readonly def: ResourceDefinition, private readonly store: Store, private readonly hooks: StoreHooks) {
    this.ref = { group: def.group || undefined, resource: def.resource };
  }

  private get prefixRoot(): string {
    const group = this.def.storage ? this.def.storage.group : this.def.group;
    const resource = this.def.storage ? this.def.storage.resource : this.def.resource;
    return `/registry/${group ? group + '/' : ''}${resource}/`;
  }
  prefix(namespace?: string): string {
    return this.def.namespaced && namespace ? `${this.prefixRoot}${namespace}/` : this.prefixRoot;
  }
  key(namespace: string | undefined, name: string): string {
    return this.def.namespaced ? `${this.prefixRoot}${namespace}/${name}` : `${this.prefixRoot}${name}`;
  }
  get apiVersion(): string { return this.def.group ? `${this.def.group}/${this.def.version}` : this.def.version; }

  /**
   * One decoded object per stored revision, shared by every watcher of this resource (watch consumers only read
   * it): N watchers of pods cost one JSON.parse per event, not N.
   */
  private readonly decodedForWatch = new WeakMap<KeyValue, KObject>();
  private decodeShared(kv: KeyValue): KObject {
    let o = this.decodedForWatch.get(kv);
    if (!o) { o = this.decode(kv); this.decodedForWatch.set(kv, o); }
    return o;
  }

  decode(kv: KeyValue): KObject {
    let obj = JSON.parse(kv.value.toString('utf8')) as KObject;
    if (this.def.storage) obj = this.def.storage.fromStorage(obj);
    obj.metadata.resourceVersion = String(kv.modRevision);
    return obj;
  }
  private encode(obj: KObject): Buffer {
    const stored = this.def.storage ? this.def.storage.toStorage(obj) : obj;
    const { resourceVersion: _rv, ...meta } = stored.metadata;
    return Buffer.from(JSON.stringify({ ...stored, metadata: meta }));
  }

  // ---- reads ----

  async get(namespace: string | undefined, name: string): Promise<KObject> {
    const kv = await this.store.get(this.key(namespace, name));
    if (!kv) throw notFound(this.ref, name);
    return this.decode(kv);
  }

  async tryGet(namespace: string | undefined, name: string): Promise<KObject | undefined> {
    const kv = await this.store.get(this.key(namespace, name));
    return kv ? this.decode(kv) : undefined;
  }

  /**
   * Label and field selectors compiled to a predicate; unknown field labels are a 400 as upstream. `everything` says
   * no selector was given, which is when a paged list can report remainingItemCount (upstream omits it otherwise).
   */
  matcher(labelSelector?: string | null, fieldSelector?: string | null): SelectionPredicate {
    const labels: Selector = parseLabelSelector(labelSelector);
    const fields: FieldRequirement[] = parseFieldSelector(fieldSelector);
    const getters = fields.map((f) => {
      const g = this.fieldGetter(f.field);
      if (!g) throw badRequest(`field label not supported: ${f.field}`);
      return { ...f, g };
    });
    if (labels.empty && getters.length === 0) return { everything: true, matches: () => true };
    return {
      everything: false,
      matches: (o) => {
        if (!labels.matches(o.metadata.labels)) return false;
        for (const f of getters) {
          const v = f.g(o) ?? '';
          if (f.op === '=' ? v !== f.value : v === f.value) return false;
        }
        return true;
      },
    };
  }

  private fieldGetter(field: string): ((o: KObject) => string | undefined) | undefined {
    if (field === 'metadata.name') return (o) => o.metadata.name;
    if (field === 'metadata.namespace') return (o) => o.metadata.namespace ?? '';
    return this.def.strategy.fieldSelectors?.[field];
  }

  async list(namespace: string | undefined, q: ListQuery = {}): Promise<ListResult> {
    const selection = this.matcher(q.labelSelector, q.fieldSelector);
    let revision = 0;
    let startKey: string | undefined;
    if (q.continue) {
      try {
        const c = JSON.parse(Buffer.from(q.continue, 'base64url').toString('utf8'));
        revision = Number(c.rv); startKey = String(c.start);
        if (!Number.isInteger(revision) || revision <= 0) throw new Error('bad');
      } catch { throw badRequest('continue key is not valid: the provided continue parameter is malformed'); }
    } else if (q.resourceVersion && q.resourceVersion !== '0' && q.resourceVersionMatch === 'Exact') {
      revision = parseResourceVersion(q.resourceVersion);
    } else if (q.resourceVersion && q.resourceVersion !== '0') {
      const want = parseResourceVersion(q.resourceVersion);
      const cur = await this.store.currentRevision();
      if (want > cur) throw new StatusError(504, 'Timeout', `Too large resource version: ${want}, current: ${cur}`, { retryAfterSeconds: 1 });
    }
    const limit = q.limit && q.limit > 0 ? q.limit : undefined;
    const items: KObject[] = [];
    let cursor = startKey;
    let readAt = revision;
    // Filtering happens after reading, so read pages until we have `limit` matches or the range is exhausted.
    for (;;) {
      let page;
      try {
        page = await this.store.list(this.prefix(namespace), { revision: readAt || undefined, limit: limit ? Math.max(limit - items.length, 1) * (items.length ? 2 : 1) : undefined, continueKey: cursor });
      } catch (e) {
        if (e instanceof CompactedError) {
          if (q.continue) throw gone('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
          throw gone(`The resourceVersion for the provided list is too old.`);
        }
        throw e;
      }
      readAt = page.revision;
      for (const kv of page.items) {
        const o = this.decode(kv);
        if (selection.matches(o)) {
          items.push(o);
          if (limit && items.length >= limit) {
            const more = kv.key !== page.items[page.items.length - 1].key || page.continueKey !== undefined;
            if (more) {
              const token = Buffer.from(JSON.stringify({ rv: readAt, start: kv.key })).toString('base64url');
              const remaining = page.remaining !== undefined ? page.remaining + (page.items.length - 1 - page.items.indexOf(kv)) : undefined;
              return { items, resourceVersion: String(readAt), continue: token, remainingItemCount: selection.everything ? remaining : undefined };
            }
            return { items, resourceVersion: String(readAt) };
          }
        }
      }
      if (!page.continueKey) break;
      cursor = page.continueKey;
    }
    return { items, resourceVersion: String(readAt) };
  }

  /**
   * A watch as the apiserver serves it: without a resourceVersion (or "0"), or with sendInitialEvents=true, first
   * an ADDED event for every current object; then changes after the revision. A compacted revision yields one
   * ERROR event carrying a 410 Status, as kube-apiserver does.
   */
  watch(namespace: string | undefined, q: ListQuery & { allowWatchBookmarks?: boolean; sendInitialEvents?: boolean }, signal: AbortSignal): AsyncIterable<WatchEvent> {
    const queue = new EventQueue<WatchEvent>(signal);
    const match = this.matcher(q.labelSelector, q.fieldSelector).matches;
    // Malformed requests fail before the stream starts (an HTTP error, not an ERROR event), as upstream.
    if (q.resourceVersion) parseResourceVersion(q.resourceVersion);
    const prefix = this.prefix(namespace);
    const start = async () => {
      let from: number;
      const initial = q.sendInitialEvents === true || !q.resourceVersion || q.resourceVersion === '0';
      if (initial) {
        const all = await this.list(namespace, { labelSelector: q.labelSelector, fieldSelector: q.fieldSelector });
        for (const o of all.items) queue.push({ type: 'ADDED', object: o });
        from = Number(all.resourceVersion);
        if (q.sendInitialEvents && q.allowWatchBookmarks) {
          queue.push({ type: 'BOOKMARK', object: this.bookmark(from, true) });
        }
      } else {
        from = parseResourceVersion(q.resourceVersion!);
      }
      let lastRev = from;
      const watcher = this.store.watch(prefix, from, {
        onEvent: (ev) => {
          lastRev = ev.kv.modRevision;
          const obj = this.decodeShared(ev.kv);
          const prev = ev.prevKv ? this.decodeShared(ev.prevKv) : undefined;
          const now = ev.type === 'PUT' && match(obj);
          const before = prev !== undefined && match(prev);
          if (ev.type === 'DELETE') { if (match(obj)) queue.push({ type: 'DELETED', object: obj }); return; }
          if (now && before) queue.push({ type: 'MODIFIED', object: obj });
          else if (now) queue.push({ type: 'ADDED', object: obj });
          else if (before) queue.push({ type: 'DELETED', object: obj });
        },
        onError: (err) => {
          if (err instanceof CompactedError) queue.push({ type: 'ERROR', object: tooOld(from, err.compacted) });
          else queue.push({ type: 'ERROR', object: { ...new StatusError(500, 'InternalError', 'watch ended: storage error').status } });
          queue.end();
        },
      });
      let bookmarkTimer: NodeJS.Timeout | undefined;
      if (q.allowWatchBookmarks) {
        bookmarkTimer = setInterval(() => queue.push({ type: 'BOOKMARK', object: this.bookmark(lastRev, false) }), 60_000);
        bookmarkTimer.unref();
      }
      queue.onClose(() => { watcher.stop(); if (bookmarkTimer) clearInterval(bookmarkTimer); });
    };
    start().catch((err) => {
      if (err instanceof FutureRevisionError) {
        queue.push({ type: 'ERROR', object: { ...new StatusError(504, 'Timeout', `Too large resource version: ${err.requested}, current: ${err.current}`).status } });
      } else if (err instanceof CompactedError) {
        queue.push({ type: 'ERROR', object: tooOld(Number(q.resourceVersion), err.compacted) });
      } else if (err instanceof StatusError) {
        queue.push({ type: 'ERROR', object: { ...err.status } });
      } else {
        queue.push({ type: 'ERROR', object: { ...new StatusError(500, 'InternalError', 'watch failed').status } });
      }
      queue.end();
    });
    return queue;
  }

  private bookmark(rev: number, initialEnd: boolean): KObject {
    const meta: any = { resourceVersion: String(rev) };
    if (initialEnd) meta.annotations = { 'k8s.io/initial-events-end': 'true' };
    return { apiVersion: this.apiVersion, kind: this.def.kind, metadata: meta };
  }

  // ---- writes ----

  private ctx(dryRun: boolean): StrategyContext { return this.hooks.strategyContext(dryRun); }

  private checkKind(obj: KObject): void {
    if (obj.apiVersion !== undefined && obj.apiVersion !== this.apiVersion) {
      throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${this.apiVersion})`);
    }
    if (obj.kind !== undefined && obj.kind !== this.def.kind) {
      throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${this.def.kind})`);
    }
  }

  private async validate(obj: KObject, old: KObject | undefined, ctx: StrategyContext): Promise<void> {
    const errs: FieldError[] = [...this.hooks.validateObjectMeta(obj, this.def, old)];
    const s = this.def.strategy;
    if (old && s.validateUpdate) errs.push(...await s.validateUpdate(obj, old, ctx));
    else if (!old && s.validate) errs.push(...await s.validate(obj, ctx));
    else if (old && s.validate) errs.push(...await s.validate(obj, ctx));
    if (errs.length) throw invalid(this.def.kind, this.def.group || undefined, obj.metadata.name ?? obj.metadata.generateName ?? '', errs);
  }

  /** Create, as POST does. The namespace comes from the URL; a body namespace that differs is a 400. */
  async create(namespace: string | undefined, input: KObject, wctx: WriteContext): Promise<KObject> {
    if (!input || typeof input !== 'object' || Array.isArray(input)) throw badRequest('the request body must be a JSON or YAML object');
    this.checkKind(input);
    const obj = clone(input);
    obj.metadata = obj.metadata && typeof obj.metadata === 'object' ? obj.metadata : {};
    obj.apiVersion = this.apiVersion; obj.kind = this.def.kind;
    if (this.def.namespaced) {
      if (obj.metadata.namespace && namespace && obj.metadata.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      obj.metadata.namespace = namespace ?? obj.metadata.namespace;
    } else delete obj.metadata.namespace;
    const generated = !obj.metadata.name && !!obj.metadata.generateName;
    if (generated) obj.metadata.name = obj.metadata.generateName + randomSuffix(5);
    fillCreateMeta(obj, wctx.now);
    if (this.def.strategy.hasGeneration) obj.metadata.generation = 1; else delete obj.metadata.generation;
    const sctx = this.ctx(wctx.dryRun);
    if (this.def.namespaced && this.hooks.admitNamespace) await this.hooks.admitNamespace(obj.metadata.namespace!, obj);
    this.def.strategy.defaults?.(obj);
    await this.def.strategy.prepareForCreate?.(obj, sctx);
    await this.validate(obj, undefined, sctx);
    await this.def.strategy.allocate?.(obj, sctx);
    this.hooks.updateManagedFields?.({ def: this.def, old: undefined, updated: obj, ctx: wctx });
    if (wctx.dryRun) {
      const existing = await this.store.get(this.key(obj.metadata.namespace, obj.metadata.name!));
      if (existing) throw alreadyExists(this.ref, obj.metadata.name!);
      return obj;
    }
    for (let attempt = 0; ; attempt++) {
      try {
        const kv = await this.store.create(this.key(obj.metadata.namespace, obj.metadata.name!), this.encode(obj));
        obj.metadata.resourceVersion = String(kv.modRevision);
        return obj;
      } catch (e) {
        if (e instanceof KeyExistsError) {
          if (generated && attempt < 3) { obj.metadata.name = obj.metadata.generateName + randomSuffix(5); continue; }
          throw alreadyExists(this.ref, obj.metadata.name!);
        }
        throw e;
      }
    }
  }

  /**
   * Read-modify-write with optimistic concurrency, retried on storage conflicts (upstream GuaranteedUpdate).
   * `tryUpdate` gets a private copy of the current object (undefined if absent) and returns the desired object.
   * A resourceVersion in the returned object is a precondition (409 if stale).
   */
  async guaranteedUpdate(namespace: string | undefined, name: string,
    tryUpdate: (current: KObject | undefined) => KObject | Promise<KObject>,
    wctx: WriteContext & { subresource?: string; allowCreate?: boolean }): Promise<{ object: KObject; created: boolean }> {
    for (let attempt = 0; ; attempt++) {
      const kv = await this.store.get(this.key(namespace, name));
      const current = kv ? this.decode(kv) : undefined;
      if (!current && !wctx.allowCreate) throw notFound(this.ref, name);
      const desired = await tryUpdate(current ? clone(current) : undefined);
      if (!desired || typeof desired !== 'object' || Array.isArray(desired)) throw badRequest('the request body must be a JSON or YAML object');
      desired.metadata = desired.metadata && typeof desired.metadata === 'object' ? desired.metadata : {};
      if (!current) {
        if (desired.metadata.name && desired.metadata.name !== name) throw badRequest(`the name of the object (${desired.metadata.name}) does not match the name on the URL (${name})`);
        desired.metadata.name = name;
        delete desired.metadata.resourceVersion;
        return { object: await this.create(namespace, desired, wctx), created: true };
      }
      const precondition = desired.metadata.resourceVersion;
      if (precondition && precondition !== current.metadata.resourceVersion) {
        throw conflict(this.ref, name, 'the object has been modified; please apply your changes to the latest version and try again');
      }
      try {
        const object = await this.writeUpdate(current, kv!, desired, wctx);
        return { object, created: false };
      } catch (e) {
        if (e instanceof ConflictError && !precondition && attempt < 10) continue;
        if (e instanceof ConflictError) throw conflict(this.ref, name, 'the object has been modified; please apply your changes to the latest version and try again');
        if (e instanceof NotFoundError) throw notFound(this.ref, name);
        throw e;
      }
    }
  }

  /** PUT. */
  async update(namespace: string | undefined, name: string, input: KObject, wctx: WriteContext & { subresource?: string }): Promise<{ object: KObject; created: boolean }> {
    if (!input || typeof input !== 'object' || Array.isArray(input)) throw badRequest('the request body must be a JSON or YAML object');
    this.checkKind(input);
    if (input.metadata?.name !== undefined && input.metadata.name !== name) {
      throw badRequest(`the name of the object (${input.metadata.name}) does not match the name on the URL (${name})`);
    }
    if (this.def.namespaced && input.metadata?.namespace && namespace && input.metadata.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    return this.guaranteedUpdate(namespace, name, () => clone(input), { ...wctx, allowCreate: !wctx.subresource && !!this.def.strategy.allowCreateOnUpdate });
  }

  private async writeUpdate(current: KObject, kv: KeyValue, desired: KObject, wctx: WriteContext & { subresource?: string }): Promise<KObject> {
    const obj = desired;
    obj.apiVersion = this.apiVersion; obj.kind = this.def.kind;
    const s = this.def.strategy;
    const sctx = this.ctx(wctx.dryRun);
    if (wctx.subresource === 'binding') {
      // The binding handler itself changes only spec.nodeName and the PodScheduled condition.
    } else if (wctx.subresource === 'finalize') {
      // namespaces/finalize changes spec.finalizers and nothing else.
      const finalizers = obj.spec?.finalizers;
      Object.assign(obj, clone(current));
      obj.metadata = clone(current.metadata);
      obj.spec = { ...(current.spec ?? {}), finalizers: Array.isArray(finalizers) ? finalizers : [] };
    } else if (wctx.subresource === 'status') {
      if (s.prepareForStatusUpdate) s.prepareForStatusUpdate(obj, current);
      else { const status = obj.status; Object.assign(obj, clone(current)); obj.status = status; obj.metadata = clone(current.metadata); }
    } else if (s.prepareForUpdate) await s.prepareForUpdate(obj, current, sctx);
    else if (s.hasStatus) obj.status = clone(current.status);
    keepImmutableMeta(obj, current);
    s.defaults?.(obj);
    if (s.hasGeneration && wctx.subresource !== 'status' && specChanged(obj, current)) {
      obj.metadata.generation = (current.metadata.generation ?? 0) + 1;
    }
    // Once deletion has started, finalizers may only be removed (upstream forbids adding new ones).
    if (wctx.subresource !== 'binding' && wctx.subresource !== 'finalize') await this.validate(obj, current, sctx);
    if (s.allocate) await s.allocate(obj, sctx, current);
    obj.metadata.resourceVersion = current.metadata.resourceVersion;
    this.hooks.updateManagedFields?.({ def: this.def, old: current, updated: obj, ctx: wctx, subresource: wctx.subresource });
    if (deepEqual(withoutVolatile(obj), withoutVolatile(current))) return current; // no-op: no new resourceVersion
    if (wctx.dryRun) return obj;
    const key = this.key(current.metadata.namespace, current.metadata.name!);
    // A deleting object goes once nothing holds it: no finalizers (nor what the strategy says holds it, e.g. a
    // namespace's spec.finalizers) and no grace period left (pods wait for the kubelet).
    if (obj.metadata.deletionTimestamp && !(obj.metadata.finalizers?.length) && !obj.metadata.deletionGracePeriodSeconds
      && !s.deletionHeld?.(obj)) {
      const del = await this.store.delete(key, kv.modRevision);
      obj.metadata.resourceVersion = String(del.modRevision);
      return obj;
    }
    const written = await this.store.update(key, this.encode(obj), kv.modRevision);
    obj.metadata.resourceVersion = String(written.modRevision);
    return obj;
  }

  /**
   * DELETE. Returns the object and whether it is gone now (200 + Status) or deletion is pending behind finalizers
   * or graceful termination (202 + object), as upstream.
   */
  async delete(namespace: string | undefined, name: string, opts: DeleteOptions, wctx: WriteContext): Promise<{ object: KObject; deleted: boolean }> {
    for (let attempt = 0; ; attempt++) {
      const kv = await this.store.get(this.key(namespace, name));
      if (!kv) throw notFound(this.ref, name);
      const cur = this.decode(kv);
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== cur.metadata.uid) {
        throw conflict(this.ref, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${cur.metadata.uid}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== cur.metadata.resourceVersion) {
        throw conflict(this.ref, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${cur.metadata.resourceVersion}`);
      }
      const policy = opts.propagationPolicy ?? (opts.orphanDependents === true ? 'Orphan' : opts.orphanDependents === false ? 'Background' : undefined);
      const next = clone(cur);
      const fins = new Set(next.metadata.finalizers ?? []);
      if (policy === 'Orphan') { fins.add('orphan'); fins.delete('foregroundDeletion'); }
      if (policy === 'Foreground') { fins.add('foregroundDeletion'); fins.delete('orphan'); }
      if (policy === 'Background') { fins.delete('orphan'); fins.delete('foregroundDeletion'); }
      const grace = this.def.strategy.gracePeriod?.(cur, opts.gracePeriodSeconds) ?? 0;
      if (fins.size > 0 || grace > 0 || this.def.strategy.deletionHeld?.(next)) {
        if (fins.size) next.metadata.finalizers = [...fins]; else delete next.metadata.finalizers;
        if (!cur.metadata.deletionTimestamp || (grace < (cur.metadata.deletionGracePeriodSeconds ?? Infinity))) {
          next.metadata.deletionTimestamp = timestamp(new Date(wctx.now.getTime() + grace * 1000));
          next.metadata.deletionGracePeriodSeconds = grace;
        }
        this.def.strategy.beginDeletion?.(next);
        if (deepEqual(next, cur)) return { object: cur, deleted: false };
        if (wctx.dryRun) return { object: next, deleted: false };
        try {
          const w = await this.store.update(kv.key, this.encode(next), kv.modRevision);
          next.metadata.resourceVersion = String(w.modRevision);
          return { object: next, deleted: false };
        } catch (e) { if (e instanceof ConflictError && attempt < 10) continue; throw e; }
      }
      if (wctx.dryRun) return { object: cur, deleted: true };
      try {
        const d = await this.store.delete(kv.key, kv.modRevision);
        cur.metadata.resourceVersion = String(d.modRevision);
        return { object: cur, deleted: true };
      } catch (e) {
        if (e instanceof ConflictError && attempt < 10) continue;
        if (e instanceof NotFoundError) throw notFound(this.ref, name);
        throw e;
      }
    }
  }


  async deleteCollection(namespace: string | undefined, q: ListQuery, opts: DeleteOptions, wctx: WriteContext): Promise<KObject[]> {
    const { items } = await this.list(namespace, q);
    const out: KObject[] = [];
    for (const o of items) {
      try { out.push((await this.delete(o.metadata.namespace, o.metadata.name!, opts, wctx)).object); }
      catch (e) { if (!(e instanceof StatusError && e.code === 404)) throw e; }
    }
    return out;
  }
}

/**
 * A resourceVersion from a list or watch request, as upstream's APIObjectVersioner parses it (an unsigned integer).
 * Upstream answers a malformed one with a 500 carrying this message (kubernetes#113939); a client error is a 400.
 */
export function parseResourceVersion(rv: string): number {
  if (!/^[0-9]+$/.test(rv)) {
    throw badRequest(`resourceVersion: Invalid value: ${JSON.stringify(rv)}: strconv.ParseUint: parsing ${JSON.stringify(rv)}: invalid syntax`);
  }
  const n = Number(rv);
  if (!Number.isSafeInteger(n)) throw badRequest(`resourceVersion: Invalid value: ${JSON.stringify(rv)}: strconv.ParseUint: parsing ${JSON.stringify(rv)}: value out of range`);
  return n;
}

function tooOld(requested: number, compacted: number) {
  return { ...new StatusError(410, 'Expired', `too old resource version: ${requested} (${compacted + 1})`).status };
}

/** Compare objects ignoring what changes on every write (managedFields times). */
function withoutVolatile(o: KObject): KObject {
  const c = { ...o, metadata: { ...o.metadata } };
  delete c.metadata.resourceVersion;
  if (c.metadata.managedFields) c.metadata.managedFields = c.metadata.managedFields.map((m: any) => ({ ...m, time: undefined }));
  return c;
}

/**
 * A push-to-pull bridge for watch streams: producers push, the HTTP writer iterates. Ends when the request is
 * aborted or end() is called; onClose callbacks release the storage watch.
 */
export class EventQueue<T> implements AsyncIterable<T> {
  private items: T[] = [];
  private waiting?: (v: IteratorResult<T>) => void;
  private closed = false;
  private closers: (() => void)[] = [];
  constructor(signal?: AbortSignal) {
    signal?.addEventListener('abort', () => this.close(), { once: true });
    if (signal?.aborted) this.close();
  }
  push(item: T): void {
    if (this.closed) return;
    if (this.waiting) { const w = this.waiting; this.waiting = undefined; w({ value: item, done: false }); }
    else this.items.push(item);
  }
  /** No more items after those queued. */
  end(): void { this.push(END as any); }
  onClose(fn: () => void): void { if (this.closed) fn(); else this.closers.push(fn); }
  private close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.closers.splice(0)) { try { c(); } catch { /* best effort */ } }
    if (this.waiting) { const w = this.waiting; this.waiting = undefined; w({ value: undefined as any, done: true }); }
  }
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        if (this.items.length) {
          const v = this.items.shift()!;
          if (v === (END as any)) { this.close(); return Promise.resolve({ value: undefined as any, done: true }); }
          return Promise.resolve({ value: v, done: false });
        }
        if (this.closed) return Promise.resolve({ value: undefined as any, done: true });
        return new Promise<IteratorResult<T>>((resolve) => {
          this.waiting = (r) => {
            if (!r.done && r.value === (END as any)) { this.close(); resolve({ value: undefined as any, done: true }); }
            else resolve(r);
          };
        });
      },
      return: () => { this.close(); return Promise.resolve({ value: undefined as any, done: true }); },
    };
  }
}
const END = Symbol('end');
