// The scheduling cycle for one pod (upstream's scheduleOne up to the binding): run the profile's filters and
// scores against the cache, assume the pod onto the chosen node and reserve, then hand it to the binder. Runs
// synchronously; failures go to the failure handler.
import { errorText, type LogFn } from '../client/log.js';
import type { SchedulerCache } from './framework/cache.js';
import { FitError, NoNodesAvailableError, fitErrorMessage } from './framework/fit-error.js';
import type { Framework } from './framework/framework.js';
import { CycleState } from './framework/types.js';
import type { QueuedPodInfo, SchedulingQueue } from './queue/scheduling-queue.js';
import type { RecordFailure } from './failure-handler.js';
import type { Binder } from './binding-cycle.js';

export interface ScheduleOneOptions {
  fwk: Framework;
  cache: SchedulerCache;
  queue: SchedulingQueue;
  binder: Binder;
  recordFailure: RecordFailure;
  log: LogFn;
}

export function scheduleOne(o: ScheduleOneOptions, q: QueuedPodInfo): void {
  const { fwk, cache, queue, recordFailure } = o;
  const info = q.podInfo;
  const cycle = queue.schedulingCycle;
  if (info.pod.metadata?.deletionTimestamp || cache.nodeOf(info.uid) !== undefined) { queue.done(info.uid); return; }
  const state = new CycleState();
  let nodeName: string;
  try {
    nodeName = fwk.schedulePod(state, info).nodeName;
  } catch (e) {
    if (e instanceof FitError) {
      const post = fwk.runPostFilter(state, info, e.diagnosis.nodeToStatus);
      recordFailure(q, cycle, 'Unschedulable', fitErrorMessage({ ...e.diagnosis, postFilterMsg: post.message }), false, post.nominatedNodeName);
    } else if (e instanceof NoNodesAvailableError) {
      recordFailure(q, cycle, 'Unschedulable', e.message, false);
    } else {
      o.log({ level: 'error', msg: 'scheduling attempt failed', pod: info.key, error: errorText(e) });
      recordFailure(q, cycle, 'SchedulerError', errorText(e), true);
    }
    return;
  }
  cache.assumePod(info, nodeName);
  // Assumed onto its node, it no longer needs a claim on a nominated one.
  fwk.handle.nominator?.delete(info.uid);
  const st = fwk.runReserve(state, info, nodeName);
  if (st) {
    cache.forgetPod(info);
    recordFailure(q, cycle, st.isRejected ? 'Unschedulable' : 'SchedulerError', st.message, !st.isRejected);
    return;
  }
  o.binder.bind(q, cycle, state, info, nodeName);
}
