// ingressclasses (networking.k8s.io/v1, cluster-scoped): spec.controller is a required, immutable domain-prefixed
// path; parameters default to scope Cluster and need a namespace exactly when scoped to a Namespace; the
// NAME CONTROLLER PARAMETERS AGE table as upstream's printers.
import type { KubeObject } from '../../../../api/object.js';
import type { ResourceDefinition } from '../../types.js';
import { column, nameColumn, ageColumn } from '../../printing.js';
import { translateTimestampSince } from '../../age.js';
import { resources } from '../../../../api/resources.js';
import { FieldError } from '../../../../api/errors.js';
import { isDNS1123Label, isDomainPrefixedPath, validateImmutableField } from '../../../../api/validation/index.js';
import { validateTypedLocalObjectReference } from '../ingresses/validation.js';

const MAX_CONTROLLER_LEN = 250;
const SCOPES = ['Cluster', 'Namespace'];

function validateIngressClass(ic: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const controller: string = ic.spec?.controller ?? '';
  if (controller.length > MAX_CONTROLLER_LEN) errs.push(new FieldError('FieldValueTooLong', 'spec.controller', controller, `may not be more than ${MAX_CONTROLLER_LEN} bytes`));
  if (!controller) errs.push(FieldError.required('spec.controller'));
  else for (const e of isDomainPrefixedPath(controller)) errs.push(FieldError.invalid('spec.controller', e.value, e.detail));
  const params = ic.spec?.parameters;
  if (params != null) {
    const p = 'spec.parameters';
    errs.push(...validateTypedLocalObjectReference(params, p));
    if (params.scope == null) errs.push(FieldError.required(`${p}.scope`));
    else if (!SCOPES.includes(params.scope)) errs.push(FieldError.notSupported(`${p}.scope`, params.scope, SCOPES));
    else if (params.scope === 'Namespace') {
      if (!params.namespace) errs.push(FieldError.required(`${p}.namespace`, "`parameters.scope` is set to 'Namespace'"));
      else for (const m of isDNS1123Label(params.namespace)) errs.push(FieldError.invalid(`${p}.namespace`, params.namespace, m));
    } else if (params.namespace) errs.push(FieldError.forbidden(`${p}.namespace`, "`parameters.scope` is set to 'Cluster'"));
  }
  return errs;
}

function formatParameters(ic: KubeObject): string {
  const p = ic.spec?.parameters;
  if (!p) return '<none>';
  const lookup = p.apiGroup != null ? `${p.apiGroup}/${p.kind}` : p.kind;
  return `${lookup}/${p.name}`;
}

export const ingressclasses: ResourceDefinition = {
  ...resources.ingressclasses,
  strategy: {
    hasGeneration: true,
    defaults(obj) {
      if (obj.spec?.parameters && obj.spec.parameters.scope == null) obj.spec.parameters.scope = 'Cluster';
    },
    prepareForCreate(obj) { obj.metadata.generation = 1; },
    validate: (obj) => validateIngressClass(obj),
    validateUpdate: (newObj, oldObj) => [...validateIngressClass(newObj), ...validateImmutableField(newObj.spec?.controller, oldObj.spec?.controller, 'spec.controller')],
    table: {
      columns: [
        nameColumn(),
        column('Controller', 'string', 'Controller that is responsible for handling this class'),
        column('Parameters', 'string', 'A reference to a resource with additional parameters'),
        ageColumn(),
      ],
      row: (o, now) => [o.metadata.name, o.spec?.controller ?? '', formatParameters(o), translateTimestampSince(o.metadata.creationTimestamp, now)],
    },
  },
};
