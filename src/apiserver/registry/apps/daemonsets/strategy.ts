// daemonsets (apps/v1): upstream's defaults (RollingUpdate maxUnavailable 1 maxSurge 0, revisionHistoryLimit 10),
// ValidateDaemonSet / ValidateDaemonSetUpdate with upstream's messages, the deprecated.daemonset.template.generation
// annotation (v1's form of spec.templateGeneration: 1 on create, +1 whenever the template changes), status handling,
// and the NAME DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE table.
import type { KubeObject } from '../../../../api/object.js';
import type { ResourceDefinition } from '../../types.js';
import { FieldError } from '../../../../api/errors.js';
import { RawValueFieldError, formatLabelSelector, formatLabels, goIntOrString, invalidRaw, semanticEqual } from '../../../../api/validation/index.js';
import { column, nameColumn, ageColumn, layoutContainerCells, containerColumns } from '../../printing.js';
import { translateTimestampSince } from '../../age.js';
import { setPodTemplateDefaults } from '../../core/pods/pod-defaults.js';
import { validateNonnegative, validateSelectorAndTemplate, workloadStatusHandling, validateSelectorUnchanged } from '../workload.js';
import { validateIntOrPercent, intOrPercentValue } from '../deployments/strategy.js';
import { resources } from '../../../../api/resources.js';

export const templateGenerationAnnotation = 'deprecated.daemonset.template.generation';

export function setDaemonSetDefaults(ds: KubeObject): void {
  const spec = (ds.spec ??= {});
  spec.updateStrategy ??= {};
  if (!spec.updateStrategy.type) spec.updateStrategy.type = 'RollingUpdate';
  if (spec.updateStrategy.type === 'RollingUpdate') {
    spec.updateStrategy.rollingUpdate ??= {};
    spec.updateStrategy.rollingUpdate.maxUnavailable ??= 1;
    spec.updateStrategy.rollingUpdate.maxSurge ??= 0;
  }
  if (spec.revisionHistoryLimit == null) spec.revisionHistoryLimit = 10;
  setPodTemplateDefaults(spec.template);
}

function isMoreThan100Percent(v: unknown, path: string): FieldError[] {
  return typeof v === 'string' && /^[0-9]+%$/.test(v) && Number(v.slice(0, -1)) > 100 ? [invalidRaw(path, goIntOrString(v), 'must not be greater than 100%')] : [];
}

function validateUpdateStrategy(us: any): FieldError[] {
  const errs: FieldError[] = [];
  const path = 'spec.updateStrategy';
  if (us?.type === 'OnDelete') return errs;
  if (us?.type === 'RollingUpdate') {
    const ru = us.rollingUpdate;
    if (ru == null) return [FieldError.required(`${path}.rollingUpdate`)];
    errs.push(...validateIntOrPercent(ru.maxUnavailable, `${path}.rollingUpdate.maxUnavailable`));
    errs.push(...validateIntOrPercent(ru.maxSurge, `${path}.rollingUpdate.maxSurge`));
    errs.push(...isMoreThan100Percent(ru.maxUnavailable, `${path}.rollingUpdate.maxUnavailable`));
    errs.push(...isMoreThan100Percent(ru.maxSurge, `${path}.rollingUpdate.maxSurge`));
    const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
    const hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
    if (hasUnavailable && hasSurge) errs.push(invalidRaw(`${path}.rollingUpdate.maxSurge`, goIntOrString(ru.maxSurge), 'may not be set when maxUnavailable is non-zero'));
    else if (!hasUnavailable && !hasSurge) errs.push(FieldError.required(`${path}.rollingUpdate.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
    return errs;
  }
  const ru = us?.rollingUpdate == null ? '(*apps.RollingUpdateDaemonSet)(nil)' : '&apps.RollingUpdateDaemonSet{...}';
  return [new RawValueFieldError('FieldValueNotSupported', path, `apps.DaemonSetUpdateStrategy{Type:${JSON.stringify(us?.type ?? '')}, RollingUpdate:${ru}}`, 'supported values: "RollingUpdate", "OnDelete"')];
}

export function validateDaemonSet(ds: KubeObject): FieldError[] {
  const spec = ds.spec ?? {};
  // ValidatePodTemplateSpec as the ReplicaSet's, with the DaemonSet's word in the activeDeadlineSeconds message.
  const errs = validateSelectorAndTemplate(spec, 'daemonset').map((e) => (e.field === 'spec.template.spec.activeDeadlineSeconds'
    ? FieldError.invalid(e.field, spec.template?.spec?.activeDeadlineSeconds, 'activeDeadlineSeconds in DaemonSet is not Supported') : e));
  errs.push(...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateUpdateStrategy(spec.updateStrategy));
  errs.push(...validateNonnegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  return errs;
}

export const daemonsets: ResourceDefinition = {
  ...resources.daemonsets,
  strategy: {
    hasGeneration: true,
    hasStatus: true,
    defaults: setDaemonSetDefaults,
    prepareForCreate(obj) {
      obj.status = { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
      obj.metadata.generation = 1;
      obj.metadata.annotations = { ...obj.metadata.annotations, [templateGenerationAnnotation]: '1' };
    },
    prepareForUpdate(newObj, oldObj) {
      workloadStatusHandling.prepareForUpdate(newObj, oldObj);
      const old = Number(oldObj.metadata.annotations?.[templateGenerationAnnotation] ?? 1) || 1;
      const next = semanticEqual(newObj.spec?.template, oldObj.spec?.template) ? old : old + 1;
      newObj.metadata.annotations = { ...newObj.metadata.annotations, [templateGenerationAnnotation]: String(next) };
    },
    prepareForStatusUpdate: workloadStatusHandling.prepareForStatusUpdate,
    validate: (obj) => validateDaemonSet(obj),
    validateUpdate: (newObj, oldObj) => [...validateDaemonSet(newObj), ...validateSelectorUnchanged(newObj, oldObj)],
    table: {
      columns: [
        nameColumn(),
        column('Desired', 'integer', 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod). More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/'),
        column('Current', 'integer', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod. More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/'),
        column('Ready', 'integer', 'numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.'),
        column('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
        column('Available', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)'),
        column('Node Selector', 'string', "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/"),
        ageColumn(),
        ...containerColumns(),
        column('Selector', 'string', "A label query over pods that are managed by the daemon set. Must match in order to be controlled. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", { priority: 1 }),
      ],
      row: (o, now) => {
        const s = o.status ?? {};
        const [containers, images] = layoutContainerCells(o.spec?.template?.spec?.containers);
        return [o.metadata.name, s.desiredNumberScheduled ?? 0, s.currentNumberScheduled ?? 0, s.numberReady ?? 0, s.updatedNumberScheduled ?? 0,
          s.numberAvailable ?? 0, formatLabels(o.spec?.template?.spec?.nodeSelector), translateTimestampSince(o.metadata.creationTimestamp, now),
          containers, images, formatLabelSelector(o.spec?.selector)];
      },
    },
  },
};
