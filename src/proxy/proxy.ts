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
  const slices = opts.informers.informerFor<Slice>(builtin.endpointslices);
  let dirty = true;
  let running: Promise<void> | undefined;
  let stopped = false;
  let failures = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  const listeners = new Set<(r: SyncRecord) => void>();
  let readyResolve!: () => void;
  const ready = new Promise<void>((r) => { readyResolve = r; });
  let synced = false;

  const desired = (): ServicePortState[] => {
    const byService = new Map<string, Slice[]>();
    for (const s of slices.list()) {
      const svc = s.metadata?.labels?.[serviceNameLabel];
      if (!svc) continue;
      const k = `${s.metadata?.namespace}/${svc}`;
      let l = byService.get(k);
      if (!l) byService.set(k, (l = []));
      l.push(s);
    }
    const out: ServicePortState[] = [];
    for (const svc of services.list()) {
      const own = byService.get(`${svc.metadata?.namespace}/${svc.metadata?.name}`) ?? [];
      for (const sp of servicePorts(svc)) out.push({ sp, endpoints: endpointsFor(sp, own) });
    }
    return out;
  };

  const syncOnce = async () => {
    dirty = false;
    const t0 = performance.now();
    const at = Math.max(0, ...[...services.list(), ...slices.list()].map((o) => Number(o.metadata?.resourceVersion ?? 0)));
    const state = desired();
    const stats = await proxier.sync(state);
    const rec: SyncRecord = { ...stats, ms: performance.now() - t0, services: services.keys().length, at };
    if (stats.changes) log({ level: 'info', msg: 'synced proxy rules', mode: proxier.mode, full: stats.full, changes: stats.changes, servicePorts: state.length, ms: Math.round(rec.ms * 10) / 10 });
    for (const l of [...listeners]) l(rec);
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

  const handler = { onAdd: kick, onUpdate: kick, onDelete: kick };
  services.addEventHandler(handler);
  slices.addEventHandler(handler);
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
