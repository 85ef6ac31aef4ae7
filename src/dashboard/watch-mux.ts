// Many watches over one WebSocket (/watch). A browser opens at most six HTTP/1.1 connections to one origin, and a
// watch holds one for as long as it runs: a page with a dozen live lists would stall. So the UI opens one WebSocket
// and asks the dashboard server to run its watches; each one is an ordinary watch request to the API server, made
// with the session's credentials exactly as the /k8s proxy makes it (RBAC applies the same), its bytes relayed as
// they arrive.
//
// Browser → server:  {"op":"watch","id":7,"path":"/api/v1/pods?watch=true&resourceVersion=42"}   {"op":"stop","id":7}
// Server → browser:  {"id":7,"status":200}  then  {"id":7,"data":"<chunk of the watch stream>"}…  then  {"id":7,"end":true}
//                    or, when the API server refuses: {"id":7,"status":403,"body":"<its Status JSON>"} (then end)
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ApiProxy } from './proxy.js';
import type { Credentials } from './sessions.js';

/** Watches one socket may run at once (a page needs a few dozen at most). */
const MAX_WATCHES = 200;
/** Above this much unsent data the upstream watches of a socket pause until the browser catches up. */
const HIGH_WATER = 8 << 20;

export class WatchMux {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });

  constructor(private readonly proxy: ApiProxy) {}

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, credentials: () => Credentials | undefined): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.serve(ws, credentials));
  }

  private serve(ws: WebSocket, credentials: () => Credentials | undefined): void {
    const watches = new Map<number, () => void>();
    const paused = new Set<() => void>();
    const send = (msg: unknown) => { if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg)); };
    const drainCheck = setInterval(() => {
      if (ws.bufferedAmount < HIGH_WATER / 2) { for (const resume of paused) resume(); paused.clear(); }
    }, 50);
    ws.on('message', (raw) => {
      let msg: { op?: string; id?: number; path?: string };
      try { msg = JSON.parse(String(raw)) as typeof msg; } catch { ws.close(1003, 'not JSON'); return; }
      const id = msg.id;
      if (typeof id !== 'number') return;
      if (msg.op === 'stop') { watches.get(id)?.(); watches.delete(id); return; }
      if (msg.op !== 'watch' || typeof msg.path !== 'string' || !msg.path.startsWith('/') || watches.has(id)) return;
      const c = credentials();
      if (!c) { send({ id, status: 401, body: JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Unauthorized', code: 401, message: 'the dashboard session ended; log in again' }) }); send({ id, end: true }); return; }
      if (watches.size >= MAX_WATCHES) { send({ id, status: 429, body: '{"kind":"Status","reason":"TooManyRequests","code":429,"message":"too many watches on one page"}' }); send({ id, end: true }); return; }
      const stop = this.proxy.stream(c, msg.path, {
        onResponse: (status, body) => send(body === undefined ? { id, status } : { id, status, body }),
        onData: (chunk, pause) => {
          send({ id, data: chunk });
          if (ws.bufferedAmount > HIGH_WATER) paused.add(pause());
        },
        onEnd: () => { if (watches.delete(id)) send({ id, end: true }); },
      });
      watches.set(id, stop);
    });
    ws.on('close', () => {
      clearInterval(drainCheck);
      for (const stop of watches.values()) stop();
      watches.clear();
    });
    ws.on('error', () => ws.terminate());
  }

  close(): void {
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }
}
