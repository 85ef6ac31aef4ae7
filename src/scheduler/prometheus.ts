// The scheduler's Prometheus metrics with upstream's 1.32 names, labels and buckets (pkg/scheduler/metrics):
// scheduler_schedule_attempts_total by result and profile, scheduler_pod_scheduling_sli_duration_seconds (the time
// from a pod's first scheduling attempt to its binding, by attempts; it replaced scheduler_pod_scheduling_duration_
// seconds, deprecated in 1.29 and gone since), scheduler_pod_scheduling_attempts, and scheduler_pending_pods by queue.
// One object per scheduler process (leader elections start new schedulers that report into the same families).
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export type AttemptResult = 'scheduled' | 'unschedulable' | 'error';

/** upstream's getAttemptsLabel: "1" … "14", then "15+". */
const attemptsLabel = (attempts: number) => (attempts >= 15 ? '15+' : String(Math.max(1, attempts)));

export class SchedulerPrometheus {
  readonly registry: Registry;
  private readonly attempts: Counter;
  private readonly sli: Histogram;
  private readonly attemptsPerPod: Histogram;
  private pending: (() => { active: number; backoff: number; unschedulable: number }) | undefined;

  constructor(registry = new Registry()) {
    this.registry = registry;
    const registers = [registry];
    this.attempts = new Counter({ name: 'scheduler_schedule_attempts_total', labelNames: ['result', 'profile'], registers,
      help: '[STABLE] Number of attempts to schedule pods, by the result. \'unschedulable\' means a pod could not be scheduled, while \'error\' means an internal scheduler problem.' });
    this.sli = new Histogram({ name: 'scheduler_pod_scheduling_sli_duration_seconds', labelNames: ['attempts'], registers,
      help: '[BETA] E2e latency for a pod being scheduled, from the time the pod enters the scheduling queue and might involve multiple scheduling attempts.',
      buckets: Array.from({ length: 20 }, (_, i) => 0.01 * 2 ** i) });
    this.attemptsPerPod = new Histogram({ name: 'scheduler_pod_scheduling_attempts', registers,
      help: '[STABLE] Number of attempts to successfully schedule a pod.', buckets: [1, 2, 4, 8, 16] });
    const self = this;
    new Gauge({ name: 'scheduler_pending_pods', labelNames: ['queue'], registers,
      help: '[STABLE] Number of pending pods, by the queue type. \'active\' means number of pods in activeQ; \'backoff\' means number of pods in backoffQ; \'unschedulable\' means number of pods in unschedulablePods that the scheduler attempted to schedule and failed; \'gated\' is the number of unschedulable pods that the scheduler never attempted to schedule because they are gated.',
      collect() {
        const s = self.pending?.();
        this.set({ queue: 'active' }, s?.active ?? 0);
        this.set({ queue: 'backoff' }, s?.backoff ?? 0);
        this.set({ queue: 'unschedulable' }, s?.unschedulable ?? 0);
        this.set({ queue: 'gated' }, 0);
      } });
  }

  /** The running scheduler's queue, read when scraped (undefined when it stops). */
  watchQueue(stats: (() => { active: number; backoff: number; unschedulable: number }) | undefined): void { this.pending = stats; }

  /** One scheduling attempt's outcome (the pod bound, or why not). */
  attempt(result: AttemptResult, profile: string): void { this.attempts.inc({ result, profile }); }

  /** A pod bound after `attempts` attempts, `seconds` after its first. */
  scheduled(profile: string, attempts: number, seconds: number): void {
    this.attempt('scheduled', profile);
    this.sli.observe({ attempts: attemptsLabel(attempts) }, seconds);
    this.attemptsPerPod.observe(attempts);
  }
}
