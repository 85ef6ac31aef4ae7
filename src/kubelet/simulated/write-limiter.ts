// A counting semaphore for API writes with two priorities, so the simulated kubelets of thousands of nodes never
// have more than `limit` writes in flight, and Lease renewals (which keep nodes Ready) overtake a backlog of pod
// status writes instead of expiring behind it.

export type WritePriority = 'high' | 'normal';

export class WriteLimiter {
  private inFlight = 0;
  private readonly waiting: Record<WritePriority, (() => void)[]> = { high: [], normal: [] };
  /** The most writes ever in flight at once (for tests and logs). */
  peak = 0;

  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new Error('the write limit must be at least 1');
  }

  /** Runs write() once a slot is free; high-priority callers are admitted before normal ones. */
  async run<T>(priority: WritePriority, write: () => Promise<T>): Promise<T> {
    if (this.inFlight >= this.limit) await new Promise<void>((resolve) => this.waiting[priority].push(resolve));
    else this.inFlight++;
    this.peak = Math.max(this.peak, this.inFlight);
    try {
      return await write();
    } finally {
      // Hand the slot straight to the next waiter (inFlight unchanged) or release it.
      const next = this.waiting.high.shift() ?? this.waiting.normal.shift();
      if (next) next(); else this.inFlight--;
    }
  }

  get active(): number { return this.inFlight; }
  get queued(): number { return this.waiting.high.length + this.waiting.normal.length; }
}
