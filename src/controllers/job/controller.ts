// The Job controller (upstream pkg/controller/job/job_controller.go): runs a Job's pods to completion.
//  - NonIndexed: min(parallelism, completions - succeeded) active pods; without completions, pods until one succeeds.
//  - Indexed: one pod per pending completion index, with the index as annotation and label, the JOB_COMPLETION_INDEX
//    env var and hostname <job>-<index>; status.completedIndexes; backoffLimitPerIndex with status.failedIndexes and
//    maxFailedIndexes.
//  - Failures: backoffLimit (failed pods, plus container restarts under OnFailure), spec.podFailurePolicy (FailJob,
//    FailIndex, Ignore, Count), activeDeadlineSeconds; replacements wait an exponential backoff after failures.
//  - suspend/resume (active pods deleted, Suspended condition, startTime reset on resume).
//  - Conditions as upstream 1.32 (JobManagedBy on): FailureTarget then Failed, SuccessCriteriaMet then Complete, the
//    final one only once no pod of the Job is still running or terminating.
//
// Finished pods are counted exactly once through the batch.kubernetes.io/job-tracking finalizer, as upstream: a
// finished pod that still has the finalizer is first written into status.uncountedTerminatedPods, then its finalizer
// is removed, then it moves from uncounted to status.succeeded/failed. A crash between any two steps is repaired by
// the next sync. Pods removed from the cache before their finalizer (an orphan whose Job is gone) only lose the
// finalizer (key "pod:<namespace>/<name>").
import { isNotFound, isTimeout } from '../../api/errors.js';
import { selectorFromSpec } from '../../api/labels.js';
import type { KubeObject } from '../../api/object.js';
import { resources } from '../../api/resources.js';
import { JOB_COMPLETION_INDEX, JOB_INDEX_FAILURE_COUNT, JOB_TRACKING_FINALIZER } from '../../api/batch.js';
import type { ReconcileResult } from '../../client/controller.js';
import type { SharedInformer } from '../../client/informer.js';
import { deletedObject, metaNamespaceKey, splitMetaNamespaceKey, type DeletedFinalStateUnknown } from '../../client/keys.js';
import { errorText } from '../../client/log.js';
import { claimObjects, controllerUIDIndex, controllerUIDIndexFunc, getControllerOf, newControllerRef, recheckDeletionTimestamp, resolveControllerRef } from '../shared/controller-ref.js';
import { ControllerExpectations } from '../shared/expectations.js';
import type { ControllerOptions } from '../shared/options.js';
import { ControllerBase, runWorkers } from '../shared/start.js';
import { isPodActive, isPodReady, podKey } from '../shared/pod-util.js';
import { metaNow, parseTime } from '../shared/time.js';
import type { Pod } from '../shared/types.js';
import { slowStartBatch } from '../replicaset/index.js';
import { formatIndexes, parseIndexes, podCompletionIndex, podIndexFailureCount } from './indexes.js';
import { matchPodFailurePolicy } from './pod-failure-policy.js';

export type Job = KubeObject;
export const jobKind = { apiVersion: 'batch/v1', kind: 'Job' } as const;
/** Upstream's DefaultJobPodFailureBackOff and MaxJobPodFailureBackOff. */
export const defaultPodFailureBackoffMs = 10_000;
export const maxPodFailureBackoffMs = 360_000;
/** At most this many pod creations or deletions per sync (upstream's MaxPodCreateDeletePerSync). */
const maxPodCreateDeletePerSync = 500;
const orphanPrefix = 'pod:';

export interface JobControllerOptions extends ControllerOptions {
  /** First delay before replacing a failed pod, doubled per further failure (upstream 10 s; tests shorten it). */
  podFailureBackoffMs?: number;
  /** The most the delay grows to (upstream 6 min). */
  maxPodFailureBackoffMs?: number;
  /**
   * Pod events wake the Job this long after the first of them (upstream's syncJobBatchPeriod, 1 s), so a burst of
   * pod changes costs one sync and one status write; Job events sync at once. Tests set 0.
   */
  syncJobBatchPeriodMs?: number;
}
/** Upstream's syncJobBatchPeriod. */
export const defaultSyncJobBatchPeriodMs = 1000;

interface Condition { type: string; status: string; reason?: string; message?: string; lastProbeTime?: string; lastTransitionTime?: string }
interface FinishReason { reason: string; message: string }

const hasCondition = (job: Job, type: string) => (job.status?.conditions ?? []).some((c: Condition) => c.type === type && c.status === 'True');
/** A Job with a Complete or Failed condition is finished for good. */
export const isJobFinished = (job: Job) => hasCondition(job, 'Complete') || hasCondition(job, 'Failed');
const hasTrackingFinalizer = (p: Pod) => (p.metadata?.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);
const isTerminating = (p: Pod) => !!p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';

/** Failure backoff of one Job (upstream's backoffRecord): failures since the last success and when the last was. */
interface BackoffRecord { failures: number; lastFailureMs: number }

export class JobController extends ControllerBase {
  readonly expectations: ControllerExpectations;
  private readonly jobInformer: SharedInformer<Job>;
  private readonly podInformer: SharedInformer<Pod>;
  private readonly backoff = new Map<string, BackoffRecord>();
  /** Pod UIDs whose finalizer this process removed, per Job key: a stale cache must not count them twice. */
  private readonly finalizersRemoved = new Map<string, Set<string>>();
  /**
   * The Job as this process last wrote it, per key, and the resourceVersions that write superseded: while the cache
   * still shows one of those (it has not seen our own write yet), a sync starts from what we wrote instead of
   * conflicting on it.
   */
  private readonly written = new Map<string, { superseded: Set<string>; job: Job }>();
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly batchPeriodMs: number;

  constructor(private readonly opts: JobControllerOptions) {
    super(opts, { queue: 'job', component: 'job-controller' });
    this.backoffBaseMs = opts.podFailureBackoffMs ?? defaultPodFailureBackoffMs;
    this.backoffMaxMs = opts.maxPodFailureBackoffMs ?? maxPodFailureBackoffMs;
    this.batchPeriodMs = opts.syncJobBatchPeriodMs ?? defaultSyncJobBatchPeriodMs;
    this.expectations = new ControllerExpectations(this.clock);
    this.jobInformer = opts.informers.informerFor<Job>(resources.jobs);
    this.podInformer = opts.informers.informerFor<Pod>(resources.pods, { indexers: { [controllerUIDIndex]: controllerUIDIndexFunc } });
    this.jobInformer.addEventHandler({
      onAdd: (job) => this.enqueue(job),
      onUpdate: (old, cur) => {
        if (old.metadata?.uid !== cur.metadata?.uid) this.onDeleteJob(old);
        this.enqueue(cur);
        // A changed activeDeadlineSeconds needs a sync when it runs out.
        const ads = cur.spec?.activeDeadlineSeconds;
        const start = parseTime(cur.status?.startTime);
        if (ads != null && ads !== old.spec?.activeDeadlineSeconds && start !== undefined) {
          this.queue.addAfter(metaNamespaceKey(cur), Math.max(0, start + ads * 1000 - this.clock.now()));
        }
      },
      onDelete: (obj) => this.onDeleteJob(deletedObject(obj)),
    });
    this.podInformer.addEventHandler({
      onAdd: (pod) => this.onAddPod(pod),
      onUpdate: (old, cur) => this.onUpdatePod(old, cur),
      onDelete: (obj) => this.onDeletePod(obj),
    });
  }

  run(): Promise<void> {
    return runWorkers(this.wiring, this.opts, {
      name: 'job-controller', informers: [this.jobInformer, this.podInformer], defaultWorkers: 5,
      reconcile: (key) => this.reconcile(key),
    });
  }

  // --- event handlers: only compute keys and enqueue ---------------------------------------------------------

  private enqueue(job: Job): void { this.queue.add(metaNamespaceKey(job)); }
  private enqueueBatched(job: Job): void { this.queue.addAfter(metaNamespaceKey(job), this.batchPeriodMs); }

  private onDeleteJob(job: Job): void {
    const key = metaNamespaceKey(job);
    this.expectations.delete(key);
    this.queue.add(key);
    // Its pods lose their tracking finalizer (they go with the Job through the garbage collector).
    for (const p of this.podInformer.byIndex(controllerUIDIndex, job.metadata?.uid ?? '')) {
      if (hasTrackingFinalizer(p)) this.queue.add(orphanPrefix + podKey(p));
    }
  }

  private jobOf(pod: Pod): Job | undefined {
    return resolveControllerRef(this.jobInformer, jobKind.kind, pod.metadata?.namespace, getControllerOf(pod));
  }

  private onAddPod(pod: Pod): void {
    if (pod.metadata?.deletionTimestamp) { this.onDeletePod(pod); return; }
    const job = this.jobOf(pod);
    if (!job) {
      if (hasTrackingFinalizer(pod)) this.queue.add(orphanPrefix + podKey(pod));
      return;
    }
    this.expectations.creationObserved(metaNamespaceKey(job));
    this.enqueueBatched(job);
  }

  private onUpdatePod(old: Pod, cur: Pod): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
    if (cur.metadata?.deletionTimestamp && !old.metadata?.deletionTimestamp) { this.onDeletePod(cur); return; }
    const job = this.jobOf(cur);
    if (job) this.enqueueBatched(job);
    else if (hasTrackingFinalizer(cur)) this.queue.add(orphanPrefix + podKey(cur));
    const oldJob = this.jobOf(old);
    if (oldJob && oldJob !== job) this.enqueueBatched(oldJob);
  }

  private onDeletePod(obj: Pod | DeletedFinalStateUnknown<Pod>): void {
    const pod = deletedObject(obj);
    const job = this.jobOf(pod);
    if (!job) {
      if (hasTrackingFinalizer(pod)) this.queue.add(orphanPrefix + podKey(pod));
      return;
    }
    this.expectations.deletionObserved(metaNamespaceKey(job), podKey(pod));
    this.enqueueBatched(job);
  }

  // --- reconcile ---------------------------------------------------------------------------------------------

  async reconcile(key: string): Promise<ReconcileResult> {
    if (key.startsWith(orphanPrefix)) return this.reconcileOrphanPod(key.slice(orphanPrefix.length));
    const { namespace, name } = splitMetaNamespaceKey(key);
    const cached = this.freshest(key, this.jobInformer.getByName(namespace, name));
    if (!cached) {
      this.written.delete(key);
      this.expectations.delete(key);
      this.backoff.delete(key);
      this.finalizersRemoved.delete(key);
      return;
    }
    const job = structuredClone(cached) as Job;
    const pods = await this.podsForJob(job);
    if (isJobFinished(job) || job.metadata.deletionTimestamp) {
      // Nothing more to count: the pods only lose the finalizer so they can go with the Job.
      await this.removeFinalizers(key, pods.filter(hasTrackingFinalizer));
      return;
    }
    return this.syncJob(key, job, pods);
  }

  /** A pod with the tracking finalizer whose Job is gone (or never was): the finalizer goes. */
  private async reconcileOrphanPod(pk: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(pk);
    const pod = this.podInformer.getByName(namespace, name);
    if (!pod || !hasTrackingFinalizer(pod) || this.jobOf(pod)) return;
    await this.removeFinalizers(undefined, [pod]);
  }

  /** The Job's pods: those it controls, plus orphans its selector matches (adopted), as the ControllerRefManager. */
  private async podsForJob(job: Job): Promise<Pod[]> {
    const ns = job.metadata.namespace ?? '';
    const selector = selectorFromSpec(job.spec?.selector);
    const owned = this.podInformer.byIndex(controllerUIDIndex, job.metadata.uid ?? '');
    const orphans = selector.empty ? [] : this.podInformer.list(ns).filter((p) => !getControllerOf(p) && selector.matches(p.metadata?.labels) && !p.metadata?.deletionTimestamp);
    return claimObjects<Pod>([...owned.filter((p) => p.metadata?.namespace === ns), ...orphans], {
      client: this.client, resource: resources.pods, controller: job, controllerKind: jobKind,
      match: (p) => !selector.empty && selector.matches(p.metadata?.labels),
      canAdopt: recheckDeletionTimestamp(() => this.client.get(resources.jobs, ns, job.metadata.name ?? ''), job),
    });
  }

  private async syncJob(key: string, job: Job, allPods: Pod[]): Promise<ReconcileResult> {
    const now = this.clock.now();
    const spec = job.spec ?? {};
    const status = structuredClone(job.status ?? {}) as any;
    const indexed = spec.completionMode === 'Indexed';
    const completions: number | undefined = spec.completions ?? undefined;
    const perIndex: number | undefined = spec.backoffLimitPerIndex ?? undefined;
    const suspended = spec.suspend === true;
    const removedBefore = this.finalizersRemoved.get(key) ?? new Set<string>();
    // A pod whose finalizer we removed but whose update the cache has not shown yet is already counted.
    const pods = allPods.map((p) => (hasTrackingFinalizer(p) && removedBefore.has(p.metadata?.uid ?? '')
      ? { ...p, metadata: { ...p.metadata, finalizers: (p.metadata?.finalizers ?? []).filter((f) => f !== JOB_TRACKING_FINALIZER) } } : p));
    for (const uid of removedBefore) if (!allPods.some((p) => p.metadata?.uid === uid && hasTrackingFinalizer(p))) removedBefore.delete(uid);

    const uncounted = {
      succeeded: new Set<string>(status.uncountedTerminatedPods?.succeeded ?? []),
      failed: new Set<string>(status.uncountedTerminatedPods?.failed ?? []),
    };
    const completed = parseIndexes(status.completedIndexes, completions ?? 0);
    const failedIndexes = parseIndexes(status.failedIndexes, completions ?? 0);
    let failureTarget: FinishReason | undefined;
    const conditionOf = (type: string) => (status.conditions ?? []).find((c: Condition) => c.type === type && c.status === 'True') as Condition | undefined;
    const existingFailureTarget = conditionOf('FailureTarget');
    if (existingFailureTarget) failureTarget = { reason: existingFailureTarget.reason ?? '', message: existingFailureTarget.message ?? '' };

    // 1. Finished pods still holding the finalizer become uncounted; pods whose failure is ignored just lose it.
    const toRemove: Pod[] = [];
    let newSucceeded = 0, newFailed = 0;
    const onlyReplaceFailed = spec.podReplacementPolicy === 'Failed';
    const podFailed = (p: Pod) => p.status?.phase === 'Failed' || (!onlyReplaceFailed && !!p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded');
    for (const p of pods) {
      if (!hasTrackingFinalizer(p)) continue;
      const uid = p.metadata?.uid ?? '';
      if (uncounted.succeeded.has(uid) || uncounted.failed.has(uid)) { toRemove.push(p); continue; }
      if (p.status?.phase === 'Succeeded') {
        uncounted.succeeded.add(uid); newSucceeded++; toRemove.push(p);
        continue;
      }
      if (!podFailed(p)) continue;
      // Pods deleted because the Job is suspended, succeeding or failing do not count as failures.
      if (p.status?.phase !== 'Failed' && (suspended || failureTarget || conditionOf('SuccessCriteriaMet'))) { toRemove.push(p); continue; }
      const match = p.status?.phase === 'Failed' && spec.podFailurePolicy ? matchPodFailurePolicy(spec.podFailurePolicy, p) : undefined;
      toRemove.push(p);
      if (match?.action === 'Ignore') continue;
      uncounted.failed.add(uid); newFailed++;
      if (match?.action === 'FailJob' && !failureTarget) failureTarget = { reason: 'PodFailurePolicy', message: match.message };
      const idx = podCompletionIndex(p);
      if (indexed && perIndex != null && idx !== undefined && idx < (completions ?? 0)) {
        if (match?.action === 'FailIndex' || podIndexFailureCount(p) + 1 > perIndex) failedIndexes.add(idx);
      }
    }
    const rec = this.backoff.get(key) ?? { failures: 0, lastFailureMs: 0 };
    if (newSucceeded > 0) rec.failures = 0;
    if (newFailed > 0) { rec.failures += newFailed; rec.lastFailureMs = now; }
    this.backoff.set(key, rec);

    const withUncounted = (s: any) => {
      const u: any = {};
      if (uncounted.succeeded.size) u.succeeded = [...uncounted.succeeded];
      if (uncounted.failed.size) u.failed = [...uncounted.failed];
      s.uncountedTerminatedPods = u;
      if (indexed) s.completedIndexes = formatIndexes(completed);
      if (perIndex != null) s.failedIndexes = formatIndexes(failedIndexes) ?? '';
    };
    let current = job;
    if (newSucceeded + newFailed > 0) {
      withUncounted(status);
      current = await this.writeStatus(key, current, status);
    }

    // 2. Remove the finalizers; 3. move what is no longer held from uncounted to the counts.
    const released = await this.removeFinalizers(key, toRemove);
    const byUid = new Map(pods.map((p) => [p.metadata?.uid ?? '', p]));
    for (const set of ['succeeded', 'failed'] as const) {
      for (const uid of [...uncounted[set]]) {
        const p = byUid.get(uid);
        if (p && hasTrackingFinalizer(p) && !released.has(uid)) continue;
        uncounted[set].delete(uid);
        if (set === 'succeeded') {
          const idx = p ? podCompletionIndex(p) : undefined;
          if (indexed) { if (idx !== undefined && idx < (completions ?? 0)) completed.add(idx); }
          else status.succeeded = (status.succeeded ?? 0) + 1;
        } else status.failed = (status.failed ?? 0) + 1;
      }
    }
    if (indexed) status.succeeded = completed.size;
    const succeeded: number = (status.succeeded ?? 0) + (indexed ? 0 : uncounted.succeeded.size);
    const failed: number = (status.failed ?? 0) + uncounted.failed.size;

    let active = pods.filter(isPodActive);
    const terminating = () => pods.filter(isTerminating).length;

    // 4. Failure and success criteria.
    if (!failureTarget && perIndex == null && spec.backoffLimit != null) {
      if (failed > spec.backoffLimit || pastBackoffLimitOnFailure(spec, active)) {
        failureTarget = { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
      }
    }
    if (!failureTarget && perIndex != null && spec.maxFailedIndexes != null && failedIndexes.size > spec.maxFailedIndexes) {
      failureTarget = { reason: 'MaxFailedIndexesExceeded', message: 'Job has exceeded the specified maximal number of failed indexes' };
    }
    const start = parseTime(status.startTime);
    if (!failureTarget && !suspended && spec.activeDeadlineSeconds != null && start !== undefined && now - start >= spec.activeDeadlineSeconds * 1000) {
      failureTarget = { reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };
    }
    let successCriteriaMet = !!conditionOf('SuccessCriteriaMet');
    if (!failureTarget && !successCriteriaMet) {
      if (indexed) {
        const n = completions ?? 0;
        if (completed.size >= n) successCriteriaMet = true;
        else if (perIndex != null && completed.size + failedIndexes.size >= n && failedIndexes.size > 0) {
          failureTarget = { reason: 'FailedIndexes', message: 'Job has failed indexes' };
        }
      } else if (completions != null) successCriteriaMet = succeeded >= completions;
      else successCriteriaMet = succeeded > 0 && active.length === 0;
    }

    const conditions: Condition[] = structuredClone(status.conditions ?? []);
    const setCondition = (type: string, s: string, reason: string, message: string): boolean => {
      const t = metaNow(this.clock);
      const c = conditions.find((x) => x.type === type);
      if (c && c.status === s && c.reason === reason && c.message === message) return false;
      if (c) Object.assign(c, { status: s, reason, message, lastProbeTime: t, ...(c.status !== s ? { lastTransitionTime: t } : {}) });
      else conditions.push({ type, status: s, lastProbeTime: t, lastTransitionTime: t, reason, message });
      return true;
    };

    let result: ReconcileResult = undefined;
    let manageErr: unknown;
    if (failureTarget || successCriteriaMet) {
      if (failureTarget) setCondition('FailureTarget', 'True', failureTarget.reason, failureTarget.message);
      else setCondition('SuccessCriteriaMet', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods');
      // Whatever still runs is stopped; the Job finishes once nothing runs or terminates and every pod is counted.
      if (active.length) {
        try { await this.deletePods(key, job, active); } catch (e) { manageErr = e; }
        active = [];
      }
      if (terminating() === 0 && uncounted.succeeded.size + uncounted.failed.size === 0 && manageErr === undefined && this.allPodsDeleted(pods)) {
        if (failureTarget) {
          setCondition('Failed', 'True', failureTarget.reason, failureTarget.message);
          void this.recorder.event(job, 'Warning', failureTarget.reason, failureTarget.message);
        } else {
          setCondition('Complete', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods');
          status.completionTime = metaNow(this.clock);
          void this.recorder.event(job, 'Normal', 'Completed', 'Job completed');
        }
      }
    } else if (suspended) {
      if (active.length) {
        try { await this.deletePods(key, job, active); } catch (e) { manageErr = e; }
        active = [];
      }
      if (setCondition('Suspended', 'True', 'JobSuspended', 'Job suspended')) void this.recorder.event(job, 'Normal', 'Suspended', 'Job suspended');
      if (terminating() === 0) delete status.startTime;
    } else {
      const wasSuspended = conditions.find((c) => c.type === 'Suspended' && c.status === 'True');
      if (wasSuspended) {
        setCondition('Suspended', 'False', 'JobResumed', 'Job resumed');
        status.startTime = metaNow(this.clock);
        void this.recorder.event(job, 'Normal', 'Resumed', 'Job resumed');
      }
      status.startTime ??= metaNow(this.clock);
      if (this.expectations.satisfied(key)) {
        try { result = await this.manageJob(key, job, pods, active, { completed, failedIndexes, succeeded, now }); } catch (e) { manageErr = e; }
        active = pods.filter(isPodActive); // deletions/creations show up through the informer
      }
      const ads = spec.activeDeadlineSeconds;
      const st = parseTime(status.startTime);
      if (ads != null && st !== undefined) {
        const left = st + ads * 1000 - now;
        result = { requeueAfter: Math.max(0, Math.min(left, (result as any)?.requeueAfter ?? Infinity)) };
      }
    }

    status.conditions = conditions.length ? conditions : undefined;
    status.active = active.length;
    status.ready = active.filter(isPodReady).length;
    status.terminating = terminating();
    withUncounted(status);
    // int32 fields with omitempty upstream; ready and terminating are pointers and stay at 0.
    for (const k of ['active', 'succeeded', 'failed']) if (!status[k]) delete status[k];
    for (const k of Object.keys(status)) if (status[k] === undefined) delete status[k];
    if (JSON.stringify(status) !== JSON.stringify(current.status ?? {})) await this.writeStatus(key, current, status);
    if (manageErr !== undefined) throw manageErr;
    return result;
  }

  /** No pod of the Job is active any more (deleted ones may still be in the cache, held by nothing). */
  private allPodsDeleted(pods: Pod[]): boolean { return !pods.some(isPodActive); }

  /** Creates or deletes pods so that the wanted number run. Returns a requeue while the failure backoff lasts. */
  private async manageJob(key: string, job: Job, pods: Pod[], active: Pod[],
    s: { completed: Set<number>; failedIndexes: Set<number>; succeeded: number; now: number }): Promise<ReconcileResult> {
    const spec = job.spec ?? {};
    const parallelism: number = spec.parallelism ?? 1;
    const terminatingCount = spec.podReplacementPolicy === 'Failed' ? pods.filter(isTerminating).length : 0;
    if (spec.completionMode === 'Indexed') return this.manageIndexed(key, job, pods, active, terminatingCount, s);
    let want: number;
    if (spec.completions == null) want = s.succeeded > 0 ? active.length : parallelism;
    else want = Math.max(0, Math.min(parallelism, spec.completions - s.succeeded));
    const diff = want - active.length - terminatingCount;
    if (diff < 0 && active.length > want) {
      await this.deletePods(key, job, rankForDeletion(active).slice(0, Math.min(active.length - want, maxPodCreateDeletePerSync)));
      return;
    }
    if (diff <= 0) return;
    const wait = this.backoffRemaining(key, s.now);
    if (wait > 0) return { requeueAfter: wait };
    await this.createPods(key, job, Array.from({ length: Math.min(diff, maxPodCreateDeletePerSync) }, () => undefined), pods);
  }

  private async manageIndexed(key: string, job: Job, pods: Pod[], active: Pod[], terminatingCount: number,
    s: { completed: Set<number>; failedIndexes: Set<number>; now: number }): Promise<ReconcileResult> {
    const spec = job.spec ?? {};
    const completions: number = spec.completions ?? 0;
    const parallelism: number = spec.parallelism ?? 1;
    // One active pod per index; duplicates, out-of-range or finished indexes go.
    const seen = new Set<number>();
    const surplus: Pod[] = [];
    const keep: Pod[] = [];
    for (const p of [...active].sort((a, b) => Number(isPodReady(b)) - Number(isPodReady(a)))) {
      const idx = podCompletionIndex(p);
      if (idx === undefined || idx >= completions || seen.has(idx) || s.completed.has(idx) || s.failedIndexes.has(idx)) surplus.push(p);
      else { seen.add(idx); keep.push(p); }
    }
    if (keep.length > parallelism) {
      keep.sort((a, b) => (podCompletionIndex(b) ?? 0) - (podCompletionIndex(a) ?? 0));
      surplus.push(...keep.splice(0, keep.length - parallelism));
    }
    if (surplus.length) {
      await this.deletePods(key, job, surplus.slice(0, maxPodCreateDeletePerSync));
      return;
    }
    // Indexes with a terminating pod wait for it under podReplacementPolicy Failed.
    const held = new Set<number>(spec.podReplacementPolicy === 'Failed'
      ? pods.filter(isTerminating).map(podCompletionIndex).filter((i): i is number => i !== undefined) : []);
    const pending: number[] = [];
    for (let i = 0; i < completions && pending.length < parallelism - keep.length - terminatingCount; i++) {
      if (!seen.has(i) && !s.completed.has(i) && !s.failedIndexes.has(i) && !held.has(i)) pending.push(i);
    }
    if (pending.length === 0) return;
    const wait = this.backoffRemaining(key, s.now);
    if (wait > 0) return { requeueAfter: wait };
    await this.createPods(key, job, pending.slice(0, maxPodCreateDeletePerSync), pods);
  }

  /** Milliseconds left of the failure backoff (base × 2^(failures-1), capped), 0 when pods may be created. */
  private backoffRemaining(key: string, now: number): number {
    const rec = this.backoff.get(key);
    if (!rec || rec.failures === 0 || this.backoffBaseMs <= 0) return 0;
    const delay = Math.min(this.backoffBaseMs * 2 ** Math.min(rec.failures - 1, 30), this.backoffMaxMs);
    return Math.max(0, rec.lastFailureMs + delay - now);
  }

  /** Creates one pod per entry (a completion index, or undefined for NonIndexed), in slow-start batches. */
  private async createPods(key: string, job: Job, indexes: (number | undefined)[], pods: Pod[]): Promise<void> {
    this.expectations.expectCreations(key, indexes.length);
    let next = 0;
    const { successes, error } = await slowStartBatch(indexes.length, 1, () => this.createPod(job, indexes[next++], pods));
    for (let i = 0; i < indexes.length - successes; i++) this.expectations.creationObserved(key);
    if (error !== undefined) throw error;
  }

  private async createPod(job: Job, index: number | undefined, pods: Pod[]): Promise<void> {
    const t = job.spec?.template ?? {};
    const name = job.metadata.name ?? '';
    const podSpec = structuredClone(t.spec ?? { containers: [] });
    const labels: Record<string, string> = { ...(t.metadata?.labels ?? {}) };
    const annotations: Record<string, string> = { ...(t.metadata?.annotations ?? {}) };
    if (index !== undefined) {
      labels[JOB_COMPLETION_INDEX] = String(index);
      annotations[JOB_COMPLETION_INDEX] = String(index);
      const env = { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${JOB_COMPLETION_INDEX}']` } } };
      for (const c of [...(podSpec.initContainers ?? []), ...(podSpec.containers ?? [])]) c.env = [...(c.env ?? []), env];
      podSpec.hostname ??= `${name}-${index}`;
      if (job.spec?.backoffLimitPerIndex != null) {
        const failures = pods.filter((p) => p.status?.phase === 'Failed' && podCompletionIndex(p) === index)
          .reduce((n, p) => Math.max(n, podIndexFailureCount(p) + 1), 0);
        annotations[JOB_INDEX_FAILURE_COUNT] = String(failures);
      }
    }
    const pod: Pod = {
      apiVersion: 'v1', kind: 'Pod',
      metadata: {
        generateName: index === undefined ? `${name}-` : `${name}-${index}-`,
        namespace: job.metadata.namespace,
        labels, annotations,
        finalizers: [...(t.metadata?.finalizers ?? []), JOB_TRACKING_FINALIZER],
        ownerReferences: [newControllerRef(job, jobKind)],
      },
      spec: podSpec,
    };
    if (Object.keys(annotations).length === 0) delete pod.metadata!.annotations;
    let created: Pod;
    try {
      created = await this.client.create<Pod>(resources.pods, job.metadata.namespace, pod);
    } catch (e) {
      if (!isTimeout(e)) void this.recorder.event(job, 'Warning', 'FailedCreate', `Error creating: ${errorText(e)}`);
      throw e;
    }
    void this.recorder.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name}`);
  }

  private async deletePods(key: string, job: Job, pods: Pod[]): Promise<void> {
    this.expectations.expectDeletions(key, pods.map(podKey));
    const results = await Promise.allSettled(pods.map(async (p) => {
      const name = p.metadata?.name ?? '';
      try {
        await this.client.delete(resources.pods, p.metadata?.namespace, name);
      } catch (e) {
        this.expectations.deletionObserved(key, podKey(p));
        if (isNotFound(e)) return;
        void this.recorder.event(job, 'Warning', 'FailedDelete', `Error deleting: ${errorText(e)}`);
        throw e;
      }
      void this.recorder.event(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
    }));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /**
   * Removes the tracking finalizer: a merge patch of the remaining finalizers with the pod's uid as precondition
   * (not its resourceVersion: the kubelet writes status often, and a stale cache would only cost a retry).
   * Returns the UIDs that no longer hold it (patched, or the pod is gone).
   */
  private async removeFinalizers(key: string | undefined, pods: Pod[]): Promise<Set<string>> {
    const released = new Set<string>();
    const removed = key ? (this.finalizersRemoved.get(key) ?? new Set<string>()) : undefined;
    if (key && removed) this.finalizersRemoved.set(key, removed);
    const results = await Promise.allSettled(pods.map(async (p) => {
      const uid = p.metadata?.uid ?? '';
      if (!hasTrackingFinalizer(p)) { released.add(uid); return; }
      const finalizers = (p.metadata?.finalizers ?? []).filter((f) => f !== JOB_TRACKING_FINALIZER);
      try {
        await this.client.patch(resources.pods, p.metadata?.namespace, p.metadata?.name ?? '', 'merge',
          { metadata: { uid, finalizers: finalizers.length ? finalizers : null } });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      released.add(uid);
      removed?.add(uid);
    }));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed && released.size === 0) throw failed.reason;
    if (failed && key) this.queue.addRateLimited(key);
    return released;
  }

  /** PUT /status on the given object's resourceVersion (a stale one conflicts and the sync is retried). */
  private async writeStatus(key: string, job: Job, status: any): Promise<Job> {
    const updated = await this.client.updateStatus<Job>(resources.jobs, { ...job, status: structuredClone(status) });
    const prev = this.written.get(key);
    const superseded = prev && prev.job.metadata.resourceVersion === job.metadata.resourceVersion ? prev.superseded : new Set<string>();
    superseded.add(job.metadata.resourceVersion ?? '');
    this.written.set(key, { superseded, job: updated });
    return updated;
  }

  /** The cached Job, or what this process last wrote when the cache has not caught up with that write yet. */
  private freshest(key: string, cached: Job | undefined): Job | undefined {
    const w = this.written.get(key);
    if (!w || !cached) return cached;
    if (cached.metadata.uid === w.job.metadata.uid && w.superseded.has(cached.metadata.resourceVersion ?? '')) return w.job;
    this.written.delete(key);
    return cached;
  }
}

/** pastBackoffLimitOnFailure: under restartPolicy OnFailure, container restarts of active pods count as failures. */
function pastBackoffLimitOnFailure(spec: any, active: Pod[]): boolean {
  if (spec.template?.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of active) {
    for (const s of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) restarts += s.restartCount ?? 0;
  }
  return spec.backoffLimit === 0 ? restarts > 0 : restarts >= spec.backoffLimit;
}

/** Which active pods go first when there are too many: unscheduled, then not ready, then the newest. */
function rankForDeletion(pods: Pod[]): Pod[] {
  const rank = (p: Pod) => (p.spec?.nodeName ? 0 : 2) + (isPodReady(p) ? 0 : 1);
  return [...pods].sort((a, b) => rank(b) - rank(a)
    || (Date.parse(b.metadata?.creationTimestamp ?? '') || 0) - (Date.parse(a.metadata?.creationTimestamp ?? '') || 0));
}
