// Which request bodies the handler parsed as JSON, and which response bodies it serialized from which object: the
// audit log (audit/audit.ts) writes such a text into its event line as it is, and reads a created object's name
// from the object, instead of parsing the text again (two parses and two serializations of every pod it logged).
// Whoever copies a response on its way out (flow control's headers, deprecation warnings) carries the mark over
// (sameSerialized); a copy that does not is merely parsed again.
import type { ApiResponse } from '../api/transport.js';

const parsedBodies = new WeakSet<Buffer>();
const serialized = new WeakMap<ApiResponse, { text: string; name: unknown }>();

/** Records that `body`, decoded as UTF-8, parsed with JSON.parse (negotiation.ts). */
export function noteParsedJson(body: Buffer): void { parsedBodies.add(body); }

/** Whether `body`, decoded as UTF-8, is known to be valid JSON text. */
export function parsedAsJson(body: Buffer): boolean { return parsedBodies.has(body); }

/**
 * Records that `res.body` is `text`, JSON.stringify(object) (handlers/context.ts jsonResponse), with the object's
 * metadata.name (only the name is kept: the object itself, a whole list perhaps, is garbage once serialized).
 */
export function noteSerialized(res: ApiResponse, text: string, object: unknown): void {
  serialized.set(res, { text, name: (object as { metadata?: { name?: unknown } } | null | undefined)?.metadata?.name });
}

/** `copy`, a copy of `res` with other headers, known to carry the same serialized body as `res`. */
export function sameSerialized(res: ApiResponse, copy: ApiResponse): ApiResponse {
  const s = serialized.get(res);
  if (s) serialized.set(copy, s);
  return copy;
}

/** The metadata.name of the object `res.body` was serialized from, when res.body is known to be its JSON.stringify text. */
export function serializedFrom(res: ApiResponse): { name: unknown } | undefined {
  const s = serialized.get(res);
  return s && s.text === res.body ? s : undefined;
}
