// The rate-limited work queue of client-go (util/workqueue), which gives controllers their guarantees (DESIGN.md §4):
//  - a key waiting in the queue is held once, however often it is added (dedup);
//  - a key being processed (between get() and done()) is never handed to a second worker; if it is added meanwhile
//    it is processed again after done();
//  - addRateLimited delays a failing key by per-item exponential backoff (5 ms doubling to 1000 s) combined with an
//    overall token bucket (10 qps, burst 100), whichever is longer; forget() resets the item's backoff.
import { realClock, type Clock, type TimerHandle } from './clock.js';
import type { QueueMetrics, WorkqueueMetricsProvider } from './workqueue-metrics.js';

export interface RateLimiter<T> {
  /** How long to wait before this attempt of item. */
  when(item: T): number;
  forget(item: T): void;
  numRequeues(item: T): number;
}

/** client-go's ItemExponentialFailureRateLimiter: base * 2^failures, capped. */
export class ItemExponentialFailureRateLimiter<T> implements RateLimiter<T> {
  private failures = new Map<T, number>();
  constructor(private readonly baseMs = 5, private readonly maxMs = 1000_000) {}
  when(item: T): number {
    const n = this.failures.get(item) ?? 0;
    this.failures.set(item, n + 1);
    const d = this.baseMs * Math.pow(2, n);
    return !Number.isFinite(d) || d > this.maxMs ? this.maxMs : d;
  }
  forget(item: T): void { this.failures.delete(item); }
  numRequeues(item: T): number { return this.failures.get(item) ?? 0; }
}

/** client-go's BucketRateLimiter (golang.org/x/time/rate reservation semantics): overall qps with a burst. */
export class BucketRateLimiter<T> implements RateLimiter<T> {
  private tokens: number;
  private last: number;
  constructor(private readonly qps = 10, private readonly burst = 100, private readonly clock: Clock = realClock) {
    this.tokens = burst;
    this.last = clock.now();
  }
  when(_item: T): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }
  forget(_item: T): void { /* overall limiter: nothing per item */ }
  numRequeues(_item: T): number { return 0; }
}

/** The longest delay of several limiters (client-go's MaxOfRateLimiter). */
export class MaxOfRateLimiter<T> implements RateLimiter<T> {
  private readonly limiters: RateLimiter<T>[];
  constructor(...limiters: RateLimiter<T>[]) { this.limiters = limiters; }
  when(item: T): number { return Math.max(0, ...this.limiters.map((l) => l.when(item))); }
  forget(item: T): void { for (const l of this.limiters) l.forget(item); }
  numRequeues(item: T): number { return Math.max(0, ...this.limiters.map((l) => l.numRequeues(item))); }
}

/** client-go's DefaultControllerRateLimiter. */
export function defaultControllerRateLimiter<T>(clock: Clock = realClock): RateLimiter<T> {
  return new MaxOfRateLimiter<T>(new ItemExponentialFailureRateLimiter<T>(5, 1000_000), new BucketRateLimiter<T>(10, 100, clock));
}

export interface WorkQueueOptions<T> {
  clock?: Clock;
  rateLimiter?: RateLimiter<T>;
  /** For logs and metrics. */
  name?: string;
  /** Where a named queue reports client-go's workqueue_* metrics (none without it). */
  metrics?: WorkqueueMetricsProvider;
}

export class RateLimitingQueue<T = string> {
  private queue: T[] = [];
  /** Items that need processing (queued, or re-added while processing). */
  private dirty = new Set<T>();
  private processing = new Set<T>();
  private waiters: ((item: T | undefined) => void)[] = [];
  /** addAfter items not yet due: the earliest requested time wins. */
  private waiting = new Map<T, { at: number; timer: TimerHandle }>();
  private shuttingDown = false;
  private readonly clock: Clock;
  readonly rateLimiter: RateLimiter<T>;
  readonly name: string;
  private readonly metrics: QueueMetrics<T> | undefined;

  constructor(opts: WorkQueueOptions<T> = {}) {
    this.clock = opts.clock ?? realClock;
    this.rateLimiter = opts.rateLimiter ?? defaultControllerRateLimiter<T>(this.clock);
    this.name = opts.name ?? '';
    this.metrics = opts.metrics?.forQueue<T>(this.name);
  }

  /** Marks item as needing processing. No-op after shutDown. */
  add(item: T): void {
    if (this.shuttingDown || this.dirty.has(item)) return;
    this.dirty.add(item);
    this.metrics?.add(item);
    if (this.processing.has(item)) return;
    this.enqueue(item);
  }

  /** Hands a dirty item to a waiting get() or queues it. */
  private enqueue(item: T): void {
    const w = this.waiters.shift();
    if (w) { this.dirty.delete(item); this.processing.add(item); this.metrics?.get(item); w(item); return; }
    this.queue.push(item);
  }

  /** Adds item after ms of the clock; an earlier pending addAfter of the same item wins. */
  addAfter(item: T, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) { this.add(item); return; }
    const at = this.clock.now() + ms;
    const existing = this.waiting.get(item);
    if (existing) {
      if (existing.at <= at) return;
      this.clock.clearTimeout(existing.timer);
    }
    const timer = this.clock.setTimeout(() => { this.waiting.delete(item); this.add(item); }, ms);
    this.waiting.set(item, { at, timer });
  }

  /** Adds item after its rate limiter's delay (call after a failed attempt). */
  addRateLimited(item: T): void { this.metrics?.retry(); this.addAfter(item, this.rateLimiter.when(item)); }
  /** Resets the item's failure count (call after a successful attempt). */
  forget(item: T): void { this.rateLimiter.forget(item); }
  numRequeues(item: T): number { return this.rateLimiter.numRequeues(item); }

  /**
   * The next item to process, waiting for one if needed; undefined once the queue is shut down and empty
   * (as client-go, items queued before shutDown are still handed out). Call done(item) when finished.
   */
  get(): Promise<T | undefined> {
    const item = this.queue.shift();
    if (item !== undefined) {
      this.dirty.delete(item);
      this.processing.add(item);
      this.metrics?.get(item);
      return Promise.resolve(item);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Ends processing of item; if it was added meanwhile it is queued again now. */
  done(item: T): void {
    this.processing.delete(item);
    this.metrics?.done(item);
    if (!this.dirty.has(item)) return;
    if (this.shuttingDown) this.dirty.delete(item); else this.enqueue(item);
  }

  /** Stops accepting items, drops pending addAfter timers, and wakes idle get() callers with undefined. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.waiting.values()) this.clock.clearTimeout(timer);
    this.waiting.clear();
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w(undefined);
  }

  get isShuttingDown(): boolean { return this.shuttingDown; }
  /** Items waiting to be handed out (not counting those processing or delayed). */
  len(): number { return this.queue.length; }
  /** Whether item is queued, processing, or delayed. For tests and debugging. */
  has(item: T): boolean { return this.dirty.has(item) || this.processing.has(item) || this.waiting.has(item); }
}
