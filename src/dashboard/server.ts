// The dashboard's HTTP server, part of the nanokube server process (src/cmd wires it beside the API server): it serves
// the built web UI (dist/dashboard-ui, made by `npm run build`, no CDN), the login endpoints, and the /k8s proxy to
// the API server (proxy.ts). Plain HTTP on loopback, as `minikube dashboard`'s kubectl proxy: the browser never sees
// the cluster's self-signed certificate, and the address is reachable from this machine only.
//
//   GET  /auth/session          who the session is ({ username, groups }), 401 without one
//   POST /auth/login            { token } or { kubeconfig } → checked by the API server, session cookie set
//   POST /auth/logout           session forgotten, cookie cleared
//   POST /auth/codes            { token } → { code }: a one-time login code (what `nanokube dashboard` asks for)
//   GET  /auth/code?code=…      trades the code for a session cookie and redirects to /
//   *    /k8s/<API path>        the API, as the session's user (401 without a session); WebSocket upgrades too
//   WS   /watch                 many watches over one WebSocket, as the session's user (watch-mux.ts)
//   GET  anything else          the UI's files; unknown paths get index.html (the UI routes them itself)
//
// Requests must name this server in their Host header (127.0.0.1, localhost or [::1] with its port): a page on
// another site that rebinds its DNS name to 127.0.0.1 cannot reach the API through a user's session. The session
// cookie is HttpOnly and SameSite=Strict, and requests that change something must come from this origin.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { ApiProxy, type Upstream } from './proxy.js';
import { WatchMux } from './watch-mux.js';
import { SessionStore, type Credentials, type Session } from './sessions.js';
import { credentialsFromLogin, LoginError, tokenExpiry, userFromReview } from './credentials.js';

export interface DashboardOptions {
  /** The API server to forward to and the CA its certificate is signed by. */
  upstream: Upstream;
  /** Port on 127.0.0.1 (0 = any free one). */
  port: number;
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  /** The built UI's folder (default: dist/dashboard-ui beside the compiled server). */
  assetsDir?: string;
  log?: (entry: { level: 'info' | 'error'; msg: string; [k: string]: unknown }) => void;
}

export interface RunningDashboard {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  /** A one-time login code for these credentials (after the API server accepted them), as /auth/codes makes. */
  createLoginCode(credentials: Credentials): Promise<string>;
  close(): Promise<void>;
}

export const SESSION_COOKIE = 'nanokube-dashboard';
const MAX_LOGIN_BODY = 256 * 1024;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json', '.woff2': 'font/woff2',
  '.map': 'application/json',
};

export function defaultAssetsDir(): string {
  // dist/src/dashboard/server.js → dist/dashboard-ui
  return fileURLToPath(new URL('../../dashboard-ui/', import.meta.url));
}

function cookieOf(req: IncomingMessage): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === SESSION_COOKIE) return v.join('=');
  }
  return undefined;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(data);
}

function status(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason, code, message };
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_LOGIN_BODY) throw new LoginError('the request body is too large');
    chunks.push(c);
  }
  try {
    const v = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch { /* below */ }
  throw new LoginError('the request body must be a JSON object');
}

export async function startDashboard(opts: DashboardOptions): Promise<RunningDashboard> {
  const host = opts.host ?? '127.0.0.1';
  const assetsDir = opts.assetsDir ?? defaultAssetsDir();
  const log = opts.log ?? (() => undefined);
  const sessions = new SessionStore();
  const proxy = new ApiProxy(opts.upstream);
  const mux = new WatchMux(proxy);
  let port = opts.port;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `${host}:${port}`]);

  /** Asks the API server who the credentials belong to; a LoginError when it refuses them. */
  async function whoIs(credentials: Credentials): Promise<Session['user']> {
    const r = await proxy.call(credentials, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
    if (r.status === 401) throw new LoginError('the API server did not accept these credentials (401 Unauthorized)');
    if (r.status !== 201 && r.status !== 200) throw new LoginError(`the API server answered ${r.status}: ${(r.body as { message?: string })?.message ?? ''}`);
    return userFromReview(r.body);
  }

  function sessionCookie(s: Session): string {
    return `${SESSION_COOKIE}=${s.id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.max(1, Math.floor((s.expiresAt - Date.now()) / 1000))}`;
  }

  async function serveAsset(urlPath: string, res: ServerResponse): Promise<void> {
    let rel: string;
    try { rel = decodeURIComponent(urlPath); } catch {
      res.writeHead(400, { 'content-type': 'text/plain' }); res.end('malformed path\n'); return;
    }
    const file = normalize(join(assetsDir, rel));
    const inside = file.startsWith(normalize(assetsDir + sep)) || file === normalize(assetsDir);
    let isFile = false;
    if (inside) { try { isFile = (await stat(file)).isFile(); } catch { /* missing */ } }
    if (!isFile) {
      // /assets/* are the build's hashed files: a missing one is a 404, not the app.
      if (rel.startsWith('/assets/')) { res.writeHead(404, { 'content-type': 'text/plain' }); res.end('not found\n'); return; }
      rel = '/index.html';
    }
    const path = isFile ? file : join(assetsDir, 'index.html');
    let data: Buffer;
    try { data = await readFile(path); } catch {
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`the dashboard's web UI is not built (no ${join(assetsDir, 'index.html')}); run npm run build\n`);
      return;
    }
    const immutable = rel.startsWith('/assets/');
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream',
      'content-length': data.length,
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
      ...(extname(path) === '.html' ? { 'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'" } : {}),
    });
    res.end(data);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!allowedHosts().has(req.headers.host ?? '')) {
      sendJson(res, 421, status(421, 'BadRequest', 'this dashboard answers only on its own loopback address'));
      return;
    }
    const url = new URL(req.url ?? '/', 'http://dashboard');
    const method = req.method ?? 'GET';
    // Changes must come from our own pages: browsers send Origin on cross-site POST/PUT/PATCH/DELETE.
    if (method !== 'GET' && method !== 'HEAD' && req.headers.origin !== undefined && !allowedHosts().has(req.headers.origin.replace(/^https?:\/\//, ''))) {
      sendJson(res, 403, status(403, 'Forbidden', 'cross-origin requests are not allowed'));
      return;
    }
    const path = url.pathname;
    if (path === '/healthz') { res.writeHead(200, { 'content-type': 'text/plain' }); res.end('ok'); return; }
    if (path.startsWith('/auth/')) return handleAuth(path, method, url, req, res);
    if (path === '/k8s' || path.startsWith('/k8s/')) {
      const session = sessions.get(cookieOf(req));
      if (!session) { sendJson(res, 401, status(401, 'Unauthorized', 'log in to the dashboard first')); return; }
      proxy.forward(session.credentials, path.slice(4) + url.search, req, res);
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') { sendJson(res, 405, status(405, 'MethodNotAllowed', `${method} is not allowed here`)); return; }
    await serveAsset(path, res);
  }

  async function handleAuth(path: string, method: string, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (path === '/auth/session' && method === 'GET') {
        const s = sessions.get(cookieOf(req));
        if (!s) { sendJson(res, 401, status(401, 'Unauthorized', 'not logged in')); return; }
        sendJson(res, 200, { user: s.user, expiresAt: new Date(s.expiresAt).toISOString() });
        return;
      }
      if (path === '/auth/login' && method === 'POST') {
        const credentials = await credentialsFromLogin(await readJson(req));
        const user = await whoIs(credentials);
        const s = sessions.create(credentials, user, tokenExpiry(credentials));
        log({ level: 'info', msg: 'dashboard login', user: user.username, with: credentials.kind });
        sendJson(res, 200, { user }, { 'set-cookie': sessionCookie(s) });
        return;
      }
      if (path === '/auth/logout' && method === 'POST') {
        sessions.delete(cookieOf(req));
        sendJson(res, 200, {}, { 'set-cookie': `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0` });
        return;
      }
      if (path === '/auth/codes' && method === 'POST') {
        const credentials = await credentialsFromLogin(await readJson(req));
        sendJson(res, 201, { code: await createLoginCode(credentials) });
        return;
      }
      if (path === '/auth/code' && method === 'GET') {
        const s = sessions.redeemCode(url.searchParams.get('code') ?? '');
        if (!s) {
          res.writeHead(303, { location: '/login?expired=1', 'cache-control': 'no-store' });
          res.end();
          return;
        }
        log({ level: 'info', msg: 'dashboard login', user: s.user.username, with: 'login code' });
        res.writeHead(303, { location: '/', 'set-cookie': sessionCookie(s), 'cache-control': 'no-store' });
        res.end();
        return;
      }
      sendJson(res, 404, status(404, 'NotFound', 'no such endpoint'));
    } catch (err) {
      if (err instanceof LoginError) { sendJson(res, 401, status(401, 'Unauthorized', err.message)); return; }
      throw err;
    }
  }

  async function createLoginCode(credentials: Credentials): Promise<string> {
    const user = await whoIs(credentials);
    return sessions.createCode(credentials, user, tokenExpiry(credentials));
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      log({ level: 'error', msg: 'dashboard request failed', path: req.url?.split('?')[0], error: (err as Error).message });
      if (!res.headersSent) sendJson(res, 500, status(500, 'InternalError', 'the dashboard failed to answer'));
      else res.destroy();
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://dashboard');
    const session = sessions.get(cookieOf(req));
    const origin = req.headers.origin?.replace(/^https?:\/\//, '');
    if (!allowedHosts().has(req.headers.host ?? '') || (origin !== undefined && !allowedHosts().has(origin)) || !session || (!url.pathname.startsWith('/k8s/') && url.pathname !== '/watch')) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nconnection: close\r\n\r\n');
      return;
    }
    if (url.pathname === '/watch') {
      // Each watch asks for the session again: a logged-out session starts no new ones.
      const id = session.id;
      mux.handleUpgrade(req, socket, head, () => sessions.get(id)?.credentials);
      return;
    }
    proxy.forwardUpgrade(session.credentials, url.pathname.slice(4) + url.search, req, socket, head);
  });
  // Watches are long-lived: no request timeout (the API server ends them itself).
  server.requestTimeout = 0;
  server.headersTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => { server.off('error', reject); resolve(); });
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  log({ level: 'info', msg: 'dashboard listening', url });
  let closing: Promise<void> | undefined;
  return {
    url, port, createLoginCode,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        mux.close();
        proxy.close();
      });
      return closing;
    },
  };
}
