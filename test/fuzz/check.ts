// What every answer to a hostile request must be: no 5xx, an error body that is a Kubernetes Status with a sane
// code, and no internals (stack traces, source paths, JavaScript error names, storage errors) in it.
import { parse as parseYaml } from 'yaml';
import type { FuzzCase, FuzzResult } from './case.js';

/**
 * The codes a hostile request may get. 401/403: credentials and impersonation; 408: a request not received in time;
 * 417: an Expect the server does not support; 431: headers over the limit (both answered by the HTTP layer, as Go's
 * server does). 503 and 504 only as legitimate5xx says.
 */
export const saneCodes = new Set([400, 401, 403, 404, 405, 406, 408, 409, 410, 413, 415, 417, 422, 429, 431]);

/** Text that means internals leaked into an answer (unless the request itself carried it). */
const leaks: [string, RegExp][] = [
  ['stack trace', /\n\s+at |\bat (async )?[\w.<>]+ \(/],
  ['source path', /\/src\/|\bdist\/|node_modules|file:\/\/|\.ts:\d+|\.js:\d+/],
  ['JavaScript error', /TypeError|RangeError|ReferenceError|SyntaxError|Maximum call stack|\[object Object\]|is not a function|Cannot read propert|of undefined|of null\b/],
  ['undefined', /\bundefined\b/],
  ['storage error', /SQLITE|sqlite|better-sqlite3|etcdserver|etcd3|grpc/i],
];

/**
 * The two 5xx answers upstream gives on purpose, with a Status: 503 for an aggregated API with no backend
 * (metrics.k8s.io before a metrics server runs), and 504 for a resourceVersion ahead of the store's (the client is
 * to retry). Every other 5xx fails.
 */
function legitimate5xx(c: FuzzCase, r: FuzzResult): boolean {
  if (c.method === 'HEAD') return (r.status === 503 && c.path.includes('/metrics.k8s.io/')) || r.status === 504;
  let body: any;
  try { body = JSON.parse(r.text); } catch { return false; }
  if (r.status === 503) return body?.reason === 'ServiceUnavailable' && c.path.includes('/metrics.k8s.io/');
  if (r.status === 504) return body?.reason === 'Timeout' && /^Too large resource version: \d+, current: \d+$/.test(body.message);
  return false;
}

export interface Verdict { ok: boolean; why?: string }

export function check(c: FuzzCase, r: FuzzResult): Verdict {
  let decodedPath = c.path;
  try { decodedPath = decodeURIComponent(c.path); } catch { /* keep it encoded */ }
  const requestText = `${c.path}\n${decodedPath}\n${JSON.stringify(c.headers ?? {})}\n${c.body?.toString() ?? ''}\n${c.raw?.toString('latin1') ?? ''}`;
  if (r.status === -1) return { ok: false, why: r.error };
  if (r.status === 0 || (r.error && r.status >= 400)) {
    if (c.mayReset && !r.error?.startsWith('no answer (hang')) return { ok: true };
    return { ok: false, why: `no answer: ${r.error}` };
  }
  if (r.status >= 500 && !legitimate5xx(c, r)) return { ok: false, why: `${r.status}: ${r.text.slice(0, 300)}` };
  const sane = saneCodes.has(r.status) || r.status >= 500;
  if (c.expect && !c.expect.includes(r.status)) return { ok: false, why: `got ${r.status}, want ${c.expect.join(' or ')}: ${r.text.slice(0, 200)}` };
  if (r.status < 400) return { ok: true };
  if (!sane) return { ok: false, why: `unexpected code ${r.status}: ${r.text.slice(0, 200)}` };
  if (c.method === 'HEAD') return { ok: true };
  let body: any;
  const ct = String(r.headers['content-type'] ?? '');
  try { body = /yaml/.test(ct) ? parseYaml(r.text) : JSON.parse(r.text); } catch { return { ok: false, why: `${r.status} body is not a Status (${ct}): ${JSON.stringify(r.text.slice(0, 200))}` }; }
  if (body?.kind !== 'Status' || body.apiVersion !== 'v1' || body.status !== 'Failure' || body.code !== r.status || typeof body.message !== 'string' || typeof body.reason !== 'string') {
    return { ok: false, why: `${r.status} body is not a matching Status: ${r.text.slice(0, 300)}` };
  }
  for (const [what, re] of leaks) {
    const m = re.exec(body.message) ?? re.exec(JSON.stringify(body.details ?? {}));
    if (m && !requestText.includes(m[0])) return { ok: false, why: `${what} in the message: ${JSON.stringify(body.message.slice(0, 300))}` };
  }
  return { ok: true };
}
