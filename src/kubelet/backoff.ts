// Per-container restart back-off, as upstream's client-go flowcontrol.Backoff used by the kubelet
// (backOffPeriod 10 s, MaxContainerBackOff 300 s): each restart of a crashed container doubles the wait, up to 5
// minutes; an entry not touched for 2 × max (10 minutes, i.e. the container ran that long before exiting again)
// starts over at 10 s. Time comes from the injected clock, so tests step it instead of sleeping.
import type { Clock } from '../client/clock.js';

export const CONTAINER_BACKOFF_INITIAL_MS = 10_000;
export const CONTAINER_BACKOFF_MAX_MS = 300_000;

interface Entry { backoffMs: number; lastUpdate: number }

export class Backoff {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly clock: Clock, readonly initialMs = CONTAINER_BACKOFF_INITIAL_MS, readonly maxMs = CONTAINER_BACKOFF_MAX_MS) {}

  /** The current back-off of id (0 when it has none). */
  get(id: string): number { return this.entries.get(id)?.backoffMs ?? 0; }

  /** Records one more restart at `now`: the first gives initialMs, each next doubles, capped at maxMs. */
  next(id: string, now = this.clock.now()): void {
    const e = this.entries.get(id);
    if (!e || this.hasExpired(e, now)) { this.entries.set(id, { backoffMs: this.initialMs, lastUpdate: now }); return; }
    e.backoffMs = Math.min(e.backoffMs * 2, this.maxMs);
    e.lastUpdate = now;
  }

  /**
   * Whether id is still backing off from an event at eventTime (the container's finishedAt): upstream's
   * IsInBackOffSince, true while now - eventTime < current back-off.
   */
  isInBackOffSince(id: string, eventTime: number, now = this.clock.now()): boolean {
    const e = this.entries.get(id);
    if (!e || this.hasExpired(e, now)) return false;
    return now - eventTime < e.backoffMs;
  }

  /** Milliseconds left of id's back-off measured from eventTime (0 when none). */
  remaining(id: string, eventTime: number, now = this.clock.now()): number {
    const e = this.entries.get(id);
    if (!e || this.hasExpired(e, now)) return 0;
    return Math.max(0, eventTime + e.backoffMs - now);
  }

  reset(id: string): void { this.entries.delete(id); }

  /** Drops entries of ids for which keep() is false (pods gone). */
  gc(keep: (id: string) => boolean): void {
    for (const id of this.entries.keys()) if (!keep(id)) this.entries.delete(id);
  }

  private hasExpired(e: Entry, now: number): boolean { return now - e.lastUpdate > this.maxMs * 2; }
}
