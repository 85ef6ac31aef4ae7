// DNS over UDP and TCP on one address and port (RFC 1035 §4.2, RFC 7766). A UDP reply larger than the client can
// take (512 bytes, or the EDNS0 payload size its OPT record offers) keeps the records that fit and sets TC, so the
// client asks again over TCP; TCP carries length-prefixed messages, several per connection (pipelined, answered
// in any order, RFC 7766 §6.2.1.1), and idle connections close after a while.
import dgram from 'node:dgram';
import net from 'node:net';
import * as dnsPacket from 'dns-packet';
import type { Answer, Packet } from 'dns-packet';
import type { LogFn } from '../client/log.js';
import { errorText } from '../client/log.js';

export type QueryHandler = (query: Packet) => Promise<Packet>;

export interface DnsServerOptions {
  host: string;
  /** 0 = any free port (tests); the same port is used for UDP and TCP. */
  port: number;
  handler: QueryHandler;
  log?: LogFn;
  /** Idle TCP connections close after this long (default 10 s). */
  tcpIdleMs?: number;
}

export class DnsServer {
  private udp?: dgram.Socket;
  private tcp?: net.Server;
  private readonly conns = new Set<net.Socket>();
  private boundPort = 0;
  queries = 0;

  constructor(private readonly opts: DnsServerOptions) {}

  get address(): { host: string; port: number } { return { host: this.opts.host, port: this.boundPort }; }

  async start(): Promise<void> {
    const family = net.isIPv6(this.opts.host) ? 'udp6' : 'udp4';
    // With port 0, UDP picks the port and TCP takes the same one (retried if TCP finds it taken).
    for (let attempt = 0; ; attempt++) {
      const udp = dgram.createSocket({ type: family });
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(this.opts.port, this.opts.host, () => { udp.off('error', reject); resolve(); });
      });
      const port = udp.address().port;
      const tcp = net.createServer((s) => this.serveTcp(s));
      try {
        await new Promise<void>((resolve, reject) => {
          tcp.once('error', reject);
          tcp.listen(port, this.opts.host, () => { tcp.off('error', reject); resolve(); });
        });
      } catch (e) {
        udp.close();
        if (this.opts.port === 0 && attempt < 10) continue;
        throw e;
      }
      udp.on('message', (msg, rinfo) => void this.serveUdp(udp, msg, rinfo));
      udp.on('error', (e) => this.opts.log?.({ level: 'warn', msg: 'DNS UDP socket error', error: errorText(e) }));
      this.udp = udp;
      this.tcp = tcp;
      this.boundPort = port;
      return;
    }
  }

  private async serveUdp(sock: dgram.Socket, msg: Buffer, rinfo: dgram.RemoteInfo): Promise<void> {
    const reply = await this.reply(msg);
    if (!reply) return;
    const query = reply.query;
    const opt = (query?.additionals ?? []).find((a) => a.type === 'OPT') as { udpPayloadSize?: number } | undefined;
    const max = Math.max(512, Math.min(opt?.udpPayloadSize ?? 512, 65535));
    const out = fit(reply.packet, max);
    sock.send(out, rinfo.port, rinfo.address, () => undefined);
  }

  private serveTcp(s: net.Socket): void {
    this.conns.add(s);
    s.setTimeout(this.opts.tcpIdleMs ?? 10_000, () => s.destroy());
    s.on('close', () => this.conns.delete(s));
    s.on('error', () => undefined);
    let buf: Buffer = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) break;
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        void this.reply(msg).then((r) => {
          if (!r || s.destroyed) return;
          const body = dnsPacket.encode(r.packet);
          const frame = Buffer.alloc(2 + body.length);
          frame.writeUInt16BE(body.length, 0);
          body.copy(frame, 2);
          s.write(frame);
        });
      }
    });
  }

  /** The reply to one message; undefined for what must not be answered (replies, unreadable headers). */
  private async reply(msg: Buffer): Promise<{ packet: Packet; query?: Packet } | undefined> {
    this.queries++;
    let query: Packet;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      // FORMERR when at least the header is readable (RFC 1035 §4.1.1), else nothing.
      if (msg.length < 12 || (msg[2]! & 0x80)) return undefined;
      return { packet: { type: 'response', id: msg.readUInt16BE(0), flags: 1, questions: [] } };
    }
    if (query.type === 'response') return undefined;
    try {
      return { packet: await this.opts.handler(query), query };
    } catch (e) {
      this.opts.log?.({ level: 'warn', msg: 'DNS query failed', error: errorText(e) });
      return { packet: { type: 'response', id: query.id, flags: ((query.flags ?? 0) & dnsPacket.RECURSION_DESIRED) | 2, questions: query.questions ?? [] }, query };
    }
  }

  async stop(): Promise<void> {
    for (const s of this.conns) s.destroy();
    await Promise.all([
      new Promise<void>((r) => { if (this.udp) this.udp.close(() => r()); else r(); }),
      new Promise<void>((r) => { if (this.tcp) this.tcp.close(() => r()); else r(); }),
    ]);
    this.udp = undefined;
    this.tcp = undefined;
  }
}

/**
 * The encoded reply, at most `max` bytes: additional records go first (the OPT record stays), then answers from
 * the end; TC is set when any answer or authority had to go (as miekg/dns's Msg.Truncate).
 */
export function fit(packet: Packet, max: number): Buffer {
  let out = dnsPacket.encode(packet);
  if (out.length <= max) return out;
  const p: Packet = { ...packet, answers: [...(packet.answers ?? [])], authorities: [...(packet.authorities ?? [])], additionals: (packet.additionals ?? []).filter((a) => a.type === 'OPT') };
  out = dnsPacket.encode(p);
  let truncated = false;
  const drop = (list: Answer[]) => { list.pop(); truncated = true; out = dnsPacket.encode(p); };
  while (out.length > max && p.authorities!.length) drop(p.authorities!);
  while (out.length > max && p.answers!.length) drop(p.answers!);
  if (truncated) { p.flags = (p.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE; out = dnsPacket.encode(p); }
  return out;
}
