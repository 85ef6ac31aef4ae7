// The Status errors upstream's PATCH handler (k8s.io/apiserver/pkg/endpoints/handlers/patch.go) produces, so a
// client sees the same code, reason and message whichever patch type failed.
import { StatusError } from '../../api/errors.js';

/**
 * errors.NewGenericServerResponse(422, ...): reason Invalid, a fixed message, and the underlying error text as
 * the single cause (type "UnexpectedServerResponse"). Upstream uses it for JSON patch ops that fail to apply
 * and for strategic merge patches that cannot be applied to the object's shape.
 */
export function unprocessablePatch(detail: string): StatusError {
  return new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {
    causes: [{ reason: 'UnexpectedServerResponse', message: detail }],
  });
}

/**
 * Errors upstream returns as plain Go errors, which its error boundary turns into a 500 whose message is the
 * error text (e.g. a list item without its merge key). Kept as 500 so clients see what upstream shows.
 */
export function patchServerError(message: string): StatusError {
  return new StatusError(500, 'InternalError', message);
}

/** A plain-object JSON value (not an array, not null). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep copy of a JSON value (patch functions never mutate their inputs). */
export function cloneJson<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}

/** Structural equality of JSON values (object key order does not matter). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => jsonEqual(x, bb[i]));
  }
  const ak = Object.keys(a as object), bk = Object.keys(b as object);
  if (ak.length !== bk.length) return false;
  return ak.every((k) => Object.prototype.hasOwnProperty.call(b, k) &&
    jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
