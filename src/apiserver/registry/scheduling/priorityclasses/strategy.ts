// priorityclasses (scheduling.k8s.io/v1, cluster-scoped): names starting "system-" are reserved for the built-in
// classes, user values stay at or below 1,000,000,000, value and preemptionPolicy (default PreemptLowerPriority)
// are immutable; the NAME VALUE GLOBAL-DEFAULT AGE PREEMPTIONPOLICY table as upstream's printers. "Only one
// globalDefault" is the Priority admission plugin's check (admission/priority.ts), as upstream.
import type { KubeObject } from '../../../../api/object.js';
import type { ResourceDefinition } from '../../types.js';
import { column, nameColumn, ageColumn } from '../../printing.js';
import { translateTimestampSince } from '../../age.js';
import { resources } from '../../../../api/resources.js';
import { FieldError } from '../../../../api/errors.js';
import { validateImmutableField } from '../../../../api/validation/index.js';
import { HIGHEST_USER_DEFINABLE_PRIORITY, PREEMPTION_POLICIES, SYSTEM_PRIORITY_CLASS_PREFIX, knownSystemPriorityClassError } from '../../../../api/priority.js';

function validatePriorityClass(pc: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const name: string = pc.metadata.name ?? '';
  const value = typeof pc.value === 'number' ? pc.value : 0;
  if (name.startsWith(SYSTEM_PRIORITY_CLASS_PREFIX)) {
    const why = knownSystemPriorityClassError(name, value, pc.globalDefault === true);
    if (why) errs.push(FieldError.forbidden('metadata.name', `priority class names with '${SYSTEM_PRIORITY_CLASS_PREFIX}' prefix are reserved for system use only. error: ${why}`));
  } else if (value > HIGHEST_USER_DEFINABLE_PRIORITY) {
    errs.push(FieldError.forbidden('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`));
  }
  if (pc.preemptionPolicy != null && !PREEMPTION_POLICIES.includes(pc.preemptionPolicy)) {
    errs.push(FieldError.notSupported('preemptionPolicy', pc.preemptionPolicy, PREEMPTION_POLICIES));
  }
  return errs;
}

export const priorityclasses: ResourceDefinition = {
  ...resources.priorityclasses,
  strategy: {
    defaults(obj) {
      if (obj.preemptionPolicy == null) obj.preemptionPolicy = 'PreemptLowerPriority';
      if (obj.value == null) obj.value = 0;
    },
    validate: (obj) => validatePriorityClass(obj),
    validateUpdate(newObj, oldObj) {
      const errs = validatePriorityClass(newObj);
      if (newObj.value !== oldObj.value) errs.push(FieldError.forbidden('value', 'may not be changed in an update.'));
      errs.push(...validateImmutableField(newObj.preemptionPolicy, oldObj.preemptionPolicy, 'preemptionPolicy'));
      return errs;
    },
    table: {
      columns: [
        nameColumn(),
        column('Value', 'integer', 'value represents the integer value of this priority class. This is the actual priority that pods receive when they have the name of this class in their pod spec.'),
        column('Global-Default', 'boolean', 'globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class. Only one PriorityClass can be marked as `globalDefault`. However, if more than one PriorityClasses exists with their `globalDefault` field set to true, the smallest value of such global default PriorityClasses will be used as the default priority.'),
        ageColumn(),
        column('PreemptionPolicy', 'string', 'preemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset.'),
      ],
      row: (o, now) => [o.metadata.name, o.value ?? 0, o.globalDefault === true, translateTimestampSince(o.metadata.creationTimestamp, now), o.preemptionPolicy ?? ''],
    },
  },
};
