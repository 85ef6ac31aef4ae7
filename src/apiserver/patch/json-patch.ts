// RFC 6902 JSON patch (Content-Type application/json-patch+json), applied with fast-json-patch. Errors carry
// the texts of upstream's library (gopkg.in/evanphx/json-patch.v4) inside the Status upstream's handler builds:
// a body that is not a list of operations → 400 BadRequest; an operation that cannot apply (missing path,
// failed `test`) → 422 "the server rejected our request due to an error in our request", the library's
// message as the cause; more than 10000 operations → 413.
import jsonpatch from 'fast-json-patch';
import { badRequest, requestEntityTooLarge } from '../../api/errors.js';
import { cloneJson, isPlainObject, unprocessablePatch } from './patch-errors.js';

/** Upstream's maxJSONPatchOperations. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

const KINDS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/**
 * Applies `patchOps` to a copy of `obj`; `obj` is never modified, unless the caller gives it away (`inPlace`: its
 * own private copy, which may be left half patched when an operation fails).
 */
export function applyJsonPatch(obj: object, patchOps: unknown, opts: { inPlace?: boolean } = {}): object {
  if (!Array.isArray(patchOps)) {
    throw badRequest(`json: cannot unmarshal ${jsonKind(patchOps)} into Go value of type jsonpatch.Patch`);
  }
  for (const op of patchOps) {
    if (!isPlainObject(op)) throw badRequest(`json: cannot unmarshal ${jsonKind(op)} into Go value of type jsonpatch.Operation`);
  }
  if (patchOps.length > MAX_JSON_PATCH_OPERATIONS) {
    throw requestEntityTooLarge(`The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${patchOps.length}`);
  }
  let doc: unknown = opts.inPlace ? obj : cloneJson(obj);
  for (const [i, raw] of (patchOps as Record<string, unknown>[]).entries()) {
    const kind = typeof raw.op === 'string' ? raw.op : 'unknown';
    if (!KINDS.has(kind)) throw unprocessablePatch(`Unexpected kind: ${kind}`);
    const failure = precheck(doc, raw, kind);
    if (failure) throw unprocessablePatch(failure);
    try {
      // The operation is cloned so the document never aliases the caller's patch values.
      doc = jsonpatch.applyOperation(doc, cloneJson(raw) as unknown as jsonpatch.Operation, true, true, true, i).newDocument;
    } catch (err) {
      throw unprocessablePatch(describe(err, raw, kind));
    }
  }
  return doc as object;
}

function jsonKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return typeof v === 'boolean' ? 'bool' : typeof v;
}

/** RFC 6901 pointer → unescaped tokens; undefined when it is not a pointer. */
function tokens(path: unknown): string[] | undefined {
  if (typeof path !== 'string') return undefined;
  if (path === '') return [];
  if (!path.startsWith('/')) return undefined;
  return path.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The container holding the last token of `path`, or undefined when some parent is missing. */
function parentOf(doc: unknown, toks: string[]): unknown {
  let cur = doc;
  for (const t of toks.slice(0, -1)) {
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(t) || Number(t) >= cur.length) return undefined;
      cur = cur[Number(t)];
    } else if (isPlainObject(cur)) {
      if (!Object.prototype.hasOwnProperty.call(cur, t)) return undefined;
      cur = cur[t];
    } else return undefined;
  }
  return Array.isArray(cur) || isPlainObject(cur) ? cur : undefined;
}

function has(container: unknown, key: string): boolean {
  if (Array.isArray(container)) return /^\d+$/.test(key) && Number(key) < container.length;
  return isPlainObject(container) && Object.prototype.hasOwnProperty.call(container, key);
}

/** Reproduces evanphx/json-patch's messages for the common failures, checked against the current document. */
function precheck(doc: unknown, op: Record<string, unknown>, kind: string): string | undefined {
  const path = op.path;
  const toks = tokens(path);
  if (toks === undefined) return `${kind} operation failed to decode path: missing value`;
  if (toks.length === 0) return undefined;
  const parent = parentOf(doc, toks);
  const key = toks[toks.length - 1];
  switch (kind) {
    case 'add':
      if (!parent) return `add operation does not apply: doc is missing path: "${path}": missing value`;
      if (Array.isArray(parent) && key !== '-' && (!/^\d+$/.test(key) || Number(key) > parent.length)) {
        return `error in add for path: '${path}': Unable to access invalid index: ${key}: invalid index referenced`;
      }
      if (!('value' in op)) return `error in add for path: '${path}': missing value`;
      return undefined;
    case 'remove':
      if (!parent) return `remove operation does not apply: doc is missing path: "${path}": missing value`;
      if (!has(parent, key)) {
        return Array.isArray(parent)
          ? `error in remove for path: '${path}': Unable to access invalid index: ${key}: invalid index referenced`
          : `error in remove for path: '${path}': Unable to remove nonexistent key: ${key}: missing value`;
      }
      return undefined;
    case 'replace':
      if (!parent) return `replace operation does not apply: doc is missing path: ${path}: missing value`;
      if (!has(parent, key)) return `replace operation does not apply: doc is missing key: ${path}: missing value`;
      if (!('value' in op)) return `error in remove for path: '${path}': missing value`;
      return undefined;
    case 'test':
      if (!parent) return `test operation does not apply: is missing path: ${path}: missing value`;
      // evanphx treats a missing key as null: `test` for null passes, anything else fails.
      if (!has(parent, key)) return op.value === null ? undefined : `testing value ${path} failed: test failed`;
      return undefined;
    case 'move':
    case 'copy': {
      const from = tokens(op.from);
      if (from === undefined) return `${kind} operation failed to decode from: missing value`;
      if (from.length > 0) {
        const fp = parentOf(doc, from);
        if (!fp) return `${kind} operation does not apply: doc is missing from path: ${op.from}: missing value`;
        if (!has(fp, from[from.length - 1])) return `error in ${kind} for path: '${from[from.length - 1]}': missing value`;
      }
      if (!parent) return `${kind} operation does not apply: doc is missing destination path: ${path}: missing value`;
      // RFC 6902: a value cannot move into itself (moving "" or /metadata under itself made a circular document, a 500).
      if (kind === 'move' && from.length < toks.length && from.every((t, i) => t === toks[i])) {
        return `move operation does not apply: from path "${String(op.from)}" is a proper prefix of path "${String(path)}"`;
      }
      return undefined;
    }
  }
  return undefined;
}

function describe(err: unknown, op: Record<string, unknown>, kind: string): string {
  const name = (err as { name?: string })?.name;
  if (name === 'TEST_OPERATION_FAILED') return `testing value ${op.path} failed: test failed`;
  if (name === 'OPERATION_PATH_UNRESOLVABLE' || name === 'OPERATION_PATH_CANNOT_ADD') {
    return `${kind} operation does not apply: doc is missing path: ${op.path}: missing value`;
  }
  if (name === 'OPERATION_VALUE_REQUIRED') return `error in ${kind} for path: '${op.path}': missing value`;
  return (err as Error)?.message?.split('\n')[0] ?? String(err);
}
