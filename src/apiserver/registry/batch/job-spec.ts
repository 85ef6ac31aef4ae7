// Defaulting and validation of a JobSpec (upstream pkg/apis/batch/v1/defaults.go SetDefaults_Job and
// pkg/apis/batch/validation ValidateJobSpec / ValidateJobSpecUpdate), shared by Jobs and CronJobs' jobTemplate.
import { FieldError } from '../../../api/errors.js';
import {
  goLabelSelector, goStringMap, invalidRaw, isEmptySelector, selectorMatches, validateLabelSelector, validateLabels, validateAnnotations,
  semanticEqual, validateImmutableField,
} from '../../../api/validation/index.js';
import { validatePodSpec } from '../core/pods/pod-validation.js';
import { setPodTemplateDefaults } from '../core/pods/pod-defaults.js';

const MAX_INT32 = 2147483647;
/** Upstream's completions/parallelism limit for Indexed Jobs (maxParallelismForIndexedJob, maxCompletionsForIndexedJob). */
const MAX_INDEXED = 100000;

/** SetDefaults_Job: everything but the job's own labels (which come from the template, see the jobs strategy). */
export function setJobSpecDefaults(spec: any): void {
  if (spec.completions == null && spec.parallelism == null) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  if (spec.parallelism == null) spec.parallelism = 1;
  if (spec.backoffLimit == null) spec.backoffLimit = spec.backoffLimitPerIndex != null ? MAX_INT32 : 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  if (spec.podFailurePolicy?.rules) {
    for (const rule of spec.podFailurePolicy.rules) for (const c of rule?.onPodConditions ?? []) c.status ??= 'True';
  }
  spec.podReplacementPolicy ??= spec.podFailurePolicy != null ? 'Failed' : 'TerminatingOrFailed';
  spec.manualSelector ??= false;
  spec.template ??= {};
  setPodTemplateDefaults(spec.template);
}

const nonnegative = (v: unknown, path: string): FieldError[] =>
  typeof v === 'number' && v < 0 ? [FieldError.invalid(path, v, 'must be greater than or equal to 0')] : [];

function validatePodFailurePolicy(spec: any, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const rules = spec.podFailurePolicy?.rules;
  if (!Array.isArray(rules)) return [FieldError.required(`${path}.rules`)];
  rules.forEach((rule: any, i: number) => {
    const p = `${path}.rules[${i}]`;
    const actions = ['Count', 'FailIndex', 'FailJob', 'Ignore'];
    if (!actions.includes(rule?.action)) errs.push(FieldError.notSupported(`${p}.action`, rule?.action ?? '', actions));
    if (rule?.action === 'FailIndex' && spec.backoffLimitPerIndex == null) {
      errs.push(FieldError.invalid(`${p}.action`, rule.action, 'requires the backoffLimitPerIndex to be set'));
    }
    const hasCodes = rule?.onExitCodes != null, hasConds = rule?.onPodConditions != null;
    if (hasCodes && hasConds) errs.push(FieldError.invalid(p, 'specifying both OnExitCodes and OnPodConditions is not supported', 'specifying both OnExitCodes and OnPodConditions is not supported'));
    else if (!hasCodes && !hasConds) errs.push(FieldError.invalid(p, 'specifying one of OnExitCodes and OnPodConditions is required', 'specifying one of OnExitCodes and OnPodConditions is required'));
    if (hasCodes) {
      const ops = ['In', 'NotIn'];
      if (!ops.includes(rule.onExitCodes.operator)) errs.push(FieldError.notSupported(`${p}.onExitCodes.operator`, rule.onExitCodes.operator ?? '', ops));
      const values: unknown[] = rule.onExitCodes.values ?? [];
      if (values.length === 0) errs.push(FieldError.required(`${p}.onExitCodes.values`, 'at least one value is required'));
      if (rule.onExitCodes.operator === 'In') values.forEach((v, j) => {
        if (v === 0) errs.push(FieldError.invalid(`${p}.onExitCodes.values[${j}]`, v, 'must not be 0 for the In operator'));
      });
    }
    if (hasConds) (rule.onPodConditions as any[]).forEach((c, j) => {
      const statuses = ['False', 'True', 'Unknown'];
      if (!statuses.includes(c?.status)) errs.push(FieldError.notSupported(`${p}.onPodConditions[${j}].status`, c?.status ?? '', statuses));
      if (!c?.type) errs.push(FieldError.required(`${p}.onPodConditions[${j}].type`));
    });
  });
  return errs;
}

/**
 * ValidateJobSpec. `requireSelector` is false for a CronJob's jobTemplate (its selector is generated when the Job is
 * created).
 */
export function validateJobSpec(spec: any, path: string, requireSelector: boolean): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...nonnegative(spec.parallelism, `${path}.parallelism`));
  errs.push(...nonnegative(spec.completions, `${path}.completions`));
  errs.push(...nonnegative(spec.activeDeadlineSeconds, `${path}.activeDeadlineSeconds`));
  errs.push(...nonnegative(spec.backoffLimit, `${path}.backoffLimit`));
  errs.push(...nonnegative(spec.ttlSecondsAfterFinished, `${path}.ttlSecondsAfterFinished`));
  errs.push(...nonnegative(spec.backoffLimitPerIndex, `${path}.backoffLimitPerIndex`));
  errs.push(...nonnegative(spec.maxFailedIndexes, `${path}.maxFailedIndexes`));
  const modes = ['NonIndexed', 'Indexed'];
  if (spec.completionMode != null && !modes.includes(spec.completionMode)) errs.push(FieldError.notSupported(`${path}.completionMode`, spec.completionMode, modes));
  if (spec.completionMode === 'Indexed') {
    if (spec.completions == null) errs.push(FieldError.required(`${path}.completions`, 'when completion mode is Indexed'));
    else if (spec.completions > MAX_INDEXED) errs.push(FieldError.invalid(`${path}.completions`, spec.completions, `must be less than or equal to ${MAX_INDEXED} when completion mode is Indexed`));
    if (typeof spec.parallelism === 'number' && spec.parallelism > MAX_INDEXED) errs.push(FieldError.invalid(`${path}.parallelism`, spec.parallelism, `must be less than or equal to ${MAX_INDEXED} when completion mode is Indexed`));
  }
  if (spec.backoffLimitPerIndex != null && spec.completionMode !== 'Indexed') {
    errs.push(FieldError.required(`${path}.completionMode`, 'when backoffLimitPerIndex is specified, completionMode must be "Indexed"'));
  }
  if (spec.maxFailedIndexes != null && spec.backoffLimitPerIndex == null) {
    errs.push(FieldError.required(`${path}.backoffLimitPerIndex`, 'when maxFailedIndexes is specified'));
  }
  const policies = ['Failed', 'TerminatingOrFailed'];
  if (spec.podReplacementPolicy != null) {
    if (spec.podFailurePolicy != null && spec.podReplacementPolicy !== 'Failed') errs.push(FieldError.notSupported(`${path}.podReplacementPolicy`, spec.podReplacementPolicy, ['Failed']));
    else if (!policies.includes(spec.podReplacementPolicy)) errs.push(FieldError.notSupported(`${path}.podReplacementPolicy`, spec.podReplacementPolicy, policies));
  }
  if (spec.podFailurePolicy != null) errs.push(...validatePodFailurePolicy(spec, `${path}.podFailurePolicy`));

  const sel = spec.selector;
  const template = spec.template ?? {};
  const labels = template.metadata?.labels;
  if (sel == null) {
    if (requireSelector) errs.push(FieldError.required(`${path}.selector`));
  } else {
    errs.push(...validateLabelSelector(sel, `${path}.selector`));
    if (!isEmptySelector(sel) && !selectorMatches(sel, labels)) {
      errs.push(invalidRaw(`${path}.template.metadata.labels`, goStringMap(labels ?? null), '`selector` does not match template `labels`'));
    }
  }
  errs.push(...validateLabels(labels, `${path}.template.metadata.labels`));
  errs.push(...validateAnnotations(template.metadata?.annotations, `${path}.template.metadata.annotations`));
  errs.push(...validatePodSpec(template.spec, `${path}.template.spec`));
  const rp = template.spec?.restartPolicy;
  if (rp !== 'OnFailure' && rp !== 'Never') errs.push(FieldError.notSupported(`${path}.template.spec.restartPolicy`, rp ?? '', ['OnFailure', 'Never']));
  else if (rp === 'OnFailure' && spec.podFailurePolicy != null) {
    errs.push(FieldError.invalid(`${path}.template.spec.restartPolicy`, rp, 'only "Never" is supported when podFailurePolicy is specified'));
  }
  return errs;
}

/** The scheduling directives a suspended Job that never started may change (upstream's AllowMutableSchedulingDirectives). */
function withoutSchedulingDirectives(template: any): any {
  const t = structuredClone(template ?? {});
  if (t.metadata) { delete t.metadata.labels; delete t.metadata.annotations; }
  if (t.spec) { delete t.spec.nodeSelector; delete t.spec.affinity; delete t.spec.tolerations; delete t.spec.schedulingGates; }
  return t;
}

/** ValidateJobSpecUpdate: what may not change once a Job exists. */
export function validateJobSpecUpdate(spec: any, old: any, oldStatus: any, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!semanticEqual(spec.selector, old.selector)) errs.push(invalidRaw(`${path}.selector`, goLabelSelector(spec.selector), 'field is immutable'));
  const mutableScheduling = old.suspend === true && oldStatus?.startTime == null;
  const sameTemplate = mutableScheduling
    ? semanticEqual(withoutSchedulingDirectives(spec.template), withoutSchedulingDirectives(old.template))
    : semanticEqual(spec.template, old.template);
  if (!sameTemplate) errs.push(invalidRaw(`${path}.template`, 'core.PodTemplateSpec{...}', 'field is immutable'));
  errs.push(...validateImmutableField(spec.completionMode, old.completionMode, `${path}.completionMode`));
  errs.push(...validateImmutableField(spec.podFailurePolicy, old.podFailurePolicy, `${path}.podFailurePolicy`));
  errs.push(...validateImmutableField(spec.backoffLimitPerIndex, old.backoffLimitPerIndex, `${path}.backoffLimitPerIndex`));
  // Elastic Indexed Jobs may change completions together with parallelism.
  const elastic = spec.completionMode === 'Indexed' && spec.completions === spec.parallelism;
  if (!elastic) errs.push(...validateImmutableField(spec.completions, old.completions, `${path}.completions`));
  return errs;
}
