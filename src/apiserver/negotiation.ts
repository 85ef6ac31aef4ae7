// Content negotiation: decoding request bodies (JSON, YAML, Kubernetes protobuf) and reading what the client
// accepts (plain objects, meta.k8s.io Tables, PartialObjectMetadata).
import { parseYamlBody } from './yaml-body.js';
import { noteParsedJson } from './json-bodies.js';
import { badRequest, unsupportedMediaType, StatusError } from '../api/errors.js';

export type AcceptAs = 'object' | 'table' | 'partial';

/** What representation the client wants, from its Accept header (first acceptable entry wins, as upstream). */
export function acceptAs(accept: string | undefined): AcceptAs {
  if (!accept) return 'object';
  for (const entry of accept.split(',')) {
    const e = entry.trim();
    if (/as=Table/.test(e) && /g=meta\.k8s\.io/.test(e) && /v=v1(;|$|\b)/.test(e)) return 'table';
    if (/as=PartialObjectMetadata(List)?/.test(e) && /g=meta\.k8s\.io/.test(e) && /v=v1(;|$|\b)/.test(e)) return 'partial';
    if (/as=/.test(e)) continue;
    if (e.startsWith('application/json') || e.startsWith('*/*') || e.startsWith('application/*') || e.startsWith('application/vnd.kubernetes.protobuf') || e.startsWith('application/yaml')) return 'object';
  }
  return 'object';
}

export interface DecodedBody { value: any; contentType: string }

let protobufDecoder: ((b: Buffer) => { object: Record<string, unknown> }) | undefined;
async function loadProtobuf() {
  if (!protobufDecoder) {
    const mod = await import('./protobuf/decode.js');
    protobufDecoder = mod.decodeKubernetesProtobuf as any;
  }
  return protobufDecoder!;
}

/**
 * The deepest nesting of objects and arrays a request body may have. Upstream's JSON decoder stops at 10000; ours
 * is lower because every layer after decoding (cloning, comparing, serializing) recurses, and no built-in kind
 * comes anywhere near it (a Deployment is about 15 deep).
 */
export const maxBodyDepth = 1000;

/**
 * What is wrong with a decoded value's shape, if anything, found without recursion (the value may be hostile):
 * nesting past the limit, or a "__proto__" key. Such a key reads as Object.prototype in every object the value is
 * copied or merged into, so a merge patch {"__proto__": {...}} changed Object.prototype for the whole process; no
 * Kubernetes field is named so, and a map key so named (a ConfigMap's data) is refused too.
 */
function badShape(value: unknown, limit: number): 'depth' | 'proto' | undefined {
  // Two stacks side by side (values, depths) and for-in: no pair nor values array per object.
  const values: unknown[] = [value];
  const depths: number[] = [1];
  while (values.length) {
    const v = values.pop()!;
    const d = depths.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > limit) return 'depth';
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== Array.prototype && proto !== null) return 'proto';
    if (Array.isArray(v)) {
      for (const child of v) if (child !== null && typeof child === 'object') { values.push(child); depths.push(d + 1); }
      continue;
    }
    if (Object.prototype.hasOwnProperty.call(v, '__proto__')) return 'proto';
    for (const k in v) {
      if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
      const child = (v as Record<string, unknown>)[k];
      if (child !== null && typeof child === 'object') { values.push(child); depths.push(d + 1); }
    }
  }
  return undefined;
}

/**
 * Whether JSON text nests deeper than limit, found by a scan of its brackets outside strings (exact for valid JSON).
 * It runs before JSON.parse, so a body of a million brackets costs a scan rather than a million nested arrays.
 */
export function jsonExceedsDepth(text: string, limit: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) { // a string: skip to its closing quote
      for (i++; i < text.length; i++) { const d = text.charCodeAt(i); if (d === 0x5c) i++; else if (d === 0x22) break; }
    } else if (c === 0x5b || c === 0x7b) { if (++depth > limit) return true; }
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

const depthError = () => badRequest(`error decoding request body: exceeded max depth of ${maxBodyDepth} nested objects or arrays`);

/** Decodes a request body by Content-Type. Bad syntax → 400 with the parser's position; unknown type → 415. */
export async function decodeBody(body: Buffer | undefined, contentTypeHeader: string | undefined, forPatch = false): Promise<DecodedBody> {
  const decoded = await decodeBodyUnchecked(body, contentTypeHeader, forPatch);
  const bad = badShape(decoded.value, maxBodyDepth);
  if (bad === 'depth') throw depthError();
  if (bad === 'proto') throw badRequest('error decoding request body: the field name "__proto__" is not supported');
  return decoded;
}

async function decodeBodyUnchecked(body: Buffer | undefined, contentTypeHeader: string | undefined, forPatch: boolean): Promise<DecodedBody> {
  const ct = (contentTypeHeader ?? 'application/json').split(';')[0].trim().toLowerCase();
  if (!body || body.length === 0) throw badRequest('the request body is empty; send a JSON or YAML object');
  let decoded: string | undefined;
  const text = () => (decoded ??= body.toString('utf8'));
  if (ct === 'application/vnd.kubernetes.protobuf') {
    if (forPatch) throw unsupportedMediaType(ct);
    const dec = await loadProtobuf();
    return { value: dec(body).object, contentType: ct };
  }
  const jsonish = ct === 'application/json' || ct === '' || ct === 'application/json-patch+json' || ct === 'application/merge-patch+json' || ct === 'application/strategic-merge-patch+json' || ct === '*/*' || ct === 'text/plain';
  if (jsonish) {
    if (jsonExceedsDepth(text(), maxBodyDepth)) throw depthError();
    try { const value = JSON.parse(text()); noteParsedJson(body); return { value, contentType: ct }; }
    catch (e) {
      // kubectl and client libraries sometimes send YAML with a JSON content type; upstream's decoder is YAML-tolerant.
      if (ct === 'application/json' || ct === '') {
        try { const v = parseYamlBody(text()); if (v && typeof v === 'object') return { value: v, contentType: ct }; } catch { /* report the JSON error */ }
      }
      throw badRequest(`error decoding request body: ${(e as Error).message}`);
    }
  }
  if (ct === 'application/yaml' || ct === 'application/apply-patch+yaml' || ct === 'application/x-yaml' || ct === 'text/yaml') {
    try { return { value: parseYamlBody(text(), { strict: true }), contentType: ct }; }
    catch (e) { throw badRequest(`error decoding YAML: ${(e as Error).message.split('\n')[0]}`); }
  }
  throw unsupportedMediaType(ct);
}

export { StatusError };
