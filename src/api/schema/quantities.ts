// Quantity-typed fields (resources.requests/limits, capacity, allocatable, hard, storage sizes...) rewritten to
// their canonical form, as upstream's decoder does on every write (resource.Quantity's JSON round trip): the
// schema says which fields are Quantities (refs to io.k8s.apimachinery.pkg.api.resource.Quantity, directly, as
// map values or as list items).
import { canonicalQuantity, QuantityError } from '../quantity.js';
import type { SchemaModel, SchemaNode } from './types.js';

const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

/** Per model, whether a value of a schema can hold a Quantity anywhere inside it (most of an object cannot). */
const holdsQuantity = new WeakMap<SchemaModel, Map<SchemaNode, boolean>>();

function knownHoldings(model: SchemaModel): Map<SchemaNode, boolean> {
  let known = holdsQuantity.get(model);
  if (!known) holdsQuantity.set(model, known = new Map());
  return known;
}

function mayHoldQuantity(model: SchemaModel, known: Map<SchemaNode, boolean>, schema: SchemaNode): boolean {
  const k = known.get(schema);
  if (k !== undefined) return k;
  const inProgress = new Set<SchemaNode>();
  const holds = (schema: SchemaNode): boolean => {
    const k = known.get(schema);
    if (k !== undefined) return k;
    if (inProgress.has(schema)) return true; // recursive schema: assume it may, the walk will see
    inProgress.add(schema);
    let result: boolean;
    if (schema.ref === QUANTITY) result = true;
    else if (schema['x-kubernetes-preserve-unknown-fields']) result = false;
    else {
      const node = schema.ref !== undefined ? model.resolve(schema) : schema;
      result = !node['x-kubernetes-preserve-unknown-fields'] && (
        (node.items !== undefined && holds(node.items))
        || (typeof node.additionalProperties === 'object' && holds(node.additionalProperties))
        || (node.properties !== undefined && Object.values(node.properties).some(holds)));
    }
    inProgress.delete(schema);
    known.set(schema, result);
    return result;
  };
  return holds(schema);
}

/** Canonical forms of the strings seen last (pods of one template repeat the same few); bounded, cleared when full. */
const canonicalForms = new Map<string, string>();
const MAX_CANONICAL_FORMS = 10_000;

/** canonicalQuantity, memoized for valid strings (an invalid one throws each time, as canonicalQuantity does). */
function canonicalOf(value: unknown): string {
  if (typeof value !== 'string') return canonicalQuantity(value);
  let c = canonicalForms.get(value);
  if (c === undefined) {
    c = canonicalQuantity(value);
    if (canonicalForms.size >= MAX_CANONICAL_FORMS) canonicalForms.clear();
    canonicalForms.set(value, c);
  }
  return c;
}

/**
 * Rewrites every Quantity in `obj` (of kind group/version/kind) to its canonical form, in place. Returns the
 * message of the first invalid one (upstream's decoding error), or undefined.
 */
export function canonicalizeQuantities(model: SchemaModel, group: string, version: string, kind: string, obj: unknown): string | undefined {
  const root = model.forKind(group, version, kind);
  if (!root) return undefined;
  let error: string | undefined;
  const known = knownHoldings(model);
  /** Canonicalizes holder[key] when `schema` is a Quantity; descends otherwise. */
  const visit = (schema: SchemaNode, holder: Record<string | number, unknown>, key: string | number, depth: number): void => {
    const value = holder[key];
    if (value === null || value === undefined || error !== undefined || depth > 64) return;
    if (!mayHoldQuantity(model, known, schema)) return;
    if (schema.ref === QUANTITY) {
      try {
        holder[key] = canonicalOf(value);
      } catch (err) {
        if (!(err instanceof QuantityError)) throw err;
        error = err.message;
      }
      return;
    }
    if (schema['x-kubernetes-preserve-unknown-fields'] || typeof value !== 'object') return;
    const node = schema.ref !== undefined ? model.resolve(schema) : schema;
    if (node['x-kubernetes-preserve-unknown-fields']) return;
    if (Array.isArray(value)) {
      if (node.items) for (let i = 0; i < value.length; i++) visit(node.items, value as unknown as Record<number, unknown>, i, depth + 1);
      return;
    }
    const o = value as Record<string, unknown>;
    // (for-in, not Object.keys: no array per object; values are replaced in place, no key is added or removed.)
    for (const k in o) {
      if (!Object.prototype.hasOwnProperty.call(o, k)) continue;
      const prop = node.properties?.[k] ?? (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined);
      if (prop) visit(prop, o, k, depth + 1);
    }
  };
  visit(root, { obj } as Record<string, unknown>, 'obj', 0);
  return error;
}
