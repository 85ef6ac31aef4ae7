// Health checks against the API server's /readyz and /livez, authenticated with the admin client certificate and
// verifying the serving certificate against the cluster CA (as kubectl would).

import { request } from 'node:https';

export interface HealthTarget {
  /** Base URL, e.g. https://127.0.0.1:6443 */
  url: string;
  ca: string; cert: string; key: string;
}

/** GET <url><path>; resolves to the HTTP status code, or undefined when the server cannot be reached. */
export function probe(target: HealthTarget, path: '/readyz' | '/livez', timeoutMs = 2000): Promise<number | undefined> {
  return new Promise((resolve) => {
    const u = new URL(path, target.url);
    const req = request({
      host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port, path: u.pathname, method: 'GET',
      ca: target.ca, cert: target.cert, key: target.key, agent: false, timeout: timeoutMs,
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

export interface WaitReadyOptions {
  intervalMs?: number;
  timeoutMs: number;
  /** Checked between polls: a reason to give up early (e.g. the server process exited). */
  abort?: () => string | undefined;
}

/** Polls /readyz until it answers 200. Resolves 'ready', or the abort reason, or 'timeout'. */
export async function waitReady(target: HealthTarget, opts: WaitReadyOptions): Promise<'ready' | 'timeout' | { aborted: string }> {
  const deadline = Date.now() + opts.timeoutMs;
  const interval = opts.intervalMs ?? 20;
  for (;;) {
    const code = await probe(target, '/readyz', Math.max(100, Math.min(2000, deadline - Date.now())));
    if (code === 200) return 'ready';
    const why = opts.abort?.();
    if (why !== undefined) return { aborted: why };
    if (Date.now() >= deadline) return 'timeout';
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** GET <url><path> as JSON; undefined when unreachable or not 200. */
function getJson(target: HealthTarget, path: string, timeoutMs = 2000): Promise<unknown> {
  return new Promise((resolve) => {
    const u = new URL(path, target.url);
    const req = request({
      host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port, path: u.pathname, method: 'GET', headers: { accept: 'application/json' },
      ca: target.ca, cert: target.cert, key: target.key, agent: false, timeout: timeoutMs,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 200) { resolve(undefined); return; }
        try { resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))); } catch { resolve(undefined); }
      });
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

/** Whether the Node's Ready condition is True now. */
export async function nodeReady(target: HealthTarget, node: string, timeoutMs = 2000): Promise<boolean> {
  const n = await getJson(target, `/api/v1/nodes/${encodeURIComponent(node)}`, timeoutMs) as { status?: { conditions?: { type: string; status: string }[] } } | undefined;
  return !!n?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Polls the Node until its Ready condition is True. Resolves 'ready', the abort reason, or 'timeout'. */
export async function waitNodeReady(target: HealthTarget, node: string, opts: WaitReadyOptions): Promise<'ready' | 'timeout' | { aborted: string }> {
  const deadline = Date.now() + opts.timeoutMs;
  const interval = opts.intervalMs ?? 20;
  for (;;) {
    if (await nodeReady(target, node)) return 'ready';
    const why = opts.abort?.();
    if (why !== undefined) return { aborted: why };
    if (Date.now() >= deadline) return 'timeout';
    await new Promise((r) => setTimeout(r, interval));
  }
}
