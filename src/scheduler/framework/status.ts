// The result of one plugin call, as upstream's framework.Status. Success is `null` in the hot path (no allocation
// per node); a failure carries a code and the human-readable reasons that FailedScheduling events count.

export type StatusCode =
  /** An internal error: the attempt fails and the pod is retried with backoff. */
  | 'Error'
  /** The node cannot run the pod now, but preemption (removing lower-priority pods) might help. */
  | 'Unschedulable'
  /** The node cannot run the pod and preemption cannot change that (labels, taints, cordon). */
  | 'UnschedulableAndUnresolvable'
  /** From PreFilter/PreScore: this plugin has nothing to do for this pod; its Filter/Score is skipped. */
  | 'Skip';

export class Status {
  /** The plugin that returned it; set by the framework. */
  plugin = '';
  constructor(readonly code: StatusCode, readonly reasons: readonly string[]) {}

  get message(): string { return this.reasons.join(', '); }
  /** Unschedulable or UnschedulableAndUnresolvable: the node was rejected (as opposed to an error). */
  get isRejected(): boolean { return this.code === 'Unschedulable' || this.code === 'UnschedulableAndUnresolvable'; }

  static unschedulable(...reasons: string[]): Status { return new Status('Unschedulable', reasons); }
  static unresolvable(...reasons: string[]): Status { return new Status('UnschedulableAndUnresolvable', reasons); }
  static error(message: string): Status { return new Status('Error', [message]); }
}

/** A shared, immutable Skip status. */
export const SKIP: Status = Object.freeze(new Status('Skip', [])) as Status;
