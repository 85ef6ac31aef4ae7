// The binding cycle (upstream's bindingCycle): binds an assumed pod to its node asynchronously, while the loop
// schedules the next pod, with at most `parallelism` bindings in flight. A failed binding forgets the assumption
// and retries the pod with backoff; a conflict or NotFound means someone else decided, and the watch brings it.
import { isConflict, isNotFound } from '../api/errors.js';
import type { Clock } from '../client/clock.js';
import { referenceTo, type EventRecorder } from '../client/events.js';
import { errorText, type LogFn } from '../client/log.js';
import type { BackgroundWriter } from './background-writer.js';
import type { SchedulerCache } from './framework/cache.js';
import type { Framework } from './framework/framework.js';
import type { PodInfo } from './framework/pod-info.js';
import type { CycleState } from './framework/types.js';
import type { SchedulerMetrics } from './metrics.js';
import type { SchedulerPrometheus } from './prometheus.js';
import type { QueuedPodInfo, SchedulingQueue } from './queue/scheduling-queue.js';
import type { RecordFailure } from './failure-handler.js';

export interface BinderOptions {
  fwk: Framework;
  cache: SchedulerCache;
  queue: SchedulingQueue;
  recorder: EventRecorder;
  events: BackgroundWriter;
  metrics: SchedulerMetrics;
  /** Prometheus families to report into, if any; `profile` is their profile label (the scheduler name). */
  prometheus?: SchedulerPrometheus | undefined;
  profile: string;
  recordFailure: RecordFailure;
  clock: Clock;
  log: LogFn;
  /** Bindings in flight at once. */
  parallelism: number;
}

export class Binder {
  private inFlight = 0;
  private slotWaiters: (() => void)[] = [];
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly o: BinderOptions) {}

  /** Bindings started and not finished. */
  get bindsInFlight(): number { return this.inFlight; }

  /** Starts binding an assumed pod; returns at once. */
  bind(q: QueuedPodInfo, cycle: number, state: CycleState, info: PodInfo, nodeName: string): void {
    this.inFlight++;
    const p = this.bindingCycle(q, cycle, state, info, nodeName).catch((e) => {
      this.o.log({ level: 'error', msg: 'binding cycle failed', pod: info.key, error: errorText(e) });
    }).finally(() => {
      this.inFlight--;
      this.running.delete(p);
      if (this.inFlight === 0) this.o.events.kick();
      this.releaseWaiters();
    });
    this.running.add(p);
  }

  /** Resolves once fewer than `parallelism` bindings are in flight, or `signal` aborted. */
  async waitForSlot(signal: AbortSignal): Promise<void> {
    while (this.inFlight >= this.o.parallelism && !signal.aborted) await new Promise<void>((r) => this.slotWaiters.push(r));
  }

  /** Wakes whoever waits for a slot (also on stop, so the loop sees the abort). */
  releaseWaiters(): void {
    const ws = this.slotWaiters;
    this.slotWaiters = [];
    for (const w of ws) w();
  }

  /** Waits for every binding in flight. */
  async drain(): Promise<void> { await Promise.allSettled([...this.running]); }

  private async bindingCycle(q: QueuedPodInfo, cycle: number, state: CycleState, info: PodInfo, nodeName: string): Promise<void> {
    const { fwk, cache, queue, metrics } = this.o;
    try {
      await fwk.runBind(state, info, nodeName);
    } catch (e) {
      cache.forgetPod(info);
      fwk.runUnreserve(state, info, nodeName);
      if (isConflict(e) || isNotFound(e)) {
        // Already bound (by us or another scheduler) or gone: the watch brings the truth.
        this.o.log({ level: 'info', msg: 'binding not needed', pod: info.key, node: nodeName, error: errorText(e) });
        queue.done(info.uid);
        return;
      }
      // The capacity we assumed is free again: pods waiting for it may fit now.
      queue.moveAllToActiveOrBackoff('AssignedPodDelete');
      this.o.recordFailure(q, cycle, 'SchedulerError', `Binding rejected: ${errorText(e)}`, true);
      return;
    }
    cache.finishBinding(info.uid);
    queue.done(info.uid);
    metrics.scheduled++;
    const d = metrics.podSchedulingDurationsMs;
    const tookMs = this.o.clock.now() - (q.initialAttemptTimestamp ?? this.o.clock.now());
    if (d.length < 100_000) d.push(tookMs);
    this.o.prometheus?.scheduled(this.o.profile, q.attempts, tookMs / 1000);
    // The deferred write keeps only the reference and the message: thousands may wait while a backlog binds.
    const ref = referenceTo(info.pod);
    const message = `Successfully assigned ${info.namespace}/${info.name} to ${nodeName}`;
    this.o.events.enqueue(() => this.o.recorder.event(ref, 'Normal', 'Scheduled', message));
  }
}
