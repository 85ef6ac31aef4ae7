// Injected time (DESIGN.md §4 "Clocks are injected so tests never sleep"). Everything in src/client that waits
// (work queue delays, rate limiters, leader election, informer retry backoff) takes a Clock; production code uses
// realClock, tests use FakeClock and step it.

export type TimerHandle = { readonly id: number };

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls fn once after ms milliseconds (of this clock's time). */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

let nextId = 1;

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, Math.max(0, ms));
    const h = { id: nextId++, t };
    return h;
  },
  clearTimeout(handle) {
    clearTimeout((handle as unknown as { t: NodeJS.Timeout }).t);
  },
};

/** Resolves after ms of the clock's time, or rejects with an AbortError when signal aborts first. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) { reject(abortError()); return; }
    const onAbort = () => { clock.clearTimeout(h); reject(abortError()); };
    const h = clock.setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function abortError(): Error {
  const e = new Error('aborted');
  e.name = 'AbortError';
  return e;
}
export const isAbortError = (e: unknown) => e instanceof Error && e.name === 'AbortError';

interface FakeTimer { id: number; at: number; seq: number; fn: () => void }

/**
 * A manually stepped clock for tests. Timers fire in time order when step()/stepAsync() moves time past them.
 * stepAsync also lets pending promise callbacks run between timers, so async code driven by the clock
 * (await sleep(...); await client.get(...)) makes progress the way it would in real time.
 */
export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private timers = new Map<number, FakeTimer>();
  constructor(start = Date.UTC(2025, 0, 1)) { this.t = start; }

  now(): number { return this.t; }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = nextId++;
    this.timers.set(id, { id, at: this.t + Math.max(0, ms), seq: this.seq++, fn });
    return { id };
  }
  clearTimeout(handle: TimerHandle): void { this.timers.delete(handle.id); }
  /** Number of pending timers (lets tests assert something is waiting). */
  get pending(): number { return this.timers.size; }

  private nextDue(until: number): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const tm of this.timers.values()) {
      if (tm.at > until) continue;
      if (!best || tm.at < best.at || (tm.at === best.at && tm.seq < best.seq)) best = tm;
    }
    return best;
  }

  /** Moves time forward by ms, firing due timers synchronously. */
  step(ms: number): void {
    const until = this.t + ms;
    for (let tm = this.nextDue(until); tm; tm = this.nextDue(until)) {
      this.timers.delete(tm.id);
      this.t = Math.max(this.t, tm.at);
      tm.fn();
    }
    this.t = until;
  }

  /** Moves time forward by ms, firing due timers and settling promise chains before and after each. */
  async stepAsync(ms: number): Promise<void> {
    const until = this.t + ms;
    await settle();
    for (let tm = this.nextDue(until); tm; tm = this.nextDue(until)) {
      this.timers.delete(tm.id);
      this.t = Math.max(this.t, tm.at);
      tm.fn();
      await settle();
    }
    this.t = until;
    await settle();
  }
}

/** Lets queued promise callbacks and immediates run (several rounds, for chains of awaits). */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}
