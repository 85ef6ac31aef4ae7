// Best-effort API writes off the scheduling path (FailedScheduling/Scheduled events, PodScheduled conditions):
// at most `concurrency` in flight, so a burst of thousands never competes with bindings for the API all at once.
// When `maxPending` is exceeded new work is dropped (as upstream's event broadcaster drops when its channel is
// full) and the drop is counted. With `deferWhile`, work waits while that returns true (the scheduler is busy
// binding a backlog) unless more than `forceAbove` items wait; the owner calls kick() when it becomes idle.
import { errorText, type LogFn } from '../client/log.js';

export class BackgroundWriter {
  private readonly pending: (() => Promise<unknown>)[] = [];
  private running = 0;
  private idleWaiters: (() => void)[] = [];
  dropped = 0;

  private flushing = false;

  constructor(private readonly opts: {
    name: string; concurrency: number; maxPending: number; log: LogFn;
    deferWhile?: () => boolean; forceAbove?: number;
  }) {}

  /** Re-checks deferWhile and starts waiting work. */
  kick(): void { this.pump(); }

  enqueue(work: () => Promise<unknown>): void {
    if (this.pending.length >= this.opts.maxPending) {
      if (this.dropped++ === 0) this.opts.log({ level: 'warn', msg: 'background writes dropped: queue full', writer: this.opts.name, maxPending: this.opts.maxPending });
      return;
    }
    this.pending.push(work);
    this.pump();
  }

  get size(): number { return this.pending.length + this.running; }

  /** Resolves when nothing is pending or running. */
  drain(): Promise<void> {
    this.flushing = true;
    this.pump();
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    const { deferWhile, forceAbove = Infinity } = this.opts;
    if (!this.flushing && deferWhile && this.pending.length <= forceAbove && deferWhile()) return;
    while (this.running < this.opts.concurrency && this.pending.length > 0) {
      const work = this.pending.shift()!;
      this.running++;
      void work().catch((e) => {
        this.opts.log({ level: 'warn', msg: 'background write failed', writer: this.opts.name, error: errorText(e) });
      }).finally(() => {
        this.running--;
        this.pump();
        if (this.size === 0) { const ws = this.idleWaiters; this.idleWaiters = []; for (const w of ws) w(); }
      });
    }
  }
}
