// Strategic merge patch (Content-Type application/strategic-merge-patch+json): upstream's
// k8s.io/apimachinery/pkg/util/strategicpatch StrategicMergeMapPatch (MergeParallelList and
// IgnoreUnmatchedNulls on, as the apiserver uses it), with the patch metadata read from our schema instead of
// Go struct tags. What it does:
// - maps merge recursively; null deletes a key; a field with patch strategy "replace" is replaced whole;
// - lists with patch strategy "merge" merge: maps by their merge key (items matched by key and merged, new
//   ones added), scalars as a set; every other list is replaced whole;
// - directives: `$patch: replace|delete` in a map, `{$patch: delete, <key>: v}` / `{$patch: replace}` in a merge
//   list, `$setElementOrder/<list>` (the merged list follows that order, as kubectl apply sends it),
//   `$deleteFromPrimitiveList/<list>`, `$retainKeys` (keys of the map not listed are cleared).
// Item order after a list merge follows upstream: patch items in patch order, server-only items interleaved
// by their order in the live list (so items new to the list come before server-only ones unless
// `$setElementOrder` says otherwise).
// Deliberate differences: `$patch: merge` in a map is accepted as the default (upstream rejects it), and a
// value added where the original has none is cleaned of directives and nulls (upstream stores it raw).
import type { SchemaModel, SchemaNode } from '../../api/schema/types.js';
import { badRequest } from '../../api/errors.js';
import { childSchema, itemsSchema, patchStrategyOf } from './patch-schema.js';
import { cloneJson, isPlainObject, patchServerError, unprocessablePatch } from './patch-errors.js';

type JsonMap = Record<string, unknown>;

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';

// upstream mergepatch error texts; the first group answers 400, the second 422, the rest 500.
const ErrBadPatchFormatForPrimitiveList = 'invalid patch format of primitive list';
const ErrBadPatchFormatForRetainKeys = 'invalid patch format of retainKeys';
const ErrBadPatchFormatForSetElementOrderList = 'invalid patch format of setElementOrder list';
const ErrNoListOfLists = 'lists of lists are not supported';

class PatchFailure extends Error {
  constructor(readonly kind: 'badRequest' | 'unprocessable' | 'server', message: string) { super(message); }
}
const fail = (kind: PatchFailure['kind'], message: string): never => { throw new PatchFailure(kind, message); };

/**
 * Applies `patch` to a copy of `original` (neither is modified). `schema` is the object's top-level schema
 * (e.g. model.forKind('apps', 'v1', 'Deployment')); without one every list is replaced and maps merge.
 */
export function applyStrategicMergePatch(original: object, patch: unknown, schema: SchemaNode | undefined, model: SchemaModel): object {
  if (!isPlainObject(patch)) {
    const kind = patch === null ? 'null' : Array.isArray(patch) ? 'array' : typeof patch;
    throw badRequest(`json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`);
  }
  if (!isPlainObject(original)) throw badRequest('invalid JSON document');
  try {
    return new Merger(model).mergeMap(cloneJson(original as JsonMap), cloneJson(patch), schema);
  } catch (err) {
    if (err instanceof PatchFailure) {
      if (err.kind === 'badRequest') throw badRequest(err.message);
      if (err.kind === 'unprocessable') throw unprocessablePatch(err.message);
      throw patchServerError(err.message);
    }
    // Anything else is a bug: the server's error boundary logs it and answers a bare 500, without its message.
    throw err;
  }
}

/** Go's %v of a value, near enough for error messages. */
function show(v: unknown): string { return JSON.stringify(v); }

function extractKey(key: string, prefix: string): string {
  const i = key.indexOf('/');
  if (i < 0 || key.slice(0, i) !== prefix) {
    fail('badRequest', prefix === DELETE_FROM_PRIMITIVE_LIST ? ErrBadPatchFormatForPrimitiveList : ErrBadPatchFormatForSetElementOrderList);
  }
  return key.slice(i + 1);
}

type ElemKind = 'map' | 'scalar';

/** upstream sliceElementType: all items of the same JSON type, no nested lists; undefined when all are empty. */
function elementKind(...lists: unknown[][]): ElemKind | undefined {
  let prev: string | undefined;
  for (const l of lists) {
    for (const v of l) {
      const t = v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
      if (prev === undefined) {
        if (t === 'array') fail('unprocessable', ErrNoListOfLists);
        prev = t;
      } else if (prev !== t) {
        fail('server', `list element types are not identical: ${show(lists)}`);
      }
    }
  }
  if (prev === undefined) return undefined;
  return prev === 'object' ? 'map' : 'scalar';
}

function mergeKeyValue(item: unknown, mergeKey: string): unknown {
  if (!isPlainObject(item)) fail('server', `expected a map, but received a ${show(item)}`);
  const m = item as JsonMap;
  if (!(mergeKey in m)) fail('server', `map: ${show(m)} does not contain declared merge key: ${mergeKey}`);
  return m[mergeKey];
}

/** Position of `item` in `list`, by merge key for maps and by value for scalars; -1 when absent. */
function indexIn(list: unknown[], item: unknown, mergeKey: string, kind: ElemKind): number {
  const val = (x: unknown) => (kind === 'map' ? (isPlainObject(x) ? x[mergeKey] : undefined) : x);
  const want = val(item);
  return list.findIndex((x) => val(x) === want);
}

/** Splits `merged` into items present in `by` and the rest, keeping relative order. */
function partition(merged: unknown[], by: unknown[], mergeKey: string, kind: ElemKind): [unknown[], unknown[]] {
  const inPatch: unknown[] = [], serverOnly: unknown[] = [];
  for (const v of merged) {
    if (kind === 'map') mergeKeyValue(v, mergeKey);
    (indexIn(by, v, mergeKey, kind) >= 0 ? inPatch : serverOnly).push(v);
  }
  return [inPatch, serverOnly];
}

function isDeleteDirective(v: unknown): boolean {
  return isPlainObject(v) && v[DIRECTIVE] === 'delete';
}

/** upstream normalizeSliceOrder: stable sort of `toSort` by position in `order`; delete directives go last. */
function normalizeSliceOrder(toSort: unknown[], order: unknown[], mergeKey: string, kind: ElemKind): unknown[] {
  let rest = toSort;
  let toDelete: unknown[] = [];
  if (kind === 'map') {
    for (const v of [...toSort, ...order]) mergeKeyValue(v, mergeKey);
    rest = toSort.filter((v) => !isDeleteDirective(v));
    toDelete = toSort.filter(isDeleteDirective);
  }
  const pos = (v: unknown) => { const i = indexIn(order, v, mergeKey, kind); return i < 0 ? Number.MAX_SAFE_INTEGER : i; };
  const sorted = rest.map((v, i) => ({ v, i, p: pos(v) })).sort((a, b) => a.p - b.p || a.i - b.i).map((x) => x.v);
  return [...sorted, ...toDelete];
}

/**
 * upstream mergeSortedSlice: interleaves server-only items (`left`) into patch items (`right`), keeping each
 * list's own order; a server-only item goes first only when both are in the live list and it came earlier.
 */
function mergeSortedSlice(left: unknown[], right: unknown[], serverOrder: unknown[], mergeKey: string, kind: ElemKind): unknown[] {
  const out: unknown[] = [];
  let i = 0, j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) { out.push(right[j++]); continue; }
    if (j >= right.length) { out.push(left[i++]); continue; }
    const li = indexIn(serverOrder, left[i], mergeKey, kind);
    const ri = indexIn(serverOrder, right[j], mergeKey, kind);
    if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
    else out.push(right[j++]);
  }
  return out;
}

function normalizeElementOrder(patchItems: unknown[], serverOnly: unknown[], patchOrder: unknown[], serverOrder: unknown[], mergeKey: string, kind: ElemKind): unknown[] {
  const p = normalizeSliceOrder(patchItems, patchOrder, mergeKey, kind);
  const s = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlice(s, p, serverOrder, mergeKey, kind);
}

function dedupe(list: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const v of list) if (!out.includes(v)) out.push(v);
  return out;
}

class Merger {
  constructor(private readonly model: SchemaModel) {}

  /** upstream mergeMap. Mutates and returns `original`; consumes `patch`. */
  mergeMap(original: JsonMap, patch: JsonMap, schema: SchemaNode | undefined): JsonMap {
    if (DIRECTIVE in patch) {
      const d = patch[DIRECTIVE];
      if (d === 'replace') {
        delete patch[DIRECTIVE];
        return this.materializeMap(patch, schema);
      }
      if (d === 'delete') return {};
      // Documented as the default; upstream's code rejects it, we accept it as a no-op.
      if (d !== 'merge') fail('server', `Unknown patch type: ${typeof d === 'string' ? d : show(d)} in map: ${show(patch)}`);
      delete patch[DIRECTIVE];
    }
    this.applyRetainKeys(original, patch);
    this.mergeSetElementOrder(original, patch, schema);

    for (const k of Object.keys(patch)) {
      const patchV = patch[k];
      let key = k;
      let isDeleteList = false;
      if (k.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
        key = extractKey(k, DELETE_FROM_PRIMITIVE_LIST);
        isDeleteList = true;
      }
      if (patchV === null) {
        delete original[key];
        continue;
      }
      const child = childSchema(this.model, schema, key).node;
      if (!(key in original) || original[key] === null) {
        // Nothing to delete from a list that is not there.
        if (!isDeleteList) original[key] = this.materialize(patchV, child);
        continue;
      }
      const origV = original[key];
      const ps = patchStrategyOf(this.model, child);
      if (isPlainObject(origV) && isPlainObject(patchV)) {
        original[key] = ps.strategy === 'replace' ? this.materializeMap(patchV, child) : this.mergeMap(origV, patchV, child);
      } else if (Array.isArray(origV) && Array.isArray(patchV)) {
        original[key] = this.mergeSliceHandler(origV, patchV, child, isDeleteList);
      } else {
        original[key] = this.materialize(patchV, child);
      }
    }
    return original;
  }

  /** A patch value taken as is (no original to merge with): directives resolved, nulls dropped. */
  private materialize(v: unknown, schema: SchemaNode | undefined): unknown {
    if (isPlainObject(v)) return this.materializeMap(v, schema);
    if (Array.isArray(v) && patchStrategyOf(this.model, schema).strategy === 'merge') return this.mergeSliceHandler([], v, schema, false);
    return v;
  }

  private materializeMap(v: JsonMap, schema: SchemaNode | undefined): JsonMap {
    return this.mergeMap({}, v, schema);
  }

  private mergeSliceHandler(original: unknown[], patch: unknown[], schema: SchemaNode | undefined, isDeleteList: boolean): unknown[] {
    const ps = patchStrategyOf(this.model, schema);
    if (ps.strategy !== 'merge') return patch;
    return this.mergeSlice(original, patch, itemsSchema(this.model, schema), ps.mergeKey, isDeleteList);
  }

  /** upstream mergeSlice. */
  private mergeSlice(original: unknown[], patch: unknown[], items: SchemaNode | undefined, mergeKey: string, isDeleteList: boolean): unknown[] {
    if (original.length === 0 && patch.length === 0) return original;
    const kind = elementKind(original, patch)!;
    let merged: unknown[];
    if (kind !== 'map') {
      if (isDeleteList) return original.filter((v) => !patch.includes(v));
      merged = dedupe([...original, ...patch]);
    } else {
      if (!mergeKey) fail('server', 'cannot merge lists without merge key for type struct');
      [original, patch] = this.mergeSliceWithSpecialElements(original, patch, mergeKey, items);
      merged = this.mergeSliceWithoutSpecialElements(original, patch, mergeKey, items);
    }
    const [patchItems, serverOnly] = partition(merged, patch, mergeKey, kind);
    return normalizeElementOrder(patchItems, serverOnly, patch, original, mergeKey, kind);
  }

  /** Applies `$patch` items of a merge list: delete by key, or replace the whole list. */
  private mergeSliceWithSpecialElements(original: unknown[], patch: unknown[], mergeKey: string, items: SchemaNode | undefined): [unknown[], unknown[]] {
    const plain: unknown[] = [];
    let replace = false;
    for (const v of patch) {
      const m = v as JsonMap;
      if (!(DIRECTIVE in m)) { plain.push(v); continue; }
      switch (m[DIRECTIVE]) {
        case 'delete': {
          const key = mergeKeyValue(m, mergeKey);
          original = original.filter((o) => !(isPlainObject(o) && o[mergeKey] === key));
          break;
        }
        case 'replace': replace = true; break;
        case 'merge': fail('server', 'merging lists cannot yet be specified in the patch'); break;
        default: fail('server', `Unknown patch type: ${typeof m[DIRECTIVE] === 'string' ? m[DIRECTIVE] : show(m[DIRECTIVE])} in map: ${show(m)}`);
      }
    }
    if (replace) return [plain.map((v) => this.materializeMap(v as JsonMap, items)), []];
    return [original, plain];
  }

  /** Returns a new list: `original` keeps its length, since the merged order is computed against it. */
  private mergeSliceWithoutSpecialElements(live: unknown[], patch: unknown[], mergeKey: string, items: SchemaNode | undefined): unknown[] {
    const original = [...live];
    for (const v of patch) {
      const key = mergeKeyValue(v, mergeKey);
      const idx = original.findIndex((o) => {
        if (!isPlainObject(o)) fail('server', `value for key ${show(o)} is not a map.`);
        return (o as JsonMap)[mergeKey] === key;
      });
      if (idx >= 0) original[idx] = this.mergeMap(original[idx] as JsonMap, v as JsonMap, items);
      else original.push(this.materializeMap(v as JsonMap, items));
    }
    return original;
  }

  /** upstream applyRetainKeysDirective: clears keys of `original` that `$retainKeys` does not list. */
  private applyRetainKeys(original: JsonMap, patch: JsonMap): void {
    if (!(RETAIN_KEYS in patch)) return;
    const list = patch[RETAIN_KEYS];
    delete patch[RETAIN_KEYS];
    if (!Array.isArray(list)) fail('badRequest', ErrBadPatchFormatForRetainKeys);
    const keep = new Set(list as unknown[]);
    for (const [k, v] of Object.entries(patch)) {
      if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
      if (!keep.has(k)) fail('badRequest', ErrBadPatchFormatForRetainKeys);
    }
    for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
  }

  /** upstream mergePatchIntoOriginal: merges each list named by `$setElementOrder/<list>` and orders it. */
  private mergeSetElementOrder(original: JsonMap, patch: JsonMap, schema: SchemaNode | undefined): void {
    for (const key of Object.keys(patch)) {
      if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
      const order = patch[key];
      delete patch[key];
      if (!Array.isArray(order)) fail('server', `expected a []interface {}, but received a ${show(order)}`);
      const field = extractKey(key, SET_ELEMENT_ORDER);
      const child = childSchema(this.model, schema, field).node;
      const ps = patchStrategyOf(this.model, child);
      const mergeKey = ps.strategy === 'merge' ? ps.mergeKey : '';
      const origList = original[field], patchList = patch[field];
      if (origList !== undefined && origList !== null && !Array.isArray(origList)) fail('server', `expected a []interface {}, but received a ${show(origList)}`);
      if (patchList !== undefined && patchList !== null && !Array.isArray(patchList)) fail('server', `expected a []interface {}, but received a ${show(patchList)}`);
      const ol = (origList ?? undefined) as unknown[] | undefined;
      const pl = (patchList ?? undefined) as unknown[] | undefined;
      this.validatePatchWithSetOrderList(pl ?? [], order as unknown[], mergeKey);
      let merged: unknown[];
      if (ol && !pl) merged = ol;
      else if (!ol && pl) merged = this.mergeSliceHandler([], pl, child, false);
      else if (ol && pl) merged = this.mergeSliceHandler(ol, pl, child, false);
      else continue;
      delete patch[field];
      const kind = elementKind(ol ?? [], merged);
      if (!kind) { original[field] = merged; continue; }
      const [patchItems, serverOnly] = mergeKey
        ? partition(merged, order as unknown[], mergeKey, 'map')
        : partition(merged, order as unknown[], '', 'scalar');
      original[field] = normalizeElementOrder(patchItems, serverOnly, order as unknown[], ol ?? [], mergeKey, mergeKey ? 'map' : kind);
    }
  }

  /** The patch list's items (deletions aside) must appear in `$setElementOrder` in the same relative order. */
  private validatePatchWithSetOrderList(patchList: unknown[], order: unknown[], mergeKey: string): void {
    if (order.length === 0 || patchList.length === 0) return;
    const nonDelete = mergeKey ? patchList.filter((v) => !isDeleteDirective(v)) : patchList;
    let pi = 0, oi = 0;
    while (pi < nonDelete.length && oi < order.length) {
      if (isPlainObject(nonDelete[pi]) && DIRECTIVE in (nonDelete[pi] as JsonMap)) { pi++; continue; }
      const equal = mergeKey ? mergeKeyValue(nonDelete[pi], mergeKey) === mergeKeyValue(order[oi], mergeKey) : nonDelete[pi] === order[oi];
      if (equal) pi++;
      oi++;
    }
    if (pi < nonDelete.length && oi >= order.length) {
      fail('server', `The order in patch list:\n${show(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${show(order)}\n`);
    }
  }
}
