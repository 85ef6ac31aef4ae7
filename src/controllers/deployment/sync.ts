// Scaling, revision bookkeeping, cleanup and status (upstream pkg/controller/deployment/sync.go).
import { isAlreadyExists, isNotFound } from '../../api/errors.js';
import type { Client } from '../../client/client.js';
import { resources } from '../../api/resources.js';
import type { Clock } from '../../client/clock.js';
import type { EventRecorder } from '../../client/events.js';
import type { SharedInformer } from '../../client/informer.js';
import type { LogFn } from '../../client/log.js';
import { semanticEqual } from '../../api/validation/index.js';
import { getControllerOf, newControllerRef } from '../shared/controller-ref.js';
import { computeHash } from '../shared/hash.js';
import { bySizeNewer, bySizeOlder, byCreationTimestamp, filterActiveReplicaSets, specReplicas } from '../shared/replica-sets.js';
import type { Deployment, DeploymentStatus, ReplicaSet } from '../shared/types.js';
import {
  FailedRSCreateReason, FoundNewRSReason, getDeploymentCondition, MinimumReplicasAvailable, MinimumReplicasUnavailable,
  newDeploymentCondition, NewReplicaSetReason, PausedDeployReason, ResumedDeployReason, setDeploymentCondition, TimedOutReason,
} from './conditions.js';
import {
  actualReplicaCount, availableReplicaCount, DefaultDeploymentUniqueLabelKey, deploymentReplicas, desiredReplicasAnnotation,
  equalIgnoreHash, findActiveOrLatest, findNewReplicaSet, findOldReplicaSets, getProportion, hasProgressDeadline,
  hasRevisionHistoryLimit, isRollingUpdate, isSaturated, maxRevision, maxSurge, maxUnavailable, newRSNewReplicas,
  readyReplicaCount, replicaCount, replicasAnnotationsNeedUpdate, revisionOf, setDeploymentRevision,
  setNewReplicaSetAnnotations, setReplicasAnnotations,
} from './util.js';

export const deploymentKind = { apiVersion: 'apps/v1', kind: 'Deployment' } as const;

/** What the sync functions need; `d` passed alongside is the reconcile's own mutable clone. */
export interface SyncContext {
  client: Client;
  recorder: EventRecorder;
  clock: Clock;
  log: LogFn;
  rsInformer: SharedInformer<ReplicaSet>;
}

/** UpdateStatus of d; d takes the new resourceVersion so later writes in the same sync do not conflict with it. */
export async function updateDeploymentStatus(ctx: SyncContext, d: Deployment): Promise<void> {
  const res = await ctx.client.updateStatus<Deployment>(resources.deployments, d);
  d.metadata!.resourceVersion = res.metadata?.resourceVersion;
}

/** syncStatusOnly: status without any mutating action (a deployment being deleted). */
export async function syncStatusOnly(ctx: SyncContext, d: Deployment, rsList: ReplicaSet[]): Promise<void> {
  const [newRS, oldRSs] = await getAllReplicaSetsAndSyncRevision(ctx, d, rsList, false);
  await syncDeploymentStatus(ctx, [...oldRSs, newRS], newRS, d);
}

/** sync: scaling events and paused deployments (no rollout progress). */
export async function sync(ctx: SyncContext, d: Deployment, rsList: ReplicaSet[]): Promise<void> {
  const [newRS, oldRSs] = await getAllReplicaSetsAndSyncRevision(ctx, d, rsList, false);
  await scale(ctx, d, newRS, oldRSs);
  // Clean up a paused deployment's history (rollouts clean up when they complete).
  if (d.spec?.paused) await cleanupDeployment(ctx, oldRSs, d);
  await syncDeploymentStatus(ctx, [...oldRSs, newRS], newRS, d);
}

/**
 * checkPausedConditions: a Progressing=Unknown condition when pausing/resuming, so time spent paused never counts
 * against progressDeadlineSeconds.
 */
export async function checkPausedConditions(ctx: SyncContext, d: Deployment): Promise<void> {
  if (!hasProgressDeadline(d)) return;
  const cond = getDeploymentCondition(d.status, 'Progressing');
  if (cond?.reason === TimedOutReason) return;
  const pausedCondExists = cond?.reason === PausedDeployReason;
  d.status ??= {};
  if (d.spec?.paused && !pausedCondExists) {
    setDeploymentCondition(d.status, newDeploymentCondition(ctx.clock, 'Progressing', 'Unknown', PausedDeployReason, 'Deployment is paused'));
  } else if (!d.spec?.paused && pausedCondExists) {
    setDeploymentCondition(d.status, newDeploymentCondition(ctx.clock, 'Progressing', 'Unknown', ResumedDeployReason, 'Deployment is resumed'));
  } else {
    return;
  }
  await updateDeploymentStatus(ctx, d);
}

/** getAllReplicaSetsAndSyncRevision: [new ReplicaSet (created if asked), all old ones], revisions in sync. */
export async function getAllReplicaSetsAndSyncRevision(ctx: SyncContext, d: Deployment, rsList: ReplicaSet[], createIfNotExisted: boolean): Promise<[ReplicaSet | undefined, ReplicaSet[]]> {
  const [, allOld] = findOldReplicaSets(d, rsList);
  const newRS = await getNewReplicaSet(ctx, d, rsList, allOld, createIfNotExisted);
  return [newRS, allOld];
}

/**
 * getNewReplicaSet: the ReplicaSet whose template matches the deployment's, its revision raised to
 * max(old revisions)+1 (a rollback to an old template re-uses that ReplicaSet under a new revision), or a new one
 * named <deployment>-<pod-template-hash> when createIfNotExisted.
 */
async function getNewReplicaSet(ctx: SyncContext, d: Deployment, rsList: ReplicaSet[], oldRSs: ReplicaSet[], createIfNotExisted: boolean): Promise<ReplicaSet | undefined> {
  const existing = findNewReplicaSet(d, rsList);
  const newRevision = String(maxRevision(oldRSs) + 1);
  d.status ??= {};

  if (existing) {
    const rsCopy = structuredClone(existing) as ReplicaSet;
    const annotationsUpdated = setNewReplicaSetAnnotations(d, rsCopy, newRevision, true);
    const minReadyNeedsUpdate = (rsCopy.spec?.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0);
    if (annotationsUpdated || minReadyNeedsUpdate) {
      rsCopy.spec!.minReadySeconds = d.spec?.minReadySeconds;
      return ctx.client.update<ReplicaSet>(resources.replicasets, rsCopy);
    }
    // The deployment's revision is the one its new ReplicaSet carries.
    let needsUpdate = setDeploymentRevision(d, rsCopy.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? '');
    if (hasProgressDeadline(d) && !getDeploymentCondition(d.status, 'Progressing')) {
      setDeploymentCondition(d.status, newDeploymentCondition(ctx.clock, 'Progressing', 'True', FoundNewRSReason, `Found new replica set ${JSON.stringify(rsCopy.metadata?.name)}`));
      needsUpdate = true;
    }
    if (needsUpdate) await updateDeploymentStatus(ctx, d);
    return rsCopy;
  }
  if (!createIfNotExisted) return undefined;

  const template = structuredClone(d.spec!.template);
  const hash = computeHash(template, d.status.collisionCount);
  template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [DefaultDeploymentUniqueLabelKey]: hash } };
  const selector = structuredClone(d.spec!.selector);
  selector.matchLabels = { ...selector.matchLabels, [DefaultDeploymentUniqueLabelKey]: hash };
  const name = `${d.metadata!.name}-${hash}`;
  const newRS: ReplicaSet = {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: {
      name, namespace: d.metadata!.namespace,
      ownerReferences: [newControllerRef(d, deploymentKind)],
      labels: { ...template.metadata.labels },
    },
    spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds, selector, template },
  };
  if (newRS.spec!.minReadySeconds === undefined) delete newRS.spec!.minReadySeconds;
  const newReplicas = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
  newRS.spec!.replicas = newReplicas;
  setNewReplicaSetAnnotations(d, newRS, newRevision, false);

  let created: ReplicaSet;
  let alreadyExisted = false;
  try {
    created = await ctx.client.create<ReplicaSet>(resources.replicasets, d.metadata!.namespace, newRS);
  } catch (e) {
    if (isAlreadyExists(e)) {
      // A slow cache or a hash collision. Ours (same owner, same template): use it. Otherwise bump
      // collisionCount so the next sync computes a different name.
      alreadyExisted = true;
      const rs = ctx.rsInformer.getByName(d.metadata!.namespace, name);
      if (!rs) throw e;
      const ref = getControllerOf(rs);
      if (ref && ref.uid === d.metadata!.uid && equalIgnoreHash(d.spec!.template, rs.spec?.template)) {
        created = structuredClone(rs) as ReplicaSet;
      } else {
        d.status.collisionCount = (d.status.collisionCount ?? 0) + 1;
        try {
          await updateDeploymentStatus(ctx, d);
          ctx.log({ level: 'info', msg: 'found a hash collision for deployment - bumping collisionCount to resolve it', deployment: `${d.metadata!.namespace}/${d.metadata!.name}`, collisionCount: d.status.collisionCount });
        } catch { /* the original error is what gets retried */ }
        throw e;
      }
    } else {
      const msg = `Failed to create new replica set ${JSON.stringify(name)}: ${(e as Error).message}`;
      if (hasProgressDeadline(d)) {
        setDeploymentCondition(d.status, newDeploymentCondition(ctx.clock, 'Progressing', 'False', FailedRSCreateReason, msg));
        try { await updateDeploymentStatus(ctx, d); } catch { /* a bigger issue is being reported */ }
      }
      void ctx.recorder.event(d, 'Warning', FailedRSCreateReason, msg);
      throw e;
    }
  }
  if (!alreadyExisted && newReplicas > 0) {
    void ctx.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata?.name} from 0 to ${newReplicas}`);
  }
  let needsUpdate = setDeploymentRevision(d, newRevision);
  if (!alreadyExisted && hasProgressDeadline(d)) {
    setDeploymentCondition(d.status, newDeploymentCondition(ctx.clock, 'Progressing', 'True', NewReplicaSetReason, `Created new replica set ${JSON.stringify(created.metadata?.name)}`));
    needsUpdate = true;
  }
  if (needsUpdate) await updateDeploymentStatus(ctx, d);
  return created;
}

/**
 * scale: on a scaling event (or while paused), grows or shrinks the ReplicaSets proportionally to their size, so
 * a resize in the middle of a rollout neither hastens nor undoes it.
 */
export async function scale(ctx: SyncContext, d: Deployment, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
  const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
  if (activeOrLatest) {
    if (specReplicas(activeOrLatest) === deploymentReplicas(d)) return;
    await scaleReplicaSetAndRecordEvent(ctx, activeOrLatest, deploymentReplicas(d), d);
    return;
  }
  // A saturated new ReplicaSet: old ones go to zero (also covers adopting ReplicaSets mid-way).
  if (isSaturated(d, newRS)) {
    for (const old of filterActiveReplicaSets(oldRSs)) await scaleReplicaSetAndRecordEvent(ctx, old, 0, d);
    return;
  }
  if (!isRollingUpdate(d)) return;
  const allRSs = filterActiveReplicaSets([...oldRSs, newRS]);
  const allRSsReplicas = replicaCount(allRSs);
  const allowedSize = deploymentReplicas(d) > 0 ? deploymentReplicas(d) + maxSurge(d) : 0;
  const toAdd = allowedSize - allRSsReplicas;
  let op = '';
  if (toAdd > 0) { allRSs.sort(bySizeNewer); op = 'up'; } else if (toAdd < 0) { allRSs.sort(bySizeOlder); op = 'down'; }
  let added = 0;
  const nameToSize = new Map<string, number>();
  for (const rs of allRSs) {
    if (toAdd !== 0) {
      const p = getProportion(rs, d, toAdd, added);
      nameToSize.set(rs.metadata!.name!, specReplicas(rs) + p);
      added += p;
    } else {
      nameToSize.set(rs.metadata!.name!, specReplicas(rs));
    }
  }
  for (let i = 0; i < allRSs.length; i++) {
    const rs = allRSs[i];
    const n = rs.metadata!.name!;
    // Leftovers go to the largest ReplicaSet.
    if (i === 0 && toAdd !== 0) nameToSize.set(n, Math.max(0, nameToSize.get(n)! + toAdd - added));
    await scaleReplicaSet(ctx, rs, nameToSize.get(n)!, d, op);
  }
}

/** Scales rs to newScale (no-op when already there); returns [scaled, rs after the write]. */
export async function scaleReplicaSetAndRecordEvent(ctx: SyncContext, rs: ReplicaSet, newScale: number, d: Deployment): Promise<[boolean, ReplicaSet]> {
  if (specReplicas(rs) === newScale) return [false, rs];
  return scaleReplicaSet(ctx, rs, newScale, d, specReplicas(rs) < newScale ? 'up' : 'down');
}

/** Writes spec.replicas and the desired/max-replicas annotations; records ScalingReplicaSet when the size changed. */
export async function scaleReplicaSet(ctx: SyncContext, rs: ReplicaSet, newScale: number, d: Deployment, op: string): Promise<[boolean, ReplicaSet]> {
  const sizeNeedsUpdate = specReplicas(rs) !== newScale;
  const desired = deploymentReplicas(d), max = desired + maxSurge(d);
  if (!sizeNeedsUpdate && !replicasAnnotationsNeedUpdate(rs, desired, max)) return [false, rs];
  const oldScale = specReplicas(rs);
  const copy = structuredClone(rs) as ReplicaSet;
  copy.spec!.replicas = newScale;
  setReplicasAnnotations(copy, desired, max);
  const updated = await ctx.client.update<ReplicaSet>(resources.replicasets, copy);
  if (sizeNeedsUpdate) {
    void ctx.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${op} replica set ${updated.metadata?.name} from ${oldScale} to ${newScale}`);
  }
  return [sizeNeedsUpdate, updated];
}

/**
 * cleanupDeployment: keeps the newest revisionHistoryLimit old ReplicaSets; deletes older ones that are fully
 * scaled down (spec and status 0, latest generation observed) and not already being deleted.
 */
export async function cleanupDeployment(ctx: SyncContext, oldRSs: ReplicaSet[], d: Deployment): Promise<void> {
  if (!hasRevisionHistoryLimit(d)) return;
  const cleanable = oldRSs.filter((rs) => rs && !rs.metadata?.deletionTimestamp);
  const diff = cleanable.length - d.spec!.revisionHistoryLimit!;
  if (diff <= 0) return;
  cleanable.sort((a, b) => {
    const ra = revisionOf(a) || 0, rb = revisionOf(b) || 0;
    return ra === rb ? byCreationTimestamp(a, b) : ra - rb;
  });
  for (let i = 0; i < diff; i++) {
    const rs = cleanable[i];
    if ((rs.status?.replicas ?? 0) !== 0 || specReplicas(rs) !== 0 || (rs.metadata?.generation ?? 0) > (rs.status?.observedGeneration ?? 0) || rs.metadata?.deletionTimestamp) continue;
    try {
      await ctx.client.delete(resources.replicasets, rs.metadata?.namespace, rs.metadata!.name!);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

/** syncDeploymentStatus: writes the calculated status when it differs. */
export async function syncDeploymentStatus(ctx: SyncContext, allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment): Promise<void> {
  const status = calculateStatus(ctx, allRSs, newRS, d);
  if (statusEqual(d.status, status)) return;
  d.status = status;
  await updateDeploymentStatus(ctx, d);
}

/** calculateStatus: counts from the ReplicaSets, and the Available condition. */
export function calculateStatus(ctx: SyncContext, allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment): DeploymentStatus {
  const available = availableReplicaCount(allRSs);
  const total = replicaCount(allRSs);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata?.generation,
    replicas: actualReplicaCount(allRSs),
    updatedReplicas: actualReplicaCount([newRS]),
    readyReplicas: readyReplicaCount(allRSs),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
  };
  if (d.status?.collisionCount !== undefined && d.status.collisionCount !== null) status.collisionCount = d.status.collisionCount;
  if (d.status?.conditions?.length) status.conditions = d.status.conditions.map((c) => ({ ...c }));
  if (available >= deploymentReplicas(d) - maxUnavailable(d)) {
    setDeploymentCondition(status, newDeploymentCondition(ctx.clock, 'Available', 'True', MinimumReplicasAvailable, 'Deployment has minimum availability.'));
  } else {
    setDeploymentCondition(status, newDeploymentCondition(ctx.clock, 'Available', 'False', MinimumReplicasUnavailable, 'Deployment does not have minimum availability.'));
  }
  return status;
}

/** Status equality as Go's DeepEqual sees the decoded structs: absent counters are 0 (omitempty). */
export function statusEqual(a: DeploymentStatus | undefined, b: DeploymentStatus | undefined): boolean {
  const norm = (s: DeploymentStatus | undefined) => {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(s ?? {})) {
      if (v === undefined || v === null) continue;
      if (v === 0 && k !== 'collisionCount') continue;
      o[k] = v;
    }
    return o;
  };
  return semanticEqual(norm(a), norm(b));
}

/** isScalingEvent: an active ReplicaSet's desired-replicas annotation differs from spec.replicas. */
export async function isScalingEvent(ctx: SyncContext, d: Deployment, rsList: ReplicaSet[]): Promise<boolean> {
  const [newRS, oldRSs] = await getAllReplicaSetsAndSyncRevision(ctx, d, rsList, false);
  for (const rs of filterActiveReplicaSets([...oldRSs, newRS])) {
    const desired = desiredReplicasAnnotation(rs);
    if (desired === undefined) continue;
    if (desired !== deploymentReplicas(d)) return true;
  }
  return false;
}
