// Validation of a custom resource against its structural schema, with kube-openapi's error wording, e.g.
//   spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"
// (upstream k8s.io/apiextensions-apiserver/pkg/apiserver/validation + k8s.io/kube-openapi/pkg/validation).
import { FieldError } from '../../api/errors.js';
import { childPath, isObject, jsonTypeOf, propertySchema, type JSONSchemaProps } from './json-schema.js';

/** Errors of `value` (at `path`) against `s`. The root's metadata, apiVersion and kind are checked elsewhere. */
export function validateValue(s: JSONSchemaProps, value: unknown, path: string, errs: FieldError[] = []): FieldError[] {
  if (value === null) {
    if (!s.nullable && s.type !== undefined && !s['x-kubernetes-int-or-string'] && !s['x-kubernetes-preserve-unknown-fields']) {
      errs.push(FieldError.invalid(path, 'null', `${path} in body must be of type ${s.type}: "null"`));
    }
    return errs;
  }
  const t = jsonTypeOf(value);
  if (s['x-kubernetes-int-or-string']) {
    if (t !== 'integer' && t !== 'string') errs.push(FieldError.invalid(path, t, `${path} in body must be of type integer,string: "${t}"`));
  } else if (s.type && s.type !== t && !(s.type === 'number' && t === 'integer')) {
    errs.push(FieldError.invalid(path, t, `${path} in body must be of type ${s.type}: "${t}"`));
    return errs;
  }
  if (s.enum && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    errs.push(FieldError.notSupported(path, value, s.enum.map((e) => typeof e === 'string' ? e : JSON.stringify(e))));
  }
  if (typeof value === 'number') numberChecks(s, value, path, errs);
  if (typeof value === 'string') stringChecks(s, value, path, errs);
  if (Array.isArray(value)) {
    if (s.maxItems !== undefined && value.length > s.maxItems) errs.push(FieldError.invalid(path, value.length, `must have at most ${s.maxItems} items`));
    if (s.minItems !== undefined && value.length < s.minItems) errs.push(FieldError.invalid(path, value.length, `should have at least ${s.minItems} items`));
    if (s.uniqueItems || s['x-kubernetes-list-type'] === 'set') {
      const seen = new Set<string>();
      value.forEach((v, i) => { const k = JSON.stringify(v); if (seen.has(k)) errs.push(FieldError.duplicate(`${path}[${i}]`, v)); seen.add(k); });
    }
    if (s['x-kubernetes-list-type'] === 'map' && s['x-kubernetes-list-map-keys']?.length) {
      const keys = s['x-kubernetes-list-map-keys'];
      const seen = new Set<string>();
      value.forEach((v, i) => {
        if (!isObject(v)) return;
        const k = JSON.stringify(keys.map((key) => v[key]));
        if (seen.has(k)) errs.push(FieldError.duplicate(`${path}[${i}]`, Object.fromEntries(keys.map((key) => [key, v[key]]))));
        seen.add(k);
      });
    }
    if (s.items) value.forEach((v, i) => validateValue(s.items!, v, `${path}[${i}]`, errs));
  }
  if (isObject(value)) {
    const n = Object.keys(value).length;
    if (s.maxProperties !== undefined && n > s.maxProperties) errs.push(FieldError.invalid(path, n, `must have at most ${s.maxProperties} properties`));
    if (s.minProperties !== undefined && n < s.minProperties) errs.push(FieldError.invalid(path, n, `should have at least ${s.minProperties} properties`));
    for (const r of s.required ?? []) if (!(r in value)) errs.push(FieldError.required(childPath(path, r), ''));
    if (s['x-kubernetes-embedded-resource']) {
      // An embedded object is a Kubernetes object of its own: apiVersion and kind must be set (upstream objectmeta).
      if (typeof value.apiVersion !== 'string' || !value.apiVersion) errs.push(FieldError.required(childPath(path, 'apiVersion'), 'must not be empty'));
      if (typeof value.kind !== 'string' || !value.kind) errs.push(FieldError.required(childPath(path, 'kind'), 'must not be empty'));
    }
    for (const [k, v] of Object.entries(value)) {
      const child = propertySchema(s, k);
      if (child) validateValue(child, v, s.properties?.[k] ? childPath(path, k) : `${path}[${k}]`, errs);
    }
  }
  for (const sub of s.allOf ?? []) validateValue(sub, value, path, errs);
  if (s.anyOf?.length && !s.anyOf.some((sub) => validateValue(sub, value, path).length === 0)) {
    errs.push(FieldError.invalid(path, t, `${path} in body must match at least one schema (anyOf)`));
  }
  if (s.oneOf?.length && s.oneOf.filter((sub) => validateValue(sub, value, path).length === 0).length !== 1) {
    errs.push(FieldError.invalid(path, t, `${path} in body must match exactly one schema (oneOf)`));
  }
  if (s.not && validateValue(s.not, value, path).length === 0) errs.push(FieldError.invalid(path, t, `${path} in body should not match the schema`));
  return errs;
}

function numberChecks(s: JSONSchemaProps, v: number, path: string, errs: FieldError[]): void {
  if (s.maximum !== undefined && (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum)) {
    errs.push(FieldError.invalid(path, v, `should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${s.maximum}`));
  }
  if (s.minimum !== undefined && (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum)) {
    errs.push(FieldError.invalid(path, v, `should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${s.minimum}`));
  }
  if (s.multipleOf !== undefined && s.multipleOf > 0 && Math.abs(v / s.multipleOf - Math.round(v / s.multipleOf)) > 1e-9) {
    errs.push(FieldError.invalid(path, v, `should be a multiple of ${s.multipleOf}`));
  }
}

const formats: Record<string, RegExp> = {
  'date-time': /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/,
  date: /^\d{4}-\d{2}-\d{2}$/,
  email: /^[^@\s]+@[^@\s]+\.[^@\s]+$/,
  ipv4: /^((25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(25[0-5]|2[0-4]\d|1?\d?\d)$/,
  uuid: /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
  hostname: /^(?=.{1,253}$)[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)*$/,
  byte: /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/,
};

function stringChecks(s: JSONSchemaProps, v: string, path: string, errs: FieldError[]): void {
  const len = [...v].length;
  if (s.maxLength !== undefined && len > s.maxLength) errs.push(new FieldError('FieldValueTooLong', path, v, `may not be more than ${s.maxLength} bytes`));
  if (s.minLength !== undefined && len < s.minLength) errs.push(FieldError.invalid(path, v, `should be at least ${s.minLength} chars long`));
  if (s.pattern !== undefined) {
    let re: RegExp | undefined;
    try { re = new RegExp(s.pattern, 'u'); } catch { re = undefined; }
    if (re && !re.test(v)) errs.push(FieldError.invalid(path, v, `should match '${s.pattern}'`));
  }
  const f = s.format && formats[s.format];
  if (f && !f.test(v)) errs.push(FieldError.invalid(path, v, `${path} in body must be of type ${s.format}: ${JSON.stringify(v)}`));
}
