// The FieldsV1 a create records for its writer, built in one walk over the new object. It is what the general
// path (managed-fields.ts: TypedWalker.compare against upstream's empty object, the added and modified sets
// united, the unowned and ignored paths cut, FieldSet.toFieldsV1) yields when there was no object and no entry
// before, without the intermediate sets: on create that path was about 6 % of the e2e bench's CPU.
//
// Why the two agree: against an absent value every node compare visits below the root is added (a member), so
// each node's FieldsV1 is `{}` or `{".": {}, ...children}`; only metadata, spec and status, present as `{}` in
// upstream's empty object, are compared against something: a granular map there is not a member itself, a leaf
// there is modified unless it equals `{}`. Children are put in compare's visiting order and sorted with the same
// stable comparison toFieldsV1 uses (elements built by keyElement/valueElement/fieldElement never compare equal
// unless identical, so the set's insertion order never decides). Ignored subtrees are walked too, and discarded:
// compare throws for a malformed list item anywhere, ignored or not.
import type { SchemaModel, SchemaNode } from '../../api/schema/types.js';
import { childSchema, shapeOf } from './patch-schema.js';
import { comparePathElements, fieldElement, type FieldPath, type PathElement } from './field-set.js';
import { TypedWalker } from './typed-value.js';
import { isPlainObject, jsonEqual } from './patch-errors.js';

type FieldsV1 = Record<string, unknown>;

/** Paths to leave out, as a trie: `cut` drops the element's whole subtree. */
interface Ignored { cut: boolean; below: Map<PathElement, Ignored> | undefined }

function ignoredTrie(paths: FieldPath[]): Map<PathElement, Ignored> {
  const root = new Map<PathElement, Ignored>();
  for (const p of paths) {
    let level = root;
    for (let i = 0; i < p.length; i++) {
      let node = level.get(p[i]);
      if (!node) { node = { cut: false, below: undefined }; level.set(p[i], node); }
      if (i === p.length - 1) node.cut = true;
      else level = (node.below ??= new Map());
    }
  }
  return root;
}

/** Tries by the list they were built from (callers pass the same lists again; a list is not changed once passed). */
const ignoredTries = new WeakMap<FieldPath[], Map<PathElement, Ignored>>();

const UPSTREAM_EMPTY_FIELDS = new Set(['metadata', 'spec', 'status']);

/**
 * The writer's FieldsV1 for creating `obj` (without metadata.managedFields), leaving out `ignored` paths and their
 * subtrees; `{}` when it owns nothing. Undefined when the object's root is not a granular map (or a path to ignore
 * is the root): the caller takes the general path then. Throws compare's TypedValueError for a malformed value.
 */
export function createdFieldsV1(model: SchemaModel, obj: Record<string, unknown>, schema: SchemaNode | undefined, ignored: FieldPath[]): FieldsV1 | undefined {
  const rootShape = shapeOf(model, schema, obj);
  if (rootShape.kind !== 'map' || rootShape.atomic || !isPlainObject(obj)) return undefined;
  if (ignored.some((p) => p.length === 0)) return undefined;
  const walker = new TypedWalker(model);
  const path: FieldPath = [];

  /** The FieldsV1 of a node that did not exist before (a member), or undefined when `skip` says to drop it. */
  const added = (v: unknown, n: SchemaNode | undefined, ign: Ignored | undefined): FieldsV1 | undefined => {
    const s = shapeOf(model, n, v);
    const skip = ign?.cut === true;
    const below = skip ? undefined : ign?.below;
    let children: [PathElement, FieldsV1][] | undefined;
    if (s.kind === 'scalar' || v === undefined) return skip ? undefined : {};
    if (s.kind === 'list') {
      if (s.listType === 'atomic' || !Array.isArray(v)) return skip ? undefined : {};
      const items = new Map<PathElement, unknown>();
      for (let i = 0; i < v.length; i++) {
        const pe = walker.itemElement(s, v[i], path, i);
        if (!items.has(pe)) items.set(pe, v[i]);
      }
      for (const [pe, item] of items) {
        path.push(pe);
        const c = added(item, s.items, skip ? ign : below?.get(pe));
        path.pop();
        if (c !== undefined) (children ??= []).push([pe, c]);
      }
    } else {
      if (s.atomic || !isPlainObject(v)) return skip ? undefined : {};
      for (const k of Object.keys(v)) {
        const pe = fieldElement(k);
        path.push(pe);
        const c = added(v[k], childSchema(model, n, k).node, skip ? ign : below?.get(pe));
        path.pop();
        if (c !== undefined) (children ??= []).push([pe, c]);
      }
    }
    return skip ? undefined : emit(children, true);
  };

  let ignoredRoot = ignoredTries.get(ignored);
  if (!ignoredRoot) { ignoredRoot = ignoredTrie(ignored); ignoredTries.set(ignored, ignoredRoot); }
  const top: [PathElement, FieldsV1][] = [];
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    const n = childSchema(model, schema, k).node;
    const pe = fieldElement(k);
    const ign = ignoredRoot.get(pe);
    path.push(pe);
    let out: FieldsV1 | undefined;
    if (UPSTREAM_EMPTY_FIELDS.has(k) && isPlainObject(v)) {
      // Compared with `{}`: a granular map is not a member itself; anything else is a leaf, modified unless `{}`.
      const s = shapeOf(model, n, v);
      if (s.kind === 'map' && !s.atomic) {
        const skip = ign?.cut === true;
        let children: [PathElement, FieldsV1][] | undefined;
        for (const ck of Object.keys(v)) {
          const cpe = fieldElement(ck);
          path.push(cpe);
          const c = added(v[ck], childSchema(model, n, ck).node, skip ? ign : ign?.below?.get(cpe));
          path.pop();
          if (c !== undefined) (children ??= []).push([cpe, c]);
        }
        if (!skip && children) out = emit(children, false);
      } else if (!ign?.cut && !jsonEqual({}, v)) out = {};
    } else {
      out = added(v, n, ign);
    }
    path.pop();
    if (out !== undefined) top.push([pe, out]);
  }
  return emit(top, false);
}

/** A node's FieldsV1: "." when it is a member with children, then the children in structured-merge-diff's order. */
function emit(children: [PathElement, FieldsV1][] | undefined, member: boolean): FieldsV1 {
  const o: FieldsV1 = {};
  if (!children || children.length === 0) return o;
  if (member) o['.'] = {};
  if (children.length > 1) children.sort((a, b) => comparePathElements(a[0], b[0]));
  for (const [pe, c] of children) o[pe] = c;
  return o;
}
