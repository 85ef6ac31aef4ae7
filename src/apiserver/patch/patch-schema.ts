// Schema navigation shared by strategic merge patch and server-side apply. Upstream reads patch metadata from Go
// struct tags (strategic merge patch) or from the OpenAPI-derived structured-merge-diff schema (apply); we read
// both from our SchemaNode trees. Extensions may sit on the referring property (`{ref, x-kubernetes-...}`), so
// the unresolved node is consulted before the definition it points to.
import type { SchemaModel, SchemaNode } from '../../api/schema/types.js';

type Ext = 'x-kubernetes-patch-strategy' | 'x-kubernetes-patch-merge-key' | 'x-kubernetes-list-type' |
  'x-kubernetes-list-map-keys' | 'x-kubernetes-map-type' | 'x-kubernetes-preserve-unknown-fields';

/**
 * Per-model memo of the lookups every patch walk repeats per value node (ref resolution, child schemas, shapes).
 * Keyed by node identity, so it relies on a model's definitions not changing once built (they are loaded once,
 * or built by a test); a model that is garbage-collected takes its memo with it.
 */
interface ModelMemo {
  resolved: WeakMap<SchemaNode, SchemaNode | null>;
  children: WeakMap<SchemaNode, Map<string, ChildSchema>>;
  shapes: WeakMap<SchemaNode, TypeShape | null>;
}
const memos = new WeakMap<SchemaModel, ModelMemo>();

function memoOf(model: SchemaModel): ModelMemo {
  let m = memos.get(model);
  if (!m) { m = { resolved: new WeakMap(), children: new WeakMap(), shapes: new WeakMap() }; memos.set(model, m); }
  return m;
}

export function resolveNode(model: SchemaModel, node: SchemaNode | undefined): SchemaNode | undefined {
  if (!node) return undefined;
  const memo = memoOf(model).resolved;
  let r = memo.get(node);
  if (r === undefined) {
    try { r = model.resolve(node); } catch { r = null; }
    memo.set(node, r);
  }
  return r ?? undefined;
}

export function extension<K extends Ext>(model: SchemaModel, node: SchemaNode | undefined, name: K): SchemaNode[K] | undefined {
  if (!node) return undefined;
  if (node[name] !== undefined) return node[name];
  return resolveNode(model, node)?.[name];
}

/**
 * The schema of field `key` inside an object schema: a declared property (declared=true, a struct field) or the
 * map's value schema (declared=false, a map entry such as a label). Unknown fields have no schema.
 */
export interface ChildSchema { readonly node?: SchemaNode; readonly declared: boolean }

const UNDECLARED: ChildSchema = Object.freeze({ declared: false });

/** (The result is shared between calls: read it, do not modify it.) */
export function childSchema(model: SchemaModel, node: SchemaNode | undefined, key: string): ChildSchema {
  if (!node) return UNDECLARED;
  const memo = memoOf(model).children;
  let byKey = memo.get(node);
  if (!byKey) { byKey = new Map(); memo.set(node, byKey); }
  let c = byKey.get(key);
  if (!c) { c = lookupChildSchema(model, node, key); byKey.set(key, c); }
  return c;
}

function lookupChildSchema(model: SchemaModel, node: SchemaNode, key: string): ChildSchema {
  const r = resolveNode(model, node);
  if (!r) return UNDECLARED;
  const prop = r.properties?.[key];
  if (prop) return Object.freeze({ node: prop, declared: true });
  if (r.additionalProperties && typeof r.additionalProperties === 'object') return Object.freeze({ node: r.additionalProperties, declared: false });
  return UNDECLARED;
}

/** The schema of a list's items. */
export function itemsSchema(model: SchemaModel, node: SchemaNode | undefined): SchemaNode | undefined {
  return resolveNode(model, node)?.items;
}

export interface PatchStrategy {
  /** '' (default: maps merge, lists replace), 'merge' or 'replace'. */
  strategy: '' | 'merge' | 'replace';
  retainKeys: boolean;
  mergeKey: string;
}

/** Upstream's LookupPatchMetadata + extractRetainKeysPatchStrategy for one field. */
export function patchStrategyOf(model: SchemaModel, node: SchemaNode | undefined): PatchStrategy {
  const parts = (extension(model, node, 'x-kubernetes-patch-strategy') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const retainKeys = parts.includes('retainKeys');
  const other = parts.find((p) => p !== 'retainKeys');
  return {
    strategy: other === 'merge' || other === 'replace' ? other : '',
    retainKeys,
    mergeKey: extension(model, node, 'x-kubernetes-patch-merge-key') ?? '',
  };
}

/** How structured-merge-diff sees a value: a scalar leaf, a map/struct, or a list of one of three kinds. */
export type TypeShape =
  | { kind: 'scalar' }
  | { kind: 'map'; atomic: boolean; node?: SchemaNode }
  | { kind: 'list'; listType: 'atomic' | 'set' | 'map'; keys: string[]; items?: SchemaNode };

/**
 * The shape for a value at a schema node. Lists follow upstream's conversion of OpenAPI to the SMD schema:
 * x-kubernetes-list-type wins; otherwise patch strategy merge means a map-list keyed by the merge key (or a set
 * without one); otherwise atomic. Without a schema the shape is deduced from the value (objects granular, lists
 * atomic), as upstream does for unknown fields.
 */
export function shapeOf(model: SchemaModel, node: SchemaNode | undefined, value: unknown): TypeShape {
  if (!node) return deducedShape(value);
  const memo = memoOf(model).shapes;
  let shape = memo.get(node);
  if (shape === undefined) { shape = schemaShape(model, node); memo.set(node, shape); }
  return shape ?? deducedShape(value);
}

const ATOMIC_LIST: TypeShape = Object.freeze({ kind: 'list', listType: 'atomic', keys: Object.freeze([]) as unknown as string[] });
const GRANULAR_MAP: TypeShape = Object.freeze({ kind: 'map', atomic: false });
const SCALAR: TypeShape = Object.freeze({ kind: 'scalar' });

/** The shape of a value without a schema: objects granular, lists atomic. */
function deducedShape(value: unknown): TypeShape {
  if (Array.isArray(value)) return ATOMIC_LIST;
  if (typeof value === 'object' && value !== null) return GRANULAR_MAP;
  return SCALAR;
}

/** The shape a schema node gives every value, or null when it is deduced from the value. */
function schemaShape(model: SchemaModel, node: SchemaNode): TypeShape | null {
  const r = resolveNode(model, node);
  if (!r) return null;
  if (r.type === 'array' || r.items) {
    const listType = extension(model, node, 'x-kubernetes-list-type');
    const keys = extension(model, node, 'x-kubernetes-list-map-keys') ?? [];
    if (listType === 'map') return { kind: 'list', listType: 'map', keys, items: r.items };
    if (listType === 'set' || listType === 'atomic') return { kind: 'list', listType, keys: [], items: r.items };
    const ps = patchStrategyOf(model, node);
    if (ps.strategy === 'merge') {
      return ps.mergeKey ? { kind: 'list', listType: 'map', keys: [ps.mergeKey], items: r.items }
        : { kind: 'list', listType: 'set', keys: [], items: r.items };
    }
    return { kind: 'list', listType: 'atomic', keys: [], items: r.items };
  }
  if (r.type === 'object' || r.properties || r.additionalProperties) {
    return { kind: 'map', atomic: extension(model, node, 'x-kubernetes-map-type') === 'atomic', node };
  }
  if (r['x-kubernetes-preserve-unknown-fields']) return null;
  return SCALAR;
}
