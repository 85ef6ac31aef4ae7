// Which request bodies the handler parsed as JSON, and which response bodies it serialized from which object: the
// audit log (audit/audit.ts) writes such a text into its event line as it is, and reads a created object's name
// from the object, instead of parsing the text again (two parses and two serializations of every pod it logged).
// Whoever copies a response field by field on its way out (flow control's headers) carries the mark over
// (sameSerialized; a spread copies it); a copy that does not is merely parsed again. A mark on a response whose
// body was replaced since is ignored (the text must be the body).
import type { ApiResponse } from '../api/transport.js';

// Marks are symbol-keyed properties of the Buffer and the response themselves: a WeakSet's or WeakMap's entry
// cost 20 to 50 times as much to add (and more for the garbage collector) for each request.
const PARSED_JSON = Symbol('parsedJson');
const SERIALIZED = Symbol('serialized');
type Marked<T> = T & { [PARSED_JSON]?: true; [SERIALIZED]?: { text: string; name: unknown } };

/** Records that `body`, decoded as UTF-8, parsed with JSON.parse (negotiation.ts). */
export function noteParsedJson(body: Buffer): void { (body as Marked<Buffer>)[PARSED_JSON] = true; }

/** Whether `body`, decoded as UTF-8, is known to be valid JSON text. */
export function parsedAsJson(body: Buffer): boolean { return (body as Marked<Buffer>)[PARSED_JSON] === true; }

/**
 * Records that `res.body` is `text`, JSON.stringify(object) (handlers/context.ts jsonResponse), with the object's
 * metadata.name (only the name is kept: the object itself, a whole list perhaps, is garbage once serialized).
 */
export function noteSerialized(res: ApiResponse, text: string, object: unknown): void {
  (res as Marked<ApiResponse>)[SERIALIZED] = { text, name: (object as { metadata?: { name?: unknown } } | null | undefined)?.metadata?.name };
}

/** `copy`, a copy of `res` with other headers, known to carry the same serialized body as `res`. */
export function sameSerialized(res: ApiResponse, copy: ApiResponse): ApiResponse {
  const s = (res as Marked<ApiResponse>)[SERIALIZED];
  if (s) (copy as Marked<ApiResponse>)[SERIALIZED] = s;
  return copy;
}

/** The metadata.name of the object `res.body` was serialized from, when res.body is known to be its JSON.stringify text. */
export function serializedFrom(res: ApiResponse): { name: unknown } | undefined {
  const s = (res as Marked<ApiResponse>)[SERIALIZED];
  return s && s.text === res.body ? s : undefined;
}

// An object's own JSON text, known from the write that stored it (registry/generic-store.ts): the response to the
// write, and anything else that serializes the object as it is (watch events), can take the text instead of
// JSON.stringify-ing the object again. The mark names the object it was made for and the resourceVersion it holds,
// so a copy that carried the mark over (a spread) or a later resourceVersion does not use it; callers of a write
// only read the object it returns.
const OBJECT_TEXT = Symbol('objectText');
type TextMarked = { [OBJECT_TEXT]?: { of: object; resourceVersion: unknown; text: string } };

/** Records that JSON.stringify(object) is `text` (with object.metadata.resourceVersion as it is now). */
export function noteObjectText(object: { metadata?: { resourceVersion?: unknown } }, text: string): void {
  (object as TextMarked)[OBJECT_TEXT] = { of: object, resourceVersion: object.metadata?.resourceVersion, text };
}

/** JSON.stringify(object), when a write recorded it. */
export function objectText(object: unknown): string | undefined {
  if (object === null || typeof object !== 'object') return undefined;
  const mark = (object as TextMarked)[OBJECT_TEXT];
  if (mark === undefined || mark.of !== object) return undefined;
  return mark.resourceVersion === (object as { metadata?: { resourceVersion?: unknown } }).metadata?.resourceVersion ? mark.text : undefined;
}
