// How the client reaches the API server. Two transports with identical behaviour (DESIGN.md §1): HTTPS for
// out-of-process components, in-process for all-in-one mode. Both carry bytes only (the client serializes JSON),
// so no object reference is ever shared between a component and the apiserver, and both turn a non-2xx response
// into the StatusError the server raised, so callers branch on `reason`.
import * as http from 'node:http';
import * as https from 'node:https';
import { genericServerResponse, serviceUnavailable, StatusError, type Status } from '../api/errors.js';
import { errorResponse, type ApiHandler, type ApiRequest, type ApiResponse } from '../api/transport.js';

export interface TransportRequest {
  method: string;
  /** Path without query, e.g. /api/v1/namespaces/default/pods */
  path: string;
  query?: URLSearchParams;
  /** Lower-case header names. */
  headers?: Record<string, string>;
  body?: Buffer;
  /** Aborting ends the request (and a stream: its iteration then simply finishes). */
  signal?: AbortSignal;
}

export interface TransportResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /**
   * The body as text, when the transport has it so (in process: what the handler wrote as a string), the same as
   * body decoded as UTF-8. A JSON reader takes it instead of encoding the text to bytes only to decode them again.
   */
  text?: string;
}
export interface TransportStream {
  status: number;
  headers: Record<string, string>;
  /**
   * Raw body chunks; ends when the server ends the response or the request's signal aborts. In process, text the
   * handler wrote as strings stays a string (the bytes it stands for; encoding it only to decode it again was
   * most of what a watch event cost a watcher before its JSON.parse).
   */
  chunks: AsyncIterable<Buffer | string>;
}

export interface Transport {
  /** A complete request. Rejects with StatusError on a non-2xx response or a connection failure. */
  request(req: TransportRequest): Promise<TransportResponse>;
  /** A streamed response (watch, log follow). Rejects with StatusError when the response is non-2xx. */
  stream(req: TransportRequest): Promise<TransportStream>;
  /** Releases pooled connections. */
  close(): void;
}

/**
 * Rebuilds the server's StatusError from a non-2xx response; a body that is not a Status gets the code's reason.
 * A Retry-After header becomes details.retryAfterSeconds when the body does not say (as client-go does).
 */
export function errorFromResponse(status: number, body: Buffer, headers: Record<string, string | undefined> = {}): StatusError {
  const text = body.toString('utf8');
  const retryAfter = Number(headers['retry-after']);
  const retry = headers['retry-after'] !== undefined && Number.isInteger(retryAfter) && retryAfter > 0 ? { retryAfterSeconds: retryAfter } : undefined;
  try {
    const parsed = JSON.parse(text) as Partial<Status>;
    if (parsed && parsed.kind === 'Status') {
      if (retry && parsed.details?.retryAfterSeconds === undefined) parsed.details = { ...parsed.details, ...retry };
      return StatusError.fromStatus(parsed, status);
    }
  } catch { /* not JSON */ }
  return genericServerResponse(status, text.trim() || `the server responded with status ${status}`, retry);
}

/** client-go's default: a request answered 429 with Retry-After is sent again, at most this many times. */
const MAX_TOO_MANY_REQUESTS_RETRIES = 10;

/**
 * Sends a request again after the server's Retry-After when it answered 429 with one (API Priority and Fairness
 * rejected it), as client-go does, so a component under a flood waits its turn instead of failing.
 */
export function retryTooManyRequests(t: Transport): Transport {
  async function retrying<T>(req: TransportRequest, call: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try { return await call(); } catch (e) {
        const wait = e instanceof StatusError && e.code === 429 ? e.status.details?.retryAfterSeconds : undefined;
        if (!wait || attempt >= MAX_TOO_MANY_REQUESTS_RETRIES || req.signal?.aborted) throw e;
        await new Promise<void>((resolve) => {
          const done = () => { clearTimeout(timer); req.signal?.removeEventListener('abort', done); resolve(); };
          const timer = setTimeout(done, wait * 1000);
          req.signal?.addEventListener('abort', done, { once: true });
        });
        if (req.signal?.aborted) throw e;
      }
    }
  }
  return { request: (r) => retrying(r, () => t.request(r)), stream: (r) => retrying(r, () => t.stream(r)), close: () => t.close() };
}

/** A connection-level failure as a StatusError, so callers see one error type (upstream: ServiceUnavailable-like). */
function connectionError(e: unknown): StatusError | Error {
  if (e instanceof StatusError) return e;
  if (e instanceof Error && e.name === 'AbortError') return e;
  const msg = e instanceof Error ? e.message : String(e);
  return serviceUnavailable(`unable to reach the server: ${msg}`);
}

async function readAll(chunks: AsyncIterable<Buffer | string>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(typeof c === 'string' ? Buffer.from(c) : Buffer.from(c));
  return Buffer.concat(parts);
}

/**
 * Splits a chunk stream into lines (without the newline); a final unterminated line is yielded too. A stream's
 * chunks are all bytes (UTF-8) or all text.
 */
export async function* splitLines(chunks: AsyncIterable<Buffer | string>): AsyncIterable<string> {
  let rest = '';
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of chunks) {
    rest += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let i: number;
    while ((i = rest.indexOf('\n')) >= 0) {
      const line = rest.slice(0, i);
      rest = rest.slice(i + 1);
      if (line.trim()) yield line;
    }
  }
  rest += decoder.decode();
  if (rest.trim()) yield rest;
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP(S)

export interface HttpTransportOptions {
  /** e.g. https://127.0.0.1:6443 (http:// is accepted for tests and local debugging). */
  server: string;
  /** PEM CA bundle that signs the server certificate. */
  ca?: string;
  /** PEM client certificate and key (x509 client auth). */
  cert?: string;
  key?: string;
  /** Bearer token. Never logged. */
  token?: string;
  /** Skip server certificate verification (kubeconfig insecure-skip-tls-verify). */
  insecureSkipTLSVerify?: boolean;
  /** TLS server name to verify instead of the URL's host. */
  tlsServerName?: string;
}

export function httpTransport(opts: HttpTransportOptions): Transport {
  const base = new URL(opts.server);
  const secure = base.protocol === 'https:';
  const basePath = base.pathname.replace(/\/+$/, '');
  const agent = secure
    ? new https.Agent({
      keepAlive: true, ca: opts.ca, cert: opts.cert, key: opts.key,
      rejectUnauthorized: !opts.insecureSkipTLSVerify, servername: opts.tlsServerName,
    })
    : new http.Agent({ keepAlive: true });

  function send(req: TransportRequest): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      if (req.signal?.aborted) { reject(abortErr()); return; }
      const qs = req.query?.toString();
      const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      if (req.body) headers['content-length'] = String(req.body.length);
      const r = (secure ? https : http).request({
        protocol: base.protocol, hostname: base.hostname, port: base.port || (secure ? 443 : 80),
        method: req.method, path: basePath + req.path + (qs ? `?${qs}` : ''), headers, agent,
      }, resolve);
      const onAbort = () => r.destroy(abortErr());
      req.signal?.addEventListener('abort', onAbort, { once: true });
      r.on('close', () => req.signal?.removeEventListener('abort', onAbort));
      r.on('error', (e) => reject(connectionError(e)));
      r.end(req.body);
    });
  }
  function headersOf(res: http.IncomingMessage): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
    return out;
  }

  return retryTooManyRequests({
    async request(req) {
      const res = await send(req);
      let body: Buffer;
      try { body = await readAll(res); } catch (e) { throw connectionError(e); }
      const status = res.statusCode ?? 500;
      if (status < 200 || status > 299) throw errorFromResponse(status, body, headersOf(res));
      return { status, headers: headersOf(res), body };
    },
    async stream(req) {
      const res = await send(req);
      const status = res.statusCode ?? 500;
      if (status < 200 || status > 299) throw errorFromResponse(status, await readAll(res).catch(() => Buffer.alloc(0)), headersOf(res));
      async function* chunks(): AsyncIterable<Buffer> {
        try {
          for await (const c of res) yield c as Buffer;
        } catch (e) {
          // An abort by our own signal is the normal way to stop a watch: end quietly.
          if (req.signal?.aborted) return;
          throw connectionError(e);
        } finally {
          res.destroy();
        }
      }
      return { status, headers: headersOf(res), chunks: chunks() };
    },
    close() { agent.destroy(); },
  });
}

/** A response whose body is text: its bytes are made only if someone asks for them. */
function textResponse(status: number, headers: Record<string, string>, text: string): TransportResponse {
  let bytes: Buffer | undefined;
  return { status, headers, text, get body() { return (bytes ??= Buffer.from(text)); } };
}

function abortErr(): Error { const e = new Error('aborted'); e.name = 'AbortError'; return e; }

// ---------------------------------------------------------------------------------------------------------------
// In-process

export interface InProcessTransportOptions {
  /** The identity the handler sees (the HTTP server would derive it from the client certificate or token). */
  user?: { username: string; groups: string[] };
}

/**
 * Calls the apiserver's handler directly, crossing the same bytes-in/bytes-out boundary as HTTP: the request body
 * is the serialized JSON, the response body is parsed by the client from bytes. A thrown StatusError from the
 * handler is treated like the Status response the HTTP layer would have written; any other throw becomes a 500.
 */
export function inProcessTransport(handler: ApiHandler, opts: InProcessTransportOptions = {}): Transport {
  async function call(req: TransportRequest) {
    if (req.signal?.aborted) throw abortErr();
    const apiReq: ApiRequest = {
      method: req.method,
      path: req.path,
      query: new URLSearchParams(req.query ?? undefined),
      headers: { accept: 'application/json', ...req.headers },
      body: req.body ? Buffer.from(req.body) : undefined,
      user: opts.user ? { username: opts.user.username, groups: [...opts.user.groups] } : undefined,
      signal: req.signal,
    };
    if (req.body) apiReq.headers['content-length'] = String(req.body.length);
    try {
      return await handler(apiReq);
    } catch (e) {
      // What the HTTP server would send for a handler that throws: the server side's one error boundary.
      return errorResponse(e);
    }
  }
  const toBuf = (b: Buffer | string | undefined) => (b === undefined ? Buffer.alloc(0) : Buffer.from(b));
  async function* copyChunks(src: AsyncIterable<Buffer | string>, signal: AbortSignal | undefined, done: () => void): AsyncIterable<Buffer | string> {
    const it = src[Symbol.asyncIterator]();
    // Ending on abort must not wait for the handler's next chunk: each step races next() against the signal. One
    // abort listener serves the whole stream, waking the step under way; the step's abort promise is its own and
    // dropped after: racing against one long-lived promise would keep every chunk reachable from its reaction list
    // (a leak proportional to the stream's length).
    let wake: ((v: 'aborted') => void) | undefined;
    const onAbort = () => wake?.('aborted');
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        if (signal?.aborted) return;
        const next = it.next();
        const r = signal ? await Promise.race([next, new Promise<'aborted'>((resolve) => { wake = resolve; })]) : await next;
        wake = undefined;
        if (r === 'aborted' || r.done) return;
        yield typeof r.value === 'string' ? r.value : toBuf(r.value);
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      done();
      void it.return?.(undefined)?.catch?.(() => undefined);
    }
  }

  return retryTooManyRequests({
    async request(req) {
      const res = await call(req);
      const ok = res.status >= 200 && res.status <= 299;
      if (ok && typeof res.body === 'string' && !res.stream) return textResponse(res.status, { ...res.headers }, res.body);
      const body = res.stream ? await readAll(res.stream) : toBuf(res.body);
      if (!ok) throw errorFromResponse(res.status, body, res.headers);
      return { status: res.status, headers: { ...res.headers }, body };
    },
    async stream(req) {
      // The stream's own signal, aborted with the caller's: the handler's listeners and ours go on it, so a signal
      // shared by many watches (an informer factory's) carries one listener per watch, not one per side.
      const outer = req.signal;
      const own = outer ? new AbortController() : undefined;
      const forward = () => own!.abort();
      if (outer?.aborted) own!.abort(); else outer?.addEventListener('abort', forward, { once: true });
      const release = () => outer?.removeEventListener('abort', forward);
      let res: ApiResponse;
      try {
        res = await call({ ...req, signal: own?.signal });
        if (res.status < 200 || res.status > 299) {
          throw errorFromResponse(res.status, res.stream ? await readAll(res.stream) : toBuf(res.body), res.headers);
        }
      } catch (e) { release(); throw e; }
      const body = res.body;
      const chunks = res.stream
        ? copyChunks(res.stream, own?.signal, release)
        : (async function* () { release(); const b = toBuf(body); if (b.length) yield b; })();
      return { status: res.status, headers: { ...res.headers }, chunks };
    },
    close() { /* nothing pooled */ },
  });
}
