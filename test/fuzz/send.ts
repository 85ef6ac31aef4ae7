// Sending fuzz cases over real HTTPS: through keep-alive agents (with and without the admin's client certificate)
// or, for bytes no client library writes, as raw bytes on a fresh TLS connection. Bounded concurrency.
import https from 'node:https';
import tls from 'node:tls';
import type { FuzzCase, FuzzResult } from './case.js';

export interface Target { host: string; port: number; ca: string; cert: string; key: string }

/** How long one request may take before it counts as a hang (a bound on a hang, not a timing assertion). */
const hangMs = 30_000;

/** What each keep-alive socket carried last (a hang is reported with the request before it on the same socket). */
const lastOnSocket = new WeakMap<object, string>();

export class Sender {
  private readonly admin: https.Agent;
  private readonly anonymous: https.Agent;
  // One TLS context each, made once: every new connection (and many requests end theirs) would parse the keys again.
  private readonly adminContext: tls.SecureContext;
  private readonly anonymousContext: tls.SecureContext;
  constructor(private readonly t: Target, sockets: number) {
    this.adminContext = tls.createSecureContext({ ca: t.ca, cert: t.cert, key: t.key });
    this.anonymousContext = tls.createSecureContext({ ca: t.ca });
    this.admin = new https.Agent({ keepAlive: true, maxSockets: sockets, secureContext: this.adminContext });
    this.anonymous = new https.Agent({ keepAlive: true, maxSockets: 2, secureContext: this.anonymousContext });
  }

  send(c: FuzzCase): Promise<FuzzResult> { return c.raw ? this.sendRaw(c) : this.sendHttp(c); }

  close(): void { this.admin.destroy(); this.anonymous.destroy(); }

  private sendHttp(c: FuzzCase): Promise<FuzzResult> {
    return new Promise((resolve) => {
      let settled = false;
      const done = (r: FuzzResult) => { if (!settled) { settled = true; clearTimeout(timer); resolve(r); } };
      let req: ReturnType<typeof https.request>;
      // An explicit length: node writes a GET or DELETE body unframed otherwise.
      const headers = c.body !== undefined && !Object.keys(c.headers ?? {}).some((h) => h.toLowerCase() === 'content-length')
        ? { ...c.headers, 'content-length': String(Buffer.byteLength(c.body)) } : c.headers;
      try {
        req = https.request({ host: this.t.host, port: this.t.port, method: c.method, path: c.path, headers, agent: c.anonymous ? this.anonymous : this.admin }, (res) => {
          const headers = res.headers;
          const status = res.statusCode ?? 0;
          if (c.mayStream && status < 300 && (c.method === 'GET')) { res.destroy(); req.destroy(); return done({ status, headers, text: '' }); }
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () => done({ status, headers, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', (e) => done({ status, headers, text: Buffer.concat(chunks).toString('utf8'), error: `response: ${e.message}` }));
        });
      } catch (e) {
        // The client library refused to write it (a bug in the generator, not the server).
        return resolve({ status: -1, headers: {}, text: '', error: `client refused: ${(e as Error).message}` });
      }
      let previous: string | undefined;
      req.on('socket', (sock) => { previous = lastOnSocket.get(sock); lastOnSocket.set(sock, `${c.category} ${c.method} ${c.path.slice(0, 100)} ${JSON.stringify(c.headers ?? {}).slice(0, 100)} ${String(c.body ?? '').slice(0, 100)}`); });
      const timer = setTimeout(() => { done({ status: 0, headers: {}, text: '', error: `no answer (hang; ${req.socket ? `sent on a socket${req.socket.destroyed ? ', destroyed' : ''} after ${previous ?? 'nothing'}` : 'never got a socket'})` }); req.destroy(); }, hangMs);
      req.on('error', (e) => done({ status: 0, headers: {}, text: '', error: (e as NodeJS.ErrnoException).code ?? e.message }));
      req.end(c.body);
    });
  }

  private sendRaw(c: FuzzCase): Promise<FuzzResult> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let settled = false;
      const socket = tls.connect({ host: this.t.host, port: this.t.port, secureContext: c.anonymous ? this.anonymousContext : this.adminContext, servername: 'localhost' });
      const finish = (error?: string) => {
        if (settled) return;
        settled = true; clearTimeout(timer);
        socket.destroy();
        resolve(parseRawResponse(Buffer.concat(chunks), error, true));
      };
      const timer = setTimeout(() => finish('no answer (hang)'), hangMs);
      socket.on('secureConnect', () => socket.write(c.raw!));
      socket.on('data', (d: Buffer) => {
        chunks.push(d);
        // Stop once a whole response is in (an upgrade that succeeded would keep the connection open).
        const r = parseRawResponse(Buffer.concat(chunks));
        if (r.status && (!r.error || (c.mayStream && r.status < 300))) finish();
      });
      socket.on('end', () => finish());
      socket.on('close', () => finish());
      socket.on('error', (e) => finish((e as NodeJS.ErrnoException).code ?? e.message));
    });
  }
}

/** Parses one HTTP/1.1 response from raw bytes; error says what is missing when it is incomplete. */
export function parseRawResponse(buf: Buffer, networkError?: string, closed = false): FuzzResult {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return { status: 0, headers: {}, text: '', error: networkError ?? (buf.length ? 'incomplete response head' : 'connection closed without a response') };
  const [statusLine, ...lines] = buf.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!m) return { status: 0, headers: {}, text: '', error: `not an HTTP response: ${JSON.stringify(statusLine.slice(0, 80))}` };
  const headers: Record<string, string> = {};
  for (const l of lines) { const i = l.indexOf(':'); if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim(); }
  const status = Number(m[1]);
  let body = buf.subarray(end + 4);
  if (status === 101) return { status, headers, text: '' };
  if (headers['content-length'] !== undefined) {
    const n = Number(headers['content-length']);
    if (body.length < n) return { status, headers, text: '', error: networkError ?? 'incomplete body' };
    body = body.subarray(0, n);
  } else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    const out: Buffer[] = [];
    let at = 0;
    for (;;) {
      const nl = body.indexOf('\r\n', at);
      if (nl < 0) return { status, headers, text: '', error: networkError ?? 'incomplete chunked body' };
      const size = parseInt(body.subarray(at, nl).toString('latin1'), 16);
      if (size === 0) break;
      if (body.length < nl + 2 + size) return { status, headers, text: '', error: networkError ?? 'incomplete chunk' };
      out.push(body.subarray(nl + 2, nl + 2 + size));
      at = nl + 2 + size + 2;
    }
    body = Buffer.concat(out);
  } else if (!closed && status !== 204 && status !== 304) {
    // A body delimited by the connection closing: complete only once it closed.
    return { status, headers, text: body.toString('utf8'), error: 'awaiting close' };
  }
  return { status, headers, text: body.toString('utf8') };
}

/** Runs every case with at most `concurrency` in flight; results in case order. */
export async function runAll(sender: Sender, cases: FuzzCase[], concurrency: number, after?: (i: number, r: FuzzResult, ms: number) => void): Promise<FuzzResult[]> {
  const results: FuzzResult[] = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      const t0 = performance.now();
      results[i] = await sender.send(cases[i]);
      after?.(i, results[i], performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}
