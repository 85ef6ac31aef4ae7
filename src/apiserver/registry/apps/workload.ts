// Validation shared by Deployments and ReplicaSets (upstream apps/validation): selector, template, replicas.
import { FieldError } from '../../../api/errors.js';
import {
  goLabelSelector, goStringMap, invalidRaw, isEmptySelector, selectorMatches, validateLabelSelector, validateLabels, validateAnnotations, semanticEqual,
} from '../../../api/validation/index.js';
import type { KubeObject } from '../../../api/object.js';
import { validatePodSpec } from '../core/pods/pod-validation.js';
import { keepSpec, keepStatus } from '../status-subresource.js';

export function validateNonnegative(value: unknown, path: string): FieldError[] {
  return typeof value === 'number' && value < 0 ? [FieldError.invalid(path, value, 'must be greater than or equal to 0')] : [];
}

/** Selector and template checks of ValidateDeploymentSpec / ValidateReplicaSetSpec. `kind` is "deployment" or "replicaset". */
export function validateSelectorAndTemplate(spec: any, kind: string): FieldError[] {
  const errs: FieldError[] = [];
  const sel = spec?.selector;
  if (sel == null) errs.push(FieldError.required('spec.selector'));
  else {
    errs.push(...validateLabelSelector(sel, 'spec.selector'));
    if (isEmptySelector(sel)) errs.push(invalidRaw('spec.selector', goLabelSelector(sel), `empty selector is invalid for ${kind}`));
  }
  // The template is a struct upstream: a missing one validates as an empty template.
  const template = spec?.template ?? {};
  const labels = template.metadata?.labels;
  // Upstream matches the template against LabelSelectorAsSelector(selector): a missing selector is labels.Nothing()
  // (matches no labels, so this error follows "spec.selector: Required value"), an empty one labels.Everything().
  if (sel == null || (!isEmptySelector(sel) && !selectorMatches(sel, labels))) {
    errs.push(invalidRaw('spec.template.metadata.labels', goStringMap(labels ?? null), '`selector` does not match template `labels`'));
  }
  errs.push(...validateLabels(labels, 'spec.template.metadata.labels'));
  errs.push(...validateAnnotations(template.metadata?.annotations, 'spec.template.metadata.annotations'));
  errs.push(...validatePodSpec(template.spec, 'spec.template.spec'));
  const rp = template.spec?.restartPolicy;
  if (rp && rp !== 'Always') errs.push(FieldError.notSupported('spec.template.spec.restartPolicy', rp, ['Always']));
  if (template.spec?.activeDeadlineSeconds != null) errs.push(FieldError.invalid('spec.template.spec.activeDeadlineSeconds', template.spec.activeDeadlineSeconds, 'activeDeadlineSeconds in ReplicaSet is not Supported'));
  return errs;
}

/**
 * The status handling apps/v1 workloads share (upstream's deployment and replicaset strategies): a main-resource
 * write keeps the stored status; a status write keeps the stored spec and labels; the selector is immutable.
 */
export const workloadStatusHandling = {
  prepareForUpdate: keepStatus,
  prepareForStatusUpdate(newObj: KubeObject, oldObj: KubeObject): void {
    keepSpec(newObj, oldObj);
    if (oldObj.metadata.labels) newObj.metadata.labels = structuredClone(oldObj.metadata.labels);
    else delete newObj.metadata.labels;
  },
};

/** apps/v1 selectors are immutable: the error upstream gives when an update changes one. */
export function validateSelectorUnchanged(newObj: KubeObject, oldObj: KubeObject): FieldError[] {
  if (semanticEqual(newObj.spec?.selector, oldObj.spec?.selector)) return [];
  return [invalidRaw('spec.selector', goLabelSelector(newObj.spec?.selector), 'field is immutable')];
}
