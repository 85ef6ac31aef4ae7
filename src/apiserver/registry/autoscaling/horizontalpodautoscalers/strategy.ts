// horizontalpodautoscalers (autoscaling/v2, also served as autoscaling/v1 and stored as v2): upstream's defaults
// (minReplicas 1; no metrics means 80 % CPU; a given behavior filled in with the default rules), validation, a
// status only the controller writes, and kubectl's NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE table.
import type { KubeObject } from '../../../../api/object.js';
import type { ResourceDefinition, Strategy } from '../../types.js';
import { column, nameColumn, ageColumn } from '../../printing.js';
import { translateTimestampSince } from '../../age.js';
import { resources } from '../../../../api/resources.js';
import { FieldError } from '../../../../api/errors.js';
import { hpaV1ToV2, hpaV2ToV1 } from './conversion.js';

const METRIC_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];
const TARGET_TYPES = ['AverageValue', 'Utilization', 'Value'];
const POLICY_TYPES = ['Percent', 'Pods'];
const SELECT_POLICIES = ['Disabled', 'Max', 'Min'];

/** upstream GenerateHPAScaleUpRules / GenerateHPAScaleDownRules: nil fields of a rule take the defaults. */
export function scaleUpRules(r: any = {}): any {
  return {
    stabilizationWindowSeconds: r.stabilizationWindowSeconds ?? 0,
    selectPolicy: r.selectPolicy ?? 'Max',
    policies: r.policies ?? [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }],
  };
}
export function scaleDownRules(r: any = {}): any {
  return {
    stabilizationWindowSeconds: r.stabilizationWindowSeconds ?? 300,
    selectPolicy: r.selectPolicy ?? 'Max',
    policies: r.policies ?? [{ type: 'Percent', value: 100, periodSeconds: 15 }],
  };
}

function defaults(obj: KubeObject): void {
  const spec = (obj.spec ??= {});
  spec.minReplicas ??= 1;
  if (!Array.isArray(spec.metrics) || spec.metrics.length === 0) {
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  }
  if (spec.behavior) spec.behavior = { scaleUp: scaleUpRules(spec.behavior.scaleUp), scaleDown: scaleDownRules(spec.behavior.scaleDown) };
}

const positive = (v: unknown, path: string): FieldError[] =>
  (typeof v === 'number' && v <= 0 ? [FieldError.invalid(path, v, 'must be greater than 0')] : []);

function validateTarget(t: any, path: string): FieldError[] {
  if (t == null) return [FieldError.required(path, 'must specify a metric target')];
  const errs: FieldError[] = [];
  if (!t.type) errs.push(FieldError.required(`${path}.type`, 'must specify a metric target type'));
  else if (!TARGET_TYPES.includes(t.type)) errs.push(FieldError.notSupported(`${path}.type`, t.type, TARGET_TYPES));
  errs.push(...positive(t.averageUtilization, `${path}.averageUtilization`));
  if (t.type === 'Utilization' && t.averageUtilization == null) errs.push(FieldError.required(`${path}.averageUtilization`, 'must set either a target raw value or a target utilization'));
  return errs;
}

function validateMetric(m: any, path: string): FieldError[] {
  if (!m?.type) return [FieldError.required(`${path}.type`, 'must specify a metric source type')];
  if (!METRIC_TYPES.includes(m.type)) return [FieldError.notSupported(`${path}.type`, m.type, METRIC_TYPES)];
  const key = m.type.charAt(0).toLowerCase() + m.type.slice(1);
  const src = m[key];
  if (src == null) return [FieldError.required(`${path}.${key}`, `must populate information for the given metric source`)];
  const errs: FieldError[] = [];
  if (m.type === 'Resource' || m.type === 'ContainerResource') {
    if (!src.name) errs.push(FieldError.required(`${path}.${key}.name`, 'must specify a resource name'));
    if (m.type === 'ContainerResource' && !src.container) errs.push(FieldError.required(`${path}.${key}.container`, 'must specify a container'));
  } else if (!src.metric?.name) errs.push(FieldError.required(`${path}.${key}.metric.name`, 'must specify a metric name'));
  errs.push(...validateTarget(src.target, `${path}.${key}.target`));
  return errs;
}

function validateRules(r: any, path: string): FieldError[] {
  if (r == null) return [];
  const errs: FieldError[] = [];
  const w = r.stabilizationWindowSeconds;
  if (typeof w === 'number' && (w < 0 || w > 3600)) errs.push(FieldError.invalid(`${path}.stabilizationWindowSeconds`, w, w < 0 ? 'must be greater than or equal to zero' : 'must be less than or equal to 3600'));
  if (r.selectPolicy != null && !SELECT_POLICIES.includes(r.selectPolicy)) errs.push(FieldError.notSupported(`${path}.selectPolicy`, r.selectPolicy, SELECT_POLICIES));
  if (Array.isArray(r.policies) && r.policies.length === 0 && r.selectPolicy !== 'Disabled') errs.push(FieldError.required(`${path}.policies`, 'must specify at least one Policy'));
  (r.policies ?? []).forEach((p: any, i: number) => {
    const pp = `${path}.policies[${i}]`;
    if (!POLICY_TYPES.includes(p?.type)) errs.push(FieldError.notSupported(`${pp}.type`, p?.type ?? '', POLICY_TYPES));
    errs.push(...positive(p?.value, `${pp}.value`));
    if (typeof p?.periodSeconds === 'number' && (p.periodSeconds <= 0 || p.periodSeconds > 1800)) {
      errs.push(FieldError.invalid(`${pp}.periodSeconds`, p.periodSeconds, p.periodSeconds <= 0 ? 'must be greater than zero' : 'must not be greater than 1800 seconds'));
    }
  });
  return errs;
}

/** upstream ValidateHorizontalPodAutoscalerSpec (autoscaling/v2 field names). */
export function validateHpaSpec(spec: any): FieldError[] {
  const s = spec ?? {};
  const errs: FieldError[] = [];
  const ref = s.scaleTargetRef ?? {};
  if (!ref.kind) errs.push(FieldError.required('spec.scaleTargetRef.kind'));
  if (!ref.name) errs.push(FieldError.required('spec.scaleTargetRef.name'));
  else if (/[/%]/.test(ref.name) || ref.name === '.' || ref.name === '..') errs.push(FieldError.invalid('spec.scaleTargetRef.name', ref.name, `may not contain '/' or '%'`));
  if (typeof s.minReplicas === 'number' && s.minReplicas < 1) errs.push(FieldError.invalid('spec.minReplicas', s.minReplicas, 'must be greater than or equal to 1'));
  if (typeof s.maxReplicas !== 'number' || s.maxReplicas < 1) errs.push(FieldError.invalid('spec.maxReplicas', s.maxReplicas ?? 0, 'must be greater than 0'));
  else if (typeof s.minReplicas === 'number' && s.maxReplicas < s.minReplicas) errs.push(FieldError.invalid('spec.maxReplicas', s.maxReplicas, 'must be greater than or equal to `minReplicas`'));
  (s.metrics ?? []).forEach((m: any, i: number) => errs.push(...validateMetric(m, `spec.metrics[${i}]`)));
  errs.push(...validateRules(s.behavior?.scaleUp, 'spec.behavior.scaleUp'), ...validateRules(s.behavior?.scaleDown, 'spec.behavior.scaleDown'));
  return errs;
}

/** kubectl's TARGETS cell (printers.go formatHPAMetrics): "cpu: 73%/50%", at most four, then "+ N more...". */
export function formatHpaTargets(spec: any, status: any): string {
  const metrics: any[] = spec?.metrics ?? [];
  if (metrics.length === 0) return '<none>';
  const current: any[] = status?.currentMetrics ?? [];
  const list = metrics.map((m, i) => {
    const cur = current[i];
    const key = m.type.charAt(0).toLowerCase() + m.type.slice(1);
    const src = m[key] ?? {};
    const t = src.target ?? {};
    const c = cur?.[key]?.current;
    if (m.type === 'Resource' || m.type === 'ContainerResource') {
      if (t.averageValue != null) return `${src.name}: ${c?.averageValue ?? '<unknown>'}/${t.averageValue}`;
      const now = c?.averageUtilization != null ? `${c.averageUtilization}%` : '<unknown>';
      return `${src.name}: ${now}/${t.averageUtilization != null ? `${t.averageUtilization}%` : '<auto>'}`;
    }
    if (t.averageValue != null) return `${c?.averageValue ?? '<unknown>'}/${t.averageValue}${m.type === 'Pods' ? '' : ' (avg)'}`;
    return `${c?.value ?? '<unknown>'}/${t.value ?? '<unset>'}`;
  });
  const more = list.length > 4 ? ` + ${list.length - 4} more...` : '';
  return list.slice(0, 4).join(', ') + more;
}

const strategy: Strategy = {
  hasGeneration: true,
  hasStatus: true,
  defaults,
  prepareForCreate(obj) { delete obj.status; },
  prepareForUpdate(newObj, oldObj) { if (oldObj.status) newObj.status = structuredClone(oldObj.status); else delete newObj.status; },
  validate: (obj) => validateHpaSpec(obj.spec),
  validateUpdate: (obj) => validateHpaSpec(obj.spec),
  table: {
    columns: [
      nameColumn(),
      column('Reference', 'string', 'The reference to the autoscaled resource.'),
      column('Targets', 'string', 'The target metrics the autoscaler scales on.'),
      column('MinPods', 'string', 'The lower limit for the number of pods that can be set by the autoscaler, default 1.'),
      column('MaxPods', 'integer', 'The upper limit for the number of pods that can be set by the autoscaler; cannot be smaller than MinReplicas.'),
      column('Replicas', 'integer', 'Current number of replicas of pods managed by this autoscaler.'),
      ageColumn(),
    ],
    row: (o, now) => [o.metadata.name, `${o.spec?.scaleTargetRef?.kind ?? ''}/${o.spec?.scaleTargetRef?.name ?? ''}`,
      formatHpaTargets(o.spec, o.status), o.spec?.minReplicas != null ? String(o.spec.minReplicas) : '<unset>', o.spec?.maxReplicas ?? 0,
      o.status?.currentReplicas ?? 0, translateTimestampSince(o.metadata.creationTimestamp, now)],
  },
};

export const horizontalpodautoscalers: ResourceDefinition = { ...resources.horizontalpodautoscalers, strategy };

/** autoscaling/v1: the same objects, converted on every read and write (conversion.ts); validated as v2. */
export const horizontalpodautoscalersV1: ResourceDefinition = {
  ...resources.horizontalpodautoscalersV1,
  strategy: {
    ...strategy,
    defaults: (obj) => { const v2 = hpaV1ToV2(obj); defaults(v2); Object.assign(obj, hpaV2ToV1(v2)); },
    validate: (obj) => validateHpaSpec(hpaV1ToV2(obj).spec),
    validateUpdate: (obj) => validateHpaSpec(hpaV1ToV2(obj).spec),
    table: { columns: strategy.table!.columns, row: (o, now) => strategy.table!.row(hpaV1ToV2(o), now) },
  },
  storage: { group: 'autoscaling', resource: 'horizontalpodautoscalers', toStorage: hpaV1ToV2, fromStorage: hpaV2ToV1 },
};
