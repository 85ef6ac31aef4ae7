// The same-origin path /k8s/<API path> that the dashboard's browser code calls: each request is forwarded to the API
// server over HTTPS with the session's own credentials (a bearer token, or the client certificate the user logged in
// with), so authentication, RBAC, admission and audit apply to what the user sees and does exactly as they apply to
// kubectl. Responses stream back unchanged (watches are chunked JSON streams; nothing is buffered). WebSocket
// upgrades (exec, attach, port-forward) are forwarded the same way, bytes piped both ways.
//
// The browser's own Authorization, Impersonate-* and Cookie headers are never forwarded: the session decides who
// the request is from.
import { Agent, request as httpsRequest } from 'node:https';
import type { IncomingMessage, ServerResponse, OutgoingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Credentials } from './sessions.js';

export interface Upstream {
  /** https://host:port of the API server. */
  url: string;
  /** PEM of the cluster CA the API server's serving certificate is signed by. */
  ca: string;
}

/** Request headers the browser may set that mean the same to the API server. */
const FORWARDED_REQUEST_HEADERS = [
  'accept', 'content-type', 'content-length', 'content-encoding', 'if-match', 'if-none-match',
  'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-protocol', 'sec-websocket-extensions', 'connection', 'upgrade',
];
/** Response headers worth returning (the rest are the API server's own business, e.g. audit ids are kept). */
const FORWARDED_RESPONSE_HEADERS = ['content-type', 'content-length', 'audit-id', 'warning', 'retry-after', 'cache-control'];

export class ApiProxy {
  /** One keep-alive agent for every token session; one per certificate (TLS client auth is per connection). */
  private readonly tokenAgent: Agent;
  private readonly certAgents = new Map<string, Agent>();
  /** Upgraded connections (exec, attach): closed with the proxy, as the HTTP server does not track them. */
  private readonly upgraded = new Set<Duplex>();

  constructor(private readonly upstream: Upstream) {
    this.tokenAgent = new Agent({ keepAlive: true, ca: upstream.ca });
  }

  private agentFor(c: Credentials): Agent {
    if (c.kind === 'token') return this.tokenAgent;
    let a = this.certAgents.get(c.cert);
    if (!a) { a = new Agent({ keepAlive: true, ca: this.upstream.ca, cert: c.cert, key: c.key }); this.certAgents.set(c.cert, a); }
    return a;
  }

  private headersFor(c: Credentials, incoming: IncomingMessage['headers']): OutgoingHttpHeaders {
    const headers: OutgoingHttpHeaders = { 'user-agent': 'nanokube-dashboard' };
    for (const h of FORWARDED_REQUEST_HEADERS) if (incoming[h] !== undefined) headers[h] = incoming[h];
    if (c.kind === 'token') headers.authorization = `Bearer ${c.token}`;
    return headers;
  }

  /** A JSON request of the server's own (login checks), with the given credentials. */
  async call(c: Credentials, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: OutgoingHttpHeaders = { ...this.headersFor(c, {}), accept: 'application/json' };
    if (data) { headers['content-type'] = 'application/json'; headers['content-length'] = data.length; }
    return new Promise((resolve, reject) => {
      const req = httpsRequest(new URL(path, this.upstream.url), { method, headers, agent: this.agentFor(c) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (b: Buffer) => chunks.push(b));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try { parsed = JSON.parse(text); } catch { /* not JSON */ }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(data);
    });
  }

  /**
   * A GET whose body is handed over chunk by chunk as text (watches for the WebSocket multiplexer). A non-2xx answer
   * comes with its body (the Status) in onResponse, then onEnd. onData's pause() stops reading until the returned
   * resume() is called. Returns stop(), which ends the request; onEnd is called once either way.
   */
  stream(c: Credentials, path: string, h: { onResponse(status: number, body?: string): void; onData(chunk: string, pause: () => () => void): void; onEnd(): void }): () => void {
    let ended = false;
    const end = () => { if (!ended) { ended = true; h.onEnd(); } };
    const out = httpsRequest(new URL(path, this.upstream.url), {
      method: 'GET', headers: { ...this.headersFor(c, {}), accept: 'application/json' }, agent: this.agentFor(c),
    }, (up) => {
      const status = up.statusCode ?? 502;
      up.setEncoding('utf8');
      if (status < 200 || status > 299) {
        let body = '';
        up.on('data', (s: string) => { if (body.length < 64 * 1024) body += s; });
        up.on('end', () => { h.onResponse(status, body); end(); });
        up.on('error', end);
        return;
      }
      h.onResponse(status);
      up.on('data', (s: string) => h.onData(s, () => { up.pause(); return () => up.resume(); }));
      up.on('end', end);
      up.on('error', end);
      up.on('close', end);
    });
    out.on('error', (err) => {
      if (!ended) h.onResponse(502, JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'ServiceUnavailable', code: 502, message: `the API server cannot be reached: ${err.message}` }));
      end();
    });
    out.end();
    return () => { out.destroy(); end(); };
  }

  /** Forwards one browser request (path = the API path with its query) and streams the answer back. */
  forward(c: Credentials, path: string, req: IncomingMessage, res: ServerResponse): void {
    const out = httpsRequest(new URL(path, this.upstream.url), {
      method: req.method, headers: this.headersFor(c, req.headers), agent: this.agentFor(c),
    }, (up) => {
      const headers: OutgoingHttpHeaders = {};
      for (const h of FORWARDED_RESPONSE_HEADERS) if (up.headers[h] !== undefined) headers[h] = up.headers[h];
      res.writeHead(up.statusCode ?? 502, headers);
      // Watches: every chunk the API server sends reaches the browser at once.
      res.flushHeaders();
      up.pipe(res);
      up.on('error', () => res.destroy());
    });
    out.on('error', (err) => {
      if (res.headersSent) { res.destroy(); return; }
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'ServiceUnavailable', code: 502, message: `the API server cannot be reached: ${err.message}` }));
    });
    // The browser went away (closed a watch, left the page): stop the upstream request too.
    res.on('close', () => { if (!res.writableFinished) out.destroy(); });
    req.pipe(out);
  }

  /** Forwards a WebSocket (or SPDY-less HTTP/1.1) upgrade and pipes the two sockets together. */
  forwardUpgrade(c: Credentials, path: string, req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const out = httpsRequest(new URL(path, this.upstream.url), {
      method: req.method, headers: this.headersFor(c, req.headers), agent: false,
      ca: this.upstream.ca, ...(c.kind === 'certificate' ? { cert: c.cert, key: c.key } : {}),
    });
    out.on('upgrade', (up, upSocket, upHead) => {
      let head101 = `HTTP/1.1 101 Switching Protocols\r\n`;
      for (let i = 0; i < up.rawHeaders.length; i += 2) head101 += `${up.rawHeaders[i]}: ${up.rawHeaders[i + 1]}\r\n`;
      socket.write(head101 + '\r\n');
      if (upHead.length) socket.write(upHead);
      if (head.length) upSocket.write(head);
      upSocket.pipe(socket).pipe(upSocket);
      this.upgraded.add(socket);
      socket.on('close', () => { this.upgraded.delete(socket); upSocket.destroy(); });
      upSocket.on('close', () => socket.destroy());
      upSocket.on('error', () => socket.destroy());
      socket.on('error', () => upSocket.destroy());
    });
    out.on('response', (up) => {
      // Refused (401, 403, 404…): hand the status and body to the browser as a plain HTTP answer.
      let text = `HTTP/1.1 ${up.statusCode} ${up.statusMessage ?? ''}\r\ncontent-type: ${up.headers['content-type'] ?? 'text/plain'}\r\nconnection: close\r\n\r\n`;
      socket.write(text);
      up.pipe(socket);
      text = '';
    });
    out.on('error', () => socket.destroy());
    out.end();
  }

  close(): void {
    for (const s of this.upgraded) s.destroy();
    this.upgraded.clear();
    this.tokenAgent.destroy();
    for (const a of this.certAgents.values()) a.destroy();
    this.certAgents.clear();
  }
}
