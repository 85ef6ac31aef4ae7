// The generic registry store (DESIGN.md §3): CRUD, resourceVersion checks, watch and error translation for every
// resource, on top of the Store seam. A resource only adds a Strategy (registry/<group>/<resource>/strategy.ts).
import type { Store, KeyValue } from '../../storage/backend.js';
import { KeyExistsError, ConflictError, NotFoundError, CompactedError, FutureRevisionError } from '../../storage/backend.js';
import {
  notFound, isNotFound, alreadyExists, conflict, invalid, badRequest, gone, timeout, FieldError, StatusError, type ResourceRef,
} from '../../api/errors.js';
import { parseLabelSelector, parseFieldSelector, type FieldRequirement, type Selector } from '../../api/labels.js';
import type { KubeObject } from '../../api/object.js';
import type { ResourceDefinition, StrategyContext } from './types.js';
import { fillCreateMeta, keepImmutableMeta, specChanged, clone, timestamp } from './object-meta.js';
import { deepEqual } from '../../api/json-equal.js';
import { randomSuffix } from './names.js';
import { watchStream, type WatchEvent } from './watch-stream.js';
import { encodeContinue, decodeContinue } from './continue-token.js';
import { parseResourceVersion } from './resource-version.js';
import type { AdmissionAttributes } from '../admission/admission.js';
import type { UserInfo } from '../../api/transport.js';
import { noteObjectText } from '../json-bodies.js';
import { copyParsedJson } from '../patch/patch-errors.js';
import { isStale } from '../encryption/encrypted-store.js';
import { keepStatus } from './status-subresource.js';

export type { WatchEvent, WatchEventType } from './watch-stream.js';
export { parseResourceVersion } from './resource-version.js';

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
  /**
   * The request's admission chain (src/apiserver/admission), run on every object about to be created: by POST, and
   * by a PUT or apply that creates. Absent for the server's own bootstrap writes.
   */
  admit?: (attrs: AdmissionAttributes) => Promise<void>;
  /** Who asks for the write (strategies that record the requester read it: CertificateSigningRequest spec.username). */
  user?: UserInfo;
}

export interface ListQuery {
  labelSelector?: string | null;
  fieldSelector?: string | null;
  limit?: number;
  continue?: string | null;
  resourceVersion?: string | null;
  resourceVersionMatch?: string | null;
}

export interface ListResult { items: KubeObject[]; resourceVersion: string; continue?: string; remainingItemCount?: number }

/** Compiled label and field selectors: `everything` is true when no selector was given. */
export interface SelectionPredicate { everything: boolean; matches: (o: KubeObject) => boolean }


export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
}

/** Hooks the registry wires in (the strategy context, object meta validation, managedFields). */
export interface StoreHooks {
  strategyContext(dryRun: boolean): StrategyContext;
  /** Validates ObjectMeta (names, labels, annotations) as upstream's ValidateObjectMeta. */
  validateObjectMeta(obj: KubeObject, def: ResourceDefinition, old?: KubeObject): FieldError[];
  /** Records field ownership for a non-apply write. */
  updateManagedFields?(args: { def: ResourceDefinition; old: KubeObject | undefined; updated: KubeObject; ctx: WriteContext; subresource?: string }): void;
}


/** How many keys' latest watch decodes a store keeps for the previous values of the updates that follow. */
const RECENT_DECODES = 256;

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
  private readonly decodedForWatch = new WeakMap<KeyValue, KubeObject>();
  /**
   * The last two revisions decoded for watchers of the keys changed last (at most RECENT_DECODES keys): an update's
   * previous value (its event's prevKv, read from the store again, decoded after the new value) is usually the
   * revision the key's previous event carried, decoded then. A revision's value never changes: its decode is shared.
   */
  private readonly recentDecodes = new Map<string, { revision: number; object: KubeObject; before?: { revision: number; object: KubeObject } }>();
  private decodeShared(kv: KeyValue): KubeObject {
    let o = this.decodedForWatch.get(kv);
    if (o) return o;
    const recent = this.recentDecodes.get(kv.key);
    const written = (kv.value as Buffer & { [k: symbol]: Written | undefined })[this.writtenMark];
    if (written !== undefined) {
      // What the writer does once the store answers (its watchers may run before that): the same resourceVersion.
      written.written(kv.modRevision);
      o = written.object;
    } else if (recent?.revision === kv.modRevision) o = recent.object;
    else if (recent?.before?.revision === kv.modRevision) { o = recent.before.object; recent.before = undefined; } // one update's prevKv
    else o = this.decode(kv);
    this.decodedForWatch.set(kv, o);
    this.remember(kv.key, kv.modRevision, o, recent);
    return o;
  }

  /** Records `object` as the key's value at `revision` among the recent decodes, if newer than what they hold. */
  private remember(key: string, revision: number, object: KubeObject, recent = this.recentDecodes.get(key)): void {
    if (recent && recent.revision >= revision) return;
    this.recentDecodes.delete(key); // re-inserted as the newest
    this.recentDecodes.set(key, { revision, object, before: recent && { revision: recent.revision, object: recent.object } });
    if (this.recentDecodes.size > RECENT_DECODES) this.recentDecodes.delete(this.recentDecodes.keys().next().value!);
  }

  /**
   * Marks the bytes of a write with the object they encode, for this store's watchers: the watch event of the write
   * carries the same bytes (SQLite publishes the value it was given), and decoding them again would give the same
   * tree (the object is what was encoded), so watchers share the writer's object instead of parsing it. Callers of
   * a write only read the object it returns (they serialize it). Not for objects JSON would not give back as they
   * are, nor for resources stored in another form (def.storage), whose decode is not the object written.
   */
  private encodeWritten(obj: KubeObject): { value: Buffer; written: (revision: number) => void } {
    if (this.def.storage || !isJsonTree(obj)) return { value: this.encode(obj), written: setResourceVersion(obj) };
    const { text, metadataEnd } = storedText(obj);
    const value = Buffer.from(text);
    let done = 0;
    // The object's own text is the stored one with its resourceVersion put back where it is in the object: at
    // the end of metadata (a create's, and an update's as decoded); elsewhere the text is left unknown.
    const written = (revision: number) => {
      if (done === revision) return;
      done = revision;
      const rv = String(revision);
      obj.metadata.resourceVersion = rv;
      if (metadataEnd < 0 || !resourceVersionLast(obj.metadata)) return;
      const empty = text.charCodeAt(metadataEnd - 1) === 0x7b; // "{}"
      noteObjectText(obj, `${text.slice(0, metadataEnd)}${empty ? '' : ','}"resourceVersion":${JSON.stringify(rv)}${text.slice(metadataEnd)}`);
    };
    (value as Buffer & { [k: symbol]: Written })[this.writtenMark] = { object: obj, written };
    return { value, written };
  }
  /** The property the marks of this store's writes are under (another store's watchers may see the same bytes). */
  private readonly writtenMark = Symbol('written');

  decode(kv: KeyValue): KubeObject {
    let obj = JSON.parse(kv.value.toString('utf8')) as KubeObject;
    if (this.def.storage) obj = this.def.storage.fromStorage(obj);
    obj.metadata.resourceVersion = String(kv.modRevision);
    return obj;
  }
  private encode(obj: KubeObject): Buffer {
    const stored = this.def.storage ? this.def.storage.toStorage(obj) : obj;
    const { resourceVersion: _rv, ...meta } = stored.metadata;
    return Buffer.from(JSON.stringify({ ...stored, metadata: meta }));
  }

  // ---- reads ----

  async get(namespace: string | undefined, name: string): Promise<KubeObject> {
    const kv = await this.store.get(this.key(namespace, name));
    if (!kv) throw notFound(this.ref, name);
    return this.decode(kv);
  }

  async tryGet(namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
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

  private fieldGetter(field: string): ((o: KubeObject) => string | undefined) | undefined {
    if (field === 'metadata.name') return (o) => o.metadata.name;
    if (field === 'metadata.namespace') return (o) => o.metadata.namespace ?? '';
    return this.def.strategy.fieldSelectors?.[field];
  }

  async list(namespace: string | undefined, q: ListQuery = {}): Promise<ListResult> {
    const selection = this.matcher(q.labelSelector, q.fieldSelector);
    let revision = 0;
    let startKey: string | undefined;
    if (q.continue) {
      ({ revision, startKey } = decodeContinue(q.continue));
    } else if (q.resourceVersion && q.resourceVersion !== '0' && q.resourceVersionMatch === 'Exact') {
      revision = parseResourceVersion(q.resourceVersion);
    } else if (q.resourceVersion && q.resourceVersion !== '0') {
      const want = parseResourceVersion(q.resourceVersion);
      const cur = await this.store.currentRevision();
      if (want > cur) throw timeout(`Too large resource version: ${want}, current: ${cur}`, 1);
    }
    const limit = q.limit && q.limit > 0 ? q.limit : undefined;
    const items: KubeObject[] = [];
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
        // A revision ahead of the store's (resourceVersionMatch=Exact, or a forged continue token): upstream's 504.
        if (e instanceof FutureRevisionError) throw timeout(`Too large resource version: ${e.requested}, current: ${e.current}`, 1);
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
              const token = encodeContinue({ revision: readAt, startKey: kv.key });
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

  /** A watch as the apiserver serves it (watch-stream.ts). */
  watch(namespace: string | undefined, q: ListQuery & { allowWatchBookmarks?: boolean; sendInitialEvents?: boolean }, signal: AbortSignal,
    opts: { capacity?: number; onFellBehind?: () => void } = {}): AsyncIterable<WatchEvent> {
    const selection = this.matcher(q.labelSelector, q.fieldSelector);
    return watchStream({
      store: this.store,
      prefix: this.prefix(namespace),
      resourceVersion: q.resourceVersion,
      sendInitialEvents: q.sendInitialEvents,
      allowWatchBookmarks: q.allowWatchBookmarks,
      matches: selection.matches,
      list: () => this.list(namespace, { labelSelector: q.labelSelector, fieldSelector: q.fieldSelector }),
      decode: (kv) => this.decodeShared(kv),
      bookmark: (rev, end) => this.bookmark(rev, end),
      signal,
      ...opts,
    });
  }

  private bookmark(rev: number, initialEnd: boolean): KubeObject {
    const meta: any = { resourceVersion: String(rev) };
    if (initialEnd) meta.annotations = { 'k8s.io/initial-events-end': 'true' };
    return { apiVersion: this.apiVersion, kind: this.def.kind, metadata: meta };
  }

  // ---- writes ----

  private ctx(dryRun: boolean): StrategyContext { return this.hooks.strategyContext(dryRun); }

  private checkKind(obj: KubeObject): void {
    if (obj.apiVersion !== undefined && obj.apiVersion !== this.apiVersion) {
      throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${this.apiVersion})`);
    }
    if (obj.kind !== undefined && obj.kind !== this.def.kind) {
      throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${this.def.kind})`);
    }
  }

  private async validate(obj: KubeObject, old: KubeObject | undefined, ctx: StrategyContext, subresource?: string): Promise<void> {
    const errs: FieldError[] = [...this.hooks.validateObjectMeta(obj, this.def, old)];
    const s = this.def.strategy;
    if (old && subresource === 'status' && s.validateStatusUpdate) errs.push(...await s.validateStatusUpdate(obj, old, ctx));
    else if (old && s.validateUpdate) errs.push(...await s.validateUpdate(obj, old, ctx));
    else if (!old && s.validate) errs.push(...await s.validate(obj, ctx));
    else if (old && s.validate) errs.push(...await s.validate(obj, ctx));
    if (errs.length) throw invalid(this.def.kind, this.def.group || undefined, obj.metadata.name ?? obj.metadata.generateName ?? '', errs);
  }

  /**
   * Create, as POST does. The namespace comes from the URL; a body namespace that differs is a 400. `input` is
   * copied first unless the caller says it is its own to give (`owned`: a decoded request body, tryUpdate's
   * result), in which case it becomes the stored object.
   */
  async create(namespace: string | undefined, input: KubeObject, wctx: WriteContext, opts: { owned?: boolean } = {}): Promise<KubeObject> {
    if (!input || typeof input !== 'object' || Array.isArray(input)) throw badRequest('the request body must be a JSON or YAML object');
    this.checkKind(input);
    const obj = opts.owned ? input : clone(input);
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
    const sctx = { ...this.ctx(wctx.dryRun), user: wctx.user };
    // The writer owns what it sent, defaulted as upstream decodes it, and not what the server adds after: upstream's
    // create handler records managedFields before mutating admission, the strategy and allocation (a pod's creator
    // does not own the kube-api-access volume, a Service's not its clusterIP).
    // As upstream's UpdateNoErrors, an object the field manager cannot take (a list item without its key) is stored
    // without managedFields rather than refused here: validation, below, says what is wrong with it.
    this.def.strategy.defaults?.(obj);
    try { this.hooks.updateManagedFields?.({ def: this.def, old: undefined, updated: obj, ctx: wctx }); } catch (e) {
      if (!(e instanceof StatusError)) throw e;
      delete obj.metadata.managedFields;
    }
    await wctx.admit?.({ operation: 'CREATE', object: obj, namespace: obj.metadata.namespace, def: this.def, dryRun: wctx.dryRun });
    this.def.strategy.defaults?.(obj);
    await this.def.strategy.prepareForCreate?.(obj, sctx);
    await this.validate(obj, undefined, sctx);
    // Validating admission before allocation, so a rejected write holds no allocated IP or port.
    await wctx.admit?.({ operation: 'CREATE', object: obj, namespace: obj.metadata.namespace, def: this.def, dryRun: wctx.dryRun, phase: 'validating' });
    await this.def.strategy.allocate?.(obj, sctx);
    if (wctx.dryRun) {
      const existing = await this.store.get(this.key(obj.metadata.namespace, obj.metadata.name!));
      if (existing) throw alreadyExists(this.ref, obj.metadata.name!);
      return obj;
    }
    for (let attempt = 0; ; attempt++) {
      try {
        const { value, written } = this.encodeWritten(obj);
        const kv = await this.store.create(this.key(obj.metadata.namespace, obj.metadata.name!), value);
        written(kv.modRevision);
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
    tryUpdate: (current: KubeObject | undefined) => KubeObject | Promise<KubeObject>,
    wctx: WriteContext & { subresource?: string; allowCreate?: boolean }): Promise<{ object: KubeObject; created: boolean }> {
    for (let attempt = 0; ; attempt++) {
      const kv = await this.store.get(this.key(namespace, name));
      const current = kv ? this.decode(kv) : undefined;
      if (!current && !wctx.allowCreate) throw notFound(this.ref, name);
      // The private copy: copying the decoded tree costs less than parsing the stored JSON again (and a tree fresh
      // from JSON.parse needs no check for shared or circular parts).
      const desired = await tryUpdate(current ? (this.def.storage ? clone(current) : copyParsedJson(current)) : undefined);
      if (!desired || typeof desired !== 'object' || Array.isArray(desired)) throw badRequest('the request body must be a JSON or YAML object');
      desired.metadata = desired.metadata && typeof desired.metadata === 'object' ? desired.metadata : {};
      if (!current) {
        if (desired.metadata.name && desired.metadata.name !== name) throw badRequest(`the name of the object (${desired.metadata.name}) does not match the name on the URL (${name})`);
        desired.metadata.name = name;
        delete desired.metadata.resourceVersion;
        // tryUpdate's result is the store's to change (writeUpdate changes it in place too).
        return { object: await this.create(namespace, desired, wctx, { owned: true }), created: true };
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
  async update(namespace: string | undefined, name: string, input: KubeObject, wctx: WriteContext & { subresource?: string }): Promise<{ object: KubeObject; created: boolean }> {
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

  private async writeUpdate(current: KubeObject, kv: KeyValue, desired: KubeObject, wctx: WriteContext & { subresource?: string }): Promise<KubeObject> {
    const obj = desired;
    obj.apiVersion = this.apiVersion; obj.kind = this.def.kind;
    const s = this.def.strategy;
    const sctx = { ...this.ctx(wctx.dryRun), user: wctx.user };
    const sub = wctx.subresource ? s.subresources?.[wctx.subresource] : undefined;
    if (sub) sub.prepareForUpdate(obj, current);
    else if (wctx.subresource === 'status') {
      if (s.prepareForStatusUpdate) s.prepareForStatusUpdate(obj, current);
      else { const status = obj.status; Object.assign(obj, clone(current)); obj.status = status; obj.metadata = clone(current.metadata); }
    } else if (s.prepareForUpdate) await s.prepareForUpdate(obj, current, sctx);
    else if (s.hasStatus) keepStatus(obj, current);
    keepImmutableMeta(obj, current);
    await wctx.admit?.({ operation: 'UPDATE', object: obj, oldObject: current, namespace: current.metadata.namespace, def: this.def, dryRun: wctx.dryRun, subresource: wctx.subresource });
    s.defaults?.(obj);
    if (s.hasGeneration && wctx.subresource !== 'status' && specChanged(obj, current)) {
      obj.metadata.generation = (current.metadata.generation ?? 0) + 1;
    }
    if (!sub?.skipValidation) await this.validate(obj, current, sctx, wctx.subresource);
    await wctx.admit?.({ operation: 'UPDATE', object: obj, oldObject: current, namespace: current.metadata.namespace, def: this.def, dryRun: wctx.dryRun, subresource: wctx.subresource, phase: 'validating' });
    if (s.allocate) await s.allocate(obj, sctx, current);
    obj.metadata.resourceVersion = current.metadata.resourceVersion;
    this.hooks.updateManagedFields?.({ def: this.def, old: current, updated: obj, ctx: wctx, subresource: wctx.subresource });
    // A no-op writes nothing and keeps the resourceVersion, unless the stored value was sealed with an old key.
    if (!isStale(kv) && deepEqual(withoutVolatile(obj), withoutVolatile(current))) return current;
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
    const { value, written } = this.encodeWritten(obj);
    written((await this.store.update(key, value, kv.modRevision)).modRevision);
    return obj;
  }

  /**
   * DELETE. Returns the object and whether it is gone now (200 + Status) or deletion is pending behind finalizers
   * or graceful termination (202 + object), as upstream.
   */
  async delete(namespace: string | undefined, name: string, opts: DeleteOptions, wctx: WriteContext): Promise<{ object: KubeObject; deleted: boolean }> {
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
      // Validating admission sees a DELETE too (the stored object as oldObject; object is the same, for plugins that
      // read it: upstream's is nil), before anything is written.
      await wctx.admit?.({ operation: 'DELETE', object: cur, oldObject: cur, namespace: cur.metadata.namespace, def: this.def, dryRun: wctx.dryRun, phase: 'validating' });
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


  async deleteCollection(namespace: string | undefined, q: ListQuery, opts: DeleteOptions, wctx: WriteContext): Promise<KubeObject[]> {
    const { items } = await this.list(namespace, q);
    const out: KubeObject[] = [];
    for (const o of items) {
      try { out.push((await this.delete(o.metadata.namespace, o.metadata.name!, opts, wctx)).object); }
      catch (e) { if (!isNotFound(e)) throw e; }
    }
    return out;
  }
}

/** Compare objects ignoring what changes on every write (managedFields times). */
function withoutVolatile(o: KubeObject): KubeObject {
  const c = { ...o, metadata: { ...o.metadata } };
  delete c.metadata.resourceVersion;
  if (c.metadata.managedFields) c.metadata.managedFields = c.metadata.managedFields.map((m: any) => ({ ...m, time: undefined }));
  return c;
}

/** A write's object and what completes it once its revision is known (the writer's or its first watcher's call). */
interface Written { object: KubeObject; written: (revision: number) => void }

const setResourceVersion = (obj: KubeObject) => (revision: number) => { obj.metadata.resourceVersion = String(revision); };

/**
 * The stored text of a JSON tree (JSON.stringify of the object without metadata.resourceVersion), built key by
 * key to know where metadata's closing brace is (-1 when metadata is not an object).
 */
function storedText(obj: KubeObject): { text: string; metadataEnd: number } {
  let text = '{';
  let metadataEnd = -1;
  for (const k in obj) {
    text += `${text.length > 1 ? ',' : ''}${JSON.stringify(k)}:`;
    const v = obj[k];
    if (k === 'metadata' && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const { resourceVersion: _rv, ...meta } = v as Record<string, unknown>;
      text += JSON.stringify(meta);
      metadataEnd = text.length - 1;
    } else text += JSON.stringify(v);
  }
  return { text: text + '}', metadataEnd };
}

function resourceVersionLast(meta: Record<string, unknown>): boolean {
  let last: string | undefined;
  for (const k in meta) last = k;
  return last === 'resourceVersion';
}

/**
 * Whether JSON.parse(JSON.stringify(v)) would give back an equal tree: plain objects and arrays
 * of strings, finite numbers (not -0), booleans and null, with no undefined values.
 */
export function isJsonTree(v: unknown, depth = 0): boolean {
  switch (typeof v) {
    case 'string': case 'boolean': return true;
    case 'number': return Number.isFinite(v) && !(v === 0 && 1 / v < 0);
    case 'object': {
      if (v === null) return true;
      if (depth > 1000) return false;
      if (Array.isArray(v)) {
        if (Object.getPrototypeOf(v) !== Array.prototype) return false;
        for (let i = 0; i < v.length; i++) if (!(i in v) || !isJsonTree(v[i], depth + 1)) return false;
        return true;
      }
      if (Object.getPrototypeOf(v) !== Object.prototype) return false;
      for (const k in v) {
        if (!Object.prototype.hasOwnProperty.call(v, k) || k === '__proto__') return false;
        if (!isJsonTree((v as Record<string, unknown>)[k], depth + 1)) return false;
      }
      return true;
    }
    default: return false;
  }
}
