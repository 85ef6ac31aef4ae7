// kube-proxy: watches Services and EndpointSlices through the client's informers (like any component) and keeps
// the data plane (a Proxier) in step. Any change schedules a sync; syncs never overlap, and changes that arrive
// during one are folded into the next, so an endpoint that starts terminating leaves the rules one sync later.
// A failed sync is retried with back-off (the proxier then rewrites everything).
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Service } from 'kubernetes-types/core/v1.js';
import { resources as builtin } from '../api/resources.js';
import type { KubeObject } from '../api/object.js';
import type { InformerFactory, SharedInformer } from '../client/informer.js';
import { errorText, type LogFn } from '../client/log.js';
import type { Proxier, ServicePortState, SyncStats } from './proxier.js';
import { deletedObject } from '../client/keys.js';
import { endpointsFor, serviceNameLabel, servicePorts } from './service-ports.js';

export interface ProxyOptions {
  informers: InformerFactory;
  proxier: Proxier;
  signal: AbortSignal;
  log: LogFn;
}

export interface SyncRecord extends SyncStats {
  /** Wall time of the sync: computing the rules and applying them (nft's run included). */
  ms: number;
  services: number;
  /** Highest resourceVersion seen among Services and EndpointSlices when the sync started (for benches). */
  at: number;
}

export interface RunningProxy {
  readonly mode: string;
  /** Resolves after the first sync following informer sync. */
  readonly ready: Promise<void>;
  /** Resolves once a sync that started after this call has finished (succeeded). */
  synced(): Promise<SyncRecord>;
  /** Called after every successful sync (benches measure with it). */
  onSync(fn: (r: SyncRecord) => void): () => void;
  stop(): Promise<void>;
}

type Svc = Service & KubeObject;
type Slice = EndpointSlice & KubeObject;

export function runProxy(opts: ProxyOptions): RunningProxy {
  const { proxier, log } = opts;
  const services = opts.informers.informerFor<Svc>(builtin.services);
  // Slices by the Service they belong to (kubernetes.io/service-name), so one Service's state is a lookup.
  const byServiceIndex = 'proxy-service';
  const serviceOfSlice = (s: Slice) => {
    const svc = s.metadata?.labels?.[serviceNameLabel];
    return svc ? `${s.metadata?.namespace}/${svc}` : undefined;
  };
  const slices = opts.informers.informerFor<Slice>(builtin.endpointslices, { indexers: { [byServiceIndex]: (s) => { const k = serviceOfSlice(s); return k ? [k] : []; } } });
  // Services changed since the last successful sync; `full` asks for everything (first sync, after a failure).
  const changed = new Set<string>();
  let full = true;
  let dirty = true;
  let running: Promise<void> | undefined;
  let stopped = false;
  let failures = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  const listeners = new Set<(r: SyncRecord) => void>();
  let readyResolve!: () => void;
  const ready = new Promise<void>((r) => { readyResolve = r; });
  let synced = false;

  const stateOf = (key: string): ServicePortState[] => {
    const svc = services.get(key);
    if (!svc) return [];
    const own = slices.byIndex(byServiceIndex, key);
    return servicePorts(svc).map((sp) => ({ sp, endpoints: endpointsFor(sp, own) }));
  };
  // The highest resourceVersion seen (benches wait for a sync that started after their write).
  let seenRV = 0;
  const note = (o: KubeObject) => { const rv = Number(o.metadata?.resourceVersion ?? 0); if (rv > seenRV) seenRV = rv; };

  const syncOnce = async () => {
    dirty = false;
    const t0 = performance.now();
    const at = seenRV;
    const wasFull = full;
    const keys = full ? services.keys() : [...changed];
    changed.clear();
    full = false;
    const update = new Map(keys.map((k) => [k, stateOf(k)] as const));
    try {
      const stats = await proxier.sync({ full: wasFull, services: update });
      const rec: SyncRecord = { ...stats, ms: performance.now() - t0, services: services.keys().length, at };
      if (stats.changes) log({ level: 'info', msg: 'synced proxy rules', mode: proxier.mode, full: stats.full, changes: stats.changes, services: update.size, ms: Math.round(rec.ms * 10) / 10 });
      for (const l of [...listeners]) l(rec);
    } catch (e) {
      full = true;
      throw e;
    }
  };

  const kick = () => {
    dirty = true;
    if (running || stopped || !synced || retryTimer) return;
    running = (async () => {
      while (dirty && !stopped) {
        try {
          await syncOnce();
          failures = 0;
        } catch (e) {
          failures++;
          const delay = Math.min(30_000, 500 * 2 ** Math.min(failures - 1, 6));
          log({ level: 'error', msg: 'proxy sync failed', mode: proxier.mode, retryInMs: delay, error: errorText(e) });
          dirty = true;
          retryTimer = setTimeout(() => { retryTimer = undefined; kick(); }, delay);
          break;
        }
      }
      running = undefined;
    })();
  };

  const touch = (key: string | undefined, o: KubeObject) => { note(o); if (key) { changed.add(key); kick(); } };
  const serviceKey = (s: KubeObject) => `${s.metadata?.namespace}/${s.metadata?.name}`;
  services.addEventHandler({
    onAdd: (s) => touch(serviceKey(s), s),
    onUpdate: (_o, s) => touch(serviceKey(s), s),
    onDelete: (d) => { const s = deletedObject(d); touch(serviceKey(s), s); },
  });
  slices.addEventHandler({
    onAdd: (s) => touch(serviceOfSlice(s), s),
    onUpdate: (o, s) => { const a = serviceOfSlice(o); if (a && a !== serviceOfSlice(s)) changed.add(a); touch(serviceOfSlice(s), s); },
    onDelete: (d) => { const s = deletedObject(d); touch(serviceOfSlice(s), s); },
  });
  opts.informers.start(opts.signal);
  void (async () => {
    const ok = (await services.waitForSync(opts.signal)) && (await slices.waitForSync(opts.signal));
    if (!ok || stopped) return;
    synced = true;
    const first = new Promise<void>((resolve) => { const off = onSync(() => { off(); resolve(); }); });
    kick();
    await first;
    readyResolve();
  })();

  const onSync = (fn: (r: SyncRecord) => void) => { listeners.add(fn); return () => { listeners.delete(fn); }; };

  return {
    mode: proxier.mode,
    ready,
    onSync,
    synced: () => new Promise<SyncRecord>((resolve) => { const off = onSync((r) => { off(); resolve(r); }); kick(); }),
    async stop() {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      await running;
      await proxier.stop();
    },
  };
}
