// The kubelet's own HTTPS server (upstream's pkg/kubelet/server on port 10250): what the API server proxies
// pods/log, pods/exec, pods/attach, pods/portforward and nodes/proxy to.
//   GET  /healthz                                   "ok"
//   GET  /pods                                      PodList of the pods this kubelet runs
//   GET  /stats/summary                             the Summary API: node, pod and container CPU and memory
//   GET  /metrics/resource                          the same as Prometheus text (what metrics-server scrapes)
//   GET  /metrics, /metrics/cadvisor                the kubelet's own Prometheus metrics, and the containers' CPU and
//                                                   memory as cAdvisor's (stats/kubelet-metrics.ts)
//   GET  /containerLogs/{ns}/{pod}/{container}      follow, previous, tailLines, sinceSeconds, sinceTime,
//                                                   timestamps, limitBytes (text/plain, streamed)
//   GET|POST /exec/{ns}/{pod}/{container}?command=…&input=1&output=1&error=1&tty=1   WebSocket, v5/v4.channel.k8s.io
//            (stdin/stdout/stderr are accepted as names too)
//   GET|POST /attach/{ns}/{pod}/{container}?input=1&output=1&error=1&tty=1           WebSocket, same protocol
//   GET|POST /portForward/{ns}/{pod}                WebSocket, SPDY/3.1+portforward.k8s.io (SPDY tunnelled in WS,
//            kubectl 1.30+), or v4.channel.k8s.io with ?port=… (client libraries; port-forward-channels.ts)
// Clients authenticate with a certificate signed by the cluster CA (the apiserver's kubelet-client certificate);
// anything else gets 401. Pods and containers are found through the runtime by their labels (pod-lookup.ts).
// Differences from upstream: no authorization (SubjectAccessReview) beyond the CA check; exec/attach speak only
// WebSocket (no classic SPDY), and port-forward only the tunnelled SPDY that kubectl 1.32 sends.
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { badRequest, methodNotAllowed, notFoundError, StatusError, toStatusError, unauthorized } from '../../api/errors.js';
import type { LogFn } from '../../client/log.js';
import type { ContainerStatus, RuntimeService } from '../runtime/runtime.js';
import { readContainerLog, type LogOptions } from './container-logs.js';
import { containerInstances, podSandboxes, previousLogPath } from './pod-lookup.js';
import { REMOTE_COMMAND_PROTOCOLS, serveRemoteCommand } from './remote-command.js';
import { PORT_FORWARD_TUNNEL_PROTOCOL, servePortForward } from './port-forward.js';
import { PORT_FORWARD_CHANNEL_PROTOCOLS, servePortForwardChannels } from './port-forward-channels.js';
import type { Summary } from '../stats/summary.js';
import { resourceMetricsText } from '../stats/resource-metrics.js';
import { kubeletRegistries } from '../stats/kubelet-metrics.js';

export interface KubeletServerOptions {
  runtime: RuntimeService;
  /** Serving certificate and key (ensureKubeletServingCertificate) and the CA client certificates must chain to. */
  tls: { cert: string; key: string; clientCA: string };
  /** Default 10250 upstream; 0 = any free port (tests). */
  port: number;
  /** Address to listen on (default 0.0.0.0, so the apiserver on another host can reach it). */
  host?: string;
  /** The pods this kubelet runs, with their latest status: for /pods and for messages about containers not yet started. */
  pods?: () => Pod[];
  log?: LogFn;
  /** The node's, pods' and containers' CPU and memory (stats/stats-provider.ts), for /stats/summary and /metrics/resource. */
  stats?: () => Promise<Summary>;
  /** How often followed logs are checked for new lines, in ms (default 200). */
  logPollMs?: number;
}

export interface RunningKubeletServer { port: number; close(): Promise<void> }

function statusBody(e: StatusError): string {
  return JSON.stringify(e.status);
}

const flag = (q: URLSearchParams, ...names: string[]) => names.some((n) => { const v = q.get(n); return v !== null && v !== '0' && v.toLowerCase() !== 'false'; });

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw badRequest(`${name}: invalid value ${JSON.stringify(v)}`);
  return n;
}

export async function startKubeletServer(opts: KubeletServerOptions): Promise<RunningKubeletServer> {
  const { runtime } = opts;
  const log = opts.log ?? (() => undefined);
  const sockets = new Set<Duplex>();
  const sessions = new Set<WebSocket>();

  const prometheus = opts.stats ? kubeletRegistries(opts.stats) : undefined;
  const authenticated = (req: IncomingMessage) => (req.socket as TLSSocket).authorized === true;

  const server = https.createServer({ cert: opts.tls.cert, key: opts.tls.key, ca: opts.tls.clientCA, requestCert: true, rejectUnauthorized: false },
    (req, res) => { serve(req, res).catch((e) => sendError(res, e)); });
  server.requestTimeout = 0; // followed logs are long-lived
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });

  const wss = new WebSocketServer({
    noServer: true, perMessageDeflate: false,
    handleProtocols: (offered) => {
      for (const p of [...REMOTE_COMMAND_PROTOCOLS, PORT_FORWARD_TUNNEL_PROTOCOL]) if (offered.has(p)) return p;
      return false;
    },
  });

  const tunnelRequests = new WeakSet<IncomingMessage>();
  wss.on('headers', (headers: string[], req: IncomingMessage) => {
    if (tunnelRequests.has(req)) headers.push(`Sec-WebSocket-Protocol: ${PORT_FORWARD_TUNNEL_PROTOCOL}`);
  });

  function sendError(res: ServerResponse, e: unknown): void {
    // Anything but a StatusError is a bug: logged in full, answered as a bare 500 (toStatusError).
    const err = toStatusError(e);
    if (!(e instanceof StatusError)) log({ level: 'error', msg: 'kubelet server request failed', error: (e as Error)?.message ?? String(e) });
    if (res.headersSent) { res.destroy(); return; }
    const body = statusBody(err);
    res.writeHead(err.code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  function route(url: URL): { kind: string; ns: string; pod: string; container?: string } | undefined {
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const [kind, ns, pod, container] = parts;
    if (kind === 'containerLogs' || kind === 'exec' || kind === 'attach') {
      // Upstream also accepts /{kind}/{ns}/{pod}/{uid}/{container}: the uid is checked by the label lookup.
      if (parts.length === 4) return { kind, ns, pod, container };
      if (parts.length === 5 && kind !== 'containerLogs') return { kind, ns, pod, container: parts[4] };
    }
    if (kind === 'portForward' && (parts.length === 3 || parts.length === 4)) return { kind, ns, pod };
    return undefined;
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://kubelet');
    if (!authenticated(req)) { req.resume(); throw unauthorized(); }
    if (url.pathname === '/healthz') { res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }); res.end('ok'); return; }
    if (url.pathname === '/pods') {
      const body = JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: opts.pods?.() ?? [] });
      res.writeHead(200, { 'content-type': 'application/json' }); res.end(body); return;
    }
    if ((url.pathname === '/metrics' || url.pathname === '/metrics/cadvisor') && prometheus) {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed(`method ${req.method} not allowed`);
      const registry = url.pathname === '/metrics' ? prometheus.kubelet : prometheus.cadvisor;
      const body = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType, 'content-length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    if ((url.pathname === '/stats/summary' || url.pathname === '/metrics/resource') && opts.stats) {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed(`method ${req.method} not allowed`);
      const summary = await opts.stats();
      const [type, body] = url.pathname === '/stats/summary'
        ? ['application/json', JSON.stringify(summary)]
        : ['text/plain; version=0.0.4; charset=utf-8', resourceMetricsText(summary)];
      res.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    const r = route(url);
    if (!r) throw notFoundError(`the server could not find the requested resource (${url.pathname})`);
    if (r.kind !== 'containerLogs') throw badRequest('Upgrade request required');
    if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed(`method ${req.method} not allowed`);
    return containerLogs(r.ns, r.pod, r.container!, url.searchParams, res);
  }

  function podStatusOf(ns: string, name: string): Pod | undefined {
    return opts.pods?.().find((p) => p.metadata?.namespace === ns && p.metadata?.name === name);
  }

  async function containerLogs(ns: string, name: string, container: string, q: URLSearchParams, res: ServerResponse): Promise<void> {
    const pod = podStatusOf(ns, name);
    if (opts.pods && !pod) throw notFoundError(`pod "${name}" does not exist`);
    if (pod && ![...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []), ...(pod.spec?.ephemeralContainers ?? [])].some((c) => c.name === container)) {
      throw notFoundError(`container "${container}" not found in pod "${name}"`);
    }
    const sandboxes = await podSandboxes(runtime, ns, name, pod?.metadata?.uid);
    if (!opts.pods && sandboxes.length === 0) throw notFoundError(`pod "${name}" does not exist`);
    const instances = await containerInstances(runtime, sandboxes, container);
    const previous = flag(q, 'previous');
    let path: string | undefined, current: ContainerStatus | undefined;
    if (previous) {
      path = previousLogPath(instances);
      if (!path) throw badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
    } else {
      current = instances[0];
      if (!current || current.state === 'CONTAINER_CREATED') {
        const statuses = [...(pod?.status?.containerStatuses ?? []), ...(pod?.status?.initContainerStatuses ?? []), ...(pod?.status?.ephemeralContainerStatuses ?? [])];
        const reason = statuses.find((s) => s.name === container)?.state?.waiting?.reason;
        const why = reason === 'ErrImagePull' ? "image can't be pulled" : reason === 'ImagePullBackOff' ? 'trying and failing to pull image' : reason ?? 'ContainerCreating';
        throw badRequest(`container "${container}" in pod "${name}" is waiting to start: ${why}`);
      }
      path = current.logPath;
    }
    const sinceSeconds = intParam(q, 'sinceSeconds');
    const sinceTime = q.get('sinceTime');
    const sinceMs = sinceSeconds !== undefined ? Date.now() - sinceSeconds * 1000 : sinceTime ? Date.parse(sinceTime) : undefined;
    if (sinceMs !== undefined && Number.isNaN(sinceMs)) throw badRequest(`sinceTime: invalid value ${JSON.stringify(sinceTime)}`);
    const ac = new AbortController();
    res.on('close', () => ac.abort());
    const logOpts: LogOptions = {
      follow: flag(q, 'follow') && !previous,
      tailLines: intParam(q, 'tailLines'),
      sinceMs, timestamps: flag(q, 'timestamps'), limitBytes: intParam(q, 'limitBytes'),
      signal: ac.signal, pollMs: opts.logPollMs,
      isRunning: async () => {
        if (!current) return false;
        try { return (await runtime.containerStatus(current.id)).state === 'CONTAINER_RUNNING'; } catch { return false; }
      },
    };
    const stream = readContainerLog(path, logOpts);
    res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-cache, private' });
    res.flushHeaders();
    for await (const chunk of stream) {
      if (res.destroyed) break;
      if (!res.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = () => { res.off('drain', done); res.off('close', done); resolve(); };
          res.on('drain', done); res.on('close', done);
        });
      }
    }
    res.end();
  }

  /** The running instance of a container, or a 400 as upstream's "container not found". */
  async function runningContainer(ns: string, name: string, container: string): Promise<ContainerStatus> {
    const pod = podStatusOf(ns, name);
    const sandboxes = await podSandboxes(runtime, ns, name, pod?.metadata?.uid);
    if (sandboxes.length === 0) throw notFoundError(`pod "${name}" does not exist`);
    const c = (await containerInstances(runtime, sandboxes, container)).find((i) => i.state === 'CONTAINER_RUNNING');
    if (!c) throw badRequest(`container not found ("${container}")`);
    return c;
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    upgrade(req, socket, head).catch((e) => {
      const err = toStatusError(e);
      if (!(e instanceof StatusError)) log({ level: 'error', msg: 'kubelet server upgrade failed', error: (e as Error)?.message ?? String(e) });
      const body = statusBody(err);
      if (socket.writable) socket.end(`HTTP/1.1 ${err.code} ${err.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    });
  });

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://kubelet');
    if (!authenticated(req)) throw unauthorized();
    const r = route(url);
    if (!r || r.kind === 'containerLogs') throw notFoundError(`the server could not find the requested resource (${url.pathname})`);
    // kubectl falls back to SPDY when its WebSocket upgrade is refused, and shows the fallback's error: so a
    // request this kubelet would refuse anyway (a container not running) is refused for that reason first, as
    // upstream's ("unable to upgrade connection: container not found"), and only then for the protocol.
    const websocket = (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
    const unsupported = () => badRequest(`unsupported upgrade ${JSON.stringify(req.headers.upgrade ?? '')}: this kubelet speaks WebSocket (${[...REMOTE_COMMAND_PROTOCOLS, PORT_FORWARD_TUNNEL_PROTOCOL].join(', ')})`);
    const q = url.searchParams;
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
    if (r.kind === 'portForward') {
      if (!websocket) {
        const pod = podStatusOf(r.ns, r.pod);
        if (!(await podSandboxes(runtime, r.ns, r.pod, pod?.metadata?.uid)).some((s) => s.state === 'SANDBOX_READY')) throw notFoundError(`pod "${r.pod}" does not exist`);
        throw unsupported();
      }
      const tunnel = offered.includes(PORT_FORWARD_TUNNEL_PROTOCOL);
      const ports = [...q.getAll('port'), ...q.getAll('ports')].flatMap((p) => p.split(',')).filter(Boolean).map(Number);
      if (!tunnel && ports.length === 0) throw badRequest(`port-forward needs the WebSocket subprotocol ${PORT_FORWARD_TUNNEL_PROTOCOL}, or ${PORT_FORWARD_CHANNEL_PROTOCOLS.join(', ')} with ?port=`);
      if (!tunnel && ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) throw badRequest(`invalid port in ${JSON.stringify(ports)}`);
      const pod = podStatusOf(r.ns, r.pod);
      const sandbox = (await podSandboxes(runtime, r.ns, r.pod, pod?.metadata?.uid)).find((s) => s.state === 'SANDBOX_READY');
      if (!sandbox) throw notFoundError(`pod "${r.pod}" does not exist`);
      if (!tunnel) {
        wss.handleUpgrade(req, socket, head, (ws) => {
          track(ws);
          servePortForwardChannels(ws, { ports, connect: (port) => runtime.portForward(sandbox.id, port), podName: `${r.ns}/${r.pod}`, podUid: sandbox.metadata.uid });
        });
        return;
      }
      // The subprotocol has a '/', which is not a token character, so ws would refuse the handshake: negotiate it
      // here and add the response header ourselves.
      delete req.headers['sec-websocket-protocol'];
      tunnelRequests.add(req);
      wss.handleUpgrade(req, socket, head, (ws) => {
        track(ws);
        servePortForward(ws, {
          connect: (port) => runtime.portForward(sandbox.id, port), podName: `${r.ns}/${r.pod}`, podUid: sandbox.metadata.uid,
          log: (msg, f) => log({ level: 'warn', msg, ...f }),
        });
      });
      return;
    }
    if (websocket && !REMOTE_COMMAND_PROTOCOLS.some((p) => offered.includes(p))) throw badRequest(`${r.kind} needs a WebSocket subprotocol of ${REMOTE_COMMAND_PROTOCOLS.join(', ')}`);
    const io = { stdin: flag(q, 'input', 'stdin'), stdout: flag(q, 'output', 'stdout'), stderr: flag(q, 'error', 'stderr'), tty: flag(q, 'tty') };
    const cmd = q.getAll('command');
    if (r.kind === 'exec' && cmd.length === 0) throw badRequest('you must specify at least one command for the container');
    if (!io.stdin && !io.stdout && !io.stderr) throw badRequest('you must specify at least one of stdin, stdout, stderr');
    const c = await runningContainer(r.ns, r.pod, r.container!);
    if (!websocket) throw unsupported();
    wss.handleUpgrade(req, socket, head, (ws) => {
      track(ws);
      void serveRemoteCommand(ws, io, async (s) => {
        if (r.kind === 'exec') {
          const { exitCode } = await runtime.exec(c.id, { cmd, tty: io.tty, stdin: s.stdin, stdout: s.stdout, stderr: s.stderr, resize: s.resize, signal: s.signal });
          return exitCode;
        }
        await runtime.attach(c.id, { tty: io.tty, stdin: s.stdin, stdout: s.stdout, stderr: s.stderr, resize: s.resize, signal: s.signal });
        return undefined;
      }, r.kind === 'exec' ? cmd : undefined);
    });
  }

  function track(ws: WebSocket) { sessions.add(ws); ws.on('close', () => sessions.delete(ws)); }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => { server.off('error', reject); resolve(); });
  });
  const port = (server.address() as AddressInfo).port;
  log({ level: 'info', msg: 'kubelet server listening', port });
  return {
    port,
    close: () => new Promise<void>((resolve) => {
      for (const ws of sessions) ws.terminate();
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    }),
  };
}
