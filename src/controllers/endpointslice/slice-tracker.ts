// Remembers the EndpointSlice writes the controller made that its cache may not show yet (upstream's
// EndpointSliceTracker). Reconciling a Service on a cache that misses a slice we just created would create a
// duplicate; so such a Service waits until the informer has caught up with every write.
import type { KubeObject } from '../../api/object.js';

type Expectation = { rv?: string } | 'deleted';

export class SliceTracker {
  /** service key → slice name → what the cache should show */
  private pending = new Map<string, Map<string, Expectation>>();

  /** cached(namespace, name): the slice as the informer holds it. */
  constructor(private readonly cached: (namespace: string, name: string) => KubeObject | undefined) {}

  expect(serviceKey: string, sliceName: string, rv?: string): void { this.set(serviceKey, sliceName, { rv }); }
  expectDeleted(serviceKey: string, sliceName: string): void { this.set(serviceKey, sliceName, 'deleted'); }

  /** Whether the cache still misses one of our writes for this Service (satisfied expectations are dropped). */
  isStale(serviceKey: string): boolean {
    const m = this.pending.get(serviceKey);
    if (!m) return false;
    const ns = serviceKey.split('/')[0];
    for (const [name, exp] of m) if (this.satisfied(ns, name, exp)) m.delete(name);
    if (m.size === 0) this.pending.delete(serviceKey);
    return m.size > 0;
  }

  /** The informer delivered a slice's deletion: nothing about it is pending any more (someone may have deleted it). */
  observedDeleted(slice: KubeObject): void {
    for (const [svc, m] of this.pending) {
      if (svc.split('/')[0] !== slice.metadata?.namespace) continue;
      m.delete(slice.metadata!.name!);
      if (m.size === 0) this.pending.delete(svc);
    }
  }

  private satisfied(ns: string, name: string, exp: Expectation): boolean {
    const c = this.cached(ns, name);
    if (exp === 'deleted') return !c;
    return !!c && !olderThan(c.metadata?.resourceVersion, exp.rv);
  }

  private set(serviceKey: string, sliceName: string, e: Expectation): void {
    if (this.satisfied(serviceKey.split('/')[0], sliceName, e)) return;
    let m = this.pending.get(serviceKey);
    if (!m) this.pending.set(serviceKey, (m = new Map()));
    m.set(sliceName, e);
  }
}

/** resourceVersions are opaque upstream; ours are integers, so compare numerically when both are. */
function olderThan(rv: string | undefined, than: string | undefined): boolean {
  if (!than) return false;
  if (!rv) return true;
  const a = Number(rv), b = Number(than);
  return Number.isFinite(a) && Number.isFinite(b) ? a < b : rv !== than;
}
