// The host's resolvers, as the Corefile's `forward . /etc/resolv.conf` uses them, and one exchange with them:
// a query over UDP from one shared socket (replies matched by ID and question), retried over TCP when the reply
// comes back truncated, the next server tried when one does not answer in time.
//
// Which nameservers: those of the host's resolv.conf. The server runs in the host's network namespace (not in a
// pod), so a loopback stub such as systemd-resolved's 127.0.0.53 is reachable from it and is kept (CoreDNS in a
// pod must skip it, which is why kubeadm points it at /run/systemd/resolve/resolv.conf). Only our own listening
// addresses are dropped: forwarding to ourselves would loop.
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import * as dnsPacket from 'dns-packet';
import type { Packet } from 'dns-packet';

export interface Upstream { host: string; port: number }

/** Nameservers of a resolv.conf text (port 53). */
export function nameserversOf(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    // A link-local address keeps its zone (fe80::1%eth0): without it the address is unusable.
    if (m && net.isIP(m[1]!.replace(/%.*$/, ''))) out.push(m[1]!);
  }
  return out;
}

/** The host's upstreams, without our own addresses. */
export function hostUpstreams(opts: { resolvConf?: string; exclude?: string[] } = {}): Upstream[] {
  let text = '';
  try { text = fs.readFileSync(opts.resolvConf ?? '/etc/resolv.conf', 'utf8'); } catch { /* no resolvers */ }
  const exclude = new Set(opts.exclude ?? []);
  return nameserversOf(text).filter((h) => !exclude.has(h)).map((host) => ({ host, port: 53 }));
}

export class UpstreamTimeout extends Error {}

/** Exchanges queries with upstream servers. One UDP socket per address family, shared by every query. */
export class UpstreamClient {
  private sockets = new Map<4 | 6, dgram.Socket>();
  private pending = new Map<string, { resolve: (p: Packet) => void; question: string }>();
  private closed = false;

  constructor(private readonly opts: { timeoutMs?: number } = {}) {}

  private socket(family: 4 | 6): dgram.Socket {
    let s = this.sockets.get(family);
    if (s) return s;
    s = dgram.createSocket(family === 4 ? 'udp4' : 'udp6');
    s.on('message', (msg, rinfo) => {
      let p: Packet;
      try { p = dnsPacket.decode(msg); } catch { return; }
      const key = `${rinfo.address}|${rinfo.port}|${p.id}`;
      const w = this.pending.get(key);
      // A reply must answer the question asked (not only carry the ID), against spoofed or stale replies.
      if (!w || questionKey(p) !== w.question) return;
      this.pending.delete(key);
      w.resolve(p);
    });
    s.on('error', () => undefined);
    s.unref();
    this.sockets.set(family, s);
    return s;
  }

  /** Asks the servers in order; resolves with the first reply (its ID is the query's). Rejects if none answers. */
  async exchange(servers: Upstream[], query: Packet): Promise<Packet> {
    let last: unknown = new UpstreamTimeout('no upstream nameserver');
    for (const server of servers) {
      try {
        const reply = await this.udp(server, query);
        if (reply.flags !== undefined && (reply.flags & dnsPacket.TRUNCATED_RESPONSE) !== 0) return await this.tcp(server, query);
        return reply;
      } catch (e) {
        last = e;
      }
    }
    throw last;
  }

  private udp(server: Upstream, query: Packet): Promise<Packet> {
    if (this.closed) return Promise.reject(new Error('closed'));
    const family = net.isIPv6(server.host) ? 6 : 4;
    const sock = this.socket(family);
    let id = 0;
    let key = '';
    for (let i = 0; i < 16; i++) {
      id = Math.floor(Math.random() * 65536);
      key = `${server.host}|${server.port}|${id}`;
      if (!this.pending.has(key)) break;
    }
    const buf = dnsPacket.encode({ ...query, id });
    return new Promise<Packet>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(key);
        reject(new UpstreamTimeout(`upstream ${server.host}:${server.port} did not answer`));
      }, this.opts.timeoutMs ?? 2000);
      this.pending.set(key, { question: questionKey(query), resolve: (p) => { clearTimeout(timer); resolve({ ...p, id: query.id }); } });
      sock.send(buf, server.port, server.host, (err) => {
        if (!err) return;
        clearTimeout(timer);
        this.pending.delete(key);
        reject(err);
      });
    });
  }

  private tcp(server: Upstream, query: Packet): Promise<Packet> {
    return new Promise<Packet>((resolve, reject) => {
      const sock = net.connect({ host: server.host, port: server.port });
      const timer = setTimeout(() => { sock.destroy(); reject(new UpstreamTimeout(`upstream ${server.host}:${server.port} (tcp) did not answer`)); }, this.opts.timeoutMs ?? 2000);
      let buf = Buffer.alloc(0);
      sock.on('connect', () => sock.write(dnsPacket.streamEncode(query)));
      sock.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)) return;
        clearTimeout(timer);
        sock.destroy();
        try { resolve({ ...dnsPacket.streamDecode(buf), id: query.id }); } catch (e) { reject(e); }
      });
      sock.on('error', (e) => { clearTimeout(timer); reject(e); });
    });
  }

  close(): void {
    this.closed = true;
    for (const s of this.sockets.values()) s.close();
    this.sockets.clear();
  }
}

function questionKey(p: Packet): string {
  const q = p.questions?.[0];
  return q ? `${q.name.toLowerCase()}|${q.type}|${q.class ?? 'IN'}` : '';
}
