// Rollout progress (upstream pkg/controller/deployment/progress.go): the Progressing condition
// (NewReplicaSetAvailable / ReplicaSetUpdated / ProgressDeadlineExceeded), ReplicaFailure promoted from the
// ReplicaSets, and a timed requeue so a stuck rollout is reported when its deadline passes.
import type { ReconcileResult } from '../../client/controller.js';
import { parseTime } from '../shared/time.js';
import type { Deployment, DeploymentCondition, ReplicaSet } from '../shared/types.js';
import {
  getDeploymentCondition, newDeploymentCondition, NewRSAvailableReason, removeDeploymentCondition,
  ReplicaSetUpdatedReason, setDeploymentCondition, TimedOutReason,
} from './conditions.js';
import { calculateStatus, statusEqual, updateDeploymentStatus, type SyncContext } from './sync.js';
import { deploymentComplete, deploymentProgressing, deploymentTimedOut, hasProgressDeadline } from './util.js';

export async function syncRolloutStatus(ctx: SyncContext, allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment): Promise<ReconcileResult> {
  const newStatus = calculateStatus(ctx, allRSs, newRS, d);
  if (!hasProgressDeadline(d)) removeDeploymentCondition(newStatus, 'Progressing');

  const currentCond = getDeploymentCondition(d.status, 'Progressing');
  const isCompleteDeployment = newStatus.replicas === newStatus.updatedReplicas && currentCond?.reason === NewRSAvailableReason;
  if (hasProgressDeadline(d) && !isCompleteDeployment) {
    const rsName = newRS?.metadata?.name;
    if (deploymentComplete(d, newStatus)) {
      const msg = rsName ? `ReplicaSet ${JSON.stringify(rsName)} has successfully progressed.` : `Deployment ${JSON.stringify(d.metadata?.name)} has successfully progressed.`;
      setDeploymentCondition(newStatus, newDeploymentCondition(ctx.clock, 'Progressing', 'True', NewRSAvailableReason, msg));
    } else if (deploymentProgressing(d, newStatus)) {
      const msg = rsName ? `ReplicaSet ${JSON.stringify(rsName)} is progressing.` : `Deployment ${JSON.stringify(d.metadata?.name)} is progressing.`;
      let cond = newDeploymentCondition(ctx.clock, 'Progressing', 'True', ReplicaSetUpdatedReason, msg);
      // Same reason again still moves lastUpdateTime: progress was made. lastTransitionTime stays while True.
      if (currentCond) {
        if (currentCond.status === 'True') cond = { ...cond, lastTransitionTime: currentCond.lastTransitionTime };
        removeDeploymentCondition(newStatus, 'Progressing');
      }
      setDeploymentCondition(newStatus, cond);
    } else if (deploymentTimedOut(d, ctx.clock)) {
      const msg = rsName ? `ReplicaSet ${JSON.stringify(rsName)} has timed out progressing.` : `Deployment ${JSON.stringify(d.metadata?.name)} has timed out progressing.`;
      setDeploymentCondition(newStatus, newDeploymentCondition(ctx.clock, 'Progressing', 'False', TimedOutReason, msg));
    }
  }

  const failures = replicaFailures(allRSs, newRS);
  if (failures.length) setDeploymentCondition(newStatus, failures[0]);
  else removeDeploymentCondition(newStatus, 'ReplicaFailure');

  if (statusEqual(d.status, newStatus)) return requeueStuckDeployment(ctx, d, newStatus);
  d.status = newStatus;
  await updateDeploymentStatus(ctx, d);
}

/** ReplicaFailure conditions of the new ReplicaSet, else of any ReplicaSet, as deployment conditions. */
function replicaFailures(allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): DeploymentCondition[] {
  const conv = (rs: ReplicaSet) => (rs.status?.conditions ?? []).filter((c) => c.type === 'ReplicaFailure').map((c) => ({
    type: c.type, status: c.status, lastTransitionTime: c.lastTransitionTime, lastUpdateTime: c.lastTransitionTime, reason: c.reason, message: c.message,
  }));
  if (newRS) {
    const own = conv(newRS);
    if (own.length) return own;
  }
  return allRSs.flatMap((rs) => (rs ? conv(rs) : []));
}

/**
 * requeueStuckDeployment: with no visible progress, look again when the deadline passes (lastUpdateTime of the
 * Progressing condition + progressDeadlineSeconds), so ProgressDeadlineExceeded is reported on time.
 */
function requeueStuckDeployment(ctx: SyncContext, d: Deployment, newStatus: Deployment['status']): ReconcileResult {
  const cond = getDeploymentCondition(d.status, 'Progressing');
  if (!hasProgressDeadline(d) || !cond) return;
  if (deploymentComplete(d, newStatus) || cond.reason === TimedOutReason) return;
  const after = (parseTime(cond.lastUpdateTime) ?? 0) + d.spec!.progressDeadlineSeconds! * 1000 - ctx.clock.now();
  // Just past the deadline, one more millisecond makes it strictly exceeded.
  return { requeueAfter: Math.max(1, after + 1) };
}
