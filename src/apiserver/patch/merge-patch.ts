// RFC 7396 JSON merge patch (Content-Type application/merge-patch+json), as upstream applies it with
// evanphx/json-patch's MergePatch: objects merge key by key, null deletes a key, anything else (arrays
// included) replaces the value whole. The input object is never modified.
import { badRequest } from '../../api/errors.js';
import { cloneJson, isPlainObject } from './patch-errors.js';

export function applyMergePatch(obj: object, patch: unknown): object {
  // A patch that is not an object would replace the whole document, which cannot decode into an object;
  // upstream answers those (and a null patch, ErrBadJSONPatch) with 400.
  if (!isPlainObject(patch)) throw badRequest('Invalid JSON Patch');
  const doc = cloneJson(obj) as Record<string, unknown>;
  mergeInto(doc, patch);
  return doc;
}

function mergeInto(doc: Record<string, unknown>, patch: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) { delete doc[k]; continue; }
    const cur = Object.prototype.hasOwnProperty.call(doc, k) ? doc[k] : undefined; // never an inherited member
    if (isPlainObject(cur) && isPlainObject(v)) mergeInto(cur, v);
    else doc[k] = withoutNulls(cloneJson(v));
  }
}

/** A value that replaces (rather than merges into) the document loses its null members (also inside objects in
 * arrays, as evanphx prunes them), as RFC 7396 says. */
function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) { v.forEach(withoutNulls); return v; }
  if (!isPlainObject(v)) return v;
  for (const [k, x] of Object.entries(v)) {
    if (x === null) delete v[k];
    else withoutNulls(x);
  }
  return v;
}
