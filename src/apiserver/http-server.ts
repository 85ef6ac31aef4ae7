// The HTTPS front: TLS with client-certificate and bearer-token authentication, request body limits, and the
// adapter from node's http objects to ApiRequest/ApiResponse. Everything else is in the transport-free handler.
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ApiHandler, ApiRequest, UserInfo } from '../api/transport.js';
import type { Authenticator } from './authn/authenticator.js';
import { StatusError, badRequest, genericServerResponse, notFoundError, unauthorized, requestEntityTooLarge } from '../api/errors.js';
import type { Logger } from './logger.js';
import { requestTarget } from './request-info.js';

/** Upstream's limit for a request body (3 MiB); larger bodies get 413. */
export const maxBodyBytes = 3 * 1024 * 1024;

/**
 * Paths anyone may read without credentials: upstream's system:public-info-viewer, plus the service account issuer
 * discovery documents (system:service-account-issuer-discovery, which upstream docs suggest binding to
 * system:unauthenticated so that token verifiers outside the cluster can fetch the keys).
 */
const publicPaths = new Set(['/version', '/healthz', '/livez', '/readyz', '/.well-known/openid-configuration', '/openid/v1/jwks']);

export interface HttpServerOptions {
  handler: ApiHandler;
  tls: { cert: string; key: string; ca: string };
  /** Who sent a request (src/apiserver/authn). */
  authenticate: Authenticator;
  /** Records a request refused before the handler (401) in the audit log. */
  auditRejected?: (req: ApiRequest, status: number, message: string) => void;
  logger: Logger;
  /** HTTP upgrades (pods/exec, attach, portforward) from authenticated clients; without it upgrades get 404. */
  upgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer, user: UserInfo) => void;
  /** How long a slow or silent client may hold a connection (defaults: clientTimeoutDefaults; tests shorten them). */
  clientTimeouts?: Partial<ClientTimeouts>;
}

/**
 * Bounds on slow clients (slowloris): a connection that does not finish its TLS handshake, its request headers, or
 * its request body in time is closed (408 once HTTP has started). They bound receiving the request only: the
 * answer to a watch, a log follow or an exec session may last as long as it likes.
 */
export interface ClientTimeouts {
  /** The TLS handshake (node's default is 120 s). */
  tlsHandshakeMs: number;
  /** The request line and headers (upstream's ReadHeaderTimeout is 32 s). */
  headersMs: number;
  /** The whole request, body included (upstream's default --request-timeout is 60 s). */
  requestMs: number;
  /** How often connections are checked against the two above (node checks every 30 s by default). */
  checkIntervalMs: number;
}

export const clientTimeoutDefaults: ClientTimeouts = { tlsHandshakeMs: 32_000, headersMs: 32_000, requestMs: 60_000, checkIntervalMs: 5_000 };

function flatHeaders(req: IncomingMessage): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  return headers;
}

function writeError(res: ServerResponse, err: StatusError, extraHeaders: Record<string, string> = {}): void {
  const body = JSON.stringify(err.status);
  res.writeHead(err.status.code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...extraHeaders });
  res.end(body);
}

/**
 * Response headers as node can write them: a Warning may quote a client's field names, which may hold characters
 * node refuses in a header (control characters, anything past U+00FF); those are written as \\uXXXX escapes.
 */
function safeHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    out[k] = typeof v === 'string' ? v.replace(/[^\t\x20-\x7e\x80-\xff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : v;
  }
  return out;
}

/** How much of a too-large body is read and dropped after the 413, so the client is reading when we close. */
const discardLimitBytes = 4 * maxBodyBytes;

/**
 * The request body, or undefined once it passed maxBodyBytes (a chunked body declares no length). The rest of a
 * too-large body is read and dropped, up to discardLimitBytes, so the client gets the 413 rather than a reset
 * connection (upstream's MaxBytesReader answers the same way).
 */
function readBody(req: IncomingMessage): Promise<Buffer[] | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size <= maxBodyBytes) { chunks.push(c); return; }
      req.off('data', onData); req.off('end', onEnd);
      chunks.length = 0;
      let dropped = 0;
      req.on('data', (d: Buffer) => { dropped += d.length; if (dropped > discardLimitBytes) req.socket.destroy(); });
      resolve(undefined);
    };
    const onEnd = () => resolve(chunks);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', reject);
  });
}

const upgradedSockets = new WeakMap<https.Server, Set<Duplex>>();

/** Ends every upgraded connection (exec, attach, port-forward sessions): closeAllConnections does not see them. */
export function destroyUpgradedConnections(server: https.Server): void {
  for (const s of upgradedSockets.get(server) ?? []) s.destroy();
}

export function createHttpsServer(opts: HttpServerOptions): https.Server {
  const timeouts = { ...clientTimeoutDefaults, ...opts.clientTimeouts };
  const server = https.createServer({
    cert: opts.tls.cert, key: opts.tls.key, ca: opts.tls.ca,
    requestCert: true, rejectUnauthorized: false,
    keepAliveTimeout: 65_000,
    requireHostHeader: false, // serve() refuses it with a Status
    handshakeTimeout: timeouts.tlsHandshakeMs,
    connectionsCheckingInterval: timeouts.checkIntervalMs,
  }, (req, res) => {
    serve(req, res).catch((e) => {
      // A client that went away mid-body is no error of ours.
      if (!req.destroyed && !res.destroyed) opts.logger.error('http adapter failed', { error: String(e) });
      try { res.destroy(); } catch { /* gone */ }
    });
  });
  // Both bound receiving the request, not the answer (node drops a connection from the check once its request is in).
  server.requestTimeout = timeouts.requestMs;
  server.headersTimeout = Math.min(timeouts.headersMs, timeouts.requestMs);
  // node's headersTimeout starts with a request's first byte: a connection silent after its handshake would be held
  // for ever (Go's ReadHeaderTimeout starts with the connection). Until its first byte it gets the same bound.
  // A failed or timed-out TLS handshake (handshakeTimeout) is only reported: the connection stays open unless closed.
  server.on('tlsClientError', (_err: Error, socket: Duplex) => socket.destroy());
  server.on('secureConnection', (socket: import('node:tls').TLSSocket) => {
    socket.setTimeout(timeouts.headersMs, () => socket.destroy());
    socket.once('data', () => socket.setTimeout(0));
  });
  // Requests the HTTP parser refuses (bad framing, headers over the limit, too slow) get a Status as every other
  // error does, with the code node would send; node's own answer has no body.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) { socket.destroy(); return; }
    const e = err.code === 'HPE_HEADER_OVERFLOW' ? genericServerResponse(431, 'Request Header Fields Too Large')
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? genericServerResponse(408, 'the request was not received in time')
        : badRequest('malformed HTTP request');
    const body = JSON.stringify(e.status);
    socket.end(`HTTP/1.1 ${e.code} ${e.code === 431 ? 'Request Header Fields Too Large' : e.code === 408 ? 'Request Timeout' : 'Bad Request'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
  // An Expect other than 100-continue (node would answer a bare 417).
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    writeError(res, genericServerResponse(417, `unsupported Expect: ${JSON.stringify(String(req.headers.expect ?? '').slice(0, 100))}`), { connection: 'close' });
  });
  const upgraded = new Set<Duplex>();
  upgradedSockets.set(server, upgraded);
  server.on('upgrade', async (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    upgraded.add(socket);
    socket.on('close', () => upgraded.delete(socket));
    const authn = await opts.authenticate(req).catch(() => ({ rejected: true as const }));
    const user = 'user' in authn ? authn.user : undefined;
    const fail = (err: StatusError) => {
      const body = JSON.stringify(err.status);
      socket.end(`HTTP/1.1 ${err.code} ${err.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    };
    if (!user) return fail(unauthorized());
    if (!opts.upgrade) return fail(notFoundError());
    // This listener is async (authentication awaits): a throw here must end the socket, not become an unhandled rejection.
    try { opts.upgrade(req, socket, head, user); }
    catch (e) { opts.logger.error('upgrade failed', { error: String(e) }); socket.destroy(); }
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // node answers a missing Host itself only with an empty 400 when it requires one; we answer with a Status.
    if (req.httpVersion === '1.1' && req.headers.host === undefined) { req.resume(); return writeError(res, badRequest('missing required Host header'), { connection: 'close' }); }
    let url: { path: string; query: URLSearchParams };
    try { url = requestTarget(req.url); } catch (e) { req.resume(); return writeError(res, e as StatusError); }
    // An authenticator that fails (the store not answering) refuses the request, as upstream answers 401.
    const authn = await opts.authenticate(req).catch(() => ({ rejected: true as const }));
    const user = 'user' in authn ? authn.user : undefined;
    // Invalid credentials are a 401 even on public paths, as upstream (only no credentials at all is anonymous).
    if ('rejected' in authn || (!user && !publicPaths.has(url.path))) {
      req.resume();
      opts.auditRejected?.({ method: req.method ?? 'GET', path: url.path, query: url.query, headers: flatHeaders(req), remoteAddress: req.socket.remoteAddress }, 401, 'Unauthorized');
      return writeError(res, unauthorized());
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBodyBytes) { req.resume(); return writeError(res, requestEntityTooLarge(`Request entity too large: limit is ${maxBodyBytes}`)); }
    const chunks = await readBody(req);
    if (!chunks) return writeError(res, requestEntityTooLarge(`Request entity too large: limit is ${maxBodyBytes}`), { connection: 'close' });
    // The signal is made on first use (watches, log follows): most requests never need one.
    // IncomingMessage emits 'close' once the body is read; the client going away shows on the response.
    let ac: AbortController | undefined;
    const signal = () => {
      if (!ac) { ac = new AbortController(); if (res.destroyed || res.writableFinished) ac.abort(); else res.on('close', () => ac!.abort()); }
      return ac.signal;
    };
    const apiReq: ApiRequest = {
      method: req.method ?? 'GET', path: url.path, query: url.query, headers: flatHeaders(req),
      body: chunks.length ? Buffer.concat(chunks) : undefined, user, remoteAddress: req.socket.remoteAddress,
      get signal() { return signal(); },
    };
    const r = await opts.handler(apiReq);
    if (r.stream) {
      const h = { ...safeHeaders(r.headers) }; delete h['content-length'];
      // HEAD of a watch or a log follow: the headers, and the stream is dropped. Streaming on would hold the
      // connection for ever while the client, reading no body, sends its next request on it (which then hung).
      if (req.method === 'HEAD') {
        res.writeHead(r.status, h);
        res.end();
        await r.stream[Symbol.asyncIterator]().return?.();
        return;
      }
      res.writeHead(r.status, h);
      res.flushHeaders();
      try {
        for await (const chunk of r.stream) {
          if (res.destroyed) break;
          if (!res.write(chunk)) await drainedOrClosed(res);
        }
      } finally { res.end(); }
      return;
    }
    const body = r.body ?? '';
    res.writeHead(r.status, { ...safeHeaders(r.headers), 'content-length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  }
  return server;
}

/**
 * Resolves when a slow client has taken the buffered bytes or gone away. Both listeners go once either fires: a
 * long watch waits here many times, and a leftover 'close' listener per wait would pile up on the response.
 */
function drainedOrClosed(res: import('node:http').ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => { res.off('drain', done); res.off('close', done); resolve(); };
    res.on('drain', done);
    res.on('close', done);
  });
}
