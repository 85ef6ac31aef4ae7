// statefulsets (apps/v1): upstream's defaults (OrderedReady, RollingUpdate partition 0, PVC retention Retain/Retain,
// replicas 1, revisionHistoryLimit 10), ValidateStatefulSet / ValidateStatefulSetUpdate with upstream's messages,
// status handling, and the NAME READY AGE table (CONTAINERS IMAGES wide).
import type { KubeObject } from '../../../../api/object.js';
import type { ResourceDefinition } from '../../types.js';
import { FieldError } from '../../../../api/errors.js';
import {
  goLabelSelector, goStringMap, invalidRaw, isEmptySelector, selectorMatches, semanticEqual, validateAnnotations, validateLabelSelector, validateLabels,
} from '../../../../api/validation/index.js';
import { column, nameColumn, ageColumn, layoutContainerCells, containerColumns } from '../../printing.js';
import { translateTimestampSince } from '../../age.js';
import { setPodTemplateDefaults } from '../../core/pods/pod-defaults.js';
import { validateNonnegative, workloadStatusHandling } from '../workload.js';
import { validateIntOrPercent, intOrPercentValue } from '../deployments/strategy.js';
import { resources } from '../../../../api/resources.js';

export function setStatefulSetDefaults(sts: KubeObject): void {
  const spec = (sts.spec ??= {});
  if (!spec.podManagementPolicy) spec.podManagementPolicy = 'OrderedReady';
  spec.updateStrategy ??= {};
  if (!spec.updateStrategy.type) {
    spec.updateStrategy.type = 'RollingUpdate';
    spec.updateStrategy.rollingUpdate ??= {};
  }
  if (spec.updateStrategy.type === 'RollingUpdate' && spec.updateStrategy.rollingUpdate) {
    spec.updateStrategy.rollingUpdate.partition ??= 0;
  }
  spec.persistentVolumeClaimRetentionPolicy ??= {};
  spec.persistentVolumeClaimRetentionPolicy.whenDeleted ||= 'Retain';
  spec.persistentVolumeClaimRetentionPolicy.whenScaled ||= 'Retain';
  if (spec.replicas == null) spec.replicas = 1;
  if (spec.revisionHistoryLimit == null) spec.revisionHistoryLimit = 10;
  setPodTemplateDefaults(spec.template);
  // The embedded claims print as upstream's (apiVersion/kind of the embedded object, volumeMode, status Pending).
  for (const pvc of Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates : []) {
    if (!pvc || typeof pvc !== 'object') continue;
    pvc.apiVersion ??= 'v1';
    pvc.kind ??= 'PersistentVolumeClaim';
    pvc.metadata ??= {};
    if (!('creationTimestamp' in pvc.metadata)) pvc.metadata.creationTimestamp = null;
    pvc.spec ??= {};
    pvc.spec.volumeMode ??= 'Filesystem';
    pvc.status ??= { phase: 'Pending' };
  }
}

const retentionTypes = ['Retain', 'Delete'];

export function validateStatefulSet(sts: KubeObject): FieldError[] {
  const spec = sts.spec ?? {};
  const errs: FieldError[] = [];
  const pmp = spec.podManagementPolicy;
  if (!pmp) errs.push(FieldError.required('spec.podManagementPolicy'));
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel') errs.push(FieldError.invalid('spec.podManagementPolicy', pmp, "must be 'OrderedReady' or 'Parallel'"));
  const us = spec.updateStrategy ?? {};
  if (!us.type) errs.push(FieldError.required('spec.updateStrategy'));
  else if (us.type === 'OnDelete') {
    if (us.rollingUpdate != null) errs.push(invalidRaw('spec.updateStrategy.rollingUpdate', '&apps.RollingUpdateStatefulSetStrategy{...}', "only allowed for updateStrategy 'RollingUpdate'"));
  } else if (us.type === 'RollingUpdate') {
    const ru = us.rollingUpdate;
    if (ru != null) {
      errs.push(...validateNonnegative(ru.partition, 'spec.updateStrategy.rollingUpdate.partition'));
      if (ru.maxUnavailable != null) {
        const path = 'spec.updateStrategy.rollingUpdate.maxUnavailable';
        const e = validateIntOrPercent(ru.maxUnavailable, path);
        errs.push(...e);
        if (e.length === 0 && intOrPercentValue(ru.maxUnavailable) === 0) errs.push(FieldError.invalid(path, ru.maxUnavailable, 'must be greater than 0'));
      }
    }
  } else {
    errs.push(invalidRaw('spec.updateStrategy', `apps.StatefulSetUpdateStrategy{Type:${JSON.stringify(us.type)}, RollingUpdate:${us.rollingUpdate == null ? '(*apps.RollingUpdateStatefulSetStrategy)(nil)' : '&apps.RollingUpdateStatefulSetStrategy{...}'}}`, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  const rp = spec.persistentVolumeClaimRetentionPolicy;
  if (rp != null) {
    for (const f of ['whenDeleted', 'whenScaled']) {
      if (!retentionTypes.includes(rp[f])) errs.push(FieldError.notSupported(`spec.persistentVolumeClaimRetentionPolicy.${f}`, rp[f] ?? '', retentionTypes));
    }
  }
  errs.push(...validateNonnegative(spec.replicas, 'spec.replicas'));
  errs.push(...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  if (spec.ordinals != null) errs.push(...validateNonnegative(spec.ordinals.start, 'spec.ordinals.start'));
  const sel = spec.selector;
  if (sel == null) errs.push(FieldError.required('spec.selector'));
  else {
    errs.push(...validateLabelSelector(sel, 'spec.selector'));
    if (isEmptySelector(sel)) errs.push(invalidRaw('spec.selector', goLabelSelector(sel), 'empty selector is invalid for statefulset'));
  }
  // ValidatePodTemplateSpecForStatefulSet checks labels and annotations but not the pod spec (its volumeMounts may
  // name volumeClaimTemplates), and reports template labels at spec.template.labels, as upstream.
  const template = spec.template ?? {};
  const labels = template.metadata?.labels;
  // A missing selector matches no labels (upstream's labels.Nothing()), as for Deployments (../workload.ts).
  if (sel == null || (!isEmptySelector(sel) && !selectorMatches(sel, labels))) {
    errs.push(invalidRaw('spec.template.metadata.labels', goStringMap(labels ?? null), '`selector` does not match template `labels`'));
  }
  errs.push(...validateLabels(labels, 'spec.template.labels'));
  errs.push(...validateAnnotations(template.metadata?.annotations, 'spec.template.annotations'));
  const restart = template.spec?.restartPolicy;
  if (restart !== 'Always') errs.push(FieldError.notSupported('spec.template.spec.restartPolicy', restart ?? '', ['Always']));
  if (template.spec?.activeDeadlineSeconds != null) errs.push(FieldError.forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in StatefulSet is not Supported'));
  (Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates : []).forEach((pvc: any, i: number) => {
    if (!pvc?.metadata?.name) errs.push(FieldError.required(`spec.volumeClaimTemplates[${i}].metadata.name`, 'name or generateName is required'));
  });
  errs.push(...validateNonnegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  return errs;
}

/** The spec fields an update may change (ValidateStatefulSetUpdate). */
const mutableSpecFields = ['replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

export function validateStatefulSetUpdate(newObj: KubeObject, oldObj: KubeObject): FieldError[] {
  const errs = validateStatefulSet(newObj);
  const strip = (spec: any) => Object.fromEntries(Object.entries(spec ?? {}).filter(([k]) => !mutableSpecFields.includes(k)));
  if (!semanticEqual(strip(newObj.spec), strip(oldObj.spec))) {
    errs.push(FieldError.forbidden('spec', "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
  }
  return errs;
}

export const statefulsets: ResourceDefinition = {
  ...resources.statefulsets,
  strategy: {
    hasGeneration: true,
    hasStatus: true,
    defaults: setStatefulSetDefaults,
    prepareForCreate(obj) {
      obj.status = { replicas: 0, availableReplicas: 0 };
      obj.metadata.generation = 1;
    },
    ...workloadStatusHandling,
    validate: (obj) => validateStatefulSet(obj),
    validateUpdate: (newObj, oldObj) => validateStatefulSetUpdate(newObj, oldObj),
    table: {
      columns: [
        nameColumn(),
        column('Ready', 'string', 'Number of the pod with ready state'),
        ageColumn(),
        ...containerColumns(),
      ],
      row: (o, now) => {
        const [containers, images] = layoutContainerCells(o.spec?.template?.spec?.containers);
        return [o.metadata.name, `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`, translateTimestampSince(o.metadata.creationTimestamp, now), containers, images];
      },
    },
  },
};
