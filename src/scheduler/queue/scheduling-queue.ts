// The scheduling queue (upstream's PriorityQueue), three parts:
//  - activeQ: pods to try now, highest spec.priority first, then oldest (creationTimestamp), then arrival order;
//  - backoffQ: pods that failed recently and wait out their backoff (1 s doubling per attempt, at most 10 s);
//  - unschedulablePods: pods no node could take; they wait for a cluster event that may change that (a node added
//    or updated, an assigned pod deleted) and are moved back (to backoffQ while still backing off), or are flushed
//    back after 5 minutes regardless.
// A pod whose attempt raced with such an event (the event came during its scheduling cycle) goes to backoffQ
// instead of unschedulablePods, so the event is not lost.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { realClock, type Clock, type TimerHandle } from '../../client/clock.js';
import { PodInfo } from '../framework/pod-info.js';
import { KeyedHeap } from './heap.js';

export interface QueuedPodInfo {
  podInfo: PodInfo;
  /** When the pod last entered a queue (backoff is measured from here). */
  timestamp: number;
  /** Scheduling attempts so far. */
  attempts: number;
  /** When the first attempt started (for latency figures). */
  initialAttemptTimestamp?: number;
  /** Arrival order, the last tie-breaker. */
  seq: number;
  /** creationTimestamp in ms (NaN when absent). */
  created: number;
}

export interface SchedulingQueueOptions {
  clock?: Clock;
  podInitialBackoffMs?: number;
  podMaxBackoffMs?: number;
  /** How long a pod may sit in unschedulablePods without an event before it is retried anyway. */
  podMaxInUnschedulablePodsMs?: number;
  /** How often unschedulablePods is checked for such pods. */
  unschedulableFlushIntervalMs?: number;
}

export type ClusterEvent = 'NodeAdd' | 'NodeUpdate' | 'AssignedPodDelete' | 'AssignedPodUpdate' | 'VolumeChange' | 'ForceActivate';

const uidOf = (q: QueuedPodInfo) => q.podInfo.uid;

/** Spec and metadata other than resourceVersion/managedFields/generation changed (upstream isPodUpdated). */
function podUpdated(oldPod: Pod, newPod: Pod): boolean {
  const strip = (p: Pod) => {
    const { resourceVersion: _rv, managedFields: _mf, generation: _g, ...meta } = p.metadata ?? {};
    return JSON.stringify([meta, p.spec]);
  };
  return strip(oldPod) !== strip(newPod);
}

export class SchedulingQueue {
  private readonly clock: Clock;
  private readonly initialBackoff: number;
  private readonly maxBackoff: number;
  private readonly maxInUnschedulable: number;
  private readonly activeQ = new KeyedHeap<QueuedPodInfo>(uidOf, (a, b) => {
    if (a.podInfo.priority !== b.podInfo.priority) return a.podInfo.priority > b.podInfo.priority;
    if (a.created !== b.created && !Number.isNaN(a.created) && !Number.isNaN(b.created)) return a.created < b.created;
    return a.seq < b.seq;
  });
  private readonly backoffQ = new KeyedHeap<QueuedPodInfo>(uidOf, (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b));
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  /** Popped and being scheduled: uid → latest known state of the pod. */
  private readonly inFlight = new Map<string, QueuedPodInfo>();
  private waiters: ((q: QueuedPodInfo | undefined) => void)[] = [];
  private seq = 0;
  private closed = false;
  private backoffTimer: TimerHandle | undefined;
  private backoffTimerAt = Infinity;
  private flushTimer: TimerHandle | undefined;
  /** Incremented on every pop. */
  schedulingCycle = 0;
  /** The schedulingCycle at the last move request (cluster event). */
  private moveRequestCycle = -1;

  constructor(opts: SchedulingQueueOptions = {}) {
    this.clock = opts.clock ?? realClock;
    this.initialBackoff = opts.podInitialBackoffMs ?? 1000;
    this.maxBackoff = opts.podMaxBackoffMs ?? 10_000;
    this.maxInUnschedulable = opts.podMaxInUnschedulablePodsMs ?? 300_000;
    const interval = opts.unschedulableFlushIntervalMs ?? 30_000;
    const flush = () => {
      if (this.closed) return;
      this.flushUnschedulableLeftover();
      this.flushTimer = this.clock.setTimeout(flush, interval);
    };
    this.flushTimer = this.clock.setTimeout(flush, interval);
  }

  // --- informer-driven changes -------------------------------------------------------------------------------

  /** A new pending pod. */
  add(pod: Pod): void {
    const info = new PodInfo(pod);
    if (this.locate(info.uid)) { this.update(undefined, pod); return; }
    this.activeQ.push(this.newQueued(info));
    this.wake();
  }

  /** A pending pod changed. Spec/label changes retry it at once (after backoff) if it was unschedulable. */
  update(oldPod: Pod | undefined, newPod: Pod): void {
    const info = new PodInfo(newPod);
    const uid = info.uid;
    const inFlight = this.inFlight.get(uid);
    if (inFlight) { inFlight.podInfo = info; return; }
    const a = this.activeQ.get(uid);
    if (a) { a.podInfo = info; this.activeQ.push(a); return; }
    const b = this.backoffQ.get(uid);
    if (b) { b.podInfo = info; this.backoffQ.push(b); return; }
    const u = this.unschedulable.get(uid);
    if (u) {
      u.podInfo = info;
      if (oldPod && !podUpdated(oldPod, newPod)) return;
      this.unschedulable.delete(uid);
      this.requeue(u);
      return;
    }
    this.add(newPod);
  }

  /** The pod is gone or no longer ours (deleted, bound, or now being deleted). */
  delete(uid: string): void {
    this.activeQ.remove(uid);
    this.backoffQ.remove(uid);
    this.unschedulable.delete(uid);
    this.inFlight.delete(uid);
  }

  /** A cluster event that may make unschedulable pods schedulable: move them all back. */
  moveAllToActiveOrBackoff(_event: ClusterEvent): void {
    this.moveRequestCycle = this.schedulingCycle;
    if (this.unschedulable.size === 0) return;
    const pods = [...this.unschedulable.values()];
    this.unschedulable.clear();
    for (const q of pods) this.requeue(q);
  }

  // --- the scheduling loop's side ----------------------------------------------------------------------------

  /** The next pod to schedule, waiting for one; undefined once closed. Call done() when its cycle has ended. */
  pop(): Promise<QueuedPodInfo | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    const q = this.activeQ.pop();
    if (q) return Promise.resolve(this.start(q));
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Non-waiting pop: undefined when activeQ is empty. */
  tryPop(): QueuedPodInfo | undefined {
    if (this.closed) return undefined;
    const q = this.activeQ.pop();
    return q && this.start(q);
  }

  private start(q: QueuedPodInfo): QueuedPodInfo {
    this.schedulingCycle++;
    q.attempts++;
    q.initialAttemptTimestamp ??= this.clock.now();
    this.inFlight.set(q.podInfo.uid, q);
    return q;
  }

  /** The pod's scheduling attempt is over (bound, assumed, or requeued). */
  done(uid: string): void { this.inFlight.delete(uid); }

  /** The latest pod object for an in-flight pod (updates during its cycle are recorded here). */
  inFlightPod(uid: string): QueuedPodInfo | undefined { return this.inFlight.get(uid); }

  /**
   * Requeues a pod whose attempt failed: backoffQ for errors or when a cluster event arrived during its cycle
   * (podSchedulingCycle), unschedulablePods otherwise. Ignored when the pod is already queued or was deleted.
   */
  addUnschedulableIfNotPresent(q: QueuedPodInfo, podSchedulingCycle: number, opts: { error?: boolean } = {}): void {
    const uid = q.podInfo.uid;
    if (!this.inFlight.has(uid)) return; // deleted or bound meanwhile
    this.inFlight.delete(uid);
    if (this.closed || this.activeQ.has(uid) || this.backoffQ.has(uid) || this.unschedulable.has(uid)) return;
    q.timestamp = this.clock.now();
    if (opts.error || this.moveRequestCycle >= podSchedulingCycle) this.addToBackoff(q);
    else this.unschedulable.set(uid, q);
  }

  /** Counts for tests and logs. */
  get stats(): { active: number; backoff: number; unschedulable: number; inFlight: number } {
    return { active: this.activeQ.size, backoff: this.backoffQ.size, unschedulable: this.unschedulable.size, inFlight: this.inFlight.size };
  }
  has(uid: string): boolean { return this.locate(uid) !== undefined; }

  close(): void {
    this.closed = true;
    if (this.backoffTimer) this.clock.clearTimeout(this.backoffTimer);
    if (this.flushTimer) this.clock.clearTimeout(this.flushTimer);
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w(undefined);
  }

  // --- internals ---------------------------------------------------------------------------------------------

  private locate(uid: string): string | undefined {
    if (this.inFlight.has(uid)) return 'inFlight';
    if (this.activeQ.has(uid)) return 'active';
    if (this.backoffQ.has(uid)) return 'backoff';
    if (this.unschedulable.has(uid)) return 'unschedulable';
    return undefined;
  }

  private newQueued(info: PodInfo): QueuedPodInfo {
    const ts = info.pod.metadata?.creationTimestamp;
    return { podInfo: info, timestamp: this.clock.now(), attempts: 0, seq: this.seq++, created: ts ? Date.parse(ts) : NaN };
  }

  private backoffDuration(q: QueuedPodInfo): number {
    let d = this.initialBackoff;
    for (let i = 1; i < q.attempts; i++) {
      d *= 2;
      if (d >= this.maxBackoff) return this.maxBackoff;
    }
    return Math.min(d, this.maxBackoff);
  }
  private backoffExpiry(q: QueuedPodInfo): number { return q.timestamp + this.backoffDuration(q); }

  private requeue(q: QueuedPodInfo): void {
    if (this.backoffExpiry(q) > this.clock.now()) this.addToBackoff(q);
    else { this.activeQ.push(q); this.wake(); }
  }

  private addToBackoff(q: QueuedPodInfo): void {
    this.backoffQ.push(q);
    this.armBackoffTimer();
  }

  private armBackoffTimer(): void {
    const head = this.backoffQ.peek();
    if (!head || this.closed) return;
    const at = this.backoffExpiry(head);
    if (this.backoffTimer && this.backoffTimerAt <= at) return;
    if (this.backoffTimer) this.clock.clearTimeout(this.backoffTimer);
    this.backoffTimerAt = at;
    this.backoffTimer = this.clock.setTimeout(() => {
      this.backoffTimer = undefined;
      this.backoffTimerAt = Infinity;
      this.flushBackoffCompleted();
    }, Math.max(0, at - this.clock.now()));
  }

  private flushBackoffCompleted(): void {
    const now = this.clock.now();
    let moved = false;
    for (let head = this.backoffQ.peek(); head && this.backoffExpiry(head) <= now; head = this.backoffQ.peek()) {
      this.backoffQ.pop();
      this.activeQ.push(head);
      moved = true;
    }
    if (moved) this.wake();
    this.armBackoffTimer();
  }

  private flushUnschedulableLeftover(): void {
    const now = this.clock.now();
    for (const [uid, q] of [...this.unschedulable]) {
      if (now - q.timestamp > this.maxInUnschedulable) { this.unschedulable.delete(uid); this.requeue(q); }
    }
  }

  private wake(): void {
    while (this.waiters.length > 0 && this.activeQ.size > 0) {
      const w = this.waiters.shift()!;
      w(this.start(this.activeQ.pop()!));
    }
  }
}
