// deployments (apps/v1): defaults (RollingUpdate 25%/25%, revisionHistoryLimit 10, progressDeadlineSeconds 600,
// replicas 1, pod template defaults), validation incl. the immutable selector, status handling, and the
// NAME READY UP-TO-DATE AVAILABLE AGE table.
import type { KubeObject } from '../../../../api/object.js';
import type { ResourceDefinition } from '../../types.js';
import { FieldError } from '../../../../api/errors.js';
import { RawValueFieldError, goIntOrString, invalidRaw, selectorString } from '../../../../api/validation/index.js';
import { column, nameColumn, ageColumn, layoutContainerCells, containerColumns } from '../../printing.js';
import { translateTimestampSince } from '../../age.js';
import { setPodTemplateDefaults } from '../../core/pods/pod-defaults.js';
import { validateNonnegative, validateSelectorAndTemplate, workloadStatusHandling, validateSelectorUnchanged } from '../workload.js';
import { resources } from '../../../../api/resources.js';

export function setDeploymentDefaults(d: KubeObject): void {
  const spec = (d.spec ??= {});
  if (spec.replicas == null) spec.replicas = 1;
  spec.strategy ??= {};
  if (!spec.strategy.type) spec.strategy.type = 'RollingUpdate';
  if (spec.strategy.type === 'RollingUpdate') {
    spec.strategy.rollingUpdate ??= {};
    spec.strategy.rollingUpdate.maxUnavailable ??= '25%';
    spec.strategy.rollingUpdate.maxSurge ??= '25%';
  }
  if (spec.revisionHistoryLimit == null) spec.revisionHistoryLimit = 10;
  if (spec.progressDeadlineSeconds == null) spec.progressDeadlineSeconds = 600;
  setPodTemplateDefaults(spec.template);
}

const PERCENT = /^[0-9]+%$/;
/** ValidatePositiveIntOrPercent (values print as Go's %#v of an IntOrString). */
export function validateIntOrPercent(v: unknown, path: string): FieldError[] {
  if (typeof v === 'string') {
    return PERCENT.test(v) ? [] : [invalidRaw(path, goIntOrString(v), "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")];
  }
  if (typeof v === 'number') return validateNonnegative(v, path);
  return [invalidRaw(path, goIntOrString(v), "must be an integer or percentage (e.g '5%')")];
}
export const intOrPercentValue = (v: unknown) => (typeof v === 'string' ? (PERCENT.test(v) ? Number(v.slice(0, -1)) : 0) : Number(v ?? 0));

function validateStrategy(strategy: any): FieldError[] {
  const errs: FieldError[] = [];
  const type = strategy?.type;
  const path = 'spec.strategy';
  if (type === 'Recreate') {
    if (strategy.rollingUpdate != null) errs.push(FieldError.forbidden(`${path}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'"));
  } else if (type === 'RollingUpdate') {
    const ru = strategy.rollingUpdate;
    if (ru == null) errs.push(FieldError.required(`${path}.rollingUpdate`, 'this should be defaulted and never be nil'));
    else {
      errs.push(...validateIntOrPercent(ru.maxUnavailable, `${path}.rollingUpdate.maxUnavailable`));
      errs.push(...validateIntOrPercent(ru.maxSurge, `${path}.rollingUpdate.maxSurge`));
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
        errs.push(invalidRaw(`${path}.rollingUpdate.maxUnavailable`, goIntOrString(ru.maxUnavailable), 'may not be 0 when `maxSurge` is 0'));
      }
      if (typeof ru.maxUnavailable === 'string' && PERCENT.test(ru.maxUnavailable) && Number(ru.maxUnavailable.slice(0, -1)) > 100) {
        errs.push(invalidRaw(`${path}.rollingUpdate.maxUnavailable`, goIntOrString(ru.maxUnavailable), 'must not be greater than 100%'));
      }
    }
  } else {
    const ru = strategy?.rollingUpdate == null ? '(*apps.RollingUpdateDeployment)(nil)' : '&apps.RollingUpdateDeployment{...}';
    errs.push(new RawValueFieldError('FieldValueNotSupported', path, `apps.DeploymentStrategy{Type:${JSON.stringify(type ?? '')}, RollingUpdate:${ru}}`, 'supported values: "Recreate", "RollingUpdate"'));
  }
  return errs;
}

export function validateDeployment(d: KubeObject): FieldError[] {
  const spec = d.spec ?? {};
  const errs = [...validateNonnegative(spec.replicas, 'spec.replicas'), ...validateSelectorAndTemplate(spec, 'deployment')];
  errs.push(...validateStrategy(spec.strategy));
  errs.push(...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateNonnegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  if (spec.progressDeadlineSeconds != null) {
    errs.push(...validateNonnegative(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'));
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
      errs.push(FieldError.invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

export function deploymentRow(d: KubeObject, now: Date): unknown[] {
  const spec = d.spec ?? {};
  const status = d.status ?? {};
  const [containers, images] = layoutContainerCells(spec.template?.spec?.containers);
  return [d.metadata.name, `${status.readyReplicas ?? 0}/${spec.replicas ?? 0}`, status.updatedReplicas ?? 0, status.availableReplicas ?? 0,
    translateTimestampSince(d.metadata.creationTimestamp, now), containers, images, selectorString(spec.selector)];
}

export const deployments: ResourceDefinition = {
  ...resources.deployments,
  strategy: {
    hasGeneration: true,
    hasStatus: true,
    defaults: setDeploymentDefaults,
    prepareForCreate(obj) {
      obj.status = {};
      obj.metadata.generation = 1;
    },
    ...workloadStatusHandling,
    validate: (obj) => validateDeployment(obj),
    validateUpdate: (newObj, oldObj) => [...validateDeployment(newObj), ...validateSelectorUnchanged(newObj, oldObj)],
    table: {
      columns: [
        nameColumn(),
        column('Ready', 'string', 'Number of the pod with ready state'),
        column('Up-to-date', 'string', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
        column('Available', 'string', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
        ageColumn(),
        ...containerColumns(),
        column('Selector', 'string', 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment. It must match the pod template\'s labels.', { priority: 1 }),
      ],
      row: deploymentRow,
    },
  },
};
