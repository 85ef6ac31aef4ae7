// The CronJob controller's time arithmetic (upstream pkg/controller/cronjob/utils.go): the most recent unmet
// schedule time, how many were missed, when to look again, and the name a scheduled Job gets.
import type { CronSchedule } from '../../api/cron.js';
import type { KubeObject } from '../../api/object.js';
import { parseTime } from '../shared/time.js';

/** Missed start times beyond this are reported as TooManyMissedTimes (upstream's 100). */
export const tooManyMissedTimes = 100;
/** Upstream's nextScheduleDelta: look again a little after the schedule time, so the time has really come. */
export const nextScheduleDeltaMs = 100;
/** The most schedule times stepped through when counting missed ones (a bound, not a semantic). */
const maxSteps = 100_000;

export interface RecentSchedule {
  /** The most recent schedule time at or before now that has not been run yet; undefined when none is due. */
  scheduledMs?: number;
  /** How many schedule times were missed since the earliest time considered. */
  missed: number;
}

/**
 * mostRecentScheduleTime: times are considered after status.lastScheduleTime (or the CronJob's creation), and, when
 * includeStartingDeadline, after now - startingDeadlineSeconds.
 */
export function mostRecentScheduleTime(cj: KubeObject, nowMs: number, sched: CronSchedule, includeStartingDeadline: boolean): RecentSchedule {
  let earliest = parseTime(cj.status?.lastScheduleTime) ?? parseTime(cj.metadata.creationTimestamp) ?? nowMs;
  const sds = cj.spec?.startingDeadlineSeconds;
  if (includeStartingDeadline && sds != null) earliest = Math.max(earliest, nowMs - sds * 1000);
  const t1 = sched.next(earliest);
  if (t1 === undefined || t1 > nowMs) return { missed: 0 };
  let last = t1, missed = 1;
  for (let i = 0; i < maxSteps; i++) {
    const t = sched.next(last);
    if (t === undefined || t > nowMs) break;
    last = t;
    missed++;
  }
  return { scheduledMs: last, missed };
}

/** nextScheduleTimeDuration: how long until the schedule time after the most recent one (plus the delta). */
export function nextScheduleDelayMs(cj: KubeObject, nowMs: number, sched: CronSchedule): number | undefined {
  const recent = mostRecentScheduleTime(cj, nowMs, sched, false);
  const from = recent.scheduledMs ?? parseTime(cj.status?.lastScheduleTime) ?? parseTime(cj.metadata.creationTimestamp) ?? nowMs;
  const next = sched.next(Math.max(from, nowMs - 1));
  if (next === undefined) return undefined;
  return Math.max(0, next - nowMs) + nextScheduleDeltaMs;
}

/** getJobName: <cronjob>-<scheduled time in minutes since the epoch>, so one schedule time makes one Job at most. */
export function scheduledJobName(cj: KubeObject, scheduledMs: number): string {
  return `${cj.metadata.name}-${Math.floor(scheduledMs / 60_000)}`;
}

/** RFC 3339 in the given IANA zone (the scheduled-timestamp annotation): "2026-01-01T09:00:00+09:00", "...Z" for UTC. */
export function formatInZone(ms: number, zone: string | undefined): string {
  if (!zone || zone === 'UTC' || zone === 'Etc/UTC') return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'longOffset',
  }).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const offset = parts.timeZoneName === 'GMT' ? 'Z' : parts.timeZoneName.replace('GMT', '');
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset}`;
}
