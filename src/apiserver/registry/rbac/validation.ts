// rbac.authorization.k8s.io/v1 validation, as upstream's pkg/apis/rbac/validation: rules need verbs and either
// apiGroups+resources or (cluster roles only) nonResourceURLs, never both; bindings name a role of an allowed
// kind in the rbac group, never change it, and name subjects of the three kinds with their apiGroup.
import type { KubeObject } from '../../../api/object.js';
import { FieldError } from '../../../api/errors.js';
import { isValidPathSegmentName, validateLabelSelector } from '../../../api/validation/index.js';
import { isDNS1123Label } from '../../../api/validation/names.js';
import { goStringSlice } from '../../../api/validation/go-value.js';

const RBAC = 'rbac.authorization.k8s.io';

export function validatePolicyRules(rules: any[] | undefined | null, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  (rules ?? []).forEach((r, i) => {
    const p = `rules[${i}]`;
    if (!r?.verbs?.length) errs.push(FieldError.required(`${p}.verbs`, 'verbs must contain at least one value'));
    if (r?.nonResourceURLs?.length) {
      if (namespaced) errs.push(FieldError.invalid(`${p}.nonResourceURLs`, goStringSlice(r.nonResourceURLs), 'namespaced rules cannot apply to non-resource URLs'));
      if (r.apiGroups?.length || r.resources?.length || r.resourceNames?.length) {
        errs.push(FieldError.invalid(`${p}.nonResourceURLs`, goStringSlice(r.nonResourceURLs), 'rules cannot apply to both regular resources and non-resource URLs'));
      }
      return;
    }
    if (!r?.apiGroups?.length) errs.push(FieldError.required(`${p}.apiGroups`, 'resource rules must supply at least one api group'));
    if (!r?.resources?.length) errs.push(FieldError.required(`${p}.resources`, 'resource rules must supply at least one resource'));
  });
  return errs;
}

export function validateAggregationRule(rule: any): FieldError[] {
  if (rule == null) return [];
  const sels = rule.clusterRoleSelectors;
  if (!sels?.length) return [FieldError.required('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil')];
  return sels.flatMap((s: any, i: number) => validateLabelSelector(s, `aggregationRule.clusterRoleSelectors[${i}]`));
}

export function validateRoleBinding(b: KubeObject, clusterBinding: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const ref = b.roleRef;
  if (ref?.apiGroup !== RBAC) errs.push(FieldError.notSupported('roleRef.apiGroup', ref?.apiGroup ?? '', [RBAC]));
  const kinds = clusterBinding ? ['ClusterRole'] : ['Role', 'ClusterRole'];
  if (!kinds.includes(ref?.kind)) errs.push(FieldError.notSupported('roleRef.kind', ref?.kind ?? '', kinds));
  if (!ref?.name) errs.push(FieldError.required('roleRef.name'));
  else for (const m of isValidPathSegmentName(ref.name)) errs.push(FieldError.invalid('roleRef.name', ref.name, m));
  ((b.subjects ?? []) as any[]).forEach((s, i) => errs.push(...validateSubject(s, clusterBinding, `subjects[${i}]`)));
  return errs;
}

function validateSubject(s: any, clusterBinding: boolean, p: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!s?.name) errs.push(FieldError.required(`${p}.name`));
  switch (s?.kind) {
    case 'ServiceAccount':
      if (s.name) for (const m of isDNS1123Subdomain(s.name)) errs.push(FieldError.invalid(`${p}.name`, s.name, m));
      if (s.apiGroup) errs.push(FieldError.notSupported(`${p}.apiGroup`, s.apiGroup, ['']));
      if (clusterBinding && !s.namespace) errs.push(FieldError.required(`${p}.namespace`));
      else if (s.namespace) for (const m of isDNS1123Label(s.namespace)) errs.push(FieldError.invalid(`${p}.namespace`, s.namespace, m));
      break;
    case 'User': case 'Group':
      if (s.apiGroup !== RBAC) errs.push(FieldError.notSupported(`${p}.apiGroup`, s.apiGroup ?? '', [RBAC]));
      break;
    default:
      errs.push(FieldError.notSupported(`${p}.kind`, s?.kind ?? '', ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

function isDNS1123Subdomain(v: string): string[] {
  return v.length > 253 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(v)
    ? ["a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"]
    : [];
}

/** roleRef is immutable (upstream ValidateRoleBindingUpdate). */
export function validateRoleRefUpdate(n: KubeObject, o: KubeObject): FieldError[] {
  const a = n.roleRef ?? {}, b = o.roleRef ?? {};
  if (a.apiGroup === b.apiGroup && a.kind === b.kind && a.name === b.name) return [];
  return [FieldError.invalid('roleRef', `{APIGroup:${JSON.stringify(a.apiGroup ?? '').slice(1, -1)}, Kind:${a.kind ?? ''}, Name:${a.name ?? ''}}`, 'cannot change roleRef')];
}

/** The Users/Groups/ServiceAccounts cells of a binding's Table row (upstream printers). */
export function subjectCells(b: KubeObject): [string, string, string] {
  const users: string[] = [], groups: string[] = [], sas: string[] = [];
  for (const s of (b.subjects ?? []) as any[]) {
    if (s.kind === 'User') users.push(s.name);
    else if (s.kind === 'Group') groups.push(s.name);
    else if (s.kind === 'ServiceAccount') sas.push(`${s.namespace ?? ''}/${s.name}`);
  }
  return [users.join(', '), groups.join(', '), sas.join(', ')];
}
