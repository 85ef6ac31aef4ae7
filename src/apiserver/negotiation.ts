// Content negotiation: decoding request bodies (JSON, YAML, Kubernetes protobuf) and reading what the client
// accepts (plain objects, meta.k8s.io Tables, PartialObjectMetadata).
import { parse as parseYaml } from 'yaml';
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

/** The nesting depth of a decoded value, computed without recursion (the value may be hostile). */
function exceedsDepth(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v as object)) {
      if (child !== null && typeof child === 'object') stack.push([child, d + 1]);
    }
  }
  return false;
}

/** Decodes a request body by Content-Type. Bad syntax → 400 with the parser's position; unknown type → 415. */
export async function decodeBody(body: Buffer | undefined, contentTypeHeader: string | undefined, forPatch = false): Promise<DecodedBody> {
  const decoded = await decodeBodyUnchecked(body, contentTypeHeader, forPatch);
  if (exceedsDepth(decoded.value, maxBodyDepth)) throw badRequest(`error decoding request body: exceeded max depth of ${maxBodyDepth} nested objects or arrays`);
  return decoded;
}

async function decodeBodyUnchecked(body: Buffer | undefined, contentTypeHeader: string | undefined, forPatch: boolean): Promise<DecodedBody> {
  const ct = (contentTypeHeader ?? 'application/json').split(';')[0].trim().toLowerCase();
  if (!body || body.length === 0) throw badRequest('the request body is empty; send a JSON or YAML object');
  const text = () => body.toString('utf8');
  if (ct === 'application/vnd.kubernetes.protobuf') {
    if (forPatch) throw unsupportedMediaType(ct);
    const dec = await loadProtobuf();
    return { value: dec(body).object, contentType: ct };
  }
  const jsonish = ct === 'application/json' || ct === '' || ct === 'application/json-patch+json' || ct === 'application/merge-patch+json' || ct === 'application/strategic-merge-patch+json' || ct === '*/*' || ct === 'text/plain';
  if (jsonish) {
    try { return { value: JSON.parse(text()), contentType: ct }; }
    catch (e) {
      // kubectl and client libraries sometimes send YAML with a JSON content type; upstream's decoder is YAML-tolerant.
      if (ct === 'application/json' || ct === '') {
        try { const v = parseYaml(text()); if (v && typeof v === 'object') return { value: v, contentType: ct }; } catch { /* report the JSON error */ }
      }
      throw badRequest(`error decoding request body: ${(e as Error).message}`);
    }
  }
  if (ct === 'application/yaml' || ct === 'application/apply-patch+yaml' || ct === 'application/x-yaml' || ct === 'text/yaml') {
    try { return { value: parseYaml(text(), { strict: true, uniqueKeys: true }), contentType: ct }; }
    catch (e) { throw badRequest(`error decoding YAML: ${(e as Error).message.split('\n')[0]}`); }
  }
  throw unsupportedMediaType(ct);
}

export { StatusError };
