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

export class WatchHub {
  /** prefix length → prefix → subscribers. Lengths are few (one per resource prefix shape). */
  private byLength = new Map<number, Map<string, Set<Subscription>>>();

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
    let byPrefix = this.byLength.get(prefix.length);
    if (!byPrefix) this.byLength.set(prefix.length, (byPrefix = new Map()));
    let set = byPrefix.get(prefix);
    if (!set) byPrefix.set(prefix, (set = new Set()));
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
    for (const [len, byPrefix] of this.byLength) {
      if (len > key.length) continue;
      const set = byPrefix.get(len === key.length ? key : key.slice(0, len));
      if (set) for (const sub of set) if (ev.kv.modRevision > sub.after) sub.push(ev);
    }
  }

  /** Ends every watcher with err (e.g. the store closed). */
  closeAll(err: Error): void {
    for (const byPrefix of [...this.byLength.values()]) {
      for (const set of [...byPrefix.values()]) for (const sub of [...set]) sub.fail(err);
    }
  }

  /** @internal called by Subscription */
  remove(sub: Subscription): void {
    const byPrefix = this.byLength.get(sub.prefix.length);
    const set = byPrefix?.get(sub.prefix);
    if (!byPrefix || !set) return;
    set.delete(sub);
    if (set.size === 0) byPrefix.delete(sub.prefix);
    if (byPrefix.size === 0) this.byLength.delete(sub.prefix.length);
  }

  get size(): number {
    let n = 0;
    for (const byPrefix of this.byLength.values()) for (const set of byPrefix.values()) n += set.size;
    return n;
  }
}
