// fieldValidation=Strict|Warn|Ignore, as upstream: unknown and duplicate fields are an error (400), a Warning
// header, or dropped silently (a duplicate's last value wins). In every mode unknown fields are never stored.
import { badRequest, FieldError, invalid } from '../../api/errors.js';
import { loadSchemaModel } from '../../api/schema/index.js';
import { modelFor } from '../schema-model.js';
import { unknownFields, typeErrors } from '../../api/schema/field-validation.js';
import { canonicalizeQuantities } from '../../api/schema/quantities.js';
import { zeroNullValues } from '../../api/schema/null-values.js';
import type { SchemaModel, SchemaNode } from '../../api/schema/types.js';
import type { HandlerContext } from './context.js';
import type { KubeObject } from '../../api/object.js';
import { duplicateFields } from '../duplicate-fields.js';

export function fieldValidationMode(ctx: HandlerContext): 'Strict' | 'Warn' | 'Ignore' {
  const v = ctx.req.query.get('fieldValidation');
  if (v === 'Strict' || v === 'Ignore' || v === 'Warn') return v;
  if (v) throw badRequest(`fieldValidation parameter unsupported: ${v}; it must be one of Strict, Warn or Ignore`);
  return 'Warn';
}

type Gvk = { group: string; version: string; kind: string };

/**
 * Where a decoded object came from, which decides how upstream words a JSON type mismatch:
 * - 'body' (POST/PUT): 400 `<Kind> in version "<v>" cannot be handled as a <Kind>: json: cannot unmarshal ...`
 * - 'patch' (JSON, merge and strategic merge patches): 422 ` "" is invalid: patch: Invalid value: "<patched object>": json: ...`
 * - 'apply' (server-side apply configuration): 400 `failed to create typed patch object (<ns>/<name>; <gvk>): ...`
 */
export type DecodedFrom = 'body' | 'patch' | 'apply';

/** Rejects values whose JSON type does not fit the schema (e.g. replicas: "two"), as Go's decoder does upstream. */
export function rejectTypeErrors(obj: unknown, kind: Gvk, from: DecodedFrom, patch?: unknown): void {
  const model = loadSchemaModel();
  const errs = typeErrors(model, kind.group, kind.version, kind.kind, obj);
  // Quantities are decoded into their canonical form ("0.5" → "500m"); an invalid one fails decoding.
  if (errs.length === 0) {
    const quantityError = canonicalizeQuantities(model, kind.group, kind.version, kind.kind, obj);
    if (quantityError) errs.push(quantityError);
  }
  if (errs.length === 0) { zeroNullValues(model, kind.group, kind.version, kind.kind, obj); return; }
  const first = errs[0];
  if (from === 'body') throw badRequest(`${kind.kind} in version "${kind.version}" cannot be handled as a ${kind.kind}: ${first}`);
  if (from === 'apply') {
    const meta = (obj as KubeObject)?.metadata ?? {};
    const gvk = `${kind.group ? kind.group + '/' : ''}${kind.version}, Kind=${kind.kind}`;
    throw badRequest(`failed to create typed patch object (${meta.namespace ?? ''}/${meta.name ?? ''}; ${gvk}): ${first}`);
  }
  // Upstream shows a JSON or merge patch's result as JSON, and a strategic merge patch as Go prints the patch map.
  const value = patch !== undefined ? goFormat(patch) : JSON.stringify(obj);
  // Upstream: errors.NewInvalid(schema.GroupKind{}, "", field.ErrorList{field.Invalid(field.NewPath("patch"), ...)}).
  throw invalid('', undefined, '', [FieldError.invalid('patch', value, first)]);
}

/** A decoded JSON value as Go's fmt %+v prints a map[string]interface{} (keys sorted). */
export function goFormat(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return '[' + v.map(goFormat).join(' ') + ']';
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return 'map[' + Object.keys(o).sort().map((k) => `${k}:${goFormat(o[k])}`).join(' ') + ']';
  }
  return String(v);
}

/** Checks `obj` (of kind def.kind or, for /scale, autoscaling/v1 Scale) and prunes unknown fields in place. */
export function enforceFieldValidation(ctx: HandlerContext, obj: KubeObject, kind: Gvk = { group: ctx.store.def.group, version: ctx.store.def.version, kind: ctx.store.def.kind }, from: DecodedFrom = 'body', patch?: unknown, duplicates: string[] = []): void {
  if (!obj || typeof obj !== 'object') return;
  const def = ctx.store.def;
  const own = kind.kind === def.kind && kind.group === def.group && kind.version === def.version;
  // A custom resource's type mismatches are schema validation errors (422, the strategy's), as upstream.
  if (!(own && def.custom)) rejectTypeErrors(obj, kind, from, patch);
  const mode = fieldValidationMode(ctx);
  const model = own ? modelFor(def) : loadSchemaModel();
  const unknown = unknownFields(model, kind.group, kind.version, kind.kind, obj);
  if (unknown.length === 0 && duplicates.length === 0) return;
  const problems = [...unknown.map((p) => `unknown field "${p}"`), ...duplicates.map((p) => `duplicate field "${p}"`)];
  if (mode === 'Strict') {
    throw badRequest(`${kind.kind} in version "${kind.version}" cannot be handled as a ${kind.kind}: strict decoding error: ${problems.join(', ')}`);
  }
  if (mode === 'Warn') ctx.warnings.push(...problems);
  if (unknown.length) pruneUnknownFields(model, kind.group, kind.version, kind.kind, obj);
}

/** Duplicate keys in a JSON request body (other encodings cannot carry them past their decoder). */
export function bodyDuplicateFields(ctx: HandlerContext): string[] {
  const ct = (ctx.req.headers['content-type'] ?? 'application/json').split(';')[0].trim().toLowerCase();
  if ((ct !== 'application/json' && ct !== '') || !ctx.req.body || fieldValidationMode(ctx) === 'Ignore') return [];
  const text = ctx.req.body.toString('utf8');
  if (!/^\s*\{/.test(text)) return []; // YAML sent as JSON: its parser already rejects duplicate keys
  return duplicateFields(text);
}

/** Drops fields the schema does not declare, as decoding into upstream's Go structs does. */
export function pruneUnknownFields(model: SchemaModel, group: string, version: string, kind: string, obj: unknown): void {
  const root = model.forKind(group, version, kind);
  if (root) prune(model, root, obj);
}

function prune(model: SchemaModel, schema: SchemaNode, value: unknown): void {
  if (schema['x-kubernetes-preserve-unknown-fields']) return;
  const node = schema.ref !== undefined ? model.resolve(schema) : schema;
  if (node['x-kubernetes-preserve-unknown-fields'] || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) { if (node.items) for (const v of value) prune(model, node.items, v); return; }
  if (node.type !== 'object') return;
  const o = value as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    const prop = node.properties?.[key];
    if (prop) prune(model, prop, o[key]);
    else if (typeof node.additionalProperties === 'object') prune(model, node.additionalProperties, o[key]);
    else if (node.additionalProperties !== true) delete o[key];
  }
}
