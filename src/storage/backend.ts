// The storage seam (DESIGN.md §3): a revision-based key-value store in the spirit of kine's Backend.
// Keys are strings like "/registry/deployments/default/flask-app"; values are opaque bytes (JSON of the object).
// Every write gets a new, cluster-wide, strictly increasing revision (like etcd's). An object's
// resourceVersion is the revision of its last write (modRevision).

export interface KeyValue {
  key: string;
  value: Buffer;
  /** Revision at which this key was created (since its last deletion). */
  createRevision: number;
  /** Revision of the last write of this key: the object's resourceVersion. */
  modRevision: number;
}

export interface ListOptions {
  /** Read as of this revision (0/undefined = latest). Older than the compacted revision → CompactedError. */
  revision?: number;
  /** At most this many items; `continue` then names the key after which the next page starts. */
  limit?: number;
  /** Exclusive start key returned as `continueKey` from a previous page. */
  continueKey?: string;
}

export interface ListResult {
  items: KeyValue[];
  /** The revision the list was read at (use it for the next page and to start a watch). */
  revision: number;
  /** Set when more items remain: pass as continueKey with the same revision. */
  continueKey?: string;
  /** Number of remaining items after this page, when known. */
  remaining?: number;
}

export type WatchEventType = 'PUT' | 'DELETE';
export interface WatchEvent {
  type: WatchEventType;
  /** For PUT: the new value. For DELETE: the last value before deletion, with modRevision = the delete revision. */
  kv: KeyValue;
  /** For PUT of an existing key: the previous value (absent on create). */
  prevKv?: KeyValue;
}

export interface Watcher {
  /** Stops the watch; no events are delivered after it returns. */
  stop(): void;
}

export interface WatchCallbacks {
  /** Called in revision order, never concurrently. */
  onEvent(ev: WatchEvent): void;
  /** The watch cannot continue (e.g. compacted, backend closed). No more events follow. */
  onError(err: Error): void;
}

export interface Store {
  get(key: string, opts?: { revision?: number }): Promise<KeyValue | undefined>;
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  count(prefix: string): Promise<number>;
  /** Fails with KeyExistsError if the key exists. Returns the new revision. */
  create(key: string, value: Buffer): Promise<KeyValue>;
  /** Compare-and-swap on modRevision: ConflictError if it moved, NotFoundError if absent. */
  update(key: string, value: Buffer, expectedRevision: number): Promise<KeyValue>;
  /** Deletes if modRevision matches (expectedRevision 0 = unconditional). Returns the deleted kv with the delete revision as modRevision. */
  delete(key: string, expectedRevision?: number): Promise<KeyValue>;
  /**
   * Events for keys under prefix with revision > fromRevision, in order. fromRevision older than the
   * compacted revision → onError(CompactedError). fromRevision newer than current → FutureRevisionError (thrown).
   * (A backend that cannot tell synchronously — etcd, when another client may have written since it last
   * looked — reports FutureRevisionError through onError instead.) fromRevision 0 means "from the beginning
   * of the retained history", not "from now": pass currentRevision() (or a list's revision) to start live.
   */
  watch(prefix: string, fromRevision: number, cb: WatchCallbacks): Watcher;
  /**
   * Forgets history at or below revision (latest values are kept). Afterwards: get/list at a revision
   * <= `revision` fail with CompactedError; watch with fromRevision < `revision` fails with CompactedError
   * (fromRevision == `revision` only needs events above it, which are kept); compactedRevision() returns
   * `revision` + 1. Compacting at or below an earlier compaction is a no-op; above currentRevision()
   * fails with FutureRevisionError.
   */
  compact(revision: number): Promise<void>;
  currentRevision(): Promise<number>;
  /** The oldest revision still readable/watchable (compacted revision + 1). */
  compactedRevision(): Promise<number>;
  close(): Promise<void>;
}

export class StorageError extends Error {}
export class KeyExistsError extends StorageError { constructor(readonly key: string) { super(`key exists: ${key}`); this.name = 'KeyExistsError'; } }
export class ConflictError extends StorageError { constructor(readonly key: string, readonly actualRevision: number) { super(`revision conflict on ${key}`); this.name = 'ConflictError'; } }
export class NotFoundError extends StorageError { constructor(readonly key: string) { super(`key not found: ${key}`); this.name = 'NotFoundError'; } }
export class CompactedError extends StorageError { constructor(readonly requested: number, readonly compacted: number) { super(`revision ${requested} has been compacted (oldest available ${compacted + 1})`); this.name = 'CompactedError'; } }
export class FutureRevisionError extends StorageError { constructor(readonly requested: number, readonly current: number) { super(`revision ${requested} is newer than the current revision ${current}`); this.name = 'FutureRevisionError'; } }
