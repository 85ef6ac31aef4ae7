// A timer wheel for Lease renewals: one timer for all simulated nodes instead of one per node. The renew interval
// is cut into slots of `tickMs`; each node sits in one slot (the least full when it joins) and is handed to onDue
// once per revolution, so 5000 nodes renewing every 10 s cost one timer and ~500 renewals a second spread evenly,
// rather than 5000 timers firing in bursts.
import type { Clock, TimerHandle } from '../../client/clock.js';

export interface LeaseWheelOptions {
  clock: Clock;
  /** How often each member is due (the kubelet's lease renew interval, 10 s upstream). */
  intervalMs: number;
  /** Length of one slot; default min(1000, intervalMs). */
  tickMs?: number;
  /** Called once per tick with the members of the slot that is due (never with an empty list). */
  onDue(names: string[]): void;
}

export class LeaseWheel {
  private readonly slots: Set<string>[];
  private readonly slotOf = new Map<string, number>();
  private readonly tickMs: number;
  private cursor = 0;
  private timer?: TimerHandle;

  constructor(private readonly opts: LeaseWheelOptions) {
    if (!(opts.intervalMs > 0)) throw new Error('the lease renew interval must be positive');
    this.tickMs = Math.max(1, Math.min(opts.tickMs ?? 1000, opts.intervalMs));
    const n = Math.max(1, Math.round(opts.intervalMs / this.tickMs));
    this.slots = Array.from({ length: n }, () => new Set<string>());
  }

  add(name: string): void {
    if (this.slotOf.has(name)) return;
    let best = 0;
    for (let i = 1; i < this.slots.length; i++) if (this.slots[i].size < this.slots[best].size) best = i;
    this.slots[best].add(name);
    this.slotOf.set(name, best);
  }

  remove(name: string): void {
    const i = this.slotOf.get(name);
    if (i === undefined) return;
    this.slots[i].delete(name);
    this.slotOf.delete(name);
  }

  has(name: string): boolean { return this.slotOf.has(name); }
  get size(): number { return this.slotOf.size; }

  start(): void {
    if (this.timer) return;
    this.schedule();
  }

  stop(): void {
    if (this.timer) this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    this.timer = this.opts.clock.setTimeout(() => {
      this.cursor = (this.cursor + 1) % this.slots.length;
      this.schedule();
      const due = this.slots[this.cursor];
      if (due.size > 0) this.opts.onDue([...due]);
    }, this.tickMs);
  }
}
