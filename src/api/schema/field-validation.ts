// Server-side field validation (fieldValidation=Strict|Warn) for built-in kinds, against our schema model.
//
// Upstream's contract (kube-apiserver decoding with sigs.k8s.io/json UnmarshalStrict):
// - unknown and duplicate fields are "strict errors", reported in document order, deduplicated, at most 100:
//     unknown field "spec.template.spec.containers[0].imagee"
//     duplicate field "spec.replicas"
//   Paths join JSON field names (and map keys) with "." and add "[i]" for list items; there is no leading dot.
//   (Server-side apply reports through structured-merge-diff instead: ".spec.foo: field not declared in schema".)
// - Strict: 400 BadRequest, message
//     `Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: <errors joined by ", ">`
//   Warn: one `Warning: 299 - "<error>"` header per strict error; the request proceeds.
// - Type mismatches are never "strict" errors: they always fail the request (typeErrors below).
// Fields under x-kubernetes-preserve-unknown-fields (RawExtension, FieldsV1, JSON) and map values with an
// open schema are not checked.
import type { SchemaModel, SchemaNode } from './types.js';

const MAX_STRICT_ERRORS = 100;

/** A JSON object as written, duplicates kept (parseJsonKeepingDuplicates). */
export class JsonObjectEntries {
  constructor(readonly entries: [string, unknown][]) {}
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

interface Walk {
  model: SchemaModel;
  out: string[];
  seen: Set<string>;
  duplicates: boolean;
  /** The path of the value being walked: keys and list indices, joined only for a report. */
  segments: (string | number)[];
}

function report(w: Walk, msg: string): void {
  if (w.out.length >= MAX_STRICT_ERRORS || w.seen.has(msg)) return;
  w.seen.add(msg);
  w.out.push(msg);
}

/** The path of w.segments plus `key`, upstream's way: keys joined with ".", list items as "[i]". */
function pathTo(w: Walk, key: string): string {
  let p = '';
  for (const s of w.segments) p = typeof s === 'number' ? `${p}[${s}]` : join(p, s);
  return join(p, key);
}

function walk(w: Walk, schema: SchemaNode, value: unknown): void {
  if (schema['x-kubernetes-preserve-unknown-fields']) return;
  const node = schema.ref !== undefined ? w.model.resolve(schema) : schema;
  if (node['x-kubernetes-preserve-unknown-fields']) return;
  if (Array.isArray(value)) {
    if (node.type !== 'array' || !node.items) return; // a type error, not a strict one
    for (let i = 0; i < value.length; i++) { w.segments.push(i); walk(w, node.items, value[i]); w.segments.pop(); }
    return;
  }
  if (!isJsonObject(value) || node.type !== 'object') return;
  // Only a body parsed keeping its duplicates can repeat a key.
  const seen = w.duplicates ? new Set<string>() : undefined;
  // (Loops rather than visitEntries: a callback made per object was most of what this walk allocated.)
  if (value instanceof JsonObjectEntries) {
    for (const [key, child] of value.entries) walkEntry(w, node, seen, key, child);
  } else {
    const o = value as Record<string, unknown>;
    for (const key in o) if (Object.prototype.hasOwnProperty.call(o, key)) walkEntry(w, node, seen, key, o[key]);
  }
}

function walkEntry(w: Walk, node: SchemaNode, seen: Set<string> | undefined, key: string, child: unknown): void {
  const prop = node.properties?.[key];
  if (prop) {
    if (seen?.has(key)) report(w, `duplicate field "${pathTo(w, key)}"`);
    seen?.add(key);
    w.segments.push(key); walk(w, prop, child); w.segments.pop();
  } else if (node.additionalProperties !== undefined && node.additionalProperties !== false) {
    if (seen?.has(key)) report(w, `duplicate field "${pathTo(w, key)}"`);
    seen?.add(key);
    if (typeof node.additionalProperties === 'object') { w.segments.push(key); walk(w, node.additionalProperties, child); w.segments.pop(); }
  } else {
    report(w, `unknown field "${pathTo(w, key)}"`);
  }
}

/**
 * Paths of fields in obj that the kind's schema does not declare, in document order, upstream's format
 * ("spec.template.spec.containers[0].imagee"). [] when the kind is unknown to the model.
 */
export function unknownFields(model: SchemaModel, group: string, version: string, kind: string, obj: unknown): string[] {
  const root = model.forKind(group, version, kind);
  if (!root) return [];
  const w: Walk = { model, out: [], seen: new Set(), duplicates: false, segments: [] };
  walk(w, root, obj);
  return w.out.map((m) => m.slice('unknown field "'.length, -1));
}

/**
 * Upstream's strict decoding errors for a raw JSON request body: `unknown field "..."` and
 * `duplicate field "..."` messages in document order. [] when the kind is unknown to the model.
 * Throws SyntaxError on malformed JSON.
 */
export function strictDecodingErrors(model: SchemaModel, gvk: { group: string; version: string; kind: string },
  raw: string | Uint8Array): string[] {
  const root = model.forKind(gvk.group, gvk.version, gvk.kind);
  if (!root) return [];
  const text = typeof raw === 'string' ? raw : new TextDecoder().decode(raw);
  const w: Walk = { model, out: [], seen: new Set(), duplicates: true, segments: [] };
  walk(w, root, parseJsonKeepingDuplicates(text));
  return w.out;
}

/** The 400 BadRequest message kube-apiserver returns for strict errors under fieldValidation=Strict. */
export function strictDecodingErrorMessage(gvk: { version: string; kind: string }, errors: string[]): string {
  return `${gvk.kind} in version "${gvk.version}" cannot be handled as a ${gvk.kind}: strict decoding error: ${errors.join(', ')}`;
}

// ---------------------------------------------------------------------------------------------------------
// Type errors: what Go's JSON decoder rejects whatever fieldValidation says. Message format as encoding/json's
// UnmarshalTypeError: "json: cannot unmarshal <json type> into Go struct field <Struct>.<field path> of type
// <go type>", where the field path joins JSON field names from the root without list indices. The apiserver
// reports the first one: `<Kind> in version "<v>" cannot be handled as a <Kind>: <message>`.

/** Types with their own JSON decoding (number-or-string, free-form, timestamps): not checked here. */
export const CUSTOM_DECODERS = new Set([
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
  'io.k8s.apimachinery.pkg.api.resource.Quantity',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time',
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime',
]);

function goTypeName(model: SchemaModel, schema: SchemaNode): string {
  if (schema.ref !== undefined) {
    const parts = schema.ref.split('.');
    const target = model.resolve(schema);
    if (target.type === 'object' && target.properties) return `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
    return goTypeName(model, target);
  }
  switch (schema.type) {
    case 'string': return 'string';
    case 'boolean': return 'bool';
    case 'number': return 'float64';
    case 'integer': return schema.format === 'int64' ? 'int64' : 'int32';
    case 'array': return '[]' + (schema.items ? goTypeName(model, schema.items) : 'interface {}');
    case 'object':
      if (typeof schema.additionalProperties === 'object') return 'map[string]' + goTypeName(model, schema.additionalProperties);
      return 'map[string]interface {}';
    default: return 'interface {}';
  }
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v instanceof JsonObjectEntries || typeof v === 'object') return 'object';
  if (typeof v === 'boolean') return 'bool';
  return typeof v; // 'string' | 'number'
}

/**
 * Values whose JSON type does not fit the schema (e.g. a string for spec.replicas), as Go's decoder words
 * them, in document order. null is accepted everywhere (Go leaves the zero value).
 */
export function typeErrors(model: SchemaModel, group: string, version: string, kind: string, obj: unknown): string[] {
  const root = model.forKind(group, version, kind);
  if (!root) return [];
  return typeErrorsAt(model, root, (root['x-kubernetes-group-version-kind'] ?? [])[0]?.kind ?? kind, obj);
}

/** typeErrors for a definition without a kind of its own (e.g. "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions"). */
export function typeErrorsForDefinition(model: SchemaModel, definition: string, obj: unknown): string[] {
  const root = model.definitions[definition];
  if (!root) return [];
  return typeErrorsAt(model, root, definition.slice(definition.lastIndexOf('.') + 1), obj);
}

function typeErrorsAt(model: SchemaModel, root: SchemaNode, rootName: string, obj: unknown): string[] {
  const out: string[] = [];
  // The field path of the value being visited, as keys: joined (with ".", no list indices) only for an error.
  const keys: string[] = [];
  const fieldPath = (): string => {
    let p = '';
    for (const k of keys) p = p ? `${p}.${k}` : k;
    return p;
  };
  const fail = (schema: SchemaNode, struct: string, valueName: string): void => {
    out.push(`json: cannot unmarshal ${valueName} into Go struct field ${struct}.${fieldPath()} of type ${goTypeName(model, schema)}`);
  };
  const visit = (schema: SchemaNode, value: unknown, struct: string): void => {
    if (value === null || value === undefined) return;
    if (schema['x-kubernetes-preserve-unknown-fields']) return;
    if (schema.ref !== undefined && CUSTOM_DECODERS.has(schema.ref)) return;
    const node = schema.ref !== undefined ? model.resolve(schema) : schema;
    if (node['x-kubernetes-preserve-unknown-fields'] || node['x-kubernetes-int-or-string']) return;
    const actual = jsonKind(value);
    switch (node.type) {
      case 'string': if (actual !== 'string') fail(schema, struct, actual); return;
      case 'boolean': if (actual !== 'bool') fail(schema, struct, actual); return;
      case 'number': if (actual !== 'number') fail(schema, struct, actual); return;
      case 'integer': {
        if (actual !== 'number') { fail(schema, struct, actual); return; }
        const n = value as number;
        const limit = node.format === 'int64' ? 2 ** 63 : 2 ** 31;
        if (!Number.isInteger(n) || n >= limit || n < -limit) fail(schema, struct, `number ${String(n)}`);
        return;
      }
      case 'array':
        if (actual !== 'array') { fail(schema, struct, actual); return; }
        for (const item of value as unknown[]) visit(node.items ?? {}, item, struct);
        return;
      case 'object': {
        if (actual !== 'object') { fail(schema, struct, actual); return; }
        // (Loops rather than visitEntries: a callback made per object was most of what this walk allocated.)
        if (node.properties) {
          const structName = schema.ref !== undefined ? schema.ref.slice(schema.ref.lastIndexOf('.') + 1) : struct;
          const properties = node.properties;
          if (value instanceof JsonObjectEntries) {
            for (const [key, child] of value.entries) {
              const prop = properties[key];
              if (prop) { keys.push(key); visit(prop, child, structName); keys.pop(); }
            }
          } else {
            const o = value as Record<string, unknown>;
            for (const key in o) {
              if (!Object.prototype.hasOwnProperty.call(o, key)) continue;
              const prop = properties[key];
              if (prop) { keys.push(key); visit(prop, o[key], structName); keys.pop(); }
            }
          }
        } else if (typeof node.additionalProperties === 'object') {
          const values = node.additionalProperties;
          if (value instanceof JsonObjectEntries) for (const [, child] of value.entries) visit(values, child, struct);
          else {
            const o = value as Record<string, unknown>;
            for (const key in o) if (Object.prototype.hasOwnProperty.call(o, key)) visit(values, o[key], struct);
          }
        }
        return;
      }
    }
  };
  if (!isJsonObject(obj)) {
    out.push(`json: cannot unmarshal ${jsonKind(obj)} into Go value of type struct`);
    return out;
  }
  visitEntries(obj, (key, child) => {
    const prop = root.properties?.[key];
    if (prop) { keys.push(key); visit(prop, child, rootName); keys.pop(); }
  });
  return out;
}

/** Whether v is a JSON object, as parsed either way (JSON.parse or parseJsonKeepingDuplicates). */
function isJsonObject(v: unknown): boolean {
  return v instanceof JsonObjectEntries || (v !== null && typeof v === 'object' && !Array.isArray(v));
}

/** Each entry of a JSON object in order (duplicates included when kept), without making an entries array. */
function visitEntries(v: unknown, fn: (key: string, child: unknown) => void): void {
  if (v instanceof JsonObjectEntries) { for (const [key, child] of v.entries) fn(key, child); return; }
  const o = v as Record<string, unknown>;
  for (const key of Object.keys(o)) fn(key, o[key]);
}

// ---------------------------------------------------------------------------------------------------------

/**
 * JSON.parse, except that objects become JsonObjectEntries holding every key as written (duplicates
 * included, in order), so duplicate fields can be reported like upstream's decoder does.
 */
export function parseJsonKeepingDuplicates(text: string): unknown {
  let i = 0;
  const ws = (): void => { while (i < text.length && ' \t\n\r'.includes(text[i])) i++; };
  const fail = (what: string): never => { throw new SyntaxError(`invalid JSON at offset ${i}: ${what}`); };
  const str = (): string => {
    const start = i;
    i++; // opening quote
    while (i < text.length) {
      const c = text[i];
      if (c === '\\') i += 2;
      else if (c === '"') { i++; return JSON.parse(text.slice(start, i)) as string; }
      else i++;
    }
    return fail('unterminated string');
  };
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const entries: [string, unknown][] = [];
      ws();
      if (text[i] === '}') { i++; return new JsonObjectEntries(entries); }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected object key');
        const key = str();
        ws();
        if (text[i] !== ':') fail('expected ":"');
        i++;
        entries.push([key, value()]);
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return new JsonObjectEntries(entries); }
        fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      i++;
      const items: unknown[] = [];
      ws();
      if (text[i] === ']') { i++; return items; }
      for (;;) {
        items.push(value());
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return items; }
        fail('expected "," or "]"');
      }
    }
    if (c === '"') return str();
    const m = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 400));
    if (!m) return fail('unexpected token');
    i += m[0].length;
    return JSON.parse(m[0]) as unknown;
  };
  const result = value();
  ws();
  if (i !== text.length) fail('trailing data');
  return result;
}
