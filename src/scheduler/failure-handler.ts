// Failure handling (upstream's handleSchedulingFailure): a pod that could not be placed goes back to the queue
// (unschedulable or backoff), and is explained with a FailedScheduling event and the PodScheduled=False condition,
// worded as upstream. Events and status writes are queued on background writers, never awaited by the loop.
import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { isNotFound } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import { resources } from '../api/resources.js';
import type { Client } from '../client/client.js';
import type { Clock } from '../client/clock.js';
import type { EventRecorder } from '../client/events.js';
import type { SharedInformer } from '../client/informer.js';
import type { LogFn } from '../client/log.js';
import type { BackgroundWriter } from './background-writer.js';
import type { SchedulerMetrics } from './metrics.js';
import type { SchedulerPrometheus } from './prometheus.js';
import type { QueuedPodInfo, SchedulingQueue } from './queue/scheduling-queue.js';
import { uidOf } from './event-handlers.js';

export interface FailureHandlerOptions {
  client: Client;
  podInformer: SharedInformer<Pod & KubeObject>;
  queue: SchedulingQueue;
  recorder: EventRecorder;
  events: BackgroundWriter;
  statusWrites: BackgroundWriter;
  metrics: SchedulerMetrics;
  /** Prometheus families to report into, if any; `profile` is their profile label (the scheduler name). */
  prometheus?: SchedulerPrometheus | undefined;
  profile: string;
  clock: Clock;
  log: LogFn;
}

export type FailureReason = 'Unschedulable' | 'SchedulerError';

/**
 * Records a failed attempt of `q` in scheduling cycle `cycle`. `error` says it failed for a reason other than
 * not fitting (it then backs off rather than waiting for a cluster change). `nominatedNodeName` is where
 * preemption is making room for the pod (written to status.nominatedNodeName).
 */
export type RecordFailure = (q: QueuedPodInfo, cycle: number, reason: FailureReason, message: string, error: boolean, nominatedNodeName?: string) => void;

const timestamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function failureHandler(o: FailureHandlerOptions): RecordFailure {
  const { queue, metrics } = o;
  return (q, cycle, reason, message, error, nominatedNodeName) => {
    const info = q.podInfo;
    const cur = o.podInformer.getByName(info.namespace, info.name);
    // Deleted, replaced or bound meanwhile: nothing to retry or report.
    if (!cur || uidOf(cur) !== info.uid || cur.spec?.nodeName) { queue.done(info.uid); return; }
    queue.addUnschedulableIfNotPresent(q, cycle, { error });
    if (reason === 'Unschedulable') metrics.unschedulable++; else metrics.errors++;
    o.prometheus?.attempt(reason === 'Unschedulable' ? 'unschedulable' : 'error', o.profile);
    o.log({ level: 'info', msg: 'unable to schedule pod', pod: info.key, reason, message, attempts: q.attempts });
    o.events.enqueue(() => o.recorder.event(cur, 'Warning', 'FailedScheduling', message));
    const conds: PodCondition[] = cur.status?.conditions ?? [];
    const existing = conds.find((c) => c.type === 'PodScheduled');
    const nominate = nominatedNodeName !== undefined && cur.status?.nominatedNodeName !== nominatedNodeName;
    if (existing && existing.status === 'False' && existing.reason === reason && existing.message === message && !nominate) return;
    const cond: PodCondition = {
      type: 'PodScheduled', status: 'False', reason, message, lastProbeTime: null as unknown as string,
      lastTransitionTime: existing?.status === 'False' && existing.lastTransitionTime ? existing.lastTransitionTime : timestamp(o.clock.now()),
    };
    const next = [...conds.filter((c) => c.type !== 'PodScheduled'), cond];
    o.statusWrites.enqueue(async () => {
      try {
        const status = nominate ? { conditions: next, nominatedNodeName } : { conditions: next };
        await o.client.patch(resources.pods, info.namespace, info.name, 'merge', { status }, { subresource: 'status' });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    });
  };
}
