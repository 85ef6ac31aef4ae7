// jobs (batch/v1): upstream's defaults (SetDefaults_Job), the generated selector and labels (generateSelector),
// validation (ValidateJob, ValidateJobUpdate), status handling, the status.successful field selector, and the
// NAME STATUS COMPLETIONS DURATION AGE table (printJob).
import type { KubeObject } from '../../../../api/object.js';
import type { ResourceDefinition } from '../../types.js';
import { FieldError } from '../../../../api/errors.js';
import { formatLabelSelector } from '../../../../api/validation/index.js';
import { column, nameColumn, ageColumn, layoutContainerCells, containerColumns } from '../../printing.js';
import { humanDuration, translateTimestampSince } from '../../age.js';
import { resources } from '../../../../api/resources.js';
import { CONTROLLER_UID_LABEL, JOB_NAME_LABEL, LEGACY_CONTROLLER_UID_LABEL, LEGACY_JOB_NAME_LABEL } from '../../../../api/batch.js';
import { setJobSpecDefaults, validateJobSpec, validateJobSpecUpdate } from '../job-spec.js';
import { keepSpec } from '../../status-subresource.js';

export function setJobDefaults(job: KubeObject): void {
  const spec = (job.spec ??= {});
  setJobSpecDefaults(spec);
  copyTemplateLabels(job);
}

/** SetDefaults_Job: a Job without labels takes its template's. */
function copyTemplateLabels(job: KubeObject): void {
  const labels = job.spec?.template?.metadata?.labels;
  if (labels && Object.keys(job.metadata.labels ?? {}).length === 0) job.metadata.labels = { ...labels };
}

/**
 * generateSelector: unless spec.manualSelector, the pods carry the job's name and uid as labels (upstream's and the
 * legacy keys) and the selector is the uid, so the Job selects only its own pods. A conflicting user value is left
 * for validation to reject.
 */
export function generateSelector(job: KubeObject): void {
  const spec = job.spec;
  if (spec.manualSelector === true) return;
  const t = (spec.template ??= {});
  t.metadata ??= {};
  const labels = (t.metadata.labels ??= {});
  for (const k of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) labels[k] ??= job.metadata.name;
  for (const k of [LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL]) labels[k] ??= job.metadata.uid;
  spec.selector ??= {};
  spec.selector.matchLabels ??= {};
  spec.selector.matchLabels[CONTROLLER_UID_LABEL] ??= job.metadata.uid;
}

/** ValidateGeneratedSelector: a generated selector must select exactly this Job's uid. */
function validateGeneratedSelector(job: KubeObject): FieldError[] {
  const spec = job.spec ?? {};
  if (spec.manualSelector === true || spec.selector == null) return [];
  const errs: FieldError[] = [];
  const uid = job.metadata.uid;
  const labels = spec.template?.metadata?.labels ?? {};
  for (const k of [LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL]) {
    if (k in labels && labels[k] !== uid) errs.push(FieldError.invalid('spec.template.metadata.labels', labels, `\`selector\` not auto-generated`));
  }
  const ml = spec.selector.matchLabels ?? {};
  if (ml[CONTROLLER_UID_LABEL] !== uid) errs.push(FieldError.invalid('spec.selector', spec.selector, '`selector` not auto-generated'));
  return errs.slice(0, 1);
}

const hasCondition = (job: KubeObject, type: string) =>
  (job.status?.conditions ?? []).some((c: any) => c.type === type && c.status === 'True');

/** printJob's STATUS cell. */
export function jobStatusCell(job: KubeObject): string {
  if (hasCondition(job, 'Complete')) return 'Complete';
  if (hasCondition(job, 'Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp) return 'Terminating';
  if (hasCondition(job, 'Suspended')) return 'Suspended';
  if (hasCondition(job, 'FailureTarget')) return 'FailureTarget';
  if (hasCondition(job, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

export function jobRow(job: KubeObject, now: Date): unknown[] {
  const spec = job.spec ?? {};
  const status = job.status ?? {};
  const succeeded = status.succeeded ?? 0;
  let completions: string;
  if (spec.completions != null) completions = `${succeeded}/${spec.completions}`;
  else completions = (spec.parallelism ?? 0) > 1 ? `${succeeded}/1 of ${spec.parallelism}` : `${succeeded}/1`;
  let duration = '';
  const start = status.startTime ? Date.parse(status.startTime) : NaN;
  if (!Number.isNaN(start)) {
    const end = status.completionTime ? Date.parse(status.completionTime) : now.getTime();
    duration = humanDuration(end - start);
  }
  const [containers, images] = layoutContainerCells(spec.template?.spec?.containers);
  return [job.metadata.name, jobStatusCell(job), completions, duration, translateTimestampSince(job.metadata.creationTimestamp, now),
    containers, images, formatLabelSelector(spec.selector)];
}

export const jobs: ResourceDefinition = {
  ...resources.jobs,
  strategy: {
    hasGeneration: true,
    hasStatus: true,
    defaults: setJobDefaults,
    prepareForCreate(obj) {
      obj.status = {};
      generateSelector(obj);
      copyTemplateLabels(obj);
    },
    prepareForStatusUpdate: keepSpec,
    validate: (obj) => [...validateGeneratedSelector(obj), ...validateJobSpec(obj.spec ?? {}, 'spec', true)],
    validateUpdate: (newObj, oldObj) => [
      ...validateJobSpec(newObj.spec ?? {}, 'spec', true),
      ...validateJobSpecUpdate(newObj.spec ?? {}, oldObj.spec ?? {}, oldObj.status, 'spec'),
    ],
    fieldSelectors: { 'status.successful': (o) => String(o.status?.succeeded ?? 0) },
    table: {
      columns: [
        nameColumn(),
        column('Status', 'string', 'Status of the job.'),
        column('Completions', 'string', 'The number of pods which reached phase Succeeded. The value increases monotonically for a given spec. However, it may decrease in reaction to scale down of elastic indexed jobs.'),
        column('Duration', 'string', 'Time required to complete the job.'),
        ageColumn(),
        ...containerColumns(),
        column('Selector', 'string', 'A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors', { priority: 1 }),
      ],
      row: jobRow,
    },
  },
};
