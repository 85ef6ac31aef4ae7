// The Status errors upstream's PATCH handler (k8s.io/apiserver/pkg/endpoints/handlers/patch.go) produces, so a
// client sees the same code, reason and message whichever patch type failed.
import { badRequest, genericServerResponse, type StatusError } from '../../api/errors.js';

/**
 * errors.NewGenericServerResponse(422, "", GroupResource{}, "", err.Error(), 0, false): reason Invalid, a fixed
 * message and empty details. With isUnexpectedResponse false upstream drops the library's error text, so clients
 * see only "the server rejected our request due to an error in our request" (kubectl: "The request is invalid:
 * ..."). Upstream uses it for JSON patch ops that fail to apply (a remove or replace of a missing path, a failed
 * test) and for strategic merge patches that cannot be applied to the object's shape. The library's text stays
 * on the error as its (never serialized) cause, for logs and tests.
 */
export function unprocessablePatch(detail: string): StatusError {
  const err = genericServerResponse(422, 'the server rejected our request due to an error in our request', {});
  Object.defineProperty(err, 'cause', { value: detail, enumerable: false });
  return err;
}

/**
 * Errors upstream returns as plain Go errors, which its error boundary turns into a 500 whose message is the
 * error text (e.g. a list item without its merge key, an unknown $patch directive). The patch is at fault, not the
 * server, so we answer 400 BadRequest with upstream's text: a hostile patch never produces a 5xx (issue 10).
 */
export function patchServerError(message: string): StatusError {
  return badRequest(message);
}

/** A plain-object JSON value (not an array, not null). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Deep copy of a JSON value (patch functions never mutate their inputs), equal to structuredClone's. Plain trees
 * of objects, arrays and scalars (what requests and storage decode to) are copied directly, several times faster;
 * anything else (shared or circular references, class instances, sparse arrays, functions...) goes to
 * structuredClone, which keeps its own rules for them.
 */
export function cloneJson<T>(v: T): T {
  if (v === undefined) return v;
  if (typeof v !== 'object' || v === null) return structuredClone(v);
  const copy = copyTree(v, new Set());
  return (copy === NOT_PLAIN ? structuredClone(v) : copy) as T;
}

/**
 * A deep copy of a value fresh from JSON.parse (plain objects and arrays, nothing shared or circular): cloneJson's
 * result for it, without the bookkeeping cloneJson needs to notice anything else. A "__proto__" key (which
 * JSON.parse makes an own property) goes to cloneJson.
 */
export function copyParsedJson<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  const copy = copyParsed(v);
  return (copy === NOT_PLAIN ? cloneJson(v) : copy) as T;
}

function copyParsed(v: object): unknown {
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (let i = 0; i < v.length; i++) {
      const x = v[i] as unknown;
      if (x !== null && typeof x === 'object') {
        const c = copyParsed(x);
        if (c === NOT_PLAIN) return NOT_PLAIN;
        out.push(c);
      } else out.push(x);
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const k in v) {
    if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
    if (k === '__proto__') return NOT_PLAIN;
    const x = (v as Record<string, unknown>)[k];
    if (x !== null && typeof x === 'object') {
      const c = copyParsed(x);
      if (c === NOT_PLAIN) return NOT_PLAIN;
      out[k] = c;
    } else out[k] = x;
  }
  return out;
}

const NOT_PLAIN = Symbol('not a plain tree');

function copyTree(v: object, seen: Set<object>): unknown {
  if (seen.has(v)) return NOT_PLAIN;
  seen.add(v);
  if (Array.isArray(v)) {
    if (Object.getPrototypeOf(v) !== Array.prototype || Object.keys(v).length !== v.length) return NOT_PLAIN;
    const out: unknown[] = [];
    for (let i = 0; i < v.length; i++) {
      const x = copyValue(v[i], seen);
      if (x === NOT_PLAIN) return NOT_PLAIN;
      out.push(x);
    }
    return out;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return NOT_PLAIN;
  const out: Record<string, unknown> = {};
  // (for-in, not Object.keys: no keys array per object; inherited keys are skipped as Object.keys would.)
  for (const k in v) {
    if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
    if (k === '__proto__') return NOT_PLAIN;
    const x = copyValue((v as Record<string, unknown>)[k], seen);
    if (x === NOT_PLAIN) return NOT_PLAIN;
    out[k] = x;
  }
  return out;
}

function copyValue(x: unknown, seen: Set<object>): unknown {
  switch (typeof x) {
    case 'object': return x === null ? x : copyTree(x, seen);
    case 'function': case 'symbol': return NOT_PLAIN;
    default: return x;
  }
}

/** Structural equality of JSON values (object key order does not matter). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  const isArray = Array.isArray(a);
  if (isArray !== Array.isArray(b)) return false;
  if (isArray) {
    const aa = a as unknown[], bb = b as unknown[];
    if (aa.length !== bb.length) return false;
    for (let i = 0; i < aa.length; i++) {
      if (!(i in aa)) continue; // holes are skipped, as Array.prototype.every does
      if (!jsonEqual(aa[i], bb[i])) return false;
    }
    return true;
  }
  const am = a as Record<string, unknown>, bm = b as Record<string, unknown>;
  const ak = Object.keys(am);
  if (ak.length !== Object.keys(bm).length) return false;
  for (const k of ak) {
    if (!Object.prototype.hasOwnProperty.call(bm, k) || !jsonEqual(am[k], bm[k])) return false;
  }
  return true;
}
