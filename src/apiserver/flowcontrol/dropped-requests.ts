// The Retry-After a rejected request is told, per priority level (upstream's droppedRequestsTracker): 1 second,
// doubled (up to 32) while the level keeps dropping at least 3 × retryAfter requests within the last retryAfter
// seconds, and brought down by one second at a time once drops fall below retryAfter.
const MAX_RETRY_AFTER = 32;

class LevelStats {
  history: Array<{ unix: number; count: number }> = [];
  currentUnix = 0;
  currentCount = 0;
  retryAfter = 1;
  retryAfterUpdateUnix = 0;

  record(unix: number): void {
    if (unix === this.currentUnix) { this.currentCount++; return; }
    this.updateHistory(this.currentUnix, this.currentCount);
    this.currentUnix = unix;
    this.currentCount = 1;
    this.updateRetryAfter(unix);
  }

  private updateHistory(unix: number, count: number): void {
    this.history.push({ unix, count });
    const maxHistory = Math.min(2 * this.retryAfter, MAX_RETRY_AFTER);
    let start = 0;
    while (start < this.history.length && unix - this.history[start].unix > maxHistory) start++;
    if (start > 0) this.history = this.history.slice(start);
  }

  private updateRetryAfter(unix: number): void {
    let dropped = 0;
    for (let i = this.history.length - 1; i >= 0; i--) {
      if (unix - this.history[i].unix > this.retryAfter) break;
      if (this.history[i].unix < unix) dropped += this.history[i].count;
    }
    if (unix - this.retryAfterUpdateUnix >= this.retryAfter && dropped >= 3 * this.retryAfter) {
      this.retryAfter = Math.min(this.retryAfter * 2, MAX_RETRY_AFTER);
      this.retryAfterUpdateUnix = unix;
      return;
    }
    if (dropped < this.retryAfter && this.retryAfter > 1) this.retryAfter--;
  }
}

export class DroppedRequests {
  private readonly levels = new Map<string, LevelStats>();
  constructor(private readonly now: () => number = Date.now) {}

  record(priorityLevel: string): void {
    let s = this.levels.get(priorityLevel);
    if (!s) this.levels.set(priorityLevel, s = new LevelStats());
    s.record(Math.floor(this.now() / 1000));
  }

  /** Seconds for the Retry-After header of a request of this level that is rejected now. */
  retryAfter(priorityLevel: string): number { return this.levels.get(priorityLevel)?.retryAfter ?? 1; }
}
