// Pod workers (upstream's pkg/kubelet/pod_workers.go, simplified): one worker per pod uid, so the syncs of one pod
// never overlap while different pods sync in parallel. update(uid) asks for a sync; updates that arrive while a
// sync runs fold into one more sync after it. A sync may ask to run again after a delay (a back-off expiring, a
// grace period ending); an earlier request wins. Errors are logged and retried after a short back-off.
import type { Clock, TimerHandle } from '../client/clock.js';
import { errorText, type LogFn } from '../client/log.js';

export type SyncResult = void | { resyncAfterMs?: number; done?: boolean };

interface Worker { running: boolean; pending: boolean; timer?: TimerHandle; timerAt?: number; failures: number; finished: boolean }

export interface PodWorkersOptions {
  clock: Clock;
  log: LogFn;
  /** Syncs one pod; { done: true } ends its worker (the pod is gone and cleaned up). */
  sync(uid: string): Promise<SyncResult>;
}

export class PodWorkers {
  private readonly workers = new Map<string, Worker>();
  private readonly inflight = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly opts: PodWorkersOptions) {}

  /** Requests a sync of the pod (now, or after the running one). */
  update(uid: string): void {
    if (this.stopped) return;
    let w = this.workers.get(uid);
    if (!w || w.finished) { w = { running: false, pending: false, failures: 0, finished: false }; this.workers.set(uid, w); }
    w.pending = true;
    if (!w.running) this.run(uid, w);
  }

  /** Requests a sync after ms (an earlier request already scheduled wins). */
  updateAfter(uid: string, ms: number): void {
    if (this.stopped) return;
    const w = this.workers.get(uid);
    if (!w || w.finished) { this.update(uid); return; }
    const at = this.opts.clock.now() + ms;
    if (w.timer && w.timerAt !== undefined && w.timerAt <= at) return;
    if (w.timer) this.opts.clock.clearTimeout(w.timer);
    w.timerAt = at;
    w.timer = this.opts.clock.setTimeout(() => { w.timer = undefined; w.timerAt = undefined; this.update(uid); }, Math.max(0, ms));
  }

  uids(): string[] { return [...this.workers.keys()]; }

  /** Stops scheduling syncs and waits for the running ones to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of this.workers.values()) if (w.timer) this.opts.clock.clearTimeout(w.timer);
    await Promise.allSettled([...this.inflight]);
  }

  /** Waits until no sync runs (tests, and the kubelet's shutdown after its last syncs). */
  async idle(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  private run(uid: string, w: Worker): void {
    w.running = true;
    const p = (async () => {
      while (w.pending && !this.stopped) {
        w.pending = false;
        try {
          const r = await this.opts.sync(uid);
          w.failures = 0;
          if (r?.done) { w.finished = true; if (w.timer) this.opts.clock.clearTimeout(w.timer); this.workers.delete(uid); break; }
          if (r?.resyncAfterMs !== undefined) this.updateAfter(uid, r.resyncAfterMs);
        } catch (e) {
          w.failures++;
          const delay = Math.min(30_000, 500 * 2 ** Math.min(w.failures - 1, 6));
          this.opts.log({ level: 'error', msg: 'pod sync failed; will retry', uid, retryInMs: delay, error: errorText(e) });
          this.updateAfter(uid, delay);
        }
      }
      w.running = false;
    })();
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }
}
