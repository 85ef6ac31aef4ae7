// controller.ControllerExpectations / UIDTrackingControllerExpectations: what a controller has asked the API for
// and not yet seen through its informer, so it does not act twice on a stale cache (e.g. create the same missing
// pods again before the watch delivers the first ones). Expectations expire after 5 minutes, as upstream, so a
// lost watch event cannot wedge a controller forever.
import type { Clock } from '../../client/clock.js';

export const expectationsTimeoutMs = 5 * 60 * 1000;

interface Record_ { add: number; del: number; timestamp: number; deleteKeys: Set<string> }

export class ControllerExpectations {
  private readonly store = new Map<string, Record_>();
  constructor(private readonly clock: Clock, private readonly ttlMs = expectationsTimeoutMs) {}

  /** True when the controller may act on key: no record, all observed, or the record expired. */
  satisfied(key: string): boolean {
    const e = this.store.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    return this.clock.now() - e.timestamp > this.ttlMs;
  }

  expectCreations(key: string, n: number): void {
    this.store.set(key, { add: n, del: 0, timestamp: this.clock.now(), deleteKeys: new Set() });
  }

  /** Expects the deletion of these pods (namespace/name keys); each is counted once, by delete or deletionTimestamp. */
  expectDeletions(key: string, podKeys: string[]): void {
    this.store.set(key, { add: 0, del: podKeys.length, timestamp: this.clock.now(), deleteKeys: new Set(podKeys) });
  }

  /** Expects n creations and these deletions together (SetExpectations, as the DaemonSet controller's syncNodes). */
  expect(key: string, n: number, podKeys: string[]): void {
    this.store.set(key, { add: n, del: podKeys.length, timestamp: this.clock.now(), deleteKeys: new Set(podKeys) });
  }

  creationObserved(key: string): void {
    const e = this.store.get(key);
    if (e) e.add--;
  }

  deletionObserved(key: string, podKey: string): void {
    const e = this.store.get(key);
    if (e && e.deleteKeys.delete(podKey)) e.del--;
  }

  delete(key: string): void { this.store.delete(key); }

  /** For tests and debugging. */
  get(key: string): { add: number; del: number } | undefined {
    const e = this.store.get(key);
    return e && { add: e.add, del: e.del };
  }
}
