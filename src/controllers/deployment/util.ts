// Deployment arithmetic and bookkeeping (upstream pkg/controller/deployment/util/deployment_util.go): revisions and
// the annotations kubectl's rollout commands read, maxSurge/maxUnavailable resolution, proportional scaling,
// finding the new and old ReplicaSets, and the replica counts the status is made of.
import { semanticEqual } from '../../api/validation/index.js';
import type { Clock } from '../../client/clock.js';
import { filterActiveReplicaSets, byCreationTimestamp, specReplicas } from '../shared/replica-sets.js';
import { parseTime } from '../shared/time.js';
import type { Deployment, DeploymentStatus, PodTemplateSpec, ReplicaSet } from '../shared/types.js';
import { getDeploymentCondition, NewRSAvailableReason, TimedOutReason } from './conditions.js';

export const RevisionAnnotation = 'deployment.kubernetes.io/revision';
export const RevisionHistoryAnnotation = 'deployment.kubernetes.io/revision-history';
export const DesiredReplicasAnnotation = 'deployment.kubernetes.io/desired-replicas';
export const MaxReplicasAnnotation = 'deployment.kubernetes.io/max-replicas';
export const LastAppliedConfigAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';
/** apps/v1's round-tripped form of extensions/v1beta1 spec.rollbackTo. */
export const DeprecatedRollbackTo = 'deprecated.deployment.rollback.to';
export const DefaultDeploymentUniqueLabelKey = 'pod-template-hash';
/** Upstream keeps the revision-history annotation under ~2000 characters. */
export const maxRevHistoryLengthInChars = 2000;

const annotationsToSkip = new Set([LastAppliedConfigAnnotation, RevisionAnnotation, RevisionHistoryAnnotation,
  DesiredReplicasAnnotation, MaxReplicasAnnotation, DeprecatedRollbackTo]);
export const skipCopyAnnotation = (k: string) => annotationsToSkip.has(k);

export const deploymentReplicas = (d: Deployment): number => d.spec?.replicas ?? 1;
export const isRollingUpdate = (d: Deployment): boolean => (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';

// --- revisions -------------------------------------------------------------------------------------------------

/** The revision annotation as a number: 0 when absent, NaN when unparseable. */
export function revisionOf(obj: { metadata?: { annotations?: Record<string, string> } }): number {
  const v = obj.metadata?.annotations?.[RevisionAnnotation];
  if (v === undefined) return 0;
  return /^[+-]?\d+$/.test(v) ? Number(v) : NaN;
}

/** MaxRevision: the highest parseable revision. */
export function maxRevision(rss: readonly ReplicaSet[]): number {
  let max = 0;
  for (const rs of rss) { const v = revisionOf(rs); if (!Number.isNaN(v) && v > max) max = v; }
  return max;
}

/** LastRevision: the second-highest revision (what `rollout undo` goes back to). */
export function lastRevision(rss: readonly ReplicaSet[]): number {
  let max = 0, sec = 0;
  for (const rs of rss) {
    const v = revisionOf(rs);
    if (Number.isNaN(v)) continue;
    if (v >= max) { sec = max; max = v; } else if (v > sec) sec = v;
  }
  return sec;
}

/** SetDeploymentRevision: true when the deployment's revision annotation changed. */
export function setDeploymentRevision(d: Deployment, revision: string): boolean {
  d.metadata ??= {};
  const ann = (d.metadata.annotations ??= {});
  if (ann[RevisionAnnotation] === revision) return false;
  ann[RevisionAnnotation] = revision;
  return true;
}

function copyDeploymentAnnotationsToReplicaSet(d: Deployment, rs: ReplicaSet): boolean {
  rs.metadata ??= {};
  const ann = (rs.metadata.annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) {
    if (skipCopyAnnotation(k) || ann[k] === v) continue;
    ann[k] = v;
    changed = true;
  }
  return changed;
}

/**
 * SetNewReplicaSetAnnotations: copies the deployment's annotations (kubernetes.io/change-cause among them), raises
 * the revision to newRevision if lower (recording the old one in revision-history: a rollback), and, for a
 * ReplicaSet about to be created, sets desired-replicas and max-replicas. True when anything changed.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: string, exists: boolean, limitChars = maxRevHistoryLengthInChars): boolean {
  let changed = copyDeploymentAnnotationsToReplicaSet(d, rs);
  const ann = rs.metadata!.annotations!;
  const had = Object.prototype.hasOwnProperty.call(ann, RevisionAnnotation);
  const oldRevision = ann[RevisionAnnotation] ?? '';
  let oldInt = 0;
  if (oldRevision !== '') {
    if (!/^[+-]?\d+$/.test(oldRevision)) return false;
    oldInt = Number(oldRevision);
  }
  if (!/^[+-]?\d+$/.test(newRevision)) return false;
  const newInt = Number(newRevision);
  if (oldInt < newInt) {
    ann[RevisionAnnotation] = newRevision;
    changed = true;
  }
  if (had && oldInt < newInt) {
    const history = ann[RevisionHistoryAnnotation] ?? '';
    let old = history.split(',');
    if (old[0].length === 0) ann[RevisionHistoryAnnotation] = oldRevision;
    else {
      let total = history.length + oldRevision.length + 1;
      let start = 0;
      while (total > limitChars && start < old.length) { total -= old[start].length + 1; start++; }
      if (total <= limitChars) {
        old = [...old.slice(start), oldRevision];
        ann[RevisionHistoryAnnotation] = old.join(',');
      }
    }
  }
  if (!exists && setReplicasAnnotations(rs, deploymentReplicas(d), deploymentReplicas(d) + maxSurge(d))) changed = true;
  return changed;
}

/** SetDeploymentAnnotationsTo: on rollback, the deployment takes the target ReplicaSet's copyable annotations. */
export function setDeploymentAnnotationsTo(d: Deployment, rs: ReplicaSet): void {
  const kept: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) if (skipCopyAnnotation(k)) kept[k] = v;
  for (const [k, v] of Object.entries(rs.metadata?.annotations ?? {})) if (!skipCopyAnnotation(k)) kept[k] = v;
  d.metadata ??= {};
  d.metadata.annotations = kept;
}

export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  rs.metadata ??= {};
  const ann = (rs.metadata.annotations ??= {});
  let changed = false;
  if (ann[DesiredReplicasAnnotation] !== String(desired)) { ann[DesiredReplicasAnnotation] = String(desired); changed = true; }
  if (ann[MaxReplicasAnnotation] !== String(max)) { ann[MaxReplicasAnnotation] = String(max); changed = true; }
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const ann = rs.metadata?.annotations ?? {};
  return ann[DesiredReplicasAnnotation] !== String(desired) || ann[MaxReplicasAnnotation] !== String(max);
}

function intAnnotation(rs: ReplicaSet, key: string): number | undefined {
  const v = rs.metadata?.annotations?.[key];
  if (v === undefined || !/^[+-]?\d+$/.test(v)) return undefined;
  return Number(v);
}
export const desiredReplicasAnnotation = (rs: ReplicaSet) => intAnnotation(rs, DesiredReplicasAnnotation);

// --- maxSurge / maxUnavailable ---------------------------------------------------------------------------------

/** intstr.GetScaledValueFromIntOrPercent. Throws for a string that is not a percentage. */
export function scaledValue(v: number | string | undefined, total: number, roundUp: boolean): number {
  if (v === undefined) throw new Error('nil value for IntOrString');
  if (typeof v === 'number') return v;
  if (!v.endsWith('%')) throw new Error('invalid value for IntOrString: invalid type: string is not a percentage');
  const n = v.slice(0, -1);
  if (!/^[+-]?\d+$/.test(n)) throw new Error(`invalid value for IntOrString: invalid value "${v}"`);
  const x = (Number(n) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

/** ResolveFenceposts: surge rounds up, unavailable rounds down; both 0 makes unavailable 1. */
export function resolveFenceposts(maxSurgeV: number | string | undefined, maxUnavailableV: number | string | undefined, desired: number): [number, number] {
  const surge = scaledValue(maxSurgeV ?? 0, desired, true);
  let unavailable = scaledValue(maxUnavailableV ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, unavailable];
}

export function maxUnavailable(d: Deployment): number {
  const replicas = deploymentReplicas(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  let u: number;
  try { [, u] = resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicas); } catch { return 0; }
  return u > replicas ? replicas : u;
}

export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  try { return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, deploymentReplicas(d))[0]; } catch { return 0; }
}

// --- proportional scaling --------------------------------------------------------------------------------------

/** GetProportion: how many of the replicas to add (or remove) this ReplicaSet takes. */
export function getProportion(rs: ReplicaSet | undefined, d: Deployment, toAdd: number, added: number): number {
  if (!rs || specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = getReplicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

function getReplicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  if (deploymentReplicas(d) === 0) return -specReplicas(rs);
  const deploymentTotal = deploymentReplicas(d) + maxSurge(d);
  const annotated = intAnnotation(rs, MaxReplicasAnnotation) ?? d.status?.replicas ?? 0;
  if (annotated === 0) return 0;
  const size = (specReplicas(rs) * deploymentTotal) / annotated;
  // integer.RoundToInt32 is math.Round: halves away from zero (sizes here are never negative).
  return Math.round(size) - specReplicas(rs);
}

/** NewRSNewReplicas: the size the new ReplicaSet may have now. */
export function newRSNewReplicas(d: Deployment, allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet): number {
  if (!isRollingUpdate(d)) return deploymentReplicas(d);
  const surge = scaledValue(d.spec?.strategy?.rollingUpdate?.maxSurge ?? '25%', deploymentReplicas(d), true);
  const current = replicaCount(allRSs);
  const maxTotal = deploymentReplicas(d) + surge;
  if (current >= maxTotal) return specReplicas(newRS);
  const up = Math.min(maxTotal - current, deploymentReplicas(d) - specReplicas(newRS));
  return specReplicas(newRS) + up;
}

/** IsSaturated: the new ReplicaSet has all the deployment's replicas and they are available. */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = desiredReplicasAnnotation(rs);
  if (desired === undefined) return false;
  return specReplicas(rs) === deploymentReplicas(d) && desired === deploymentReplicas(d) && (rs.status?.availableReplicas ?? 0) === deploymentReplicas(d);
}

// --- new and old ReplicaSets -----------------------------------------------------------------------------------

/** Drops null members (metav1.Time's `creationTimestamp: null` and other omitted pointers) recursively. */
function dropNulls<T>(v: T): T {
  if (Array.isArray(v)) return v.map(dropNulls) as T;
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) o[k] = dropNulls(x);
    return o as T;
  }
  return v;
}

function withoutHash(t: PodTemplateSpec | undefined): unknown {
  const c = dropNulls(structuredClone(t ?? {})) as PodTemplateSpec;
  if (c.metadata?.labels) {
    delete c.metadata.labels[DefaultDeploymentUniqueLabelKey];
  }
  return c;
}

/** EqualIgnoreHash: templates semantically equal apart from the pod-template-hash label. */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return semanticEqual(withoutHash(a), withoutHash(b));
}

/** FindNewReplicaSet: the oldest ReplicaSet whose template equals the deployment's. */
export function findNewReplicaSet(d: Deployment, rsList: readonly ReplicaSet[]): ReplicaSet | undefined {
  return [...rsList].sort(byCreationTimestamp).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

/** FindOldReplicaSets: [old ones with replicas, all old ones]. */
export function findOldReplicaSets(d: Deployment, rsList: readonly ReplicaSet[]): [ReplicaSet[], ReplicaSet[]] {
  const newRS = findNewReplicaSet(d, rsList);
  const all = rsList.filter((rs) => !newRS || rs.metadata?.uid !== newRS.metadata?.uid);
  return [all.filter((rs) => specReplicas(rs) !== 0), all];
}

/** FindActiveOrLatest: the only active ReplicaSet, or the newest when none is active; undefined when several are. */
export function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  oldRSs.sort((a, b) => byCreationTimestamp(b, a));
  const active = filterActiveReplicaSets([...oldRSs, newRS]);
  if (active.length === 0) return newRS ?? oldRSs[0];
  if (active.length === 1) return active[0];
  return undefined;
}

/** SetFromReplicaSetTemplate: the deployment's template becomes the ReplicaSet's, minus the hash label. */
export function setFromReplicaSetTemplate(d: Deployment, t: PodTemplateSpec | undefined): void {
  const c = withoutHash(t) as PodTemplateSpec;
  d.spec!.template = c;
}

// --- counts ----------------------------------------------------------------------------------------------------

const sum = (rss: readonly (ReplicaSet | undefined)[], f: (rs: ReplicaSet) => number) => rss.reduce((n, rs) => n + (rs ? f(rs) : 0), 0);
/** GetReplicaCountForReplicaSets: sum of spec.replicas. */
export const replicaCount = (rss: readonly (ReplicaSet | undefined)[]) => sum(rss, specReplicas);
/** GetActualReplicaCountForReplicaSets: sum of status.replicas. */
export const actualReplicaCount = (rss: readonly (ReplicaSet | undefined)[]) => sum(rss, (rs) => rs.status?.replicas ?? 0);
export const readyReplicaCount = (rss: readonly (ReplicaSet | undefined)[]) => sum(rss, (rs) => rs.status?.readyReplicas ?? 0);
export const availableReplicaCount = (rss: readonly (ReplicaSet | undefined)[]) => sum(rss, (rs) => rs.status?.availableReplicas ?? 0);

// --- progress --------------------------------------------------------------------------------------------------

export function hasProgressDeadline(d: Deployment): boolean {
  const p = d.spec?.progressDeadlineSeconds;
  return p !== undefined && p !== null && p !== 2147483647;
}

export function hasRevisionHistoryLimit(d: Deployment): boolean {
  const l = d.spec?.revisionHistoryLimit;
  return l !== undefined && l !== null && l !== 2147483647;
}

/** DeploymentComplete: every replica updated and available, and the latest generation observed. */
export function deploymentComplete(d: Deployment, s: DeploymentStatus | undefined): boolean {
  const r = deploymentReplicas(d);
  return (s?.updatedReplicas ?? 0) === r && (s?.replicas ?? 0) === r && (s?.availableReplicas ?? 0) === r
    && (s?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
}

/** DeploymentProgressing: more updated/ready/available replicas, or fewer old ones, than the current status says. */
export function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const o = d.status ?? {};
  const oldOld = (o.replicas ?? 0) - (o.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (s.updatedReplicas ?? 0) > (o.updatedReplicas ?? 0) || newOld < oldOld
    || (s.readyReplicas ?? 0) > (o.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (o.availableReplicas ?? 0);
}

/** DeploymentTimedOut: no progress since the Progressing condition's lastUpdateTime + progressDeadlineSeconds. */
export function deploymentTimedOut(d: Deployment, clock: Clock): boolean {
  if (!hasProgressDeadline(d)) return false;
  const cond = getDeploymentCondition(d.status, 'Progressing');
  if (!cond) return false;
  if (cond.reason === NewRSAvailableReason) return false;
  if (cond.reason === TimedOutReason) return true;
  const from = parseTime(cond.lastUpdateTime) ?? 0;
  return from + (d.spec!.progressDeadlineSeconds! * 1000) < clock.now();
}
