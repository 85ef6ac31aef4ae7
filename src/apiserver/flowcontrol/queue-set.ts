// One limited priority level's seats and queues (upstream's fairqueuing/queueset): at most `concurrencyLimit`
// requests execute at once; the rest wait in `queues` queues, a flow's requests going to the shortest queue of
// the hand its hash deals (shuffle sharding), and the next request to run is taken from the queue whose head would
// finish first in virtual time (fair queuing: each active queue gets an equal share of the seats, whatever its
// length). A request that finds the seats taken and its queue at queueLengthLimit is rejected, and so is one that
// waits longer than the wait limit. With LimitResponse Reject (queues 0) there is no queueing at all.
//
// Virtual time R advances, per second, by min(seats wanted, concurrencyLimit) / active queues (seat-seconds per
// queue); dispatching a request charges its queue an estimated 3 ms of one seat, corrected by the real duration when
// it finishes, as upstream.
import { dealHand } from './shuffle-sharding.js';

export interface QueueSetConfig {
  /** The priority level's name (for the dump). */
  name: string;
  concurrencyLimit: number;
  /** 0: LimitResponse Reject. */
  queues: number;
  handSize: number;
  queueLengthLimit: number;
}

/** A request that holds a seat until `finish`. */
export interface Seat { finish(): void }

/** Why a request was not served (upstream's reject reasons: queue-full / concurrency-limit, time-out, cancelled). */
export type RejectReason = 'queue-full' | 'concurrency-limit' | 'time-out' | 'cancelled';

const ESTIMATED_SERVICE_SECONDS = 0.003;

interface Waiter {
  queue: Queue;
  arrivalR: number;
  settle(seat: Seat | RejectReason): void;
}

class Queue {
  waiting: Waiter[] = [];
  head = 0;
  executing = 0;
  nextDispatchR = 0;
  constructor(readonly index: number) {}
  get length(): number { return this.waiting.length - this.head; }
  peek(): Waiter | undefined { return this.head < this.waiting.length ? this.waiting[this.head] : undefined; }
  shift(): Waiter {
    const w = this.waiting[this.head++];
    if (this.head > 64 && this.head * 2 > this.waiting.length) { this.waiting = this.waiting.slice(this.head); this.head = 0; }
    return w;
  }
  remove(w: Waiter): boolean {
    const i = this.waiting.indexOf(w, this.head);
    if (i < 0) return false;
    this.waiting.splice(i, 1);
    return true;
  }
  get idle(): boolean { return this.length === 0 && this.executing === 0; }
}

/** One object per served request (no closure): finish gives the seat back once. */
class HeldSeat implements Seat {
  private done = false;
  constructor(private readonly qs: QueueSet, private readonly queue: Queue | undefined, private readonly start: number) {}
  finish(): void {
    if (this.done) return;
    this.done = true;
    this.qs.release(this.queue, this.start);
  }
}

export interface QueueSetCounters {
  waiting: number; executing: number; dispatched: number; rejected: number; timedOut: number; cancelled: number; activeQueues: number;
}

export class QueueSet {
  private cfg: QueueSetConfig;
  private readonly queues: Queue[] = [];
  private seatsInUse = 0;
  private totalWaiting = 0;
  private activeQueues = 0;
  private currentR = 0;
  private lastRealTime: number;
  private robinIndex = -1;
  private enqueues = 0;
  private readonly hands = new Map<number, number[]>();
  readonly counters = { dispatched: 0, rejected: 0, timedOut: 0, cancelled: 0 };

  constructor(cfg: QueueSetConfig, private readonly now: () => number = () => performance.now() / 1000) {
    this.cfg = cfg;
    for (let i = 0; i < cfg.queues; i++) this.queues.push(new Queue(i));
    this.lastRealTime = now();
  }

  get config(): QueueSetConfig { return this.cfg; }

  /** Whether the queuing shape differs (a new QueueSet is then needed); a new concurrency limit alone is applied here. */
  sameShape(cfg: QueueSetConfig): boolean {
    return cfg.queues === this.cfg.queues && cfg.handSize === this.cfg.handSize && cfg.queueLengthLimit === this.cfg.queueLengthLimit;
  }

  setConcurrencyLimit(limit: number): void {
    this.syncTime(this.now());
    this.cfg = { ...this.cfg, concurrencyLimit: limit };
    this.dispatchAsMuchAsPossible();
  }

  /**
   * A seat for one request of the flow hashed to `hashValue`: a Seat at once when one is free and nobody waits, a
   * promise of one when the request is queued, or the reason it is rejected. `signal` aborting takes a waiting
   * request out of its queue; after `waitLimitMs` it is taken out as timed out.
   */
  acquire(hashValue: number, waitLimitMs: number, signal?: () => AbortSignal | undefined): Seat | RejectReason | Promise<Seat | RejectReason> {
    const now = this.now();
    this.syncTime(now);
    if (this.cfg.queues < 1) {
      if (!this.canAccommodate()) { this.counters.rejected++; return 'concurrency-limit'; }
      this.seatsInUse++;
      this.counters.dispatched++;
      return this.seat(undefined, now);
    }
    const queue = this.queues[this.shuffleShard(hashValue)];
    if (this.seatsInUse >= this.cfg.concurrencyLimit && queue.length >= this.cfg.queueLengthLimit) {
      this.counters.rejected++;
      return 'queue-full';
    }
    // The common case: nothing waits anywhere and a seat is free, so this request would be dispatched at once.
    if (this.totalWaiting === 0 && this.canAccommodate()) {
      if (queue.idle) { queue.nextDispatchR = this.currentR; this.activeQueues++; }
      this.startOn(queue);
      return this.seat(queue, now);
    }
    return new Promise<Seat | RejectReason>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      let onAbort: (() => void) | undefined;
      let s: AbortSignal | undefined;
      const waiter: Waiter = {
        queue, arrivalR: this.currentR,
        settle: (r) => {
          if (timer) clearTimeout(timer);
          if (onAbort) s?.removeEventListener('abort', onAbort);
          resolve(r);
        },
      };
      if (queue.idle) { queue.nextDispatchR = this.currentR; this.activeQueues++; }
      queue.waiting.push(waiter);
      this.totalWaiting++;
      this.boundNextDispatch(queue);
      const giveUp = (reason: 'time-out' | 'cancelled') => {
        this.syncTime(this.now());
        if (!queue.remove(waiter)) return;
        this.totalWaiting--;
        this.counters.rejected++;
        if (reason === 'time-out') this.counters.timedOut++; else this.counters.cancelled++;
        if (queue.idle) this.activeQueues--;
        this.boundNextDispatch(queue);
        waiter.settle(reason);
      };
      timer = setTimeout(() => giveUp('time-out'), waitLimitMs);
      timer.unref?.();
      s = signal?.();
      if (s) { onAbort = () => giveUp('cancelled'); s.addEventListener('abort', onAbort, { once: true }); }
      this.dispatchAsMuchAsPossible();
    });
  }

  dump(): QueueSetCounters {
    let active = 0;
    for (const q of this.queues) if (q.length > 0) active++;
    return { waiting: this.totalWaiting, executing: this.seatsInUse, activeQueues: active, ...this.counters };
  }

  isIdle(): boolean { return this.totalWaiting === 0 && this.seatsInUse === 0; }

  private canAccommodate(): boolean {
    // A level whose limit is 0 still serves one request at a time (upstream: a request wider than the limit runs
    // alone).
    return this.seatsInUse < this.cfg.concurrencyLimit || this.seatsInUse === 0;
  }

  private seat(queue: Queue | undefined, start: number): Seat { return new HeldSeat(this, queue, start); }

  /** A seat given back (HeldSeat.finish, once). */
  release(queue: Queue | undefined, start: number): void {
    const now = this.now();
    this.syncTime(now);
    this.seatsInUse--;
    if (queue) {
      queue.executing--;
      queue.nextDispatchR += (now - start) - ESTIMATED_SERVICE_SECONDS;
      this.boundNextDispatch(queue);
      if (queue.idle) this.activeQueues--;
    }
    if (this.totalWaiting > 0) this.dispatchAsMuchAsPossible();
  }

  private startOn(queue: Queue): void {
    this.seatsInUse++;
    queue.executing++;
    queue.nextDispatchR += ESTIMATED_SERVICE_SECONDS;
    this.counters.dispatched++;
  }

  private shuffleShard(hashValue: number): number {
    // A flow's hand never changes for a QueueSet: deal it once (a few flows send most requests).
    let hand = this.hands.get(hashValue);
    if (!hand) {
      if (this.hands.size >= 4096) this.hands.clear();
      this.hands.set(hashValue, hand = dealHand(hashValue, this.cfg.queues, this.cfg.handSize));
    }
    const offset = this.enqueues++ % hand.length;
    let best = hand[offset], bestLength = Infinity;
    for (let i = 0; i < hand.length; i++) {
      const idx = hand[(offset + i) % hand.length];
      const len = this.queues[idx].length;
      if (len < bestLength) { bestLength = len; best = idx; }
    }
    return best;
  }

  private syncTime(now: number): void {
    const elapsed = now - this.lastRealTime;
    this.lastRealTime = now;
    if (this.activeQueues > 0 && elapsed > 0) {
      this.currentR += elapsed * Math.min(this.seatsInUse + this.totalWaiting, this.cfg.concurrencyLimit) / this.activeQueues;
    }
  }

  private boundNextDispatch(queue: Queue): void {
    const head = queue.peek();
    if (head && queue.nextDispatchR < head.arrivalR) queue.nextDispatchR = head.arrivalR;
  }

  private dispatchAsMuchAsPossible(): void {
    while (this.totalWaiting > 0 && this.canAccommodate()) {
      let best: Queue | undefined;
      let bestFinish = Infinity;
      const n = this.queues.length;
      for (let k = 0; k < n; k++) {
        this.robinIndex = (this.robinIndex + 1) % n;
        const q = this.queues[this.robinIndex];
        if (q.length === 0) continue;
        const finish = q.nextDispatchR + ESTIMATED_SERVICE_SECONDS;
        if (finish < bestFinish) { bestFinish = finish; best = q; }
      }
      if (!best) return;
      this.robinIndex = best.index;
      const w = best.shift();
      this.totalWaiting--;
      this.startOn(best);
      this.boundNextDispatch(best);
      w.settle(this.seat(best, this.now()));
    }
  }
}
