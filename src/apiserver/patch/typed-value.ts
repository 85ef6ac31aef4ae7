// The structured-merge-diff walks server-side apply needs, over JSON values and our schema: the field set a
// value sets (ToFieldSet), the difference between two values (Compare), merging an apply configuration into
// the live object (Merge), and removing paths (RemoveItems). Shapes come from patch-schema.ts's shapeOf.
import type { SchemaModel, SchemaNode } from '../../api/schema/types.js';
import { childSchema, shapeOf, type TypeShape } from './patch-schema.js';
import { FieldSet, fieldElement, formatPath, keyElement, valueElement, type FieldPath, type PathElement } from './field-set.js';
import { isPlainObject, jsonEqual } from './patch-errors.js';

type JsonMap = Record<string, unknown>;

/** A value that does not fit its schema (e.g. a map-list item without its key). */
export class TypedValueError extends Error {
  /** A copy: walks pass their (mutable) path stack. */
  readonly path: FieldPath;
  constructor(path: FieldPath, readonly detail: string) {
    super(`${formatPath(path)}: ${detail}`);
    this.path = path.slice();
  }
}

/**
 * Defaults of list-map key fields, used when an item omits one. Upstream takes them from the OpenAPI `default`;
 * our SchemaNode carries no defaults, and the only defaulted key among the built-in list-map keys is `protocol`
 * (container ports, service ports), whose default is TCP.
 */
const KEY_DEFAULTS: Record<string, unknown> = { protocol: 'TCP' };

function keyDefault(model: SchemaModel, items: SchemaNode | undefined, key: string): unknown {
  const prop = childSchema(model, items, key).node as (SchemaNode & { default?: unknown }) | undefined;
  if (prop && prop.default !== undefined) return prop.default;
  return KEY_DEFAULTS[key];
}

export class TypedWalker {
  constructor(private readonly model: SchemaModel) {}

  private shape(node: SchemaNode | undefined, value: unknown): TypeShape {
    return shapeOf(this.model, node, value);
  }

  /** The path element of a list item, or a TypedValueError. */
  itemElement(shape: Extract<TypeShape, { kind: 'list' }>, item: unknown, path: FieldPath, index: number): PathElement {
    if (shape.listType === 'set') {
      if (isPlainObject(item) || Array.isArray(item)) {
        throw new TypedValueError(path, `element ${index}: associative list without keys has an element that's a ${Array.isArray(item) ? 'list' : 'map'} type`);
      }
      return valueElement(item);
    }
    if (item === null) throw new TypedValueError(path, `element ${index}: associative list with keys may not have a null element`);
    if (!isPlainObject(item)) throw new TypedValueError(path, `element ${index}: associative list with keys may not have non-map elements`);
    const keys: JsonMap = {};
    for (const k of shape.keys) {
      if (item[k] !== undefined) keys[k] = item[k];
      else {
        const d = keyDefault(this.model, shape.items, k);
        if (d === undefined) {
          throw new TypedValueError(path, `element ${index}: associative list with keys has an element that omits key field ${JSON.stringify(k)} (and doesn't have default value)`);
        }
        keys[k] = d;
      }
    }
    return keyElement(keys);
  }

  /** upstream ToFieldSet: leaves, list items, map entries, and struct fields set to null or {}. */
  toFieldSet(value: unknown, node: SchemaNode | undefined): FieldSet {
    const set = new FieldSet();
    // One path stack for the whole walk (pushed/popped), copied only when an error needs it.
    const path: FieldPath = [];
    const walk = (v: unknown, n: SchemaNode | undefined) => {
      const s = this.shape(n, v);
      if (s.kind === 'scalar' || v === null) { set.insert(path); return; }
      if (s.kind === 'list') {
        if (s.listType === 'atomic' || !Array.isArray(v)) { set.insert(path); return; }
        for (let i = 0; i < v.length; i++) {
          const item = v[i] as unknown;
          path.push(this.itemElement(s, item, path, i));
          walk(item, s.items);
          set.insert(path);
          path.pop();
        }
        return;
      }
      if (s.atomic || !isPlainObject(v)) { set.insert(path); return; }
      for (const k of Object.keys(v)) {
        const cv = v[k];
        const child = childSchema(this.model, n, k);
        path.push(fieldElement(k));
        walk(cv, child.node);
        if (cv === null || (isPlainObject(cv) && isEmptyObject(cv)) || !child.declared) set.insert(path);
        path.pop();
      }
    };
    walk(value, node);
    return set;
  }

  /** upstream Compare: paths added, modified (leaves whose value changed) and removed from lhs to rhs. */
  compare(lhs: unknown, rhs: unknown, node: SchemaNode | undefined): { added: FieldSet; modified: FieldSet; removed: FieldSet } {
    const added = new FieldSet(), modified = new FieldSet(), removed = new FieldSet();
    const path: FieldPath = [];
    const walk = (l: unknown, r: unknown, n: SchemaNode | undefined) => {
      const s = this.shape(n, r !== undefined ? r : l);
      let leaf = s.kind === 'scalar' || (s.kind === 'list' ? s.listType === 'atomic' : s.atomic);
      if (!leaf) {
        const isList = s.kind === 'list';
        leaf = (l !== undefined && (isList ? !Array.isArray(l) : !isPlainObject(l))) ||
          (r !== undefined && (isList ? !Array.isArray(r) : !isPlainObject(r)));
      }
      if (leaf) {
        if (l === undefined) added.insert(path);
        else if (r === undefined) removed.insert(path);
        else if (!jsonEqual(l, r)) modified.insert(path);
        return;
      }
      // Equal subtrees hold no change: a plain comparison skips them, far cheaper than walking them with their
      // schema (an update usually leaves most of the object as it was: a status write, all of spec). (Their list
      // items' keys go unchecked then: both sides are the stored object's, whose keys were checked when written.)
      if (path.length > 0 && l !== undefined && r !== undefined && jsonEqual(l, r)) return;
      if (s.kind === 'list') {
        const index = (list: unknown[] | undefined) => {
          const m = new Map<PathElement, unknown>();
          if (list) {
            for (let i = 0; i < list.length; i++) {
              const pe = this.itemElement(s, list[i], path, i);
              if (!m.has(pe)) m.set(pe, list[i]);
            }
          }
          return m;
        };
        const li = index(l as unknown[] | undefined), ri = index(r as unknown[] | undefined);
        for (const [pe, rv] of ri) { path.push(pe); walk(li.get(pe), rv, s.items); path.pop(); }
        for (const [pe, lv] of li) if (!ri.has(pe)) { path.push(pe); walk(lv, undefined, s.items); path.pop(); }
      } else {
        const lm = (l ?? {}) as JsonMap, rm = (r ?? {}) as JsonMap;
        // Keys of rhs, then those only in lhs (the order a Set of both would iterate).
        for (const k of Object.keys(rm)) {
          path.push(fieldElement(k)); walk(lm[k], rm[k], childSchema(this.model, n, k).node); path.pop();
        }
        for (const k of Object.keys(lm)) {
          if (Object.prototype.hasOwnProperty.call(rm, k)) continue;
          path.push(fieldElement(k)); walk(lm[k], rm[k], childSchema(this.model, n, k).node); path.pop();
        }
      }
      if (path.length > 0) {
        if (l === undefined) added.insert(path);
        else if (r === undefined) removed.insert(path);
      }
    };
    walk(lhs, rhs, node);
    return { added, modified, removed };
  }

  /**
   * upstream Merge (live ∪ config, config wins): maps merge key by key, atomic values are replaced, map- and
   * set-lists merge item by item keeping the live order for live-only items and the config's order for the
   * rest. A null in the config unsets the field (Kubernetes objects do not keep nulls).
   */
  merge(lhs: unknown, rhs: unknown, node: SchemaNode | undefined, path: FieldPath = []): unknown {
    if (rhs === undefined) return lhs;
    if (lhs === undefined || lhs === null) return dropNulls(rhs);
    const s = this.shape(node, rhs);
    if (s.kind === 'scalar' || rhs === null) return rhs;
    if (s.kind === 'list') {
      if (s.listType === 'atomic' || !Array.isArray(lhs) || !Array.isArray(rhs)) return dropNulls(rhs);
      return this.mergeList(lhs, rhs, s, path);
    }
    if (s.atomic || !isPlainObject(lhs) || !isPlainObject(rhs)) return dropNulls(rhs);
    const out: JsonMap = {};
    for (const [k, lv] of Object.entries(lhs)) {
      if (!(k in rhs)) { out[k] = lv; continue; }
      if (rhs[k] === null) continue;
      out[k] = this.merge(lv, rhs[k], childSchema(this.model, node, k).node, [...path, fieldElement(k)]);
    }
    for (const [k, rv] of Object.entries(rhs)) {
      if (k in lhs || rv === null) continue;
      out[k] = this.merge(undefined, rv, childSchema(this.model, node, k).node, [...path, fieldElement(k)]);
    }
    return out;
  }

  /** structured-merge-diff's visitListItems ordering for merging two keyed lists. */
  private mergeList(lhs: unknown[], rhs: unknown[], s: Extract<TypeShape, { kind: 'list' }>, path: FieldPath): unknown[] {
    const rPEs = rhs.map((item, i) => this.itemElement(s, item, path, i));
    const lPEs = lhs.map((item, i) => this.itemElement(s, item, path, i));
    const observedR = new Map<PathElement, unknown>(), observedL = new Map<PathElement, unknown>();
    rPEs.forEach((pe, i) => observedR.set(pe, rhs[i]));
    lPEs.forEach((pe, i) => observedL.set(pe, lhs[i]));
    const sharedOrder = rPEs.filter((pe) => observedL.has(pe));
    let nextShared = sharedOrder.shift();
    const mergedR = new Set<PathElement>();
    const out: unknown[] = [];
    const item = (pe: PathElement) => this.merge(observedL.get(pe), observedR.get(pe), s.items, [...path, pe]);
    let li = 0, ri = 0;
    while (li < lhs.length || ri < rhs.length) {
      if (li < lhs.length && ri < rhs.length) {
        const pe = lPEs[li];
        if (pe === rPEs[ri]) {
          mergedR.add(pe);
          out.push(item(pe));
          li++; ri++;
          nextShared = sharedOrder.shift();
          continue;
        }
        if (observedR.has(pe) && nextShared !== undefined && nextShared !== pe) { li++; continue; }
      }
      if (li < lhs.length) {
        const pe = lPEs[li];
        if (!observedR.has(pe)) { out.push(lhs[li]); li++; continue; }
        if (mergedR.has(pe)) { li++; continue; }
      }
      if (ri < rhs.length) {
        const pe = rPEs[ri];
        mergedR.add(pe);
        out.push(item(pe));
        ri++;
        if (nextShared !== undefined && nextShared === pe) nextShared = sharedOrder.shift();
      }
    }
    return out;
  }

  /** upstream RemoveItems: removes each path (field, map entry or list item, with everything below it). */
  removePaths(value: unknown, paths: FieldSet, node: SchemaNode | undefined): unknown {
    const remove = (v: unknown, n: SchemaNode | undefined, path: FieldPath, rest: FieldPath[]): unknown => {
      if (rest.length === 0) return v;
      const s = this.shape(n, v);
      if (s.kind === 'list' && Array.isArray(v) && s.listType !== 'atomic') {
        const out: unknown[] = [];
        v.forEach((item, i) => {
          const pe = this.itemElement(s, item, path, i);
          const mine = rest.filter((p) => p[0] === pe);
          if (mine.some((p) => p.length === 1)) return;
          out.push(remove(item, s.items, [...path, pe], mine.map((p) => p.slice(1))));
        });
        return out;
      }
      if (s.kind === 'map' && isPlainObject(v)) {
        const out: JsonMap = {};
        for (const [k, cv] of Object.entries(v)) {
          const pe = fieldElement(k);
          const mine = rest.filter((p) => p[0] === pe);
          if (mine.some((p) => p.length === 1)) continue;
          out[k] = remove(cv, childSchema(this.model, n, k).node, [...path, pe], mine.map((p) => p.slice(1)));
        }
        return out;
      }
      return v;
    };
    return remove(value, node, [], paths.paths().filter((p) => p.length > 0));
  }
}

function isEmptyObject(o: JsonMap): boolean {
  for (const k in o) if (Object.prototype.hasOwnProperty.call(o, k)) return false;
  return true;
}

/** Apply configurations may carry nulls; stored objects do not. */
function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (!isPlainObject(v)) return v;
  const out: JsonMap = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = dropNulls(x);
  return out;
}
