/**
 * A push-to-pull bridge for streams (watch events): producers push, one consumer (the HTTP writer) iterates.
 * Ends when the signal aborts, when end() is called and the queued items are read, or when the consumer falls
 * more than `capacity` items behind: then the queue drops what it holds and closes (onClose callbacks release
 * what feeds it), so a consumer that stops reading costs at most `capacity` queued items. The check runs once the
 * consumer has had its turn (a macrotask later): a burst pushed in one synchronous run (a group commit) does not
 * close a consumer that keeps up.
 * Items passed to seed() are already held in memory by the producer (a watch's initial list) and do not count.
 */
export interface EventQueueOptions {
  signal?: AbortSignal;
  /** Most items pushed but not yet read; unbounded when absent. */
  capacity?: number;
  /** Called once when the queue closes because the consumer fell behind. */
  onOverflow?: () => void;
}

export class EventQueue<T> implements AsyncIterable<T> {
  private items: T[] = [];
  private head = 0;
  /** How many queued items, at the front, came from seed(). */
  private seeded = 0;
  private waiting?: (v: IteratorResult<T>) => void;
  private closed = false;
  private ended = false;
  private overflowed = false;
  private checkScheduled = false;
  private closers: (() => void)[] = [];
  private readonly capacity: number;
  private readonly onOverflow?: () => void;

  constructor(opts: EventQueueOptions | AbortSignal = {}) {
    const o: EventQueueOptions = opts instanceof AbortSignal ? { signal: opts } : opts;
    this.capacity = o.capacity ?? Infinity;
    this.onOverflow = o.onOverflow;
    o.signal?.addEventListener('abort', () => this.close(), { once: true });
    if (o.signal?.aborted) this.close();
  }

  /** Items waiting for the consumer. */
  get size(): number { return this.items.length - this.head; }
  /** True once the queue ended or was closed. */
  get isClosed(): boolean { return this.closed; }
  /** True if the queue closed because the consumer fell behind. */
  get fellBehind(): boolean { return this.overflowed; }

  /** Items the producer already holds (a snapshot): queued in order, not counted against capacity. */
  seed(items: Iterable<T>): void {
    for (const item of items) {
      if (this.closed || this.ended) return;
      if (this.deliver(item)) continue;
      this.items.push(item);
      this.seeded++;
    }
  }

  push(item: T): void {
    if (this.closed || this.ended) return;
    if (this.deliver(item)) return;
    this.items.push(item);
    if (this.size - this.seeded > this.capacity && !this.checkScheduled) {
      this.checkScheduled = true;
      setImmediate(() => { this.checkScheduled = false; this.checkBehind(); });
    }
  }

  private checkBehind(): void {
    if (this.closed || this.size - this.seeded <= this.capacity) return;
    this.overflowed = true;
    this.items = []; this.head = 0; this.seeded = 0;
    this.close();
    this.onOverflow?.();
  }

  /** No more items after those queued. */
  end(): void {
    if (this.closed || this.ended) return;
    this.ended = true;
    if (this.size === 0) this.close();
  }

  onClose(fn: () => void): void { if (this.closed) fn(); else this.closers.push(fn); }

  private deliver(item: T): boolean {
    if (!this.waiting) return false;
    const w = this.waiting; this.waiting = undefined;
    w({ value: item, done: false });
    return true;
  }

  private shift(): T {
    const v = this.items[this.head++];
    if (this.seeded > 0) this.seeded--;
    // Compact now and then so a long-lived queue does not keep read items reachable.
    if (this.head > 1024 && this.head * 2 > this.items.length) { this.items = this.items.slice(this.head); this.head = 0; }
    return v;
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.closers.splice(0)) { try { c(); } catch { /* best effort */ } }
    if (this.waiting) { const w = this.waiting; this.waiting = undefined; w({ value: undefined as any, done: true }); }
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        if (this.size > 0 && !this.closed) {
          const v = this.shift();
          if (this.ended && this.size === 0) this.close();
          return Promise.resolve({ value: v, done: false });
        }
        if (this.closed || this.ended) { this.close(); return Promise.resolve({ value: undefined as any, done: true }); }
        return new Promise<IteratorResult<T>>((resolve) => { this.waiting = resolve; });
      },
      return: () => { this.close(); return Promise.resolve({ value: undefined as any, done: true }); },
    };
  }
}
