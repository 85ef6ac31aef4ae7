// GET /debug/flow: the flow tap as Server-Sent Events, one `data:` message per batch ({events, dropped}, tap.ts).
// A non-resource URL, so RBAC decides who may watch (cluster-admin, or a rule with nonResourceURLs: [/debug/flow]
// and verb get); the dashboard reaches it through its API path with the logged-in user's credentials.
//
// Query: batchMs (default 100, 20..5000) and maxPerBatch (default 100, 1..1000).
import type { ApiRequest, ApiResponse } from '../../api/transport.js';
import { badRequest } from '../../api/errors.js';
import type { FlowTap } from './tap.js';

export const FLOW_PATH = '/debug/flow';

/** A comment line every this often keeps idle proxies from closing the stream. */
const heartbeatMs = 15_000;

function bounded(req: ApiRequest, name: string, min: number, max: number): number | undefined {
  const v = req.query.get(name);
  if (v === null) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw badRequest(`${name} must be an integer from ${min} to ${max}`);
  return n;
}

export function serveFlow(req: ApiRequest, tap: FlowTap): ApiResponse {
  const batchMs = bounded(req, 'batchMs', 20, 5000);
  const maxPerBatch = bounded(req, 'maxPerBatch', 1, 1000);
  const ac = new AbortController();
  req.signal?.addEventListener('abort', () => ac.abort(), { once: true });
  async function* messages(): AsyncGenerator<string> {
    // The first line goes out at once, so the client knows the stream is open before anything happens.
    yield ': nanokube flow\n\n';
    const batches = tap.subscribe({ signal: ac.signal, batchMs, maxPerBatch })[Symbol.asyncIterator]();
    let beat: ReturnType<typeof setTimeout> | undefined;
    try {
      let pendingBatch = batches.next();
      for (;;) {
        const tick = new Promise<'beat'>((resolve) => { beat = setTimeout(() => resolve('beat'), heartbeatMs); beat.unref?.(); });
        const r = await Promise.race([pendingBatch, tick]);
        clearTimeout(beat);
        if (r === 'beat') { yield ': keep-alive\n\n'; continue; }
        if (r.done) return;
        yield `data: ${JSON.stringify(r.value)}\n\n`;
        pendingBatch = batches.next();
      }
    } finally {
      clearTimeout(beat);
      ac.abort();
      await batches.return?.(undefined);
    }
  }
  return {
    status: 200,
    headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, private', 'x-accel-buffering': 'no' },
    stream: messages(),
  };
}
