// The CronJob controller (upstream pkg/controller/cronjob/cronjob_controllerv2.go): creates a Job from
// spec.jobTemplate at each schedule time, named <cronjob>-<minutes since the epoch> (the name is the lock that keeps
// one schedule time from making two Jobs, even across restarts), with the batch.kubernetes.io/cronjob-scheduled-timestamp
// annotation. It honours spec.timeZone (and a legacy CRON_TZ= prefix), suspend, startingDeadlineSeconds (a start
// missed by more is skipped with MissSchedule), concurrencyPolicy Allow/Forbid/Replace, reports more than 100 missed
// start times (TooManyMissedTimes) and then runs only the most recent, keeps status.active, lastScheduleTime and
// lastSuccessfulTime, and deletes finished Jobs beyond the history limits. Each sync returns the delay to the next
// schedule time, so the work queue (on the injected clock) wakes it then.
import { isAlreadyExists, isNotFound } from '../../api/errors.js';
import { parseCronSchedule, isKnownTimeZone, type CronSchedule } from '../../api/cron.js';
import type { KubeObject } from '../../api/object.js';
import { resources } from '../../api/resources.js';
import { CRONJOB_SCHEDULED_TIMESTAMP } from '../../api/batch.js';
import { enqueueHandlers, type ReconcileResult } from '../../client/controller.js';
import type { SharedInformer } from '../../client/informer.js';
import { deletedObject, metaNamespaceKey, splitMetaNamespaceKey } from '../../client/keys.js';
import { errorText } from '../../client/log.js';
import { controllerUIDIndex, controllerUIDIndexFunc, getControllerOf, newControllerRef, resolveControllerRef } from '../shared/controller-ref.js';
import type { ControllerOptions } from '../shared/options.js';
import { ControllerBase, runWorkers } from '../shared/start.js';
import { parseTime, rfc3339 } from '../shared/time.js';
import { formatInZone, mostRecentScheduleTime, nextScheduleDelayMs, scheduledJobName, tooManyMissedTimes } from './schedule-times.js';

export type CronJob = KubeObject;
type Job = KubeObject;
export const cronJobKind = { apiVersion: 'batch/v1', kind: 'CronJob' } as const;

interface ObjectReference { apiVersion?: string; kind?: string; name?: string; namespace?: string; uid?: string; resourceVersion?: string }

/** FinishedCondition: the type of the Job's Complete or Failed condition, if it has finished. */
function finishedCondition(job: Job): string | undefined {
  const c = (job.status?.conditions ?? []).find((x: any) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
  return c?.type;
}
const startTimeOf = (j: Job) => parseTime(j.status?.startTime) ?? parseTime(j.metadata.creationTimestamp) ?? 0;

export class CronJobController extends ControllerBase {
  private readonly cronJobInformer: SharedInformer<CronJob>;
  private readonly jobInformer: SharedInformer<Job>;

  constructor(private readonly opts: ControllerOptions) {
    super(opts, { queue: 'cronjob', component: 'cronjob-controller' });
    this.cronJobInformer = opts.informers.informerFor<CronJob>(resources.cronjobs);
    this.jobInformer = opts.informers.informerFor<Job>(resources.jobs, { indexers: { [controllerUIDIndex]: controllerUIDIndexFunc } });
    this.cronJobInformer.addEventHandler(enqueueHandlers(this.queue));
    const onJob = (job: Job) => {
      const cj = resolveControllerRef(this.cronJobInformer, cronJobKind.kind, job.metadata?.namespace, getControllerOf(job));
      if (cj) this.queue.add(metaNamespaceKey(cj));
    };
    this.jobInformer.addEventHandler({
      onAdd: onJob,
      onUpdate: (old, cur) => { onJob(cur); if (getControllerOf(old)?.uid !== getControllerOf(cur)?.uid) onJob(old); },
      onDelete: (obj) => onJob(deletedObject(obj)),
    });
  }

  run(): Promise<void> {
    return runWorkers(this.wiring, this.opts, {
      name: 'cronjob-controller', informers: [this.cronJobInformer, this.jobInformer], defaultWorkers: 5,
      reconcile: (key) => this.reconcile(key),
    });
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const cached = this.cronJobInformer.getByName(namespace, name);
    if (!cached) return;
    const cj = structuredClone(cached) as CronJob;
    const jobs = this.jobInformer.byIndex(controllerUIDIndex, cj.metadata.uid ?? '').filter((j) => j.metadata?.namespace === namespace);
    const before = JSON.stringify(cj.status ?? {});
    let result: ReconcileResult = undefined;
    let syncErr: unknown;
    try { result = await this.syncCronJob(cj, jobs); } catch (e) { syncErr = e; }
    // History cleanup reads the Jobs as the sync left them (a Job it just replaced is already gone from status).
    if (!cj.metadata.deletionTimestamp) await this.cleanupFinishedJobs(cj, jobs);
    if (JSON.stringify(cj.status ?? {}) !== before) {
      await this.client.updateStatus(resources.cronjobs, cj);
    }
    if (syncErr !== undefined) throw syncErr;
    return result;
  }

  private async syncCronJob(cj: CronJob, jobs: Job[]): Promise<ReconcileResult> {
    const now = this.clock.now();
    const status = (cj.status ??= {});
    const active: ObjectReference[] = status.active ?? [];
    const inActive = (uid: string | undefined) => active.some((r) => r.uid === uid);
    const children = new Set<string>();
    for (const j of jobs) {
      const uid = j.metadata.uid ?? '';
      children.add(uid);
      const finished = finishedCondition(j);
      if (!inActive(uid) && !finished) {
        // A Job we did not create (kubectl create job --from=cronjob/x) or whose creation we did not record.
        void this.recorder.event(cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata.name}`);
      } else if (inActive(uid) && finished) {
        active.splice(active.findIndex((r) => r.uid === uid), 1);
        void this.recorder.event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata.name}, condition: ${finished}`);
      }
      if (finished === 'Complete') {
        const done = parseTime(j.status?.completionTime);
        const last = parseTime(status.lastSuccessfulTime);
        if (done !== undefined && (last === undefined || done > last)) status.lastSuccessfulTime = j.status.completionTime;
      }
    }
    // Active Jobs that are gone (checked against the API: the cache may just be slow).
    for (const ref of [...active]) {
      if (children.has(ref.uid ?? '')) continue;
      try {
        await this.client.get(resources.jobs, ref.namespace ?? cj.metadata.namespace, ref.name ?? '');
      } catch (e) {
        if (!isNotFound(e)) throw e;
        void this.recorder.event(cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
        active.splice(active.indexOf(ref), 1);
      }
    }
    if (active.length) status.active = active; else delete status.active;

    if (cj.metadata.deletionTimestamp) return;
    const zone: string | undefined = cj.spec?.timeZone ?? undefined;
    if (zone != null && !isKnownTimeZone(zone)) {
      void this.recorder.event(cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: "${zone}": unknown time zone ${zone}`);
      return;
    }
    if (cj.spec?.suspend) return;
    let sched: CronSchedule;
    try {
      sched = parseCronSchedule(String(cj.spec?.schedule ?? ''), zone);
    } catch (e) {
      void this.recorder.event(cj, 'Warning', 'InvalidSchedule', `invalid schedule: ${cj.spec?.schedule} : ${errorText(e)}`);
      return;
    }
    const again = (): ReconcileResult => {
      const d = nextScheduleDelayMs(cj, now, sched);
      return d === undefined ? undefined : { requeueAfter: d };
    };

    const recent = mostRecentScheduleTime(cj, now, sched, true);
    if (recent.missed > tooManyMissedTimes) {
      void this.recorder.event(cj, 'Warning', 'TooManyMissedTimes', `too many missed start times: ${recent.missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew`);
    }
    const scheduled = recent.scheduledMs;
    if (scheduled === undefined) return again();
    const sds = cj.spec?.startingDeadlineSeconds;
    if (sds != null && scheduled + sds * 1000 < now) {
      void this.recorder.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc1123z(scheduled)}`);
      return again();
    }
    const jobName = scheduledJobName(cj, scheduled);
    if (active.some((r) => r.name === jobName) || parseTime(status.lastScheduleTime) === scheduled) return again();
    const policy = cj.spec?.concurrencyPolicy ?? 'Allow';
    if (policy === 'Forbid' && active.length > 0) {
      void this.recorder.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return again();
    }
    if (policy === 'Replace') {
      for (const ref of [...active]) {
        await this.deleteJob(cj, ref.namespace ?? cj.metadata.namespace, ref.name ?? '');
        active.splice(active.indexOf(ref), 1);
      }
      if (active.length) status.active = active; else delete status.active;
    }

    let job: Job;
    try {
      job = await this.client.create<Job>(resources.jobs, cj.metadata.namespace, this.jobFromTemplate(cj, scheduled, jobName, zone));
      void this.recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${job.metadata.name}`);
    } catch (e) {
      if (!isAlreadyExists(e)) {
        void this.recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${errorText(e)}`);
        throw e;
      }
      // Made by an earlier sync (or someone else): record it only if it is ours and not recorded yet.
      job = await this.client.get<Job>(resources.jobs, cj.metadata.namespace, jobName);
      if (getControllerOf(job)?.uid !== cj.metadata.uid || active.some((r) => r.uid === job.metadata.uid)) return again();
    }
    active.push({ apiVersion: 'batch/v1', kind: 'Job', name: job.metadata.name, namespace: job.metadata.namespace, uid: job.metadata.uid, resourceVersion: job.metadata.resourceVersion });
    status.active = active;
    status.lastScheduleTime = rfc3339(scheduled);
    return again();
  }

  /** getJobFromTemplate2. */
  private jobFromTemplate(cj: CronJob, scheduledMs: number, name: string, zone: string | undefined): Job {
    const t = cj.spec?.jobTemplate ?? {};
    const annotations: Record<string, string> = { ...(t.metadata?.annotations ?? {}), [CRONJOB_SCHEDULED_TIMESTAMP]: formatInZone(scheduledMs, zone) };
    const job: Job = {
      apiVersion: 'batch/v1', kind: 'Job',
      metadata: {
        name, namespace: cj.metadata.namespace, annotations,
        ownerReferences: [newControllerRef(cj, cronJobKind)],
      },
      spec: structuredClone(t.spec ?? {}),
    };
    if (t.metadata?.labels) job.metadata.labels = { ...t.metadata.labels };
    return job;
  }

  private async deleteJob(cj: CronJob, namespace: string | undefined, name: string): Promise<void> {
    try {
      await this.client.delete(resources.jobs, namespace, name, { propagationPolicy: 'Background' });
    } catch (e) {
      if (isNotFound(e)) return;
      void this.recorder.event(cj, 'Warning', 'FailedDelete', `Deleted job: ${errorText(e)}`);
      throw e;
    }
    void this.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${name}`);
  }

  /** cleanupFinishedJobs: the oldest finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit go. */
  private async cleanupFinishedJobs(cj: CronJob, jobs: Job[]): Promise<void> {
    const spec = cj.spec ?? {};
    if (spec.successfulJobsHistoryLimit == null && spec.failedJobsHistoryLimit == null) return;
    const live = jobs.filter((j) => !j.metadata.deletionTimestamp);
    for (const [type, limit] of [['Complete', spec.successfulJobsHistoryLimit], ['Failed', spec.failedJobsHistoryLimit]] as const) {
      if (limit == null) continue;
      const finished = live.filter((j) => finishedCondition(j) === type).sort((a, b) => startTimeOf(a) - startTimeOf(b));
      for (const j of finished.slice(0, Math.max(0, finished.length - limit))) {
        await this.deleteJob(cj, j.metadata.namespace, j.metadata.name ?? '');
      }
    }
  }
}

/** Go's time.RFC1123Z in UTC: "Mon, 02 Jan 2006 15:04:05 +0000". */
function rfc1123z(ms: number): string {
  return new Date(ms).toUTCString().replace('GMT', '+0000');
}
