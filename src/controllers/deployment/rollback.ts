// Rollback through the deprecated.deployment.rollback.to annotation (apps/v1's round-trip of extensions/v1beta1
// spec.rollbackTo; upstream pkg/controller/deployment/rollback.go). `kubectl rollout undo` does not use it: it
// patches the template itself, and getNewReplicaSet then re-uses the matching old ReplicaSet under a new revision.
import { resources } from '../../api/resources.js';
import type { Deployment, ReplicaSet } from '../shared/types.js';
import { getAllReplicaSetsAndSyncRevision, type SyncContext } from './sync.js';
import { DeprecatedRollbackTo, equalIgnoreHash, lastRevision, revisionOf, setDeploymentAnnotationsTo, setFromReplicaSetTemplate } from './util.js';

export const RollbackRevisionNotFound = 'DeploymentRollbackRevisionNotFound';
export const RollbackTemplateUnchanged = 'DeploymentRollbackTemplateUnchanged';
export const RollbackDone = 'DeploymentRollback';

/** The requested revision (0 = the previous one), or undefined when no rollback is asked for. */
export function getRollbackTo(d: Deployment): number | undefined {
  const v = d.metadata?.annotations?.[DeprecatedRollbackTo];
  if (!v || !/^[+-]?\d+$/.test(v)) return undefined;
  return Number(v);
}

export async function rollback(ctx: SyncContext, d: Deployment, rsList: ReplicaSet[]): Promise<void> {
  const [newRS, allOld] = await getAllReplicaSetsAndSyncRevision(ctx, d, rsList, true);
  const all = [...allOld, ...(newRS ? [newRS] : [])];
  let revision = getRollbackTo(d) ?? 0;
  if (revision === 0) {
    revision = lastRevision(all);
    if (revision === 0) {
      void ctx.recorder.event(d, 'Warning', RollbackRevisionNotFound, 'Unable to find last revision.');
      return updateDeploymentAndClearRollbackTo(ctx, d);
    }
  }
  for (const rs of all) {
    const v = revisionOf(rs);
    if (Number.isNaN(v) || v !== revision) continue;
    // The revision number itself is raised by the next getAllReplicaSetsAndSyncRevision.
    if (!equalIgnoreHash(d.spec?.template, rs.spec?.template)) {
      setFromReplicaSetTemplate(d, rs.spec?.template);
      // Otherwise the current annotations (the current new ReplicaSet's) would be copied onto the old one.
      setDeploymentAnnotationsTo(d, rs);
      await updateDeploymentAndClearRollbackTo(ctx, d);
      void ctx.recorder.event(d, 'Normal', RollbackDone, `Rolled back deployment ${JSON.stringify(d.metadata?.name)} to revision ${revision}`);
    } else {
      void ctx.recorder.event(d, 'Warning', RollbackTemplateUnchanged, `The rollback revision contains the same template as current deployment ${JSON.stringify(d.metadata?.name)}`);
      await updateDeploymentAndClearRollbackTo(ctx, d);
    }
    return;
  }
  void ctx.recorder.event(d, 'Warning', RollbackRevisionNotFound, 'Unable to find the revision to rollback to.');
  return updateDeploymentAndClearRollbackTo(ctx, d);
}

async function updateDeploymentAndClearRollbackTo(ctx: SyncContext, d: Deployment): Promise<void> {
  if (d.metadata?.annotations) delete d.metadata.annotations[DeprecatedRollbackTo];
  await ctx.client.update(resources.deployments, d);
}
