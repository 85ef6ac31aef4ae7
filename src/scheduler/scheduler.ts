// The scheduler component: watches pods and nodes through the API client, binds each pending pod that names
// this scheduler (spec.schedulerName, "default-scheduler" by default) to a node chosen by the profile's plugins,
// and explains failures with a FailedScheduling event and the PodScheduled=False condition, worded as upstream.
//
// Shape of the loop (upstream's scheduleOne): pop the next pod, run the synchronous scheduling cycle against the
// cache (schedule-one.ts), assume the pod onto the chosen node, then bind asynchronously while the next pod is
// scheduled (binding-cycle.ts, up to `parallelism` bindings in flight). A failed binding forgets the assumption
// and retries the pod with backoff (failure-handler.ts). Informer events feed the cache and queue
// (event-handlers.ts). This file wires them and runs the loop.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { hostname } from 'node:os';
import type { KubeObject } from '../api/object.js';
import type { Client } from '../client/client.js';
import { resources } from '../api/resources.js';
import { realClock, type Clock } from '../client/clock.js';
import { EventRecorder } from '../client/events.js';
import type { InformerFactory, SharedInformer } from '../client/informer.js';
import { errorText, stderrLog, type LogFn } from '../client/log.js';
import { BackgroundWriter } from './background-writer.js';
import { SchedulerCache } from './framework/cache.js';
import { Nominator } from './framework/nominator.js';
import { Framework, type Profile } from './framework/framework.js';
import type { PluginFactory } from './framework/types.js';
import { SchedulingQueue, type SchedulingQueueOptions } from './queue/scheduling-queue.js';
import { DEFAULT_SCHEDULER_NAME, defaultProfile, inTreeRegistry } from './plugins/registry.js';
import { newSchedulerMetrics, type SchedulerMetrics } from './metrics.js';
import type { SchedulerPrometheus } from './prometheus.js';
import { addSchedulerEventHandlers } from './event-handlers.js';
import { failureHandler } from './failure-handler.js';
import { Binder } from './binding-cycle.js';
import { scheduleOne } from './schedule-one.js';

export type { SchedulerMetrics } from './metrics.js';

export interface SchedulerOptions {
  client: Client;
  /** Pods and nodes informers come from here; those not yet running are started with `signal`. */
  informers: InformerFactory;
  /** Defaults to a recorder for component `schedulerName`. */
  recorder?: EventRecorder;
  clock?: Clock;
  /** Aborting stops the scheduler (as stop() does). */
  signal: AbortSignal;
  log?: LogFn;
  /** Pods with this spec.schedulerName are ours; default "default-scheduler". */
  schedulerName?: string;
  /** Bindings in flight at once; default 64 (upstream runs each binding in its own goroutine, unbounded). */
  parallelism?: number;
  /** Default: the default profile (see plugins/registry.ts). */
  profile?: Profile;
  /** Default: the in-tree plugins. */
  registry?: Map<string, PluginFactory>;
  /** Backoff and flush timings (tests shorten them). */
  queue?: Omit<SchedulingQueueOptions, 'clock'>;
  /** Where attempts, scheduling latencies and pending pods are reported (the scheduler's /metrics); none without it. */
  prometheus?: SchedulerPrometheus;
}

export interface RunningScheduler {
  /** Stops scheduling, waits for in-flight bindings and pending writes. Idempotent. */
  stop(): Promise<void>;
  readonly metrics: SchedulerMetrics;
  readonly cache: SchedulerCache;
  readonly queue: SchedulingQueue;
}

export async function startScheduler(opts: SchedulerOptions): Promise<RunningScheduler> {
  const { client, informers } = opts;
  const clock = opts.clock ?? realClock;
  const log = opts.log ?? stderrLog;
  const schedulerName = opts.schedulerName ?? opts.profile?.schedulerName ?? DEFAULT_SCHEDULER_NAME;
  const parallelism = Math.max(1, opts.parallelism ?? 64);
  const recorder = opts.recorder ?? new EventRecorder({ client, component: schedulerName, reportingInstance: `${schedulerName}-${hostname()}`, clock, log });

  const cache = new SchedulerCache();
  const queue = new SchedulingQueue({ ...opts.queue, clock });
  const nominator = new Nominator();
  const pdbInformer: SharedInformer<KubeObject> = informers.informerFor<KubeObject>(resources.poddisruptionbudgets);
  const fwk = new Framework(opts.profile ?? defaultProfile(schedulerName), opts.registry ?? inTreeRegistry(),
    { client, nodeInfos: cache, schedulerName, recorder, log, podDisruptionBudgets: () => pdbInformer.list(), informers });
  // Events wait while a backlog of pods is being bound (bindings are what users wait for; events are
  // best-effort) and are written as soon as the scheduler is idle, or earlier when 10 000 have piled up.
  const busy = (): boolean => queue.stats.active > 0 || binder.bindsInFlight > 0;
  const events = new BackgroundWriter({ name: 'events', concurrency: 4, maxPending: 20_000, log, deferWhile: busy, forceAbove: 10_000 });
  const statusWrites = new BackgroundWriter({ name: 'pod-status', concurrency: 4, maxPending: Number.MAX_SAFE_INTEGER, log });
  const metrics = newSchedulerMetrics();

  const podInformer: SharedInformer<Pod & KubeObject> = informers.informerFor<Pod & KubeObject>(resources.pods);
  const nodeInformer: SharedInformer<Node & KubeObject> = informers.informerFor<Node & KubeObject>(resources.nodes);
  const removeHandlers = addSchedulerEventHandlers({ podInformer, nodeInformer, cache, queue, schedulerName, nominator });
  // A claim bound or a volume added may make pods waiting on VolumeBinding schedulable.
  const volumeEvent = () => queue.moveAllToActiveOrBackoff('VolumeChange');
  const removeVolumeHandlers = [informers.informerFor(resources.persistentvolumeclaims), informers.informerFor(resources.persistentvolumes)]
    .map((i) => i.addEventHandler({ onAdd: volumeEvent, onUpdate: volumeEvent }));
  const recordFailure = failureHandler({ client, podInformer, queue, recorder, events, statusWrites, metrics, prometheus: opts.prometheus, profile: schedulerName, clock, log });
  const binder = new Binder({ fwk, cache, queue, recorder, events, metrics, prometheus: opts.prometheus, profile: schedulerName, recordFailure, clock, log, parallelism });
  const cycle = { fwk, cache, queue, binder, recordFailure, log };

  const ac = new AbortController();
  const onAbort = () => ac.abort();
  if (opts.signal.aborted) ac.abort(); else opts.signal.addEventListener('abort', onAbort, { once: true });
  ac.signal.addEventListener('abort', () => { queue.close(); opts.prometheus?.watchQueue(undefined); }, { once: true });
  opts.prometheus?.watchQueue(() => queue.stats);

  informers.start(opts.signal);

  async function run(): Promise<void> {
    const synced = await informers.waitForCacheSync(ac.signal);
    if (!synced || ac.signal.aborted) return;
    log({ level: 'info', msg: 'scheduler started', schedulerName, nodes: cache.nodeCount, pending: queue.stats.active });
    let sinceYield = 0;
    for (;;) {
      let q = queue.tryPop();
      if (!q) {
        sinceYield = 0;
        events.kick();
        q = await queue.pop();
        if (!q) return;
      }
      if (ac.signal.aborted) { queue.done(q.podInfo.uid); return; }
      const t0 = performance.now();
      try {
        scheduleOne(cycle, q);
      } catch (e) {
        log({ level: 'error', msg: 'scheduling cycle crashed', pod: q.podInfo.key, error: errorText(e) });
        queue.done(q.podInfo.uid);
      }
      metrics.schedulingCycleMs += performance.now() - t0;
      await binder.waitForSlot(ac.signal);
      // Let informer events, binding responses and timers in between cycles.
      if (++sinceYield >= 32) { sinceYield = 0; await yieldToEventLoop(); }
    }
  }

  const loop = run().catch((e) => log({ level: 'error', msg: 'scheduler loop failed', error: errorText(e) }));

  let stopping: Promise<void> | undefined;
  return {
    metrics, cache, queue,
    stop() {
      stopping ??= (async () => {
        ac.abort();
        opts.signal.removeEventListener('abort', onAbort);
        binder.releaseWaiters();
        await loop;
        await binder.drain();
        removeHandlers();
        for (const r of removeVolumeHandlers) r();
        await Promise.all([events.drain(), statusWrites.drain()]);
      })();
      return stopping;
    },
  };
}
