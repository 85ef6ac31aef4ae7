// admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding: upstream's
// defaults (SetDefaults_ValidatingAdmissionPolicySpec, SetDefaults_MatchResources, SetDefaults_Rule) and validation
// (pkg/apis/admissionregistration/validation), messages included. Expressions are compiled when a policy is written
// (compile errors are refused; expressions already stored are not compiled again on update, as upstream).
import { FieldError } from '../../../api/errors.js';
import {
  invalidRaw, isDNS1035Label, isDNS1123Subdomain, isQualifiedName, isValidPathSegmentName, validateLabelSelector, type LabelSelector,
} from '../../../api/validation/index.js';
import { compileErrors, type PolicySpec } from '../../admission/policy/compile.js';

const FAILURE_POLICIES = ['Fail', 'Ignore'];
const MATCH_POLICIES = ['Equivalent', 'Exact'];
const OPERATIONS = ['*', 'CONNECT', 'CREATE', 'DELETE', 'UPDATE'];
const SCOPES = ['*', 'Cluster', 'Namespaced'];
const REASONS = ['Forbidden', 'Invalid', 'RequestEntityTooLarge'];
const ACTIONS = ['Audit', 'Deny', 'Warn'];

const goSlice = (type: string, l: unknown[]) => `[]${type}{${l.map((x) => JSON.stringify(x)).join(', ')}}`;

function defaultMatchResources(m: any): void {
  if (!m || typeof m !== 'object') return;
  m.matchPolicy ??= 'Equivalent';
  m.namespaceSelector ??= {};
  m.objectSelector ??= {};
  for (const r of [...(m.resourceRules ?? []), ...(m.excludeResourceRules ?? [])]) if (r && typeof r === 'object') r.scope ??= '*';
}

export function defaultPolicy(obj: any): void {
  obj.spec = obj.spec && typeof obj.spec === 'object' ? obj.spec : {};
  obj.spec.failurePolicy ??= 'Fail';
  defaultMatchResources(obj.spec.matchConstraints);
}

export function defaultBinding(obj: any): void {
  obj.spec = obj.spec && typeof obj.spec === 'object' ? obj.spec : {};
  defaultMatchResources(obj.spec.matchResources);
}

function validateResources(resources: string[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const list = resources ?? [];
  if (!list.length) errs.push(FieldError.required(path, ''));
  const resWild = new Set<string>();
  const subWild = new Set<string>();
  let doubleWild = false; let singleWild = false; let withoutSub = false;
  list.forEach((rs, i) => {
    if (rs === '') { errs.push(FieldError.required(`${path}[${i}]`, '')); return; }
    if (rs === '*/*') doubleWild = true;
    if (rs === '*') singleWild = true;
    const at = rs.indexOf('/');
    if (at < 0) { withoutSub = rs !== '*'; return; }
    const res = rs.slice(0, at); const sub = rs.slice(at + 1);
    if (resWild.has(res)) errs.push(FieldError.invalid(`${path}[${i}]`, rs, `if '${res}/*' is present, must not specify ${rs}`));
    if (subWild.has(sub)) errs.push(FieldError.invalid(`${path}[${i}]`, rs, `if '*/${sub}' is present, must not specify ${rs}`));
    if (sub === '*') resWild.add(res);
    if (res === '*') subWild.add(sub);
  });
  if (list.length > 1 && doubleWild) errs.push(invalidRaw(path, goSlice('string', list), "if '*/*' is present, must not specify other resources"));
  if (singleWild && withoutSub) errs.push(invalidRaw(path, goSlice('string', list), "if '*' is present, must not specify other resources without subresources"));
  return errs;
}

function validateRule(rule: any, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const ops: string[] = rule.operations ?? [];
  if (!ops.length) errs.push(FieldError.required(`${path}.operations`, ''));
  if (ops.length > 1 && ops.includes('*')) errs.push(invalidRaw(`${path}.operations`, goSlice('admissionregistration.OperationType', ops), "if '*' is present, must not specify other operations"));
  ops.forEach((o, i) => { if (!OPERATIONS.includes(o)) errs.push(FieldError.notSupported(`${path}.operations[${i}]`, o, OPERATIONS)); });
  const groups: string[] = rule.apiGroups ?? [];
  if (!groups.length) errs.push(FieldError.required(`${path}.apiGroups`, ''));
  if (groups.length > 1 && groups.includes('*')) errs.push(invalidRaw(`${path}.apiGroups`, goSlice('string', groups), "if '*' is present, must not specify other API groups"));
  const versions: string[] = rule.apiVersions ?? [];
  if (!versions.length) errs.push(FieldError.required(`${path}.apiVersions`, ''));
  if (versions.length > 1 && versions.includes('*')) errs.push(invalidRaw(`${path}.apiVersions`, goSlice('string', versions), "if '*' is present, must not specify other API versions"));
  versions.forEach((v, i) => { if (v === '') errs.push(FieldError.required(`${path}.apiVersions[${i}]`, '')); });
  errs.push(...validateResources(rule.resources, `${path}.resources`));
  if (rule.scope != null && !SCOPES.includes(rule.scope)) errs.push(FieldError.notSupported(`${path}.scope`, rule.scope, SCOPES));
  return errs;
}

function validateNamedRule(rule: any, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (rule?.resourceNames ?? []).forEach((n: string, i: number) => {
    for (const m of isValidPathSegmentName(n)) errs.push(FieldError.invalid(`${path}.resourceNames[${i}]`, n, m));
    if (seen.has(n)) errs.push(FieldError.duplicate(`${path}.resourceNames[${i}]`, n)); else seen.add(n);
  });
  return [...errs, ...validateRule(rule ?? {}, path)];
}

function validateMatchResources(m: any, path: string): FieldError[] {
  if (m == null) return [];
  const errs: FieldError[] = [];
  if (m.matchPolicy == null) errs.push(FieldError.required(`${path}.matchPolicy`, ''));
  else if (!MATCH_POLICIES.includes(m.matchPolicy)) errs.push(FieldError.notSupported(`${path}.matchPolicy`, m.matchPolicy, MATCH_POLICIES));
  for (const f of ['namespaceSelector', 'objectSelector']) {
    if (m[f] == null) errs.push(FieldError.required(`${path}.${f}`, ''));
    else errs.push(...validateLabelSelector(m[f] as LabelSelector, `${path}.${f}`));
  }
  (m.resourceRules ?? []).forEach((r: any, i: number) => errs.push(...validateNamedRule(r, `${path}.resourceRules[${i}]`)));
  (m.excludeResourceRules ?? []).forEach((r: any, i: number) => errs.push(...validateNamedRule(r, `${path}.excludeResourceRules[${i}]`)));
  return errs;
}

function validateParamKind(pk: any, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const apiVersion: string = pk.apiVersion ?? '';
  if (!apiVersion) errs.push(FieldError.required(`${path}.apiVersion`, ''));
  else {
    const parts = apiVersion.split('/');
    if (parts.length > 2) errs.push(FieldError.invalid(`${path}.apiVersion`, apiVersion, `unexpected GroupVersion string: ${apiVersion}`));
    else {
      const [group, version] = parts.length === 1 ? ['', parts[0]] : parts;
      if (group) { const m = isDNS1123Subdomain(group); if (m.length) errs.push(FieldError.invalid(`${path}.apiVersion`, group, m.join(','))); }
      if (!version) errs.push(FieldError.invalid(`${path}.apiVersion`, apiVersion, 'version must be specified'));
      else { const m = isDNS1035Label(version); if (m.length) errs.push(FieldError.invalid(`${path}.apiVersion`, version, m.join(','))); }
    }
  }
  if (!pk.kind) errs.push(FieldError.required(`${path}.kind`, ''));
  else { const m = isDNS1035Label(String(pk.kind).toLowerCase()); if (m.length) errs.push(FieldError.invalid(`${path}.kind`, pk.kind, 'may have mixed case, but should otherwise match: ' + m.join(','))); }
  return errs;
}

const CEL_RESERVED = new Set(['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import',
  'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);
const isCelIdentifier = (n: string) => /^[_a-zA-Z][_a-zA-Z0-9]*$/.test(n) && !CEL_RESERVED.has(n);

/** Expressions of the stored policy (an update does not compile them again). */
function expressionsOf(spec: PolicySpec | undefined): Set<string> {
  const s = new Set<string>();
  for (const v of spec?.validations ?? []) { if (v.expression) s.add(v.expression); if (v.messageExpression) s.add(v.messageExpression); }
  for (const m of spec?.matchConditions ?? []) if (m.expression) s.add(m.expression);
  for (const v of spec?.variables ?? []) if (v.expression) s.add(v.expression);
  for (const a of spec?.auditAnnotations ?? []) if (a.valueExpression) s.add(a.valueExpression.trim());
  return s;
}

export function validatePolicy(obj: any, old?: any): FieldError[] {
  const errs: FieldError[] = [];
  const spec = obj.spec ?? {};
  const name: string = obj.metadata?.name ?? '';
  if (spec.failurePolicy == null) errs.push(FieldError.required('spec.failurePolicy', ''));
  else if (!FAILURE_POLICIES.includes(spec.failurePolicy)) errs.push(FieldError.notSupported('spec.failurePolicy', spec.failurePolicy, FAILURE_POLICIES));
  if (spec.paramKind != null) errs.push(...validateParamKind(spec.paramKind, 'spec.paramKind'));
  if (spec.matchConstraints == null) errs.push(FieldError.required('spec.matchConstraints', ''));
  else {
    errs.push(...validateMatchResources(spec.matchConstraints, 'spec.matchConstraints'));
    if (!spec.matchConstraints.resourceRules?.length) errs.push(FieldError.required('spec.matchConstraints.resourceRules', ''));
  }
  const conditions: any[] = spec.matchConditions ?? [];
  if (conditions.length > 64) errs.push(invalidRaw('spec.matchConditions', String(conditions.length), 'must have at most 64 items'));
  const names = new Set<string>();
  conditions.forEach((m, i) => {
    const p = `spec.matchConditions[${i}]`;
    if (!String(m?.expression ?? '').trim()) errs.push(FieldError.required(`${p}.expression`, ''));
    if (!m?.name) errs.push(FieldError.required(`${p}.name`, ''));
    else {
      for (const msg of isQualifiedName(m.name)) errs.push(FieldError.invalid(`${p}.name`, m.name, msg));
      if (names.has(m.name)) errs.push(FieldError.duplicate(`${p}.name`, m.name)); else names.add(m.name);
    }
  });
  (spec.variables ?? []).forEach((v: any, i: number) => {
    const p = `spec.variables[${i}]`;
    if (!String(v?.name ?? '').trim()) errs.push(FieldError.required(`${p}.name`, 'name is not specified'));
    else if (!isCelIdentifier(v.name)) errs.push(FieldError.invalid(`${p}.name`, v.name, 'name is not a valid CEL identifier'));
    if (!String(v?.expression ?? '').trim()) errs.push(FieldError.required(`${p}.expression`, 'expression is not specified'));
  });
  const validations: any[] = spec.validations ?? [];
  const annotations: any[] = spec.auditAnnotations ?? [];
  if (!validations.length && !annotations.length) {
    errs.push(FieldError.required('spec.validations', 'validations or auditAnnotations must contain at least one item'));
    errs.push(FieldError.required('spec.auditAnnotations', 'validations or auditAnnotations must contain at least one item'));
  }
  validations.forEach((v, i) => {
    const p = `spec.validations[${i}]`;
    if (!String(v?.expression ?? '').trim()) errs.push(FieldError.required(`${p}.expression`, 'expression is not specified'));
    if (typeof v?.messageExpression === 'string' && v.messageExpression.length > 0 && !v.messageExpression.trim()) {
      errs.push(FieldError.invalid(`${p}.messageExpression`, v.messageExpression, 'must be non-empty if specified'));
    }
    if (typeof v?.message === 'string' && v.message.length > 0 && !v.message.trim()) errs.push(FieldError.invalid(`${p}.message`, v.message, 'message must be non-empty if specified'));
    else if (typeof v?.message === 'string' && /[\n\r]/.test(v.message.trim())) errs.push(FieldError.invalid(`${p}.message`, v.message, 'message must not contain line breaks'));
    if (v?.reason != null && !REASONS.includes(v.reason)) errs.push(FieldError.notSupported(`${p}.reason`, v.reason, REASONS));
  });
  if (annotations.length > 20) errs.push(invalidRaw('spec.auditAnnotations', `[]admissionregistration.AuditAnnotation{...}`, 'must not have more than 20 auditAnnotations'));
  const keys = new Set<string>();
  annotations.forEach((a, i) => {
    const p = `spec.auditAnnotations[${i}]`;
    if (name) for (const msg of isQualifiedName(`${name}/${a?.key ?? ''}`)) errs.push(FieldError.invalid(`${p}.key`, `${name}/${a?.key ?? ''}`, msg));
    else errs.push(FieldError.invalid(`${p}.key`, a?.key ?? '', 'requires metadata.name be non-empty'));
    const ve = String(a?.valueExpression ?? '').trim();
    if (!ve) errs.push(FieldError.required(`${p}.valueExpression`, 'valueExpression is not specified'));
    else if (ve.length > 5 * 1024) errs.push(FieldError.required(`${p}.valueExpression`, `must not exceed ${5 * 1024} bytes in length`));
    if (keys.has(a?.key)) errs.push(FieldError.duplicate(`${p}.key`, a?.key)); else keys.add(a?.key);
  });
  const stored = old ? expressionsOf(old.spec) : new Set<string>();
  const paramKindChanged = old && JSON.stringify(old.spec?.paramKind) !== JSON.stringify(spec.paramKind);
  for (const e of compileErrors(spec)) {
    if (!paramKindChanged && stored.has(String(e.value))) continue;
    errs.push(e);
  }
  return errs;
}

export function validateBinding(obj: any): FieldError[] {
  const errs: FieldError[] = [];
  const spec = obj.spec ?? {};
  if (!spec.policyName) errs.push(FieldError.required('spec.policyName', ''));
  else for (const m of isDNS1123Subdomain(spec.policyName)) errs.push(FieldError.invalid('spec.policyName', spec.policyName, m));
  const pr = spec.paramRef;
  if (pr != null) {
    const p = 'spec.paramRef';
    if (pr.name) {
      for (const m of isValidPathSegmentName(pr.name)) errs.push(FieldError.invalid(`${p}.name`, pr.name, m));
      if (pr.selector != null) errs.push(FieldError.forbidden(`${p}.name`, 'name and selector are mutually exclusive'));
    }
    if (pr.selector != null) {
      errs.push(...validateLabelSelector(pr.selector, `${p}.selector`));
      if (pr.name) errs.push(FieldError.forbidden(`${p}.selector`, 'name and selector are mutually exclusive'));
    }
    if (!pr.name && pr.selector == null) errs.push(FieldError.required(p, 'one of name or selector must be specified'));
    if (!pr.parameterNotFoundAction) errs.push(FieldError.required(`${p}.parameterNotFoundAction`, ''));
    else if (!['Deny', 'Allow'].includes(pr.parameterNotFoundAction)) errs.push(FieldError.notSupported(`${p}.parameterNotFoundAction`, pr.parameterNotFoundAction, ['Deny', 'Allow']));
  }
  // upstream's path has this spelling
  errs.push(...validateMatchResources(spec.matchResources, 'spec.matchResouces'));
  const actions: string[] = spec.validationActions ?? [];
  const seen = new Set<string>();
  actions.forEach((a, i) => {
    if (!ACTIONS.includes(a)) errs.push(FieldError.notSupported(`spec.validationActions[${i}]`, a, ACTIONS));
    if (seen.has(a)) errs.push(FieldError.duplicate(`spec.validationActions[${i}]`, a));
    seen.add(a);
  });
  if (seen.has('Deny') && seen.has('Warn')) {
    errs.push(invalidRaw('spec.validationActions', goSlice('admissionregistration.ValidationAction', actions),
      'must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)'));
  }
  if (!seen.size) errs.push(FieldError.required('spec.validationActions', 'at least one validation action is required'));
  return errs;
}

/** Go's generated String() of a metav1.LabelSelector (what upstream's binding table prints for a paramRef selector). */
export function goLabelSelectorString(sel: LabelSelector): string {
  const labels = Object.keys(sel.matchLabels ?? {}).sort().map((k) => `${k}: ${sel.matchLabels![k]},`).join('');
  const exprs = (sel.matchExpressions ?? []).map((r) => `LabelSelectorRequirement{Key:${r.key},Operator:${r.operator},Values:[${(r.values ?? []).join(' ')}],},`).join('');
  return `&LabelSelector{MatchLabels:map[string]string{${labels}},MatchExpressions:[]LabelSelectorRequirement{${exprs}},}`;
}
