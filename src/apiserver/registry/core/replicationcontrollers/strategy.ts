// replicationcontrollers (core/v1): upstream's defaults (selector and labels from the template's labels, replicas 1),
// ValidateReplicationController with upstream's messages (the selector is a plain map and may change), status
// handling, and the NAME DESIRED CURRENT READY AGE table (CONTAINERS IMAGES SELECTOR wide).
import type { KubeObject } from '../../../../api/object.js';
import type { ResourceDefinition } from '../../types.js';
import { FieldError } from '../../../../api/errors.js';
import { formatLabels, goStringMap, invalidRaw, validateAnnotations, validateLabels } from '../../../../api/validation/index.js';
import { column, nameColumn, ageColumn, layoutContainerCells, containerColumns } from '../../printing.js';
import { translateTimestampSince } from '../../age.js';
import { setPodTemplateDefaults } from '../pods/pod-defaults.js';
import { validatePodSpec } from '../pods/pod-validation.js';
import { validateNonnegative, workloadStatusHandling } from '../../apps/workload.js';
import { resources } from '../../../../api/resources.js';

export function setReplicationControllerDefaults(rc: KubeObject): void {
  const spec = (rc.spec ??= {});
  const labels = spec.template?.metadata?.labels;
  if (labels != null) {
    if (Object.keys(spec.selector ?? {}).length === 0) spec.selector = { ...labels };
    if (Object.keys(rc.metadata.labels ?? {}).length === 0) rc.metadata.labels = { ...labels };
  }
  if (spec.replicas == null) spec.replicas = 1;
  setPodTemplateDefaults(spec.template);
}

const mapMatches = (selector: Record<string, string>, labels: Record<string, string> | undefined) =>
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);

export function validateReplicationController(rc: KubeObject): FieldError[] {
  const spec = rc.spec ?? {};
  const errs: FieldError[] = [];
  errs.push(...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  const selector: Record<string, string> = spec.selector ?? {};
  const empty = Object.keys(selector).length === 0;
  if (empty) errs.push(FieldError.required('spec.selector'));
  else errs.push(...validateLabels(selector, 'spec.selector'));
  errs.push(...validateNonnegative(spec.replicas, 'spec.replicas'));
  const t = spec.template;
  if (t == null) return [...errs, FieldError.required('spec.template')];
  if (!empty && !mapMatches(selector, t.metadata?.labels)) {
    errs.push(invalidRaw('spec.template.metadata.labels', goStringMap(t.metadata?.labels ?? null), 'selector does not match labels in spec.template'));
  }
  errs.push(...validateLabels(t.metadata?.labels, 'spec.template.metadata.labels'));
  errs.push(...validateAnnotations(t.metadata?.annotations, 'spec.template.metadata.annotations'));
  errs.push(...validatePodSpec(t.spec, 'spec.template.spec'));
  const restart = t.spec?.restartPolicy;
  if (restart && restart !== 'Always') errs.push(FieldError.notSupported('spec.template.spec.restartPolicy', restart, ['Always']));
  if (t.spec?.activeDeadlineSeconds != null) errs.push(FieldError.forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in ReplicationController is not Supported'));
  return errs;
}

export const replicationcontrollers: ResourceDefinition = {
  ...resources.replicationcontrollers,
  strategy: {
    hasGeneration: true,
    hasStatus: true,
    defaults: setReplicationControllerDefaults,
    prepareForCreate(obj) {
      obj.status = { replicas: 0 };
      obj.metadata.generation = 1;
    },
    ...workloadStatusHandling,
    validate: (obj) => validateReplicationController(obj),
    validateUpdate: (newObj) => validateReplicationController(newObj),
    fieldSelectors: { 'status.replicas': (o) => String(o.status?.replicas ?? 0) },
    table: {
      columns: [
        nameColumn(),
        column('Desired', 'integer', 'Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller'),
        column('Current', 'integer', 'Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller'),
        column('Ready', 'integer', 'The number of ready replicas for this replication controller.'),
        ageColumn(),
        ...containerColumns(),
        column('Selector', 'string', 'Selector is a label query over pods that should match the Replicas count. If Selector is empty, it is defaulted to the labels present on the Pod template. Label keys and values that must match in order to be controlled by this replication controller, if empty defaulted to labels on Pod template. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors', { priority: 1 }),
      ],
      row: (o, now) => {
        const [containers, images] = layoutContainerCells(o.spec?.template?.spec?.containers);
        return [o.metadata.name, o.spec?.replicas ?? 0, o.status?.replicas ?? 0, o.status?.readyReplicas ?? 0,
          translateTimestampSince(o.metadata.creationTimestamp, now), containers, images, formatLabels(o.spec?.selector)];
      },
    },
  },
};
