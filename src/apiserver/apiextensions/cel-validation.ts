// x-kubernetes-validations: CEL rules evaluated where they are declared in a custom resource's schema, `self` bound
// to the value there and `oldSelf` to the stored one on update (transition rules run only when an old value
// exists, unless optionalOldSelf). Upstream: k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel.
// Rules compile in the apiserver's one CEL environment (apiserver/cel/environment.ts), shared with
// ValidatingAdmissionPolicy.
import { FieldError } from '../../api/errors.js';
import { compile, type CelProgram } from '../cel/environment.js';
import { childPath, isObject, jsonTypeOf, propertySchema, type JSONSchemaProps, type ValidationRule } from './json-schema.js';

/** The compiled rule, or the compiler's message. Compiled rules are shared across CRDs (same text, same program). */
export function compileRule(rule: string): { program?: CelProgram; error?: string } {
  return compile(rule);
}

/** Whether the rule reads oldSelf (a transition rule). */
const usesOldSelf = (rule: string) => /\boldSelf\b/.test(rule);

/** A JSON value as CEL sees it: integers of integer-typed fields as int (BigInt), the rest as is. */
function toCel(s: JSONSchemaProps | undefined, v: unknown): unknown {
  if (typeof v === 'number') return Number.isInteger(v) && s?.type !== 'number' ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map((x) => toCel(s?.items, x));
  if (isObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = toCel(s ? propertySchema(s, k) : undefined, x);
    return out;
  }
  return v;
}

/** Whether a schema (or anything under it) declares rules, so values without any are not walked. */
const hasRulesMemo = new WeakMap<JSONSchemaProps, boolean>();
export function hasRules(s: JSONSchemaProps | undefined): boolean {
  if (!s) return false;
  let r = hasRulesMemo.get(s);
  if (r === undefined) {
    r = !!s['x-kubernetes-validations']?.length || Object.values(s.properties ?? {}).some(hasRules)
      || (typeof s.additionalProperties === 'object' && hasRules(s.additionalProperties)) || hasRules(s.items);
    hasRulesMemo.set(s, r);
  }
  return r;
}

/** Errors of every x-kubernetes-validations rule under `s` for `value` (and `old`, the stored value, on update). */
export function validateRules(s: JSONSchemaProps, value: unknown, old: unknown, path: string, errs: FieldError[] = []): FieldError[] {
  if (!hasRules(s) || value === undefined || value === null) return errs;
  for (const r of s['x-kubernetes-validations'] ?? []) checkRule(r, s, value, old, path, errs);
  if (Array.isArray(value) && s.items) {
    // Old items correlate only for map lists (by key) upstream; elsewhere transition rules see no old value.
    const keys = s['x-kubernetes-list-type'] === 'map' ? s['x-kubernetes-list-map-keys'] ?? [] : undefined;
    value.forEach((v, i) => {
      let o: unknown;
      if (keys && Array.isArray(old) && isObject(v)) o = old.find((x) => isObject(x) && keys.every((k) => JSON.stringify(x[k]) === JSON.stringify(v[k])));
      validateRules(s.items!, v, o, `${path}[${i}]`, errs);
    });
  } else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      const child = propertySchema(s, k);
      if (child) validateRules(child, v, isObject(old) ? old[k] : undefined, s.properties?.[k] ? childPath(path, k) : `${path}[${k}]`, errs);
    }
  }
  return errs;
}

function checkRule(r: ValidationRule, s: JSONSchemaProps, value: unknown, old: unknown, path: string, errs: FieldError[]): void {
  const transition = usesOldSelf(r.rule);
  if (transition && old === undefined && !r.optionalOldSelf) return;
  const { program, error } = compileRule(r.rule);
  const at = r.fieldPath ? path + r.fieldPath : path;
  if (!program) { errs.push(FieldError.invalid(at, jsonTypeOf(value), `rule compile error: ${error}`)); return; }
  let ok: unknown;
  const vars: Record<string, unknown> = { self: toCel(s, value) };
  if (transition) vars.oldSelf = old === undefined ? undefined : toCel(s, old);
  try { ok = program(vars); } catch { ok = false; }
  if (ok === true) return;
  errs.push(ruleError(r, at, jsonTypeOf(value), vars));
}

/** The error a failed rule reports: messageExpression's text, else message, else "failed rule: <rule>"; typed by reason. */
function ruleError(r: ValidationRule, at: string, type: string, vars: Record<string, unknown>): FieldError {
  let message = r.message ?? `failed rule: ${r.rule}`;
  if (r.messageExpression) {
    const { program } = compileRule(r.messageExpression);
    try {
      const m = program?.(vars);
      if (typeof m === 'string' && m.trim() && !m.includes('\n')) message = m;
    } catch { /* upstream falls back to message */ }
  }
  switch (r.reason) {
    case 'FieldValueForbidden': return FieldError.forbidden(at, message);
    case 'FieldValueRequired': return FieldError.required(at, message);
    case 'FieldValueDuplicate': return new FieldError('FieldValueDuplicate', at, type, message);
    default: return FieldError.invalid(at, type, message);
  }
}
