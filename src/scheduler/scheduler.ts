// The scheduler component: watches pods and nodes through the API client, binds each pending pod that names
// this scheduler (spec.schedulerName, "default-scheduler" by default) to a node chosen by the profile's plugins,
// and explains failures with a FailedScheduling event and the PodScheduled=False condition, worded as upstream.
//
// Shape of the loop (upstream's scheduleOne): pop the next pod, run the synchronous scheduling cycle against the
// cache, assume the pod onto the chosen node, then bind asynchronously while the next pod is scheduled (up to
// `parallelism` bindings in flight). A failed binding forgets the assumption and retries the pod with backoff.
import type { Node, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { isConflict, isNotFound } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import type { Client } from '../client/client.js';
import { resources } from '../api/resources.js';
import { realClock, type Clock } from '../client/clock.js';
import { EventRecorder } from '../client/events.js';
import type { InformerFactory, SharedInformer } from '../client/informer.js';
import { deletedObject } from '../client/keys.js';
import { errorText, stderrLog, type LogFn } from '../client/log.js';
import { BackgroundWriter } from './background-writer.js';
import { SchedulerCache } from './framework/cache.js';
import { isPodTerminal } from '../api/pod.js';
import { FitError, NoNodesAvailableError, fitErrorMessage } from './framework/fit-error.js';
import { Framework, type Profile } from './framework/framework.js';
import type { PodInfo } from './framework/pod-info.js';
import { CycleState, type PluginFactory } from './framework/types.js';
import { SchedulingQueue, type QueuedPodInfo, type SchedulingQueueOptions } from './queue/scheduling-queue.js';
import { DEFAULT_SCHEDULER_NAME, defaultProfile, inTreeRegistry } from './plugins/registry.js';

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
}

export interface SchedulerMetrics {
  /** Pods bound by this scheduler. */
  scheduled: number;
  /** Attempts that found no node. */
  unschedulable: number;
  /** Attempts that failed for other reasons (binding errors). */
  errors: number;
  /** Per bound pod: ms from its first scheduling attempt to the binding's success (first 100 000). */
  podSchedulingDurationsMs: number[];
  /** Total wall time spent in synchronous scheduling cycles (filter, score, assume), in ms. */
  schedulingCycleMs: number;
}

export interface RunningScheduler {
  /** Stops scheduling, waits for in-flight bindings and pending writes. Idempotent. */
  stop(): Promise<void>;
  readonly metrics: SchedulerMetrics;
  readonly cache: SchedulerCache;
  readonly queue: SchedulingQueue;
}

const timestamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export async function startScheduler(opts: SchedulerOptions): Promise<RunningScheduler> {
  const { client, informers } = opts;
  const clock = opts.clock ?? realClock;
  const log = opts.log ?? stderrLog;
  const schedulerName = opts.schedulerName ?? opts.profile?.schedulerName ?? DEFAULT_SCHEDULER_NAME;
  const parallelism = Math.max(1, opts.parallelism ?? 64);
  const recorder = opts.recorder ?? new EventRecorder({ client, component: schedulerName, clock, log });

  const cache = new SchedulerCache();
  const queue = new SchedulingQueue({ ...opts.queue, clock });
  const fwk = new Framework(opts.profile ?? defaultProfile(schedulerName), opts.registry ?? inTreeRegistry(),
    { client, nodeInfos: cache, schedulerName });
  // Events wait while a backlog of pods is being bound (bindings are what users wait for; events are
  // best-effort) and are written as soon as the scheduler is idle, or earlier when 10 000 have piled up.
  let bindsInFlight = 0;
  const busy = () => queue.stats.active > 0 || bindsInFlight > 0;
  const events = new BackgroundWriter({ name: 'events', concurrency: 4, maxPending: 20_000, log, deferWhile: busy, forceAbove: 10_000 });
  const statusWrites = new BackgroundWriter({ name: 'pod-status', concurrency: 4, maxPending: Number.MAX_SAFE_INTEGER, log });
  const metrics: SchedulerMetrics = { scheduled: 0, unschedulable: 0, errors: 0, podSchedulingDurationsMs: [], schedulingCycleMs: 0 };

  const podInformer: SharedInformer<Pod & KubeObject> = informers.informerFor<Pod & KubeObject>(resources.pods);
  const nodeInformer: SharedInformer<Node & KubeObject> = informers.informerFor<Node & KubeObject>(resources.nodes);

  const ours = (p: Pod) => (p.spec?.schedulerName || DEFAULT_SCHEDULER_NAME) === schedulerName;
  /** A pod this scheduler should place: ours, unassigned, not terminal, not being deleted. */
  const pending = (p: Pod) => !p.spec?.nodeName && ours(p) && !p.metadata?.deletionTimestamp && !isPodTerminal(p);
  const uidOf = (p: Pod) => p.metadata?.uid ?? '';

  const removePodHandler = podInformer.addEventHandler({
    onAdd(pod) {
      if (pod.spec?.nodeName) cache.addPod(pod);
      else if (pending(pod)) queue.add(pod);
    },
    onUpdate(oldPod, pod) {
      if (pod.spec?.nodeName) {
        if (!oldPod.spec?.nodeName) queue.delete(uidOf(pod));
        const freed = isPodTerminal(pod) && !isPodTerminal(oldPod);
        cache.updatePod(pod);
        if (freed) queue.moveAllToActiveOrBackoff('AssignedPodDelete');
        return;
      }
      if (cache.isAssumed(uidOf(pod))) return; // our binding is in flight; the bound update will follow
      if (pending(pod)) queue.update(oldPod, pod);
      else queue.delete(uidOf(pod));
    },
    onDelete(obj) {
      const pod = deletedObject(obj);
      if (pod.spec?.nodeName || cache.nodeOf(uidOf(pod))) {
        cache.removePod(pod);
        queue.moveAllToActiveOrBackoff('AssignedPodDelete');
      }
      queue.delete(uidOf(pod));
    },
  });
  const nodeChanged = (a: Node, b: Node) => a.spec?.unschedulable !== b.spec?.unschedulable
    || JSON.stringify([a.metadata?.labels, a.spec?.taints, a.status?.allocatable, a.status?.capacity])
      !== JSON.stringify([b.metadata?.labels, b.spec?.taints, b.status?.allocatable, b.status?.capacity])
    || a.status?.conditions?.find((c) => c.type === 'Ready')?.status !== b.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  const removeNodeHandler = nodeInformer.addEventHandler({
    onAdd(node) { cache.addNode(node); queue.moveAllToActiveOrBackoff('NodeAdd'); },
    onUpdate(oldNode, node) {
      cache.updateNode(node);
      if (nodeChanged(oldNode, node)) queue.moveAllToActiveOrBackoff('NodeUpdate');
    },
    onDelete(obj) { cache.removeNode(deletedObject(obj).metadata?.name ?? ''); },
  });

  const ac = new AbortController();
  const onAbort = () => ac.abort();
  if (opts.signal.aborted) ac.abort(); else opts.signal.addEventListener('abort', onAbort, { once: true });
  ac.signal.addEventListener('abort', () => queue.close(), { once: true });

  informers.start(opts.signal);

  // --- failures ------------------------------------------------------------------------------------------------

  function recordFailure(q: QueuedPodInfo, cycle: number, reason: 'Unschedulable' | 'SchedulerError', message: string, error: boolean): void {
    const info = q.podInfo;
    const cur = podInformer.getByName(info.namespace, info.name);
    // Deleted, replaced or bound meanwhile: nothing to retry or report.
    if (!cur || uidOf(cur) !== info.uid || cur.spec?.nodeName) { queue.done(info.uid); return; }
    queue.addUnschedulableIfNotPresent(q, cycle, { error });
    if (reason === 'Unschedulable') metrics.unschedulable++; else metrics.errors++;
    log({ level: 'info', msg: 'unable to schedule pod', pod: info.key, reason, message, attempts: q.attempts });
    events.enqueue(() => recorder.event(cur, 'Warning', 'FailedScheduling', message));
    const conds: PodCondition[] = cur.status?.conditions ?? [];
    const existing = conds.find((c) => c.type === 'PodScheduled');
    if (existing && existing.status === 'False' && existing.reason === reason && existing.message === message) return;
    const cond: PodCondition = {
      type: 'PodScheduled', status: 'False', reason, message, lastProbeTime: null as unknown as string,
      lastTransitionTime: existing?.status === 'False' && existing.lastTransitionTime ? existing.lastTransitionTime : timestamp(clock.now()),
    };
    const next = [...conds.filter((c) => c.type !== 'PodScheduled'), cond];
    statusWrites.enqueue(async () => {
      try {
        await client.patch(resources.pods, info.namespace, info.name, 'merge', { status: { conditions: next } }, { subresource: 'status' });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    });
  }

  // --- binding -------------------------------------------------------------------------------------------------

  let slotWaiters: (() => void)[] = [];
  const bindingsDone: Set<Promise<void>> = new Set();

  async function bindingCycle(q: QueuedPodInfo, cycle: number, state: CycleState, info: PodInfo, nodeName: string): Promise<void> {
    try {
      await fwk.runBind(state, info, nodeName);
    } catch (e) {
      cache.forgetPod(info);
      fwk.runUnreserve(state, info, nodeName);
      if (isConflict(e) || isNotFound(e)) {
        // Already bound (by us or another scheduler) or gone: the watch brings the truth.
        log({ level: 'info', msg: 'binding not needed', pod: info.key, node: nodeName, error: errorText(e) });
        queue.done(info.uid);
        return;
      }
      // The capacity we assumed is free again: pods waiting for it may fit now.
      queue.moveAllToActiveOrBackoff('AssignedPodDelete');
      recordFailure(q, cycle, 'SchedulerError', `Binding rejected: ${errorText(e)}`, true);
      return;
    }
    cache.finishBinding(info.uid);
    queue.done(info.uid);
    metrics.scheduled++;
    const d = metrics.podSchedulingDurationsMs;
    if (d.length < 100_000) d.push(clock.now() - (q.initialAttemptTimestamp ?? clock.now()));
    events.enqueue(() => recorder.event(info.pod, 'Normal', 'Scheduled', `Successfully assigned ${info.namespace}/${info.name} to ${nodeName}`));
  }

  // --- the scheduling cycle ------------------------------------------------------------------------------------

  function scheduleOne(q: QueuedPodInfo): void {
    const info = q.podInfo;
    const cycle = queue.schedulingCycle;
    if (info.pod.metadata?.deletionTimestamp || cache.nodeOf(info.uid) !== undefined) { queue.done(info.uid); return; }
    const state = new CycleState();
    let nodeName: string;
    try {
      nodeName = fwk.schedulePod(state, info).nodeName;
    } catch (e) {
      if (e instanceof FitError) {
        const postFilterMsg = fwk.runPostFilter(state, info, e.diagnosis.nodeToStatus);
        recordFailure(q, cycle, 'Unschedulable', fitErrorMessage({ ...e.diagnosis, postFilterMsg }), false);
      } else if (e instanceof NoNodesAvailableError) {
        recordFailure(q, cycle, 'Unschedulable', e.message, false);
      } else {
        log({ level: 'error', msg: 'scheduling attempt failed', pod: info.key, error: errorText(e) });
        recordFailure(q, cycle, 'SchedulerError', errorText(e), true);
      }
      return;
    }
    cache.assumePod(info, nodeName);
    const st = fwk.runReserve(state, info, nodeName);
    if (st) {
      cache.forgetPod(info);
      recordFailure(q, cycle, st.isRejected ? 'Unschedulable' : 'SchedulerError', st.message, !st.isRejected);
      return;
    }
    bindsInFlight++;
    const p = bindingCycle(q, cycle, state, info, nodeName).catch((e) => {
      log({ level: 'error', msg: 'binding cycle failed', pod: info.key, error: errorText(e) });
    }).finally(() => {
      bindsInFlight--;
      bindingsDone.delete(p);
      if (bindsInFlight === 0) events.kick();
      const ws = slotWaiters;
      slotWaiters = [];
      for (const w of ws) w();
    });
    bindingsDone.add(p);
  }

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
        scheduleOne(q);
      } catch (e) {
        log({ level: 'error', msg: 'scheduling cycle crashed', pod: q.podInfo.key, error: errorText(e) });
        queue.done(q.podInfo.uid);
      }
      metrics.schedulingCycleMs += performance.now() - t0;
      while (bindsInFlight >= parallelism && !ac.signal.aborted) await new Promise<void>((r) => slotWaiters.push(r));
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
        const ws = slotWaiters; slotWaiters = []; for (const w of ws) w();
        await loop;
        await Promise.allSettled([...bindingsDone]);
        removePodHandler();
        removeNodeHandler();
        await Promise.all([events.drain(), statusWrites.drain()]);
      })();
      return stopping;
    },
  };
}
