// The built-in ingress controller (class `nanokube`, controller nanokube.io/ingress-controller): an HTTP and HTTPS
// reverse proxy on the node's ports 80 and 443 serving the host and path rules of the Ingresses of its class,
// with TLS from Secrets (SNI) and a cluster-CA-issued default certificate, traffic to ready endpoints only (the
// proxy's endpoint selection), and each served Ingress's status.loadBalancer.ingress set to the node's InternalIP
// so `kubectl get ing` shows ADDRESS. It sees the cluster only through informers and writes only through the
// client. It creates its IngressClass, marked default, when missing (a user's edits to it are kept).
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { resources as builtin } from '../api/resources.js';
import { isAlreadyExists, isNotFound } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import { deepEqual } from '../api/json-equal.js';
import { INGRESS_CLASS_ANNOTATION, IS_DEFAULT_CLASS_ANNOTATION, isDefaultIngressClass } from '../api/ingress.js';
import type { Client } from '../client/client.js';
import type { InformerFactory } from '../client/informer.js';
import { errorText, type LogFn } from '../client/log.js';
import { runController, enqueueHandlers } from '../client/controller.js';
import { RateLimitingQueue } from '../client/workqueue.js';
import { EventRecorder } from '../client/events.js';
import { splitMetaNamespaceKey } from '../client/keys.js';
import type { KeyPairPem } from '../pki/index.js';
import { BackendPicker } from './backends.js';
import { CertificateStore } from './certificates.js';
import { ReverseProxy } from './reverse-proxy.js';
import { buildRouteTable, route, type RouteTable } from './routes.js';

export const INGRESS_CLASS_NAME = 'nanokube';
export const INGRESS_CONTROLLER_NAME = 'nanokube.io/ingress-controller';
const fieldManager = 'nanokube-ingress-controller';

export interface IngressControllerOptions {
  client: Client;
  informers: InformerFactory;
  /** The node whose InternalIP is the Ingresses' address. */
  nodeName: string;
  /** The cluster CA: issues the default certificate. */
  ca: KeyPairPem;
  /** HTTP port (default 80); 0 = any free port; false = no HTTP listener. */
  httpPort?: number | false;
  /** HTTPS port (default 443); 0 = any free port; false = no HTTPS listener. */
  httpsPort?: number | false;
  /** Address the listeners bind (default 0.0.0.0: every address of the node, loopback included). */
  address?: string;
  signal: AbortSignal;
  log: LogFn;
}

export interface RunningIngressController {
  /** The bound ports once listening (undefined for a disabled or failed listener). */
  readonly listening: Promise<{ http?: number; https?: number }>;
  stop(): Promise<void>;
}

type Node = KubeObject & { status?: { addresses?: Array<{ type: string; address: string }> } };

/** Whether this controller serves an Ingress: its class is ours, or it names none and our class is the default. */
export function servesIngress(ing: KubeObject, ourClass: KubeObject | undefined): boolean {
  const cls = ing.spec?.ingressClassName ?? ing.metadata?.annotations?.[INGRESS_CLASS_ANNOTATION];
  if (cls !== undefined) return cls === INGRESS_CLASS_NAME;
  return !!ourClass && isDefaultIngressClass(ourClass);
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.once('error', onError);
    server.listen({ port, host }, () => { server.off('error', onError); resolve((server.address() as AddressInfo).port); });
  });
}

async function ensureIngressClass(client: Client, signal: AbortSignal, log: LogFn): Promise<void> {
  for (let delay = 500; !signal.aborted; delay = Math.min(delay * 2, 10_000)) {
    try {
      await client.create(builtin.ingressclasses, undefined, {
        apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass',
        metadata: { name: INGRESS_CLASS_NAME, annotations: { [IS_DEFAULT_CLASS_ANNOTATION]: 'true' }, labels: { 'app.kubernetes.io/managed-by': 'nanokube' } },
        spec: { controller: INGRESS_CONTROLLER_NAME },
      }, { fieldManager });
      log({ level: 'info', msg: 'created IngressClass', name: INGRESS_CLASS_NAME, default: true });
      return;
    } catch (e) {
      if (isAlreadyExists(e)) return;
      log({ level: 'warn', msg: 'could not create IngressClass; retrying', name: INGRESS_CLASS_NAME, error: errorText(e) });
      await new Promise((r) => setTimeout(r, delay).unref());
    }
  }
}

export function startIngressController(opts: IngressControllerOptions): RunningIngressController {
  const { log, signal } = opts;
  const ingresses = opts.informers.informerFor(builtin.ingresses);
  const classes = opts.informers.informerFor(builtin.ingressclasses);
  const services = opts.informers.informerFor(builtin.services);
  const slices = opts.informers.informerFor(builtin.endpointslices);
  const secrets = opts.informers.informerFor(builtin.secrets);
  const nodes = opts.informers.informerFor<Node>(builtin.nodes);

  const served = () => {
    const ours = classes.get(INGRESS_CLASS_NAME);
    return ingresses.list().filter((i) => !i.metadata.deletionTimestamp && servesIngress(i, ours))
      .sort((a, b) => String(a.metadata.creationTimestamp ?? '').localeCompare(String(b.metadata.creationTimestamp ?? '')));
  };
  let table: RouteTable | undefined;
  let certs: CertificateStore | undefined;
  let tlsDirty = true;
  const routes = () => (table ??= buildRouteTable(served()));
  const certificates = () => {
    if (certs && tlsDirty) { certs.rebuild(served()); tlsDirty = false; }
    return certs!;
  };
  // The SNI map is rebuilt shortly after a change (not only at the next handshake), so a tls entry whose Secret is
  // missing or unusable is reported while the user is looking.
  let tlsTimer: NodeJS.Timeout | undefined;
  const tlsChanged = () => {
    tlsDirty = true;
    if (tlsTimer || !certs) return;
    tlsTimer = setTimeout(() => { tlsTimer = undefined; if (!signal.aborted) certificates(); }, 200);
    tlsTimer.unref();
  };
  const routesChanged = () => { table = undefined; tlsChanged(); };
  ingresses.addEventHandler({ onAdd: routesChanged, onUpdate: routesChanged, onDelete: routesChanged });
  classes.addEventHandler({ onAdd: routesChanged, onUpdate: routesChanged, onDelete: routesChanged });
  secrets.addEventHandler({ onAdd: tlsChanged, onUpdate: tlsChanged, onDelete: tlsChanged });

  const recorder = new EventRecorder({ client: opts.client, component: 'nanokube-ingress-controller', host: opts.nodeName, log });
  const picker = new BackendPicker(services, slices, opts.nodeName);
  const proxy = new ReverseProxy({ route: (h, p) => route(routes(), h, p), pick: (b) => picker.pick(b), log });

  // Status: every served Ingress shows the node's InternalIP; one that stops being served loses that address.
  const queue = new RateLimitingQueue<string>({ name: 'ingress_status' });
  const nodeIPs = (): string[] => {
    const n = nodes.get(opts.nodeName);
    return [...new Set((n?.status?.addresses ?? []).filter((a) => a.type === 'InternalIP').map((a) => a.address))].sort();
  };
  const statusController = runController({
    name: 'ingress-controller', informers: [ingresses, classes, nodes], workers: 1, queue, signal, log,
    async reconcile(key) {
      const ing = ingresses.get(key);
      if (!ing) return;
      const current = ing.status?.loadBalancer?.ingress ?? [];
      const ips = nodeIPs();
      let want: Array<{ ip: string }>;
      if (servesIngress(ing, classes.get(INGRESS_CLASS_NAME)) && !ing.metadata.deletionTimestamp) want = ips.map((ip) => ({ ip }));
      else if (current.length && current.every((c: any) => ips.includes(c.ip))) want = [];
      else return;
      if (deepEqual(current, want)) return;
      const { namespace, name } = splitMetaNamespaceKey(key);
      try {
        await opts.client.patch(builtin.ingresses, namespace, name, 'merge',
          { metadata: { resourceVersion: ing.metadata.resourceVersion }, status: { loadBalancer: want.length ? { ingress: want } : {} } }, { subresource: 'status', fieldManager });
        log({ level: 'info', msg: 'set ingress address', namespace, name, address: want.map((w) => w.ip) });
        // As ingress-nginx reports taking an Ingress on.
        if (want.length && !current.length) void recorder.event(ing, 'Normal', 'Sync', 'Scheduled for sync');
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    },
  }).catch((e) => log({ level: 'error', msg: 'ingress status controller failed', error: errorText(e) }));
  ingresses.addEventHandler(enqueueHandlers(queue));
  const all = () => { for (const k of ingresses.keys()) queue.add(k); };
  classes.addEventHandler({ onAdd: all, onUpdate: all, onDelete: all });
  nodes.addEventHandler({ onAdd: all, onUpdate: (a, b) => { if (!deepEqual(a.status?.addresses, b.status?.addresses)) all(); }, onDelete: all });
  opts.informers.start(signal);
  void ensureIngressClass(opts.client, signal, log);

  const servers: http.Server[] = [];
  const address = opts.address ?? '0.0.0.0';
  const listening = (async () => {
    const out: { http?: number; https?: number } = {};
    const synced = await Promise.all([ingresses, classes, services, slices, secrets].map((i) => i.waitForSync(signal)));
    if (!synced.every(Boolean) || signal.aborted) return out;
    const httpPort = opts.httpPort === undefined ? 80 : opts.httpPort;
    const httpsPort = opts.httpsPort === undefined ? 443 : opts.httpsPort;
    if (httpPort !== false) {
      const s = http.createServer((req, res) => proxy.handle(req, res, 'http'));
      s.on('upgrade', (req, socket, head) => proxy.upgrade(req, socket, head, 'http'));
      try { out.http = await listen(s, httpPort, address); servers.push(s); } catch (e) {
        log({ level: 'error', msg: 'ingress HTTP listener failed; Ingresses are not served over HTTP', port: httpPort, error: errorText(e) });
      }
    }
    if (httpsPort !== false) {
      try {
        const { issueCertificate } = await import('../pki/certificates.js');
        const pair = await issueCertificate(opts.ca, { commonName: 'nanokube ingress default certificate', altNames: ['ingress.local'], usage: 'server', validityDays: 365 });
        certs = new CertificateStore(secrets, tls.createSecureContext(pair), log, (ing, message) => { void recorder.event(ing, 'Warning', 'TLSSecretUnusable', message); });
        const s = https.createServer({ ...pair, SNICallback: (name, cb) => { try { cb(null, certificates().forServerName(name)); } catch (e) { cb(e as Error); } } },
          (req, res) => proxy.handle(req, res, 'https'));
        s.on('upgrade', (req, socket, head) => proxy.upgrade(req, socket, head, 'https'));
        out.https = await listen(s, httpsPort, address);
        servers.push(s);
        tlsChanged();
      } catch (e) {
        log({ level: 'error', msg: 'ingress HTTPS listener failed; Ingresses are not served over HTTPS', port: httpsPort, error: errorText(e) });
      }
    }
    if (signal.aborted) { for (const s of servers) s.close(); return {}; }
    log({ level: 'info', msg: 'ingress controller listening', address, ...out });
    return out;
  })();

  return {
    listening,
    async stop() {
      await listening.catch(() => undefined);
      clearTimeout(tlsTimer);
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => { s.close(() => resolve()); s.closeAllConnections(); })));
      proxy.close();
      queue.shutDown();
      await statusController;
    },
  };
}
