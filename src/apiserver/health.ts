// /healthz, /livez, /readyz (all checks, `?verbose` lists them) and /<endpoint>/<check> for one check, as
// upstream's healthz handlers: "ok" or "[-]<check> failed: reason withheld"; an unknown check is a 404.
// Our checks: ping (the server answers), log (the logger works), etcd (the datastore answers; /livez ignores it,
// as upstream's liveness does not fail on a slow datastore).
import type { ApiRequest, ApiResponse } from '../api/transport.js';
import { notFoundError } from '../api/errors.js';

const checks = ['ping', 'log', 'etcd'];

/** The answer for a health path, or undefined if `path` is not one. `ready` says whether the datastore answers. */
export function serveHealth(req: ApiRequest, path: string, ready?: () => Promise<boolean>): Promise<ApiResponse> | undefined {
  const all = /^\/(healthz|livez|readyz)$/.exec(path);
  const one = /^\/(healthz|livez|readyz)\/([a-z-]+)$/.exec(path);
  if (all) return health(req, all[1], undefined, ready);
  if (one) return health(req, one[1], one[2], ready);
  return undefined;
}

async function health(req: ApiRequest, endpoint: string, only: string | undefined, ready?: () => Promise<boolean>): Promise<ApiResponse> {
  if (only && !checks.includes(only)) throw notFoundError();
  const storeOk = endpoint === 'livez' || !ready || await ready();
  const text = { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' };
  const results = (only ? [only] : checks).map((c) => ({ c, ok: c !== 'etcd' || storeOk }));
  if (only) {
    const r = results[0];
    return r.ok ? { status: 200, headers: text, body: 'ok' } : { status: 500, headers: text, body: `internal server error: ${r.c} check failed` };
  }
  const allOk = results.every((r) => r.ok);
  const lines = results.map((r) => r.ok ? `[+]${r.c} ok` : `[-]${r.c} failed: reason withheld`).join('\n');
  if (!allOk) return { status: 500, headers: text, body: `${lines}\n${endpoint} check failed\n` };
  return { status: 200, headers: text, body: req.query.has('verbose') ? `${lines}\n${endpoint} check passed\n` : 'ok' };
}
