// Small network helpers the black-box tests share: a GET on a fresh connection, a listener probe, a free port.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

export interface HttpGetOptions {
  timeoutMs?: number;
  /** The Host header (e.g. an ingress rule's host), when it is not the URL's. */
  host?: string;
  /** For https URLs: the CA to verify the server with, and the SNI name (default: host). */
  ca?: string;
  servername?: string;
}

/**
 * One GET (http or https, by the URL) on a fresh connection (no keep-alive), so every request is balanced anew;
 * rejects on any failure.
 */
export function httpGet(url: string, opts: HttpGetOptions = {}): Promise<{ status: number; body: string }> {
  const tls = url.startsWith('https:');
  return new Promise((resolve, reject) => {
    const req = (tls ? https : http).get(url, {
      agent: false, timeout: opts.timeoutMs ?? 5000,
      ...(opts.host ? { headers: { host: opts.host } } : {}),
      ...(tls ? { ca: opts.ca, servername: opts.servername ?? opts.host } : {}),
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (b) => chunks.push(b));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port, timeout: 2000 });
    s.on('connect', () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
    s.on('timeout', () => { s.destroy(); resolve(false); });
  });
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
  });
}

/**
 * Sends a request every 20 ms (at most maxRequests) while `during` runs, and once more until it has returned:
 * how many answered 200, and every failure (a non-200 status as `describe` words it, or the error's message).
 */
export async function hammerWhile(
  send: () => Promise<{ status: number; body: string }>,
  during: () => Promise<void>,
  opts: { maxRequests?: number; describe?: (r: { status: number; body: string }) => string } = {},
): Promise<{ answered: number; failures: string[] }> {
  const failures: string[] = [];
  let answered = 0;
  let stop = false;
  const describe = opts.describe ?? ((r) => `HTTP ${r.status}`);
  const hammer = (async () => {
    for (let i = 0; i < (opts.maxRequests ?? 30_000) && !stop; i++) {
      try {
        const r = await send();
        if (r.status === 200) answered++; else failures.push(describe(r));
      } catch (e) { failures.push((e as Error).message); }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  try { await during(); } finally { stop = true; await hammer; }
  return { answered, failures };
}
