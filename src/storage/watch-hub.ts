// In-process watch fan-out for backends that see every committed write themselves (SQLite).
//
// Contract: publish() is called once per committed write, in revision order. Each subscriber owns a queue;
// events are appended synchronously (so the order of appends is the commit order, even when a callback
// writes to the store re-entrantly) and drained in a microtask, so a slow or re-entrant consumer never
// runs inside the writer's stack and callbacks for one watcher never overlap.
// Cost per event is O(distinct prefix lengths + watchers whose prefix matches), not O(all watchers).
import type { WatchCallbacks, WatchEvent, Watcher } from './backend.js';

class Subscription implements Watcher {
  private queue: WatchEvent[] = [];
  private head = 0;
  private scheduled = false;
  private error: Error | undefined;
  stopped = false;

  /** Published events at or below this revision are not delivered (the watch starts after it). */
  constructor(readonly prefix: string, private readonly cb: WatchCallbacks, private readonly hub: WatchHub, readonly after = 0) {}

  push(ev: WatchEvent): void {
    if (this.stopped || this.error) return;
    this.queue.push(ev);
    this.schedule();
  }

  /** Delivers the events already queued, then onError(err); nothing after that. */
  fail(err: Error): void {
    if (this.stopped || this.error) return;
    this.error = err;
    this.hub.remove(this);
    this.schedule();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.queue = [];
    this.head = 0;
    this.hub.remove(this);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => this.drain());
  }

  private drain(): void {
    try {
      while (!this.stopped && this.head < this.queue.length) {
        const ev = this.queue[this.head++];
        try {
          this.cb.onEvent(ev);
        } catch (err) {
          // A consumer that cannot take an event cannot be given the next one either: end the watch.
          this.queue = [];
          this.head = 0;
          this.error ??= err instanceof Error ? err : new Error(String(err));
          this.hub.remove(this);
        }
      }
      this.queue = this.queue.slice(this.head);
      this.head = 0;
      if (!this.stopped && this.error) {
        this.stopped = true;
        try { this.cb.onError(this.error); } catch { /* the watch is over either way */ }
      }
    } finally {
      this.scheduled = false;
      // Events pushed by a callback after the loop's last check are picked up here.
      if (!this.stopped && this.queue.length > this.head) this.schedule();
    }
  }
}

/** The watchers whose prefixes have one length. */
interface Bucket {
  len: number;
  byPrefix: Map<string, Set<Subscription>>;
  /** The prefix when it is the only one of this length (the usual case: one watch per resource): compared in place. */
  only?: string;
  onlySet?: Set<Subscription>;
}

export class WatchHub {
  /** prefix length → prefix → subscribers. Lengths are few (one per resource prefix shape). */
  private byLength = new Map<number, Bucket>();
  /** The same buckets in an array, in the order their lengths first appeared: publish walks it on every write. */
  private buckets: Bucket[] = [];

  /**
   * Registers a watcher. `backlog` (already-committed history, in revision order) is delivered first;
   * because registration and the backlog read happen in one synchronous step, later publishes follow
   * it without gap or duplicate.
   */
  add(prefix: string, cb: WatchCallbacks, backlog: WatchEvent[] = [], after = 0): Watcher {
    return this.subscribe(prefix, cb, backlog, after);
  }

  private subscribe(prefix: string, cb: WatchCallbacks, backlog: WatchEvent[], after = 0): Subscription {
    const sub = new Subscription(prefix, cb, this, after);
    let bucket = this.byLength.get(prefix.length);
    if (!bucket) {
      this.byLength.set(prefix.length, (bucket = { len: prefix.length, byPrefix: new Map() }));
      this.buckets.push(bucket);
    }
    let set = bucket.byPrefix.get(prefix);
    if (!set) { bucket.byPrefix.set(prefix, (set = new Set())); single(bucket); }
    set.add(sub);
    for (const ev of backlog) sub.push(ev);
    return sub;
  }

  /** A watcher that only reports an error (e.g. its start revision was compacted). */
  failed(prefix: string, cb: WatchCallbacks, err: Error): Watcher {
    const sub = this.subscribe(prefix, cb, []);
    sub.fail(err);
    return sub;
  }

  publish(ev: WatchEvent): void {
    const key = ev.kv.key;
    // An indexed loop over an array: nothing is allocated per bucket, and a lone prefix is not sliced out of the key.
    const buckets = this.buckets;
    for (let i = 0; i < buckets.length; i++) {
      const b = buckets[i];
      if (b.len > key.length) continue;
      const set = b.only !== undefined ? (key.startsWith(b.only) ? b.onlySet : undefined)
        : b.byPrefix.get(b.len === key.length ? key : key.slice(0, b.len));
      if (set) for (const sub of set) if (ev.kv.modRevision > sub.after) sub.push(ev);
    }
  }

  /** Ends every watcher with err (e.g. the store closed). */
  closeAll(err: Error): void {
    for (const bucket of [...this.buckets]) {
      for (const set of [...bucket.byPrefix.values()]) for (const sub of [...set]) sub.fail(err);
    }
  }

  /** @internal called by Subscription */
  remove(sub: Subscription): void {
    const bucket = this.byLength.get(sub.prefix.length);
    const set = bucket?.byPrefix.get(sub.prefix);
    if (!bucket || !set) return;
    set.delete(sub);
    if (set.size === 0) { bucket.byPrefix.delete(sub.prefix); single(bucket); }
    if (bucket.byPrefix.size === 0) {
      this.byLength.delete(sub.prefix.length);
      this.buckets.splice(this.buckets.indexOf(bucket), 1);
    }
  }

  get size(): number {
    let n = 0;
    for (const bucket of this.buckets) for (const set of bucket.byPrefix.values()) n += set.size;
    return n;
  }
}

/** Notes the bucket's prefix when it holds just one (after a prefix came or went). */
function single(bucket: Bucket): void {
  if (bucket.byPrefix.size === 1) { const [[prefix, set]] = bucket.byPrefix; bucket.only = prefix; bucket.onlySet = set; }
  else { bucket.only = undefined; bucket.onlySet = undefined; }
}
