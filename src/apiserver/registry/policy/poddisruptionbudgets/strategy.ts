// poddisruptionbudgets (policy/v1): upstream's validation (minAvailable xor maxUnavailable, each a non-negative
// integer or a percentage up to 100%, the selector, unhealthyPodEvictionPolicy), a status only the disruption
// controller writes (through /status), and the NAME MIN AVAILABLE MAX UNAVAILABLE ALLOWED DISRUPTIONS AGE table.
import type { KubeObject } from '../../../../api/object.js';
import type { ResourceDefinition } from '../../types.js';
import { column, nameColumn, ageColumn } from '../../printing.js';
import { translateTimestampSince } from '../../age.js';
import { resources } from '../../../../api/resources.js';
import { FieldError } from '../../../../api/errors.js';
import { goIntOrString, invalidRaw, validateLabelSelector } from '../../../../api/validation/index.js';
import { validateIntOrPercent } from '../../apps/deployments/strategy.js';
import { validateNonnegative } from '../../apps/workload.js';

export const UNHEALTHY_POD_EVICTION_POLICIES = ['AlwaysAllow', 'IfHealthyBudget'];

/** IsNotMoreThan100Percent. */
function notMoreThan100Percent(v: unknown, path: string): FieldError[] {
  if (typeof v !== 'string' || !/^[0-9]+%$/.test(v)) return [];
  return Number(v.slice(0, -1)) <= 100 ? [] : [invalidRaw(path, goIntOrString(v), 'must not be greater than 100%')];
}

const goPtr = (v: unknown) => (v == null ? 'nil' : '(*intstr.IntOrString)(0x0)');

export function validatePodDisruptionBudgetSpec(spec: any, path = 'spec'): FieldError[] {
  const errs: FieldError[] = [];
  const s = spec ?? {};
  if (s.minAvailable != null && s.maxUnavailable != null) {
    errs.push(invalidRaw(path, `policy.PodDisruptionBudgetSpec{MinAvailable:${goPtr(s.minAvailable)}, Selector:${s.selector == null ? '(*v1.LabelSelector)(nil)' : '(*v1.LabelSelector)(0x0)'}, MaxUnavailable:${goPtr(s.maxUnavailable)}, UnhealthyPodEvictionPolicy:${s.unhealthyPodEvictionPolicy == null ? '(*policy.UnhealthyPodEvictionPolicyType)(nil)' : '(*policy.UnhealthyPodEvictionPolicyType)(0x0)'}}`,
      'minAvailable and maxUnavailable cannot be both set'));
  }
  for (const f of ['minAvailable', 'maxUnavailable']) {
    if (s[f] == null) continue;
    errs.push(...validateIntOrPercent(s[f], `${path}.${f}`), ...notMoreThan100Percent(s[f], `${path}.${f}`));
  }
  errs.push(...validateLabelSelector(s.selector, `${path}.selector`));
  if (s.unhealthyPodEvictionPolicy != null && !UNHEALTHY_POD_EVICTION_POLICIES.includes(s.unhealthyPodEvictionPolicy)) {
    errs.push(FieldError.notSupported(`${path}.unhealthyPodEvictionPolicy`, s.unhealthyPodEvictionPolicy, UNHEALTHY_POD_EVICTION_POLICIES));
  }
  return errs;
}

function validateStatus(status: any): FieldError[] {
  const st = status ?? {};
  return ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods']
    .flatMap((f) => validateNonnegative(st[f], `status.${f}`));
}

const emptyStatus = () => ({ disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 });

const intOrStringCell = (v: unknown) => (v == null ? 'N/A' : String(v));

export const poddisruptionbudgets: ResourceDefinition = {
  ...resources.poddisruptionbudgets,
  strategy: {
    hasGeneration: true,
    hasStatus: true,
    prepareForCreate(obj) { obj.status = emptyStatus(); },
    prepareForUpdate(newObj, oldObj) { newObj.status = structuredClone(oldObj.status ?? emptyStatus()); },
    validate: (obj) => validatePodDisruptionBudgetSpec(obj.spec),
    validateUpdate: (newObj: KubeObject) => [...validatePodDisruptionBudgetSpec(newObj.spec), ...validateStatus(newObj.status)],
    table: {
      columns: [
        nameColumn(),
        column('Min Available', 'string', 'The minimum number or percentage of available pods this budget requires.'),
        column('Max Unavailable', 'string', 'The maximum number or percentage of unavailable pods this budget requires.'),
        column('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
        ageColumn(),
      ],
      row: (o, now) => [o.metadata.name, intOrStringCell(o.spec?.minAvailable), intOrStringCell(o.spec?.maxUnavailable),
        o.status?.disruptionsAllowed ?? 0, translateTimestampSince(o.metadata.creationTimestamp, now)],
    },
  },
};
