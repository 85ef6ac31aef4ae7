// The HTTPS front: TLS with client-certificate and bearer-token authentication, request body limits, and the
// adapter from node's http objects to ApiRequest/ApiResponse. Everything else is in the transport-free handler.
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ApiHandler, ApiRequest, UserInfo } from '../api/transport.js';
import type { Authenticator } from './authn/authenticator.js';
import { StatusError, notFoundError, unauthorized, requestEntityTooLarge } from '../api/errors.js';
import type { Logger } from './logger.js';

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
}

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
  const server = https.createServer({
    cert: opts.tls.cert, key: opts.tls.key, ca: opts.tls.ca,
    requestCert: true, rejectUnauthorized: false,
    keepAliveTimeout: 65_000,
  }, (req, res) => { serve(req, res).catch((e) => { opts.logger.error('http adapter failed', { error: String(e) }); try { res.destroy(); } catch { /* gone */ } }); });
  server.requestTimeout = 0; // watches and log streams are long-lived
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
  server.headersTimeout = 60_000;

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://localhost');
    // An authenticator that fails (the store not answering) refuses the request, as upstream answers 401.
    const authn = await opts.authenticate(req).catch(() => ({ rejected: true as const }));
    const user = 'user' in authn ? authn.user : undefined;
    // Invalid credentials are a 401 even on public paths, as upstream (only no credentials at all is anonymous).
    if ('rejected' in authn || (!user && !publicPaths.has(url.pathname))) {
      req.resume();
      opts.auditRejected?.({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: flatHeaders(req), remoteAddress: req.socket.remoteAddress }, 401, 'Unauthorized');
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
      method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: flatHeaders(req),
      body: chunks.length ? Buffer.concat(chunks) : undefined, user, remoteAddress: req.socket.remoteAddress,
      get signal() { return signal(); },
    };
    const r = await opts.handler(apiReq);
    if (r.stream) {
      const h = { ...r.headers }; delete h['content-length'];
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
    res.writeHead(r.status, { ...r.headers, 'content-length': Buffer.byteLength(body) });
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
