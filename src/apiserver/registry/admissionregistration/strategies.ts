// validatingadmissionpolicies and validatingadmissionpolicybindings (admissionregistration.k8s.io/v1, cluster-scoped,
// category api-extensions): upstream's defaults and validation (./validation.ts), a policy's status only written
// through /status, and kubectl 1.32's columns (NAME VALIDATIONS PARAMKIND AGE; NAME POLICYNAME PARAMREF AGE).
// The plugin that enforces them is admission/policy/validating-admission-policy.ts.
import type { ResourceDefinition } from '../types.js';
import { column, nameColumn, ageColumn } from '../printing.js';
import { translateTimestampSince } from '../age.js';
import { resources } from '../../../api/resources.js';
import { defaultBinding, defaultPolicy, goLabelSelectorString, validateBinding, validatePolicy } from './validation.js';

export const validatingadmissionpolicies: ResourceDefinition = {
  ...resources.validatingadmissionpolicies,
  strategy: {
    hasGeneration: true,
    hasStatus: true,
    defaults: defaultPolicy,
    prepareForCreate(obj) { delete obj.status; },
    prepareForUpdate(newObj, oldObj) { if (oldObj.status === undefined) delete newObj.status; else newObj.status = structuredClone(oldObj.status); },
    validate: (obj) => validatePolicy(obj),
    validateUpdate: (newObj, oldObj) => validatePolicy(newObj, oldObj),
    table: {
      columns: [
        nameColumn(),
        column('Validations', 'integer', 'Validations indicates the number of validation rules defined in this configuration'),
        column('ParamKind', 'string', 'ParamKind specifies the kind of resources used to parameterize this policy'),
        ageColumn(),
      ],
      row: (o, now) => [o.metadata.name, (o.spec?.validations ?? []).length,
        o.spec?.paramKind ? `${o.spec.paramKind.apiVersion ?? ''}/${o.spec.paramKind.kind ?? ''}` : '<unset>',
        translateTimestampSince(o.metadata.creationTimestamp, now)],
    },
  },
};

function paramRefCell(pr: any): string {
  if (!pr) return '<unset>';
  if (pr.name) return pr.namespace ? `${pr.namespace}/${pr.name}` : `*/${pr.name}`;
  if (pr.selector) return goLabelSelectorString(pr.selector);
  return '<unset>';
}

export const validatingadmissionpolicybindings: ResourceDefinition = {
  ...resources.validatingadmissionpolicybindings,
  strategy: {
    hasGeneration: true,
    defaults: defaultBinding,
    validate: (obj) => validateBinding(obj),
    table: {
      columns: [
        nameColumn(),
        column('PolicyName', 'string', 'PolicyName indicates the policy definition which the policy binding binded to'),
        column('ParamRef', 'string', 'ParamRef indicates the param resource which sets the configration param'),
        ageColumn(),
      ],
      row: (o, now) => [o.metadata.name, o.spec?.policyName ?? '', paramRefCell(o.spec?.paramRef), translateTimestampSince(o.metadata.creationTimestamp, now)],
    },
  },
};
