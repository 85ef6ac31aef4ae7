// Test doubles for the cluster DNS: a ClusterView over plain lists, object builders, and a fake upstream DNS
// server on 127.0.0.1 (real UDP and TCP) that answers from a table and counts the questions it was asked.
import dgram from 'node:dgram';
import net from 'node:net';
import * as dnsPacket from 'dns-packet';
import type { Answer, Packet } from 'dns-packet';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { ClusterView } from './records.js';

export class FakeClusterView implements ClusterView {
  services: Service[] = [];
  slices: EndpointSlice[] = [];
  pods: Pod[] = [];
  serial = 1700000000;

  service(namespace: string, name: string): Service | undefined {
    return this.services.find((s) => s.metadata?.namespace === namespace && s.metadata?.name === name);
  }
  endpointSlices(namespace: string, service: string): EndpointSlice[] {
    return this.slices.filter((s) => s.metadata?.namespace === namespace && s.metadata?.labels?.['kubernetes.io/service-name'] === service);
  }
  servicesByClusterIP(ip: string): Service[] {
    return this.services.filter((s) => (s.spec?.clusterIPs ?? [s.spec?.clusterIP]).includes(ip));
  }
  endpointSlicesByAddress(ip: string): EndpointSlice[] {
    return this.slices.filter((s) => s.endpoints.some((e) => e.addresses.includes(ip)));
  }
  podHasIP(namespace: string, ip: string): boolean {
    return this.pods.some((p) => p.metadata?.namespace === namespace && p.status?.podIP === ip);
  }
  modified(): number { return this.serial; }
}

export function service(ns: string, name: string, spec: Service['spec']): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name, uid: `uid-${name}` }, spec };
}

export interface FakeEndpoint { ip: string; ready?: boolean; hostname?: string }

export function slice(ns: string, svc: string, endpoints: FakeEndpoint[], ports: Array<{ name?: string; port: number; protocol?: string }> = []): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
    metadata: { namespace: ns, name: `${svc}-abcde`, labels: { 'kubernetes.io/service-name': svc } },
    endpoints: endpoints.map((e) => ({ addresses: [e.ip], conditions: { ready: e.ready ?? true }, ...(e.hostname ? { hostname: e.hostname } : {}) })),
    ports: ports.map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' })),
  };
}

/** A DNS server on 127.0.0.1 answering from `zone` (name → answers; absent → NXDOMAIN with an SOA). */
export class FakeUpstream {
  readonly asked: string[] = [];
  private udp = dgram.createSocket('udp4');
  private tcp: net.Server = net.createServer((s) => this.serveTcp(s));
  port = 0;

  constructor(readonly zone: Map<string, Answer[]>, readonly opts: { negativeTTL?: number; silent?: boolean } = {}) {}

  async start(): Promise<this> {
    // UDP picks a free port and TCP takes the same one; when TCP finds it taken (other tests use TCP ports too),
    // both are tried again on another port. A UDP socket left open would keep the test process alive for ever.
    for (let attempt = 0; ; attempt++) {
      await new Promise<void>((r) => this.udp.bind(0, '127.0.0.1', () => r()));
      this.port = this.udp.address().port;
      try {
        await new Promise<void>((r, j) => { this.tcp.once('error', j); this.tcp.listen(this.port, '127.0.0.1', () => { this.tcp.off('error', j); r(); }); });
        break;
      } catch (e) {
        this.udp.close();
        if (attempt >= 10) throw e;
        this.udp = dgram.createSocket('udp4');
        this.tcp = net.createServer((s) => this.serveTcp(s));
      }
    }
    this.udp.on('message', (m, rinfo) => {
      const reply = this.reply(m);
      if (reply) this.udp.send(reply, rinfo.port, rinfo.address);
    });
    return this;
  }

  private reply(m: Buffer): Buffer | undefined {
    const q = dnsPacket.decode(m);
    const question = q.questions![0]!;
    this.asked.push(`${question.name} ${question.type}`);
    if (this.opts.silent) return undefined;
    const answers = (this.zone.get(question.name.toLowerCase()) ?? []).filter((a) => a.type === question.type || a.type === 'CNAME');
    const known = this.zone.has(question.name.toLowerCase());
    const ttl = this.opts.negativeTTL ?? 60;
    const reply: Packet = {
      type: 'response', id: q.id, flags: dnsPacket.RECURSION_AVAILABLE | (known ? 0 : 3), questions: q.questions, answers,
      authorities: answers.length ? [] : [{ type: 'SOA', name: 'example.', ttl, data: { mname: 'ns.example.', rname: 'admin.example.', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: ttl } }],
    };
    return dnsPacket.encode(reply);
  }

  private readonly conns = new Set<net.Socket>();

  private serveTcp(s: net.Socket): void {
    this.conns.add(s);
    s.on('close', () => this.conns.delete(s));
    let buf = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)) return;
      const reply = this.reply(buf.subarray(2, 2 + buf.readUInt16BE(0)));
      if (reply) { const len = Buffer.alloc(2); len.writeUInt16BE(reply.length); s.end(Buffer.concat([len, reply])); }
    });
    s.on('error', () => undefined);
  }

  async stop(): Promise<void> {
    // Open connections would hold close() forever.
    for (const s of this.conns) s.destroy();
    await new Promise<void>((r) => this.udp.close(() => r()));
    await new Promise<void>((r) => this.tcp.close(() => r()));
  }
}

/** One query over UDP (or TCP) to a server; resolves with the decoded reply. */
export function query(server: { host: string; port: number }, name: string, type: string, opts: { tcp?: boolean; edns?: number; timeoutMs?: number } = {}): Promise<Packet & { rcode?: string }> {
  const packet: Packet = {
    type: 'query', id: Math.floor(Math.random() * 65536), flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: type as 'A', name, class: 'IN' }],
    ...(opts.edns ? { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: opts.edns, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] } : {}),
  };
  const timeoutMs = opts.timeoutMs ?? 5000;
  if (opts.tcp) {
    return new Promise((resolve, reject) => {
      const s = net.connect(server.port, server.host, () => s.write(dnsPacket.streamEncode(packet)));
      let buf = Buffer.alloc(0);
      const t = setTimeout(() => { s.destroy(); reject(new Error('tcp query timed out')); }, timeoutMs);
      s.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) { clearTimeout(t); s.destroy(); resolve(dnsPacket.streamDecode(buf) as Packet & { rcode?: string }); }
      });
      s.on('error', (e) => { clearTimeout(t); reject(e); });
    });
  }
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket(net.isIPv6(server.host) ? 'udp6' : 'udp4');
    const t = setTimeout(() => { sock.close(); reject(new Error('udp query timed out')); }, timeoutMs);
    sock.on('message', (m) => { clearTimeout(t); sock.close(); resolve(dnsPacket.decode(m) as Packet & { rcode?: string }); });
    sock.send(dnsPacket.encode(packet), server.port, server.host);
  });
}
