// The Recreate strategy (upstream pkg/controller/deployment/recreate.go): scale every old ReplicaSet to zero, wait
// until none of their pods is left running, then create/scale up the new ReplicaSet.
import type { ReconcileResult } from '../../client/controller.js';
import { filterActiveReplicaSets, specReplicas } from '../shared/replica-sets.js';
import type { Deployment, Pod, ReplicaSet } from '../shared/types.js';
import { syncRolloutStatus } from './progress.js';
import { cleanupDeployment, getAllReplicaSetsAndSyncRevision, scaleReplicaSetAndRecordEvent, type SyncContext } from './sync.js';
import { actualReplicaCount, deploymentComplete, deploymentReplicas } from './util.js';
import { isPodTerminal } from '../../api/pod.js';

/** podMap: the deployment's pods by the UID of the ReplicaSet controlling them. */
export async function rolloutRecreate(ctx: SyncContext, d: Deployment, rsList: ReplicaSet[], podMap: Map<string, Pod[]>): Promise<ReconcileResult> {
  // Do not create the new ReplicaSet yet: scaling up before the old pods are gone is what Recreate avoids.
  let [newRS, oldRSs] = await getAllReplicaSetsAndSyncRevision(ctx, d, rsList, false);
  let allRSs = [...oldRSs, newRS];
  if (await scaleDownOldReplicaSetsForRecreate(ctx, filterActiveReplicaSets(oldRSs), d)) return syncRolloutStatus(ctx, allRSs, newRS, d);
  if (oldPodsRunning(newRS, oldRSs, podMap)) return syncRolloutStatus(ctx, allRSs, newRS, d);
  if (!newRS) {
    [newRS, oldRSs] = await getAllReplicaSetsAndSyncRevision(ctx, d, rsList, true);
    allRSs = [...oldRSs, newRS];
  }
  if (newRS) await scaleReplicaSetAndRecordEvent(ctx, newRS, deploymentReplicas(d), d);
  if (deploymentComplete(d, d.status)) await cleanupDeployment(ctx, oldRSs, d);
  return syncRolloutStatus(ctx, allRSs, newRS, d);
}

async function scaleDownOldReplicaSetsForRecreate(ctx: SyncContext, oldRSs: ReplicaSet[], d: Deployment): Promise<boolean> {
  let scaled = false;
  for (let i = 0; i < oldRSs.length; i++) {
    if (specReplicas(oldRSs[i]) === 0) continue;
    const [did, updated] = await scaleReplicaSetAndRecordEvent(ctx, oldRSs[i], 0, d);
    if (did) { oldRSs[i] = updated; scaled = true; }
  }
  return scaled;
}

/** oldPodsRunning: old ReplicaSets still report pods, or a pod of theirs is not yet terminal. */
export function oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[], podMap: Map<string, Pod[]>): boolean {
  if (actualReplicaCount(oldRSs) > 0) return true;
  for (const [uid, pods] of podMap) {
    if (newRS && newRS.metadata?.uid === uid) continue;
    for (const p of pods) if (!isPodTerminal(p)) return true;
  }
  return false;
}
