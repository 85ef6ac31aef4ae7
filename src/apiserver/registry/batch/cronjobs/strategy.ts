// cronjobs (batch/v1): upstream's defaults (SetDefaults_CronJob), validation (ValidateCronJobCreate/Update: the
// schedule, time zone, concurrencyPolicy, the job template), status handling, and the
// NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE table (printCronJob).
import type { KubeObject } from '../../../../api/object.js';
import type { ResourceDefinition } from '../../types.js';
import { FieldError } from '../../../../api/errors.js';
import { formatLabelSelector, validateLabels, validateAnnotations } from '../../../../api/validation/index.js';
import { column, nameColumn, ageColumn, layoutContainerCells, containerColumns } from '../../printing.js';
import { translateTimestampSince } from '../../age.js';
import { resources } from '../../../../api/resources.js';
import { isKnownTimeZone, parseCronSchedule } from '../../../../api/cron.js';
import { setPodTemplateDefaults } from '../../core/pods/pod-defaults.js';
import { validateJobSpec } from '../job-spec.js';
import { keepSpec } from '../../status-subresource.js';

export function setCronJobDefaults(cj: KubeObject): void {
  const spec = (cj.spec ??= {});
  spec.concurrencyPolicy ||= 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  spec.jobTemplate ??= {};
  spec.jobTemplate.metadata ??= {};
  if (!('creationTimestamp' in spec.jobTemplate.metadata)) spec.jobTemplate.metadata.creationTimestamp = null;
  spec.jobTemplate.spec ??= {};
  spec.jobTemplate.spec.template ??= {};
  setPodTemplateDefaults(spec.jobTemplate.spec.template);
}

const VALID_TZ_PART = /^[A-Za-z.\-_0-9+]{1,14}$/;

function validateTimeZone(tz: unknown): FieldError[] {
  if (tz == null) return [];
  const path = 'spec.timeZone';
  if (tz === '') return [FieldError.invalid(path, tz, 'timeZone must be nil or non-empty string')];
  const zone = String(tz);
  for (const part of zone.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !VALID_TZ_PART.test(part)) return [FieldError.invalid(path, zone, `unknown time zone ${zone}`)];
  }
  if (zone.toLowerCase() === 'local') return [FieldError.invalid(path, zone, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones')];
  if (!isKnownTimeZone(zone)) return [FieldError.invalid(path, zone, `unknown time zone ${zone}`)];
  return [];
}

/** validateScheduleFormat; allowTZInSchedule only for updates of a CronJob whose schedule already had one. */
function validateSchedule(spec: any, allowTZInSchedule: boolean): FieldError[] {
  const schedule = spec.schedule;
  if (!schedule) return [FieldError.required('spec.schedule')];
  const errs: FieldError[] = [];
  try { parseCronSchedule(String(schedule)); } catch (e) { errs.push(FieldError.invalid('spec.schedule', schedule, (e as Error).message)); }
  const hasTZ = String(schedule).includes('TZ');
  if (allowTZInSchedule && hasTZ && spec.timeZone != null) errs.push(FieldError.invalid('spec.schedule', schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
  else if (!allowTZInSchedule && hasTZ) errs.push(FieldError.invalid('spec.schedule', schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  return errs;
}

const nonnegative = (v: unknown, path: string): FieldError[] =>
  typeof v === 'number' && v < 0 ? [FieldError.invalid(path, v, 'must be greater than or equal to 0')] : [];

function validateCronJobSpec(cj: KubeObject, allowTZInSchedule: boolean): FieldError[] {
  const spec = cj.spec ?? {};
  const errs = [...validateSchedule(spec, allowTZInSchedule), ...validateTimeZone(spec.timeZone)];
  errs.push(...nonnegative(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  const policies = ['Allow', 'Forbid', 'Replace'];
  if (!spec.concurrencyPolicy) errs.push(FieldError.required('spec.concurrencyPolicy'));
  else if (!policies.includes(spec.concurrencyPolicy)) errs.push(FieldError.notSupported('spec.concurrencyPolicy', spec.concurrencyPolicy, policies));
  errs.push(...nonnegative(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'));
  errs.push(...nonnegative(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
  const jt = spec.jobTemplate ?? {};
  errs.push(...validateLabels(jt.metadata?.labels, 'spec.jobTemplate.metadata.labels'));
  errs.push(...validateAnnotations(jt.metadata?.annotations, 'spec.jobTemplate.metadata.annotations'));
  if (jt.spec?.manualSelector === true) errs.push(FieldError.notSupported('spec.jobTemplate.spec.manualSelector', true, ['nil', 'false']));
  errs.push(...validateJobSpec(jt.spec ?? {}, 'spec.jobTemplate.spec', false));
  return errs;
}

export function cronJobRow(cj: KubeObject, now: Date): unknown[] {
  const spec = cj.spec ?? {};
  const status = cj.status ?? {};
  const [containers, images] = layoutContainerCells(spec.jobTemplate?.spec?.template?.spec?.containers);
  return [cj.metadata.name, spec.schedule ?? '', spec.timeZone ?? '<none>', spec.suspend == null ? '<unset>' : spec.suspend ? 'True' : 'False',
    (status.active ?? []).length, status.lastScheduleTime ? translateTimestampSince(status.lastScheduleTime, now) : '<none>',
    translateTimestampSince(cj.metadata.creationTimestamp, now), containers, images, formatLabelSelector(spec.jobTemplate?.spec?.selector)];
}

export const cronjobs: ResourceDefinition = {
  ...resources.cronjobs,
  strategy: {
    hasGeneration: true,
    hasStatus: true,
    defaults: setCronJobDefaults,
    prepareForCreate(obj) { obj.status = {}; },
    prepareForStatusUpdate: keepSpec,
    validate(obj) {
      const errs = validateCronJobSpec(obj, false);
      // Job names are <cronjob>-<8+ digit minutes>; a Job name must be a 63-character DNS label.
      if ((obj.metadata.name ?? '').length > 52) errs.unshift(FieldError.invalid('metadata.name', obj.metadata.name, 'must be no more than 52 characters'));
      return errs;
    },
    validateUpdate: (newObj, oldObj) => validateCronJobSpec(newObj, String(oldObj.spec?.schedule ?? '').includes('TZ')),
    table: {
      columns: [
        nameColumn(),
        column('Schedule', 'string', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
        column('Timezone', 'string', 'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. If not specified, this will default to the time zone of the kube-controller-manager process. The set of valid time zone names and the time zone offset is loaded from the system-wide time zone database by the API server during CronJob validation and the controller manager during execution. If no system-wide time zone database can be found a bundled version of the database is used instead. If the time zone name becomes invalid during the lifetime of a CronJob or due to a change in host configuration, the controller will stop creating new new Jobs and will create a system event with the reason UnknownTimeZone. More information can be found in https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones'),
        column('Suspend', 'boolean', 'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false.'),
        column('Active', 'integer', 'A list of pointers to currently running jobs.'),
        column('Last Schedule', 'string', 'Information when was the last time the job was successfully scheduled.'),
        ageColumn(),
        ...containerColumns(),
        column('Selector', 'string', 'A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors', { priority: 1 }),
      ],
      row: cronJobRow,
    },
  },
};
