// The browser side of the dashboard server's watch multiplexer (src/dashboard/watch-mux.ts): every watch of the page
// runs over one WebSocket, since a browser gives one origin only six HTTP/1.1 connections and each watch would hold
// one. openWatch() looks like a streaming fetch: it resolves when the watch ends, rejects with the API's error.
import { ApiError, sessionEnded, type Status } from './api';

type Handlers = { onData(chunk: string): void; resolve(): void; reject(err: Error): void };

let socket: WebSocket | undefined;
let opening: Promise<WebSocket> | undefined;
let nextId = 1;
const active = new Map<number, Handlers>();

function connect(): Promise<WebSocket> {
  if (socket && socket.readyState === WebSocket.OPEN) return Promise.resolve(socket);
  opening ??= new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/watch`);
    ws.onopen = () => { socket = ws; opening = undefined; resolve(ws); };
    ws.onerror = () => { /* onclose follows */ };
    ws.onclose = () => {
      if (socket === ws) socket = undefined;
      if (opening) { opening = undefined; reject(new Error('the dashboard\'s watch connection could not be opened')); }
      // Every watch on it has ended: their owners resume from their last resourceVersion.
      for (const [id, h] of active) { active.delete(id); h.reject(new Error('the watch connection closed')); }
    };
    ws.onmessage = (ev) => {
      const msg = JSON.parse(ev.data as string) as { id: number; status?: number; body?: string; data?: string; end?: boolean };
      const h = active.get(msg.id);
      if (!h) return;
      if (msg.status !== undefined && (msg.status < 200 || msg.status > 299)) {
        active.delete(msg.id);
        let status: Status = { message: `HTTP ${msg.status}` };
        try { status = JSON.parse(msg.body ?? '') as Status; } catch { /* not JSON */ }
        if (msg.status === 401) sessionEnded();
        h.reject(new ApiError(status, msg.status));
      } else if (msg.data !== undefined) h.onData(msg.data);
      else if (msg.end) { active.delete(msg.id); h.resolve(); }
    };
  });
  return opening;
}

/** Runs one watch (an API path with watch=true); onData gets its stream's text as it comes. */
export async function openWatch(path: string, signal: AbortSignal, onData: (chunk: string) => void): Promise<void> {
  const ws = await connect();
  if (signal.aborted) return;
  const id = nextId++;
  return new Promise<void>((resolve, reject) => {
    active.set(id, { onData, resolve, reject });
    ws.send(JSON.stringify({ op: 'watch', id, path }));
    signal.addEventListener('abort', () => {
      if (active.delete(id) && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ op: 'stop', id }));
      resolve();
    }, { once: true });
  });
}
