// null where the schema wants a value, as Go's decoder reads it: a null field is left at its zero value (so it is
// dropped: we store what Go would serialize, and empty values are omitted), and a null list item or map value
// becomes the zero value of its type ("", 0, false, {}). Without this, validation and defaulting code written for
// typed values met nulls (finalizers: [null] reached a string function and answered 500).
import type { SchemaModel, SchemaNode } from './types.js';
import { CUSTOM_DECODERS } from './field-validation.js';

/** Replaces nulls in obj (of the given kind, already type-checked) in place, as described above. */
export function zeroNullValues(model: SchemaModel, group: string, version: string, kind: string, obj: unknown): void {
  const root = model.forKind(group, version, kind);
  if (root && obj !== null && typeof obj === 'object') visitObject(model, root, obj as Record<string, unknown>);
}

function resolved(model: SchemaModel, schema: SchemaNode): SchemaNode | undefined {
  if (schema.ref !== undefined && CUSTOM_DECODERS.has(schema.ref)) return undefined;
  const node = schema.ref !== undefined ? model.resolve(schema) : schema;
  // Free-form and custom-decoded values (IntOrString, Quantity, Time, RawExtension...) are left as sent.
  if (schema['x-kubernetes-preserve-unknown-fields'] || node['x-kubernetes-preserve-unknown-fields'] || node['x-kubernetes-int-or-string']) return undefined;
  if (!node.type) return undefined;
  return node;
}

function zeroValue(node: SchemaNode): unknown {
  switch (node.type) {
    case 'string': return '';
    case 'integer': case 'number': return 0;
    case 'boolean': return false;
    case 'array': return [];
    default: return {};
  }
}

function visitValue(model: SchemaModel, schema: SchemaNode, value: unknown): void {
  if (value === null || typeof value !== 'object') return;
  const node = resolved(model, schema);
  if (!node) return;
  if (node.type === 'array' && Array.isArray(value)) {
    const items = node.items && resolved(model, node.items);
    if (!items) return;
    for (let i = 0; i < value.length; i++) {
      if (value[i] === null) value[i] = zeroValue(items);
      else visitValue(model, node.items!, value[i]);
    }
  } else if (node.type === 'object' && !Array.isArray(value)) {
    visitObject(model, node, value as Record<string, unknown>);
  }
}

function visitObject(model: SchemaModel, node: SchemaNode, obj: Record<string, unknown>): void {
  const properties = node.properties;
  if (properties) {
    // The object's own keys that the schema declares (a schema has far more properties than an object has fields).
    // (for-in, not Object.keys: no array per object. Deleting the key being visited is safe in a for-in.)
    for (const key in obj) {
      if (!Object.prototype.hasOwnProperty.call(obj, key) || !Object.prototype.hasOwnProperty.call(properties, key)) continue;
      const prop = properties[key];
      if (obj[key] === null) { if (resolved(model, prop)) delete obj[key]; }
      else visitValue(model, prop, obj[key]);
    }
  } else if (typeof node.additionalProperties === 'object') {
    const values = resolved(model, node.additionalProperties);
    if (!values) return;
    for (const key in obj) {
      if (!Object.prototype.hasOwnProperty.call(obj, key)) continue;
      if (obj[key] === null) obj[key] = zeroValue(values);
      else visitValue(model, node.additionalProperties, obj[key]);
    }
  }
}
