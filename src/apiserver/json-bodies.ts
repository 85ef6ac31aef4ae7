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
