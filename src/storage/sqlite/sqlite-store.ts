// Store on an embedded SQLite file (better-sqlite3, synchronous): an append-only revision log with
// compaction, see sqlite-schema.ts for the layout. One process owns the file; watches are fanned out in
// process once each commit is on disk (watch-hub.ts).
import fs from 'node:fs';
import Database from 'better-sqlite3';
import {
  CompactedError, ConflictError, FutureRevisionError, KeyExistsError, NotFoundError, StorageError,
  type KeyValue, type ListOptions, type ListResult, type Store, type WatchCallbacks, type WatchEvent, type Watcher,
} from '../backend.js';
import { WatchHub } from '../watch-hub.js';
import { startPeriodicCompaction, type CompactionPolicy, type PeriodicCompaction } from '../periodic-compaction.js';
import { prepareDatabase, type Row } from './sqlite-schema.js';

export interface SqliteStoreOptions extends CompactionPolicy {
  /** Database file; created (with its tables) if missing. */
  path: string;
  /** How long open() waits for another process to release the file before failing. Default 5 s. */
  busyTimeoutMs?: number;
}

/** Upper bound (exclusive) of the keys starting with prefix, in SQLite's BINARY (UTF-8 byte) order. */
const prefixEnd = (prefix: string) => prefix + '\u{10FFFF}';
/** The smallest key greater than k. */
const after = (k: string) => k + '\u0000';

/** Rows of the same key superseded at or below the compaction revision are deleted this many ids at a time. */
const compactBatch = 10_000;

interface PendingWrite { op: () => { kv: KeyValue; event: WatchEvent }; resolve: (kv: KeyValue) => void; reject: (e: unknown) => void }

interface HistoryRow extends Row { prev_value: Buffer | null; prev_create_revision: number | null }

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly hub = new WatchHub();
  private readonly compaction: PeriodicCompaction;
  private rev: number;
  private compactRev: number;
  private closed = false;
  private pending: PendingWrite[] = [];
  /** Committed writes waiting for the WAL's fdatasync, in revision order; acknowledged and published after it. */
  private committed: Array<{ write: PendingWrite; kv: KeyValue; event: WatchEvent }> = [];
  /** The running fdatasync loop (one at a time: each covers every commit before it). */
  private syncing: Promise<void> | undefined;
  /** The WAL file, opened on the first sync; undefined for an in-memory database (nothing to sync). */
  private wal: fs.promises.FileHandle | undefined;
  private readonly walPath: string | undefined;
  /** The highest revision published to watchers (≤ rev: commits between are waiting for their fdatasync). */
  private publishedRev: number;

  private readonly stmt: {
    latest: Database.Statement<[string], Row>;
    atRevision: Database.Statement<[string, number], Row>;
    insert: Database.Statement<[number, string, number, number, number, number, Buffer]>;
    list: Database.Statement<[string, string, number, number], Row>;
    countLive: Database.Statement<[string, string, number], { n: number }>;
    history: Database.Statement<[number, number, string, string], HistoryRow>;
    setCompactRevision: Database.Statement<[number]>;
    compactRange: Database.Statement<[number, number, number]>;
  };

  private constructor(opts: SqliteStoreOptions) {
    this.db = new Database(opts.path, { timeout: opts.busyTimeoutMs ?? 5000 });
    try {
      prepareDatabase(this.db);
    } catch (err) {
      this.db.close();
      if (err instanceof Error && /locked|busy/i.test(err.message)) {
        throw new StorageError(`sqlite database ${opts.path} is in use by another process (${err.message})`);
      }
      throw err;
    }
    const db = this.db;
    this.stmt = {
      latest: db.prepare('SELECT * FROM kv WHERE name = ? ORDER BY id DESC LIMIT 1'),
      atRevision: db.prepare('SELECT * FROM kv WHERE name = ? AND id <= ? ORDER BY id DESC LIMIT 1'),
      insert: db.prepare('INSERT INTO kv (id, name, created, deleted, create_revision, prev_revision, value) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      // Latest row per key in [lo, hi) as of a revision; tombstones hide the key.
      list: db.prepare(`SELECT * FROM kv WHERE id IN (
          SELECT MAX(id) FROM kv WHERE name >= ? AND name < ? AND id <= ? GROUP BY name
        ) AND deleted = 0 ORDER BY name LIMIT ?`),
      countLive: db.prepare(`SELECT COUNT(*) AS n FROM kv WHERE id IN (
          SELECT MAX(id) FROM kv WHERE name >= ? AND name < ? AND id <= ? GROUP BY name
        ) AND deleted = 0`),
      history: db.prepare(`SELECT kv.*, p.value AS prev_value, p.create_revision AS prev_create_revision
          FROM kv LEFT JOIN kv AS p ON p.id = kv.prev_revision
          WHERE kv.id > ? AND kv.id <= ? AND kv.name >= ? AND kv.name < ? ORDER BY kv.id`),
      setCompactRevision: db.prepare(`UPDATE meta SET value = ? WHERE key = 'compact_revision'`),
      compactRange: db.prepare(`DELETE FROM kv WHERE id > ? AND id <= ? AND (
          deleted = 1 OR id < (SELECT MAX(n.id) FROM kv AS n WHERE n.name = kv.name AND n.id <= ?))`),
    };
    this.rev = (db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'kv'`).pluck().get() as number | undefined) ?? 0;
    this.compactRev = db.prepare(`SELECT value FROM meta WHERE key = 'compact_revision'`).pluck().get() as number;
    this.publishedRev = this.rev;
    this.walPath = db.pragma('journal_mode', { simple: true }) === 'wal' ? `${db.name}-wal` : undefined;
    this.compaction = startPeriodicCompaction(this, opts);
  }

  /** Opens (creating if needed) the store at opts.path and starts periodic compaction. */
  static open(opts: SqliteStoreOptions): SqliteStore {
    return new SqliteStore(opts);
  }

  /** Absolute path of the database file (its -wal file sits beside it). */
  get path(): string { return this.db.name; }

  async get(key: string, opts: { revision?: number } = {}): Promise<KeyValue | undefined> {
    this.checkOpen();
    const revision = opts.revision || 0;
    const row = revision ? (this.checkReadRevision(revision), this.stmt.atRevision.get(key, revision)) : this.stmt.latest.get(key);
    return row && !row.deleted ? toKeyValue(row) : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const revision = opts.revision || this.rev;
    if (opts.revision) this.checkReadRevision(revision);
    const hi = prefixEnd(prefix);
    const lo = opts.continueKey !== undefined && opts.continueKey >= prefix ? after(opts.continueKey) : prefix;
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const rows = this.stmt.list.all(lo, hi, revision, limit ? limit + 1 : -1);
    if (!limit || rows.length <= limit) return { items: rows.map(toKeyValue), revision };
    rows.length = limit;
    const continueKey = rows[limit - 1].name;
    const remaining = this.stmt.countLive.get(after(continueKey), hi, revision)!.n;
    return { items: rows.map(toKeyValue), revision, continueKey, remaining };
  }

  async count(prefix: string): Promise<number> {
    this.checkOpen();
    return this.stmt.countLive.get(prefix, prefixEnd(prefix), this.rev)!.n;
  }

  create(key: string, value: Buffer): Promise<KeyValue> {
    return this.write(() => {
      const prev = this.stmt.latest.get(key);
      if (prev && !prev.deleted) throw new KeyExistsError(key);
      const id = this.append(key, 1, 0, 0, prev?.id ?? 0, value);
      const kv: KeyValue = { key, value, createRevision: id, modRevision: id };
      return { kv, event: { type: 'PUT', kv } };
    });
  }

  update(key: string, value: Buffer, expectedRevision: number): Promise<KeyValue> {
    return this.write(() => {
      const prev = this.stmt.latest.get(key);
      if (!prev || prev.deleted) throw new NotFoundError(key);
      if (prev.id !== expectedRevision) throw new ConflictError(key, prev.id);
      const id = this.append(key, 0, 0, prev.create_revision, prev.id, value);
      const kv: KeyValue = { key, value, createRevision: prev.create_revision, modRevision: id };
      return { kv, event: { type: 'PUT', kv, prevKv: toKeyValue(prev) } };
    });
  }

  delete(key: string, expectedRevision = 0): Promise<KeyValue> {
    return this.write(() => {
      const prev = this.stmt.latest.get(key);
      if (!prev || prev.deleted) throw new NotFoundError(key);
      if (expectedRevision && prev.id !== expectedRevision) throw new ConflictError(key, prev.id);
      const id = this.append(key, 0, 1, prev.create_revision, prev.id, prev.value);
      const kv: KeyValue = { key, value: prev.value, createRevision: prev.create_revision, modRevision: id };
      return { kv, event: { type: 'DELETE', kv, prevKv: toKeyValue(prev) } };
    });
  }

  /**
   * Group commit: writes issued in the same turn of the event loop run in one transaction, each with its own
   * checks, in the order they were issued. The COMMIT itself does not wait for the disk (synchronous=NORMAL,
   * see sqlite-schema.ts); the WAL's fdatasync then runs on libuv's thread pool, off the event loop, and only
   * after it returns is each write acknowledged and its watch event published. So an acknowledged write is on
   * disk, as with one fsync per commit, while the API keeps serving during the disk's wait. Reads on this
   * connection may see a committed write shortly before it is acknowledged (as etcd's reads may see an entry
   * applied before its writer hears back).
   */
  private write(op: () => { kv: KeyValue; event: WatchEvent }): Promise<KeyValue> {
    try { this.checkOpen(); } catch (e) { return Promise.reject(e); }
    return new Promise<KeyValue>((resolve, reject) => {
      this.pending.push({ op, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    if (this.closed) { for (const w of batch) w.reject(new StorageError('store closed')); return; }
    const startRev = this.rev;
    const results: ({ ok: true; kv: KeyValue; event: WatchEvent } | { ok: false; err: unknown })[] = [];
    try {
      this.db.exec('BEGIN IMMEDIATE');
      for (const w of batch) {
        try { const r = w.op(); results.push({ ok: true, ...r }); }
        catch (err) { results.push({ ok: false, err }); }
      }
      this.db.exec('COMMIT');
    } catch (err) {
      if (this.db.inTransaction) { try { this.db.exec('ROLLBACK'); } catch { /* already rolled back */ } }
      this.rev = startRev;
      for (const w of batch) w.reject(err);
      return;
    }
    batch.forEach((w, i) => {
      const r = results[i];
      if (r.ok) this.committed.push({ write: w, kv: r.kv, event: r.event }); else w.reject(r.err);
    });
    this.sync();
  }

  /** Starts the fdatasync loop unless it runs; it acknowledges every committed write, in order. */
  private sync(): void {
    if (this.syncing || !this.committed.length) return;
    this.syncing = (async () => {
      while (this.committed.length) {
        const acks = this.committed;
        this.committed = [];
        let failed: unknown;
        try {
          if (this.walPath) { this.wal ??= await fs.promises.open(this.walPath, 'r'); await this.wal.datasync(); }
        } catch (err) { failed = err; }
        for (const { write, kv, event } of acks) {
          // Published even when the disk failed: the row is in the database, and watchers must match it.
          this.hub.publish(event);
          this.publishedRev = kv.modRevision;
          if (failed) write.reject(new StorageError(`the write was stored but the disk did not confirm it: ${failed instanceof Error ? failed.message : String(failed)}`));
          else write.resolve(kv);
        }
      }
    })().finally(() => { this.syncing = undefined; this.sync(); });
  }

  watch(prefix: string, fromRevision: number, cb: WatchCallbacks): Watcher {
    this.checkOpen();
    if (fromRevision > this.rev) throw new FutureRevisionError(fromRevision, this.rev);
    if (fromRevision < this.compactRev) return this.hub.failed(prefix, cb, new CompactedError(fromRevision, this.compactRev));
    // Reading the backlog and registering happen in one synchronous step: no write can slip between. The
    // backlog ends at the last published revision; later ones reach the watcher as they are published, those
    // at or below fromRevision (committed, not yet published) left out.
    const backlog = fromRevision < this.publishedRev
      ? this.stmt.history.all(fromRevision, this.publishedRev, prefix, prefixEnd(prefix)).map(toWatchEvent)
      : [];
    return this.hub.add(prefix, cb, backlog, fromRevision);
  }

  async compact(revision: number): Promise<void> {
    this.checkOpen();
    if (revision > this.rev) throw new FutureRevisionError(revision, this.rev);
    if (revision <= this.compactRev) return;
    // Reads at or below `revision` are refused from here on, so deleting in batches (yielding to other work
    // between them) never shows a half-compacted history.
    this.stmt.setCompactRevision.run(revision);
    this.compactRev = revision;
    for (let lo = 0; lo < revision; lo += compactBatch) {
      if (this.closed) return;
      this.stmt.compactRange.run(lo, Math.min(lo + compactBatch, revision), revision);
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (this.closed) return;
    // Give freed pages back to the file system and reset the WAL, so the files' size follows the live data.
    this.db.pragma('incremental_vacuum');
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  async currentRevision(): Promise<number> {
    this.checkOpen();
    return this.rev;
  }

  async compactedRevision(): Promise<number> {
    this.checkOpen();
    return this.compactRev + 1;
  }

  /** Runs the periodic compaction now (for tests and the benchmark). */
  runCompaction(): Promise<number | undefined> {
    return this.compaction.runOnce();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flush(); // writes already issued commit (and are acknowledged) before the file closes
    this.closed = true;
    this.compaction.stop();
    while (this.syncing) await this.syncing;
    this.hub.closeAll(new StorageError('store closed'));
    this.db.close();
    await this.wal?.close().catch(() => undefined);
  }

  /** One INSERT inside the group-commit transaction; the revision counter is rolled back if the commit fails. */
  private append(key: string, created: number, deleted: number, createRevision: number, prevRevision: number, value: Buffer): number {
    const id = this.rev + 1;
    this.stmt.insert.run(id, key, created, deleted, created ? id : createRevision, prevRevision, value);
    this.rev = id;
    return id;
  }

  private checkReadRevision(revision: number): void {
    if (revision > this.rev) throw new FutureRevisionError(revision, this.rev);
    if (revision <= this.compactRev) throw new CompactedError(revision, this.compactRev);
  }

  private checkOpen(): void {
    if (this.closed) throw new StorageError('store closed');
  }
}

function toKeyValue(row: Row): KeyValue {
  return { key: row.name, value: row.value, createRevision: row.create_revision, modRevision: row.id };
}

function toWatchEvent(row: HistoryRow): WatchEvent {
  const kv = toKeyValue(row);
  const prevKv = row.prev_value && !row.created
    ? { key: row.name, value: row.prev_value, createRevision: row.prev_create_revision ?? row.create_revision, modRevision: row.prev_revision }
    : undefined;
  if (row.deleted) return { type: 'DELETE', kv, prevKv };
  return prevKv ? { type: 'PUT', kv, prevKv } : { type: 'PUT', kv };
}
