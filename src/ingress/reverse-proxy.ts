// The HTTP data path: each request (or WebSocket/Upgrade handshake) is routed by Host and path, sent to one ready
// endpoint of the backend Service, and streamed both ways. Connections to endpoints are kept alive and reused.
// Hop-by-hop headers are dropped, X-Forwarded-For/-Proto/-Host/-Port are set as ingress-nginx sets them, the Host
// header is passed unchanged. No rule: 404; a backend without a ready endpoint (or a missing Service): 503; an
// endpoint that fails before answering: 502.
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { LogFn } from '../client/log.js';
import type { BackendChoice } from './backends.js';
import { requestHost, route, type RouteResult, type ServiceBackendRef } from './routes.js';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-authenticate']);

export interface ReverseProxyOptions {
  /** Routes a request (current route table). */
  route(host: string, path: string): RouteResult;
  /** One endpoint of a backend. */
  pick(b: ServiceBackendRef): BackendChoice;
  log: LogFn;
}

function forwardedHeaders(req: http.IncomingMessage, proto: 'http' | 'https'): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  const connectionTokens = String(req.headers.connection ?? '').toLowerCase().split(',').map((s) => s.trim()).filter(Boolean);
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined || HOP_BY_HOP.has(k) || connectionTokens.includes(k)) continue;
    out[k] = v;
  }
  const client = req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '';
  const prior = req.headers['x-forwarded-for'];
  out['x-forwarded-for'] = prior ? `${Array.isArray(prior) ? prior.join(', ') : prior}, ${client}` : client;
  out['x-forwarded-proto'] = proto;
  out['x-forwarded-host'] = req.headers.host ?? '';
  out['x-forwarded-port'] = String(req.socket.localPort ?? '');
  out['x-real-ip'] = client;
  return out;
}

function plain(res: http.ServerResponse, code: number, text: string): void {
  if (res.headersSent) { res.destroy(); return; }
  const body = `${code} ${http.STATUS_CODES[code]}: ${text}\n`;
  res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export class ReverseProxy {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

  constructor(private readonly opts: ReverseProxyOptions) {}

  private resolve(req: http.IncomingMessage): { ep?: { ip: string; port: number }; code?: number; text?: string } {
    const host = requestHost(req.headers.host);
    const r = this.opts.route(host, req.url ?? '/');
    if (!r.backend) return { code: 404, text: r.reason === 'unsupported-backend' ? 'this backend kind is not supported' : `no Ingress rule for host "${host}" and path "${(req.url ?? '/').split('?')[0]}"` };
    const c = this.opts.pick(r.backend);
    if (!c.endpoint) {
      const what = `${r.backend.namespace}/${r.backend.service}`;
      const text = c.reason === 'no-service' ? `service "${what}" not found` : c.reason === 'no-port' ? `service "${what}" has no such TCP port` : `service "${what}" has no ready endpoints`;
      return { code: 503, text };
    }
    return { ep: c.endpoint };
  }

  handle(req: http.IncomingMessage, res: http.ServerResponse, proto: 'http' | 'https'): void {
    // A request without a body is sent again once (to a fresh pick) when the pod refused the connection or a
    // kept-alive connection turned out to have been closed by it just then (nginx's proxy_next_upstream error);
    // anything else fails with 502.
    const bodyless = (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') && !req.headers['content-length'] && !req.headers['transfer-encoding'];
    const attempt = (retry: boolean) => {
      const { ep, code, text } = this.resolve(req);
      if (!ep) { plain(res, code!, text!); return; }
      const upstream = http.request({ host: ep.ip, port: ep.port, method: req.method, path: req.url, headers: forwardedHeaders(req, proto), agent: this.agent });
      upstream.on('response', (ur) => {
        const headers: http.OutgoingHttpHeaders = {};
        const tokens = String(ur.headers.connection ?? '').toLowerCase().split(',').map((s) => s.trim());
        for (const [k, v] of Object.entries(ur.headers)) if (v !== undefined && !HOP_BY_HOP.has(k) && !tokens.includes(k)) headers[k] = v;
        res.writeHead(ur.statusCode ?? 502, ur.statusMessage, headers);
        ur.pipe(res);
        ur.on('error', () => res.destroy());
      });
      upstream.on('error', (e) => {
        const errCode = (e as NodeJS.ErrnoException).code;
        const resetReused = upstream.reusedSocket && (errCode === 'ECONNRESET' || errCode === 'EPIPE');
        if (retry && !res.headersSent && (resetReused || errCode === 'ECONNREFUSED')) { attempt(false); return; }
        this.opts.log({ level: 'warn', msg: 'ingress backend request failed', endpoint: `${ep.ip}:${ep.port}`, error: errCode ?? e.message });
        plain(res, 502, 'the backend did not answer');
      });
      res.on('close', () => { if (!res.writableFinished) upstream.destroy(); });
      if (bodyless) upstream.end();
      else req.pipe(upstream);
    };
    if (bodyless) req.resume();
    attempt(bodyless);
  }

  /** An Upgrade request (WebSocket): the handshake goes to the endpoint as is, then bytes flow both ways. */
  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, proto: 'http' | 'https'): void {
    const { ep, code, text } = this.resolve(req);
    if (!ep) {
      const body = `${code} ${http.STATUS_CODES[code!]}: ${text}\n`;
      socket.end(`HTTP/1.1 ${code} ${http.STATUS_CODES[code!]}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    const headers = forwardedHeaders(req, proto);
    headers.connection = 'Upgrade';
    headers.upgrade = req.headers.upgrade ?? '';
    const lines = [`${req.method} ${req.url} HTTP/1.1`];
    for (const [k, v] of Object.entries(headers)) for (const one of Array.isArray(v) ? v : [v]) lines.push(`${k}: ${one}`);
    const upstream = net.connect({ host: ep.ip, port: ep.port }, () => {
      upstream.write(lines.join('\r\n') + '\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    const close = () => { upstream.destroy(); socket.destroy(); };
    upstream.on('error', close);
    socket.on('error', close);
    upstream.on('close', () => socket.end());
    socket.on('close', () => upstream.destroy());
  }

  close(): void { this.agent.destroy(); }
}

/** Routes a request with the given table (a convenience for callers holding a table getter). */
export const routeWith = (table: () => Parameters<typeof route>[0]) => (host: string, path: string) => route(table(), host, path);
