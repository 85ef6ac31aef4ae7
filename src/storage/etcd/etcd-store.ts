// Store on an etcd v3 cluster (etcd3 client, raw KV/Watch RPCs). Our revisions ARE etcd's revisions.
// Mapping, as kube-apiserver's storage/etcd3 does it:
//   create  = txn(if create_revision(key) == 0 then put)
//   update  = txn(if version(key) > 0 and mod_revision(key) == expected then put(prev_kv) else get)
//   delete  = txn(if version(key) > 0 [and mod_revision == expected] then delete(prev_kv) else get)
//   list    = range at a fixed revision; the next page starts at continueKey + "\0"
//   watch   = one gRPC watch stream per watcher, start_revision = fromRevision + 1, prev_kv
//   compact = record the revision in "compact_rev_key" (CAS on its version, so several apiservers sharing
//             one etcd compact once per round, like kube's compactor), then etcd Compact(revision + 1), which
//             keeps revision + 1 readable and everything at or below `revision` gone (our contract).
// etcd's compaction is cluster-wide, so compact_rev_key lives outside keyPrefix.
//
// Retries: the etcd3 client's default policy re-sends any call that failed with a recoverable error, which for a
// transaction whose connection was lost after it was sent means running it twice: a create that was applied then
// answers "exists", an update "conflict", a delete "not found". So the client runs every call once; reads are
// retried here (they are idempotent), and a write whose outcome is unknown is resolved by reading the key back
// (its value at the revision it was created or last modified), then retried only if it was not applied.
import {
  Etcd3, CompareResult, CompareTarget, isRecoverableError,
  type IKeyValue, type IResponseHeader, type IWatchResponse, type IDuplexStream, type IWatchRequest, type ICompare, type IOptions,
} from 'etcd3';
import {
  CompactedError, ConflictError, FutureRevisionError, KeyExistsError, NotFoundError, StorageError,
  type KeyValue, type ListOptions, type ListResult, type Store, type WatchCallbacks, type WatchEvent, type Watcher,
} from '../backend.js';
import { startPeriodicCompaction, type CompactionPolicy, type PeriodicCompaction } from '../periodic-compaction.js';

export interface EtcdStoreOptions extends CompactionPolicy {
  /** Client URLs, e.g. ["http://10.0.0.1:2379", "http://10.0.0.2:2379"]. */
  endpoints: string[];
  /** Prepended to every key in etcd (default ''; our keys already start with "/registry/"). */
  keyPrefix?: string;
  /** How long connect() waits for a first answer before failing with a clear error. Default 5 s. */
  connectTimeoutMs?: number;
}

const compactRevKey = Buffer.from('compact_rev_key');
/** Attempts for a call that failed with a recoverable error (the etcd3 client's default was 3). */
const maxAttempts = 3;

/** A fault-handling policy that runs each call once (cockatiel's noop, without depending on cockatiel). */
const neverAborted = new AbortController().signal;
const runOnce = {
  _altReturn: undefined as never,
  onSuccess: () => ({ dispose() { /* nothing */ } }),
  onFailure: () => ({ dispose() { /* nothing */ } }),
  execute: <T>(fn: (ctx: { signal: AbortSignal }) => PromiseLike<T> | T, signal?: AbortSignal) =>
    Promise.resolve().then(() => fn({ signal: signal ?? neverAborted })),
} as unknown as NonNullable<NonNullable<IOptions['faultHandling']>['global']>;

/** What reading the key back says about a write whose answer was lost. */
type Resolved<T> = { applied: T } | { applied?: undefined; notApplied: true };
const compactedMessage = 'required revision has been compacted';
const futureMessage = 'required revision is a future revision';

/** etcd's range end for "every key starting with prefix": prefix with its last byte below 0xff incremented. */
function prefixEnd(prefix: Buffer): Buffer {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i] < 0xff) {
      const end = Buffer.from(prefix.subarray(0, i + 1));
      end[i]++;
      return end;
    }
  }
  return Buffer.from([0]); // "to the end of the keyspace"
}

export class EtcdStore implements Store {
  private readonly client: Etcd3;
  private readonly prefix: string;
  private readonly prefixLen: number;
  private readonly compaction: PeriodicCompaction;
  private readonly watchers = new Set<EtcdWatch>();
  /** Highest revision seen in any response: lets watch() reject most future revisions synchronously. */
  private knownRevision = 0;
  private closed = false;

  private constructor(opts: EtcdStoreOptions) {
    this.client = new Etcd3({
      hosts: opts.endpoints,
      // Lists of many objects exceed gRPC's default 4 MiB receive limit.
      grpcOptions: { 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1 },
      faultHandling: { global: runOnce },
    });
    this.prefix = opts.keyPrefix ?? '';
    this.prefixLen = Buffer.byteLength(this.prefix);
    this.compaction = startPeriodicCompaction(this, opts);
  }

  /** Connects and checks that etcd answers; fails within connectTimeoutMs with an error naming the endpoints. */
  static async connect(opts: EtcdStoreOptions): Promise<EtcdStore> {
    const store = new EtcdStore(opts);
    const timeoutMs = opts.connectTimeoutMs ?? 5000;
    try {
      await store.client.kv.range({ key: compactRevKey, count_only: true }, { deadline: Date.now() + timeoutMs });
    } catch (err) {
      await store.close();
      throw new StorageError(`cannot reach etcd at ${opts.endpoints.join(',')}: ${err instanceof Error ? err.message : String(err)}`);
    }
    return store;
  }

  async get(key: string, opts: { revision?: number } = {}): Promise<KeyValue | undefined> {
    const res = await this.call(opts.revision, () => this.client.kv.range({ key: this.k(key), revision: opts.revision || 0 }));
    return res.kvs.length ? this.toKeyValue(res.kvs[0]) : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const full = this.k(prefix);
    const end = prefixEnd(full);
    let start = full.length ? full : Buffer.from([0]);
    if (opts.continueKey !== undefined) {
      const from = Buffer.concat([this.k(opts.continueKey), Buffer.from([0])]);
      if (Buffer.compare(from, start) > 0) start = from;
    }
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const res = await this.call(opts.revision, () => this.client.kv.range({ key: start, range_end: end, revision: opts.revision || 0, limit }));
    const items = res.kvs.map((kv) => this.toKeyValue(kv));
    const result: ListResult = { items, revision: opts.revision || Number(res.header.revision) };
    if (res.more && items.length) {
      result.continueKey = items[items.length - 1].key;
      result.remaining = Number(res.count) - items.length;
    }
    return result;
  }

  async count(prefix: string): Promise<number> {
    const full = this.k(prefix);
    const res = await this.call(0, () => this.client.kv.range({ key: full.length ? full : Buffer.from([0]), range_end: prefixEnd(full), count_only: true }));
    return Number(res.count);
  }

  async create(key: string, value: Buffer): Promise<KeyValue> {
    const k = this.k(key);
    return this.write(async () => {
      const res = await this.call(0, () => this.client.kv.txn({
        compare: [{ key: k, target: CompareTarget.Create, result: CompareResult.Equal, create_revision: 0 }],
        success: [{ request_put: { key: k, value } }],
      }), false);
      if (!res.succeeded) throw new KeyExistsError(key);
      const rev = Number(res.header.revision);
      return { key, value, createRevision: rev, modRevision: rev };
    }, async () => {
      // Ours if the key was created with our value (the value a create writes carries the object's uid).
      const cur = await this.rawGet(k);
      if (!cur) return { notApplied: true };
      const created = Number(cur.create_revision);
      const first = Number(cur.mod_revision) === created ? cur : await this.rawGet(k, created);
      if (first && Number(first.create_revision) === created && Buffer.from(first.value).equals(value)) {
        return { applied: { key, value, createRevision: created, modRevision: created } };
      }
      throw new KeyExistsError(key);
    });
  }

  async update(key: string, value: Buffer, expectedRevision: number): Promise<KeyValue> {
    const k = this.k(key);
    return this.write(async () => {
      const res = await this.call(0, () => this.client.kv.txn({
        compare: [
          { key: k, target: CompareTarget.Version, result: CompareResult.Greater, version: 0 },
          { key: k, target: CompareTarget.Mod, result: CompareResult.Equal, mod_revision: expectedRevision },
        ],
        success: [{ request_put: { key: k, value, prev_kv: true } }],
        failure: [{ request_range: { key: k } }],
      }), false);
      if (!res.succeeded) throw this.casFailure(key, res.responses[0]?.response_range?.kvs ?? []);
      const prev = res.responses[0].response_put.prev_kv;
      return { key, value, createRevision: Number(prev.create_revision), modRevision: Number(res.header.revision) };
    }, async () => {
      const cur = await this.rawGet(k);
      if (cur && Number(cur.mod_revision) === expectedRevision) return { notApplied: true };
      // Ours if the revision right after the expected one holds our value: the same object (create revision),
      // one version later.
      const before = await this.rawGet(k, expectedRevision);
      if (cur && before && Number(cur.create_revision) === Number(before.create_revision)
        && Number(cur.version) === Number(before.version) + 1 && Buffer.from(cur.value).equals(value)) {
        return { applied: { key, value, createRevision: Number(cur.create_revision), modRevision: Number(cur.mod_revision) } };
      }
      throw cur ? new ConflictError(key, Number(cur.mod_revision)) : new NotFoundError(key);
    });
  }

  async delete(key: string, expectedRevision = 0): Promise<KeyValue> {
    const k = this.k(key);
    const compare: ICompare[] = [{ key: k, target: CompareTarget.Version, result: CompareResult.Greater, version: 0 }];
    if (expectedRevision) compare.push({ key: k, target: CompareTarget.Mod, result: CompareResult.Equal, mod_revision: expectedRevision });
    // The object as it was before the delete, for the answer if the delete's own answer is lost.
    let last: IKeyValue | undefined;
    return this.write(async () => {
      const res = await this.call(0, () => this.client.kv.txn({
        compare,
        success: [{ request_delete_range: { key: k, prev_kv: true } }],
        failure: [{ request_range: { key: k } }],
      }), false);
      if (!res.succeeded) throw this.casFailure(key, res.responses[0]?.response_range?.kvs ?? []);
      const prev = res.responses[0].response_delete_range.prev_kvs[0];
      return { key, value: Buffer.from(prev.value), createRevision: Number(prev.create_revision), modRevision: Number(res.header.revision) };
    }, async () => {
      const cur = await this.rawGet(k);
      if (cur && (!expectedRevision || Number(cur.mod_revision) === expectedRevision)) { last = cur; return { notApplied: true }; }
      if (cur) throw new ConflictError(key, Number(cur.mod_revision));
      // Gone. Ours if it was the revision we meant to delete: the delete is the key's next change.
      const before = expectedRevision ? await this.rawGet(k, expectedRevision) : last;
      if (!before) throw new NotFoundError(key);
      const deletedAt = await this.nextChange(k, Number(before.mod_revision));
      if (deletedAt === undefined) throw new NotFoundError(key);
      return { applied: { key, value: Buffer.from(before.value), createRevision: Number(before.create_revision), modRevision: deletedAt } };
    });
  }

  /**
   * Runs a write once; if its outcome is unknown (the connection was lost after it was sent), asks `resolve`,
   * which reads the key back and says whether the write was applied (its result), was not (then it is sent
   * again), or throws the definite answer.
   */
  private async write<T>(attempt: () => Promise<T>, resolve: () => Promise<Resolved<T>>): Promise<T> {
    for (let n = 1; ; n++) {
      try {
        return await attempt();
      } catch (err) {
        if (this.closed || !(err instanceof Error) || !isRecoverableError(err)) throw err;
        let outcome: Resolved<T>;
        try { outcome = await resolve(); } catch (definite) {
          if (definite instanceof Error && isRecoverableError(definite)) throw err; // still unknown
          throw definite;
        }
        if (outcome.applied !== undefined) return outcome.applied;
        if (n >= maxAttempts) throw err;
      }
    }
  }

  /** The key's raw etcd entry, now or at a revision. */
  private async rawGet(k: Buffer, revision = 0): Promise<IKeyValue | undefined> {
    const res = await this.call(revision, () => this.client.kv.range({ key: k, revision }));
    return res.kvs[0];
  }

  /** The revision of the key's first change after `revision` (from etcd's history, via a one-off watch). */
  private async nextChange(k: Buffer, revision: number): Promise<number | undefined> {
    const w = await this.client.watch().key(k).startRevision(String(revision + 1)).create();
    try {
      return await new Promise<number | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(undefined), 5000);
        w.on('data', (res: IWatchResponse) => {
          const ev = res.events[0];
          if (ev) { clearTimeout(timer); resolve(Number(ev.kv.mod_revision)); }
        });
        w.on('error', () => { clearTimeout(timer); resolve(undefined); });
      });
    } finally { await w.cancel().catch(() => undefined); }
  }

  watch(prefix: string, fromRevision: number, cb: WatchCallbacks): Watcher {
    if (this.closed) throw new StorageError('store closed');
    if (this.knownRevision && fromRevision > this.knownRevision) {
      // Probably in the future, but another client may have written since we last looked: check (async).
      const w = new EtcdWatch(this, cb, fromRevision);
      this.watchers.add(w);
      this.currentRevision().then((cur) => {
        if (fromRevision > cur) w.fail(new FutureRevisionError(fromRevision, cur));
        else w.start(this.k(prefix));
      }, (err) => w.fail(err));
      return w;
    }
    const w = new EtcdWatch(this, cb, fromRevision);
    this.watchers.add(w);
    w.start(this.k(prefix));
    return w;
  }

  async compact(revision: number): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const res = await this.call(0, () => this.client.kv.range({ key: compactRevKey }));
      const current = Number(res.header.revision);
      if (revision > current) throw new FutureRevisionError(revision, current);
      const kv = res.kvs[0];
      const compacted = kv ? Number(kv.value.toString()) : 0;
      if (revision <= compacted) return;
      const txn = await this.call(0, () => this.client.kv.txn({
        compare: [{ key: compactRevKey, target: CompareTarget.Version, result: CompareResult.Equal, version: kv ? kv.version : 0 }],
        success: [{ request_put: { key: compactRevKey, value: Buffer.from(String(revision)) } }],
      }));
      if (!txn.succeeded) continue; // another apiserver compacted meanwhile; look again
      // The put above made revision + 1 <= current, so etcd accepts it.
      try {
        await this.client.kv.compact({ revision: revision + 1 });
      } catch (err) {
        if (!(err instanceof Error && err.message.includes(compactedMessage))) throw err; // already compacted further
      }
      return;
    }
  }

  async currentRevision(): Promise<number> {
    const res = await this.call(0, () => this.client.kv.range({ key: compactRevKey, count_only: true }));
    return Number(res.header.revision);
  }

  async compactedRevision(): Promise<number> {
    const res = await this.call(0, () => this.client.kv.range({ key: compactRevKey }));
    return res.kvs.length ? Number(res.kvs[0].value.toString()) + 1 : 1;
  }

  /** Runs the periodic compaction now (for tests). */
  runCompaction(): Promise<number | undefined> {
    return this.compaction.runOnce();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.compaction.stop();
    for (const w of [...this.watchers]) w.fail(new StorageError('store closed'));
    this.client.close();
  }

  // ---- internals shared with EtcdWatch ----

  /** @internal */ k(key: string): Buffer {
    return Buffer.from(this.prefix + key);
  }

  /** @internal */ toKeyValue(kv: IKeyValue, value: Buffer = kv.value): KeyValue {
    return {
      key: kv.key.subarray(this.prefixLen).toString(),
      value: Buffer.from(value),
      createRevision: Number(kv.create_revision),
      modRevision: Number(kv.mod_revision),
    };
  }

  /** @internal */ observe(header: IResponseHeader | undefined): void {
    const rev = Number(header?.revision ?? 0);
    if (rev > this.knownRevision) this.knownRevision = rev;
  }

  /** @internal */ forget(w: EtcdWatch): void {
    this.watchers.delete(w);
  }

  /** @internal */ openWatchStream(): Promise<IDuplexStream<IWatchRequest, IWatchResponse>> {
    return this.client.watchClient.watch();
  }

  /** @internal */ async compactedError(requested: number): Promise<CompactedError> {
    let oldest = requested + 1;
    try { oldest = await this.compactedRevision(); } catch { /* report what we know */ }
    return new CompactedError(requested, oldest - 1);
  }

  /** Runs an etcd call (retried on recoverable errors unless `retry` is false), mapping etcd's revision errors onto ours. */
  private async call<T extends { header: IResponseHeader }>(revision: number | undefined, fn: () => Promise<T>, retry = true): Promise<T> {
    if (this.closed) throw new StorageError('store closed');
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await fn();
        this.observe(res.header);
        return res;
      } catch (err) {
        if (retry && attempt < maxAttempts && !this.closed && err instanceof Error && isRecoverableError(err)) continue;
        throw await this.mapError(err, revision);
      }
    }
  }

  private async mapError(err: unknown, revision: number | undefined): Promise<unknown> {
    const msg = err instanceof Error ? err.message : String(err);
    if (msg.includes(compactedMessage)) return await this.compactedError(revision ?? 0);
    if (msg.includes(futureMessage)) return new FutureRevisionError(revision ?? 0, await this.currentRevision().catch(() => this.knownRevision));
    return err;
  }

  private casFailure(key: string, kvs: IKeyValue[]): Error {
    return kvs.length ? new ConflictError(key, Number(kvs[0].mod_revision)) : new NotFoundError(key);
  }
}

/** One store watch = one etcd watch stream. Events are delivered from the stream's 'data' handler, in order. */
class EtcdWatch implements Watcher {
  private stream: IDuplexStream<IWatchRequest, IWatchResponse> | undefined;
  private done = false;

  constructor(private readonly store: EtcdStore, private readonly cb: WatchCallbacks, private readonly fromRevision: number) {}

  start(key: Buffer): void {
    if (this.done) return;
    this.store.openWatchStream().then((stream) => {
      if (this.done) { stream.on('error', () => {}); stream.cancel(); return; }
      this.stream = stream;
      stream.on('data', (res) => this.onResponse(res));
      stream.on('error', (err) => this.fail(new StorageError(`etcd watch failed: ${err.message}`)));
      stream.on('end', () => this.fail(new StorageError('etcd watch stream ended')));
      stream.write({
        create_request: {
          key: key.length ? key : Buffer.from([0]),
          range_end: prefixEnd(key),
          start_revision: this.fromRevision + 1,
          prev_kv: true,
        },
      });
    }, (err: Error) => this.fail(new StorageError(`etcd watch failed: ${err.message}`)));
  }

  stop(): void {
    if (this.done) return;
    this.done = true;
    this.store.forget(this);
    this.stream?.cancel();
  }

  fail(err: Error): void {
    if (this.done) return;
    this.stop();
    try { this.cb.onError(err); } catch { /* the watch is over either way */ }
  }

  private onResponse(res: IWatchResponse): void {
    if (this.done) return;
    this.store.observe(res.header);
    if (res.canceled) {
      if (Number(res.compact_revision) > 0) {
        // etcd's compact_revision is the oldest revision it still has, i.e. our compacted revision + 1.
        this.fail(new CompactedError(this.fromRevision, Number(res.compact_revision) - 1));
      } else {
        this.fail(new StorageError(`etcd watch canceled: ${res.cancel_reason || 'no reason given'}`));
      }
      return;
    }
    for (const ev of res.events) {
      if (this.done) return;
      let event: WatchEvent;
      if (ev.type === 'Delete' || (ev.type as unknown) === 1) {
        const kv = this.store.toKeyValue(ev.kv, ev.prev_kv?.value ?? Buffer.alloc(0));
        if (ev.prev_kv) kv.createRevision = Number(ev.prev_kv.create_revision);
        event = { type: 'DELETE', kv, prevKv: ev.prev_kv ? this.store.toKeyValue(ev.prev_kv) : undefined };
      } else {
        const kv = this.store.toKeyValue(ev.kv);
        event = ev.prev_kv && ev.kv.version !== '1' ? { type: 'PUT', kv, prevKv: this.store.toKeyValue(ev.prev_kv) } : { type: 'PUT', kv };
      }
      try {
        this.cb.onEvent(event);
      } catch (err) {
        this.fail(err instanceof Error ? err : new Error(String(err)));
      }
    }
  }
}
