// The userspace proxier, for when the kernel cannot be programmed (not root, not Linux, no nft): listeners in this
// process on every NodePort (all of the node's addresses) and on LoadBalancer ingress / external IP ports, each
// connection (TCP) or client flow (UDP) sent to one usable endpoint picked at random (or the client's previous one
// with sessionAffinity ClientIP). ClusterIPs are not reachable in this mode: they are not addresses of this host.
import net from 'node:net';
import dgram from 'node:dgram';
import type { LogFn } from '../../client/log.js';
import type { Proxier, ProxyUpdate, ServicePortState, SyncStats } from '../proxier.js';
import { usableEndpoints, type Endpoint, type ServicePort } from '../service-ports.js';

export interface UserspaceProxierOptions {
  nodeName: string;
  log: LogFn;
  /** Address NodePorts are bound on; default all addresses (0.0.0.0). */
  bindAddress?: string;
  /** UDP flows idle this long are forgotten (default 30 s). */
  udpIdleMs?: number;
}

interface Target { sp: ServicePort; endpoints: Endpoint[]; affinity: Map<string, { ep: Endpoint; until: number }> }

interface Listener { key: string; close(): Promise<void>; target: Target }

export class UserspaceProxier implements Proxier {
  readonly mode = 'userspace';
  private readonly listeners = new Map<string, Listener>();
  private services = new Map<string, ServicePortState[]>();

  constructor(private readonly o: UserspaceProxierOptions) {}

  async sync(update: ProxyUpdate): Promise<SyncStats> {
    if (update.full) this.services = new Map();
    for (const [k, ports] of update.services) { if (ports.length) this.services.set(k, ports); else this.services.delete(k); }
    const ports = [...this.services.values()].flat();
    const want = new Map<string, { sp: ServicePort; endpoints: Endpoint[]; address: string; port: number }>();
    for (const { sp, endpoints } of ports) {
      const eps = usableEndpoints(endpoints, { local: sp.externalLocal, nodeName: this.o.nodeName });
      if (sp.nodePort) want.set(`${sp.protocol}/${this.o.bindAddress ?? '0.0.0.0'}:${sp.nodePort}`, { sp, endpoints: eps, address: this.o.bindAddress ?? '0.0.0.0', port: sp.nodePort });
      for (const ip of sp.externalAddresses) want.set(`${sp.protocol}/${ip}:${sp.port}`, { sp, endpoints: eps, address: ip, port: sp.port });
    }
    let changes = 0;
    for (const [k, l] of this.listeners) {
      if (!want.has(k)) { this.listeners.delete(k); await l.close(); changes++; }
    }
    for (const [k, w] of want) {
      const had = this.listeners.get(k);
      if (had) { had.target.sp = w.sp; had.target.endpoints = w.endpoints; continue; }
      if (w.sp.protocol === 'SCTP') continue;
      const target: Target = { sp: w.sp, endpoints: w.endpoints, affinity: new Map() };
      try {
        const l = w.sp.protocol === 'UDP' ? await this.udp(k, w.address, w.port, target) : await this.tcp(k, w.address, w.port, target);
        this.listeners.set(k, l);
        changes++;
      } catch (e) {
        this.o.log({ level: 'warn', msg: 'could not listen for a service port', service: w.sp.key, address: `${w.address}:${w.port}`, error: (e as Error).message });
      }
    }
    return { changes, full: update.full };
  }

  async stop(): Promise<void> {
    const all = [...this.listeners.values()];
    this.listeners.clear();
    await Promise.all(all.map((l) => l.close()));
  }

  private pick(t: Target, client: string): Endpoint | undefined {
    if (!t.endpoints.length) return undefined;
    const now = Date.now();
    if (t.sp.affinitySeconds !== undefined) {
      const a = t.affinity.get(client);
      if (a && a.until > now && t.endpoints.some((e) => e.ip === a.ep.ip && e.port === a.ep.port)) {
        a.until = now + t.sp.affinitySeconds * 1000;
        return a.ep;
      }
    }
    const ep = t.endpoints[Math.floor(Math.random() * t.endpoints.length)]!;
    if (t.sp.affinitySeconds !== undefined) t.affinity.set(client, { ep, until: now + t.sp.affinitySeconds * 1000 });
    return ep;
  }

  private tcp(key: string, address: string, port: number, target: Target): Promise<Listener> {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((client) => {
      sockets.add(client);
      client.on('close', () => sockets.delete(client));
      const ep = this.pick(target, client.remoteAddress ?? '');
      if (!ep) { client.resetAndDestroy(); return; }
      const upstream = net.connect({ host: ep.ip, port: ep.port });
      sockets.add(upstream);
      upstream.on('close', () => sockets.delete(upstream));
      upstream.setNoDelay(true);
      client.setNoDelay(true);
      client.pipe(upstream).pipe(client);
      const fail = () => { client.destroy(); upstream.destroy(); };
      client.on('error', fail);
      upstream.on('error', () => { if (!client.destroyed) client.resetAndDestroy(); upstream.destroy(); });
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: address, port, exclusive: true }, () => {
        server.off('error', reject);
        resolve({ key, target, close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }) });
      });
    });
  }

  private udp(key: string, address: string, port: number, target: Target): Promise<Listener> {
    const idle = this.o.udpIdleMs ?? 30_000;
    const flows = new Map<string, { sock: dgram.Socket; timer: NodeJS.Timeout; pending: Buffer[] | undefined }>();
    const server = dgram.createSocket('udp4');
    server.on('message', (msg, rinfo) => {
      const k = `${rinfo.address}:${rinfo.port}`;
      let f = flows.get(k);
      if (!f) {
        const ep = this.pick(target, rinfo.address);
        if (!ep) return;
        const sock = dgram.createSocket('udp4');
        sock.on('message', (reply) => server.send(reply, rinfo.port, rinfo.address));
        sock.on('error', () => undefined);
        f = { sock, timer: setTimeout(() => undefined, 0), pending: [msg] };
        flows.set(k, f);
        const flow = f;
        sock.connect(ep.port, ep.ip, () => { for (const m of flow.pending ?? []) sock.send(m); flow.pending = undefined; });
      } else if (f.pending) f.pending.push(msg);
      else f.sock.send(msg);
      const flow = f;
      clearTimeout(flow.timer);
      flow.timer = setTimeout(() => { flows.delete(k); flow.sock.close(); }, idle);
      flow.timer.unref();
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.bind({ address, port, exclusive: true }, () => {
        server.off('error', reject);
        resolve({ key, target, close: () => new Promise<void>((r) => { for (const f of flows.values()) { clearTimeout(f.timer); f.sock.close(); } flows.clear(); server.close(() => r()); }) });
      });
    });
  }
}
