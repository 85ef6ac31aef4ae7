/** What the scheduler counts (benchmarks and tests read it). */
export interface SchedulerMetrics {
  /** Pods bound by this scheduler. */
  scheduled: number;
  /** Attempts that found no node. */
  unschedulable: number;
  /** Attempts that failed for other reasons (binding errors). */
  errors: number;
  /** Per bound pod: ms from its first scheduling attempt to the binding's success (first 100 000). */
  podSchedulingDurationsMs: number[];
  /** Total wall time spent in synchronous scheduling cycles (filter, score, assume), in ms. */
  schedulingCycleMs: number;
}

export function newSchedulerMetrics(): SchedulerMetrics {
  return { scheduled: 0, unschedulable: 0, errors: 0, podSchedulingDurationsMs: [], schedulingCycleMs: 0 };
}
