// Port forwarding as kubectl 1.32 speaks it: SPDY/3.1 frames tunnelled inside binary WebSocket messages
// (subprotocol `SPDY/3.1+portforward.k8s.io`, upstream's PortForwardWebsockets "tunneling"), framed by the
// spdy-transport library over a Duplex made from the WebSocket. For each local connection the client opens two
// streams with headers streamtype (error | data), port and requestid; the data stream carries the raw TCP bytes of
// one connection to `port` inside the pod; an error while connecting is written as text on the error stream.
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import { createWebSocketStream, type WebSocket } from 'ws';

export const PORT_FORWARD_TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';

/** The parts of spdy-transport's (untyped) API used here. */
interface SpdyStream extends Duplex { _spdyState: { window: { send: { update(size: number, cb?: () => void): void } } }; headers: Record<string, string>; respond(status: number, headers: Record<string, string>): void; abort(cb?: () => void): void }
interface SpdyConnection { on(ev: 'stream', f: (s: SpdyStream) => void): void; on(ev: 'error' | 'close', f: (e?: Error) => void): void; end(cb?: () => void): void; destroyStreams?(err?: Error): void; _spdyState: { parser: { parseKVs: (buffer: unknown, cb: (err: Error | null, headers?: Record<string, string>) => void) => void } } }
interface SpdyTransport { connection: { create(socket: Duplex, opts: { protocol: string; isServer: boolean; windowSize?: number }): SpdyConnection } }

const require = createRequire(import.meta.url);
let spdy: SpdyTransport | undefined;

export interface PortForwardOptions {
  /** Opens a byte stream to `port` inside the pod (runtime.portForward). */
  connect(port: number): Promise<Duplex>;
  /** For error messages: "<namespace>/<name>", and the pod's uid. */
  podName: string;
  podUid?: string;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
}

/** Serves one port-forward session on an accepted WebSocket until the client goes away. */
export function servePortForward(ws: WebSocket, opts: PortForwardOptions): void {
  spdy ??= require('spdy-transport') as SpdyTransport;
  const duplex = createWebSocketStream(ws);
  duplex.on('error', () => undefined);
  const conn = spdy.connection.create(duplex, { protocol: 'spdy', isServer: true });
  // spdy-transport expects HTTP-style `:method`/`:path` headers on every SYN_STREAM; kubectl's streams carry only
  // streamtype/port/requestid. Supply neutral values so its parser accepts them.
  const parser = conn._spdyState.parser;
  const parseKVs = parser.parseKVs.bind(parser);
  parser.parseKVs = (buffer: unknown, callback: (err: Error | null, headers?: Record<string, string>) => void) =>
    parseKVs(buffer, (err: Error | null, headers?: Record<string, string>) => {
      if (headers && headers[':method'] === undefined) { headers[':method'] = 'POST'; headers[':path'] = '/'; }
      callback(err, headers);
    });

  const errorStreams = new Map<string, SpdyStream>();
  const targets = new Set<Duplex>();
  conn.on('error', (e) => { if (ws.readyState === ws.OPEN) opts.log?.('port-forward connection error', { error: String(e) }); });
  conn.on('stream', (stream) => {
    noSendWindow(stream);
    const type = stream.headers['streamtype'];
    const requestId = stream.headers['requestid'] ?? '';
    const port = Number(stream.headers['port']);
    stream.on('error', () => undefined);
    stream.respond(200, {});
    if (type === 'error') {
      errorStreams.set(requestId, stream);
      stream.resume(); // the client half-closes it at once
      stream.on('close', () => errorStreams.delete(requestId));
      return;
    }
    if (type !== 'data') { stream.abort(); return; }
    const fail = (message: string) => {
      const es = errorStreams.get(requestId);
      if (es && !es.writableEnded) es.end(message);
      stream.end();
    };
    if (!Number.isInteger(port) || port < 1 || port > 65535) { fail(`invalid port ${stream.headers['port']}`); return; }
    opts.connect(port).then((sock) => {
      if (ws.readyState !== ws.OPEN) { sock.destroy(); return; }
      targets.add(sock);
      // As upstream's kubelet, both streams of the pair are closed when the forwarded connection ends: kubectl waits
      // for the error stream to end before it closes its local connection.
      sock.on('close', () => {
        targets.delete(sock);
        const es = errorStreams.get(requestId);
        if (es && !es.writableEnded) es.end();
      });
      let clientGone = false; // errors from tearing the connection down ourselves are not worth a log line
      sock.on('error', (e) => { if (!clientGone && ws.readyState === ws.OPEN) opts.log?.('port-forward target error', { pod: opts.podName, port, error: String(e) }); stream.end(); });
      stream.on('close', () => { clientGone = true; sock.destroy(); });
      sock.pipe(stream);
      stream.pipe(sock);
    }, (e: Error) => fail(`error forwarding port ${port} to pod ${opts.podName}, uid ${opts.podUid ?? ''}: ${e?.message ?? e}`));
  });
  // The session ends with the WebSocket: every connection into the pod goes with it.
  ws.on('close', () => {
    for (const t of targets) t.destroy();
    try { conn.destroyStreams?.(); } catch { /* already gone */ }
  });
}

/**
 * kubectl's SPDY/3 library (moby/spdystream, also upstream kubelet's) does no flow control: it never sends
 * WINDOW_UPDATE, so spdy-transport would stop sending after the first 64 KiB of a stream. Sending is therefore never
 * held back by the stream's window; backpressure still comes from the WebSocket (a write completes once flushed).
 */
function noSendWindow(stream: SpdyStream): void {
  stream._spdyState.window.send.update = (_size: number, cb?: () => void) => { if (cb) process.nextTick(cb); };
}
