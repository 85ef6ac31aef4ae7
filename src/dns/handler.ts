// One query in, one reply out, whatever the transport: names of the cluster zone (and reverse names of cluster
// addresses) from ClusterRecords, authoritative; everything else forwarded to the host's resolvers through the
// cache, identical questions in flight sharing one upstream exchange. An upstream that does not answer gives
// SERVFAIL (not cached), as CoreDNS's forward plugin does.
import * as dnsPacket from 'dns-packet';
import type { Answer, Packet } from 'dns-packet';
import { ResponseCache } from './cache.js';
import type { ClusterRecords, Rcode } from './records.js';
import type { Upstream, UpstreamClient } from './upstream.js';
import type { LogFn } from '../client/log.js';
import { errorText } from '../client/log.js';

export interface DnsHandlerOptions {
  records: ClusterRecords;
  /** The upstream servers (read on every forward, so a changed resolv.conf can be picked up by the caller). */
  upstreams: () => Upstream[];
  client: UpstreamClient;
  cache?: ResponseCache;
  log?: LogFn;
}

const RCODES: Record<Rcode | 'FORMERR' | 'NOTIMP', number> = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 };

export class DnsHandler {
  readonly cache: ResponseCache;
  private readonly inflight = new Map<string, Promise<Packet>>();
  private lastUpstreamError = 0;

  constructor(private readonly opts: DnsHandlerOptions) {
    this.cache = opts.cache ?? new ResponseCache();
  }

  async handle(query: Packet): Promise<Packet> {
    const rd = (query.flags ?? 0) & dnsPacket.RECURSION_DESIRED;
    const base = (rcode: keyof typeof RCODES, aa = false): Packet => ({
      type: 'response', id: query.id, flags: rd | dnsPacket.RECURSION_AVAILABLE | (aa ? dnsPacket.AUTHORITATIVE_ANSWER : 0) | RCODES[rcode],
      questions: query.questions ?? [], answers: [], authorities: [], additionals: ednsOf(query),
    });
    const q = query.questions?.[0];
    const opcode = (query as { opcode?: string }).opcode;
    if (opcode && opcode !== 'QUERY') return base('NOTIMP');
    if (!q || (query.questions?.length ?? 0) !== 1) return base('FORMERR');
    if (this.opts.records.isAuthoritative(q.name, q.type)) {
      const r = await this.opts.records.answer(q.name, q.type, (name, type) => this.lookup(name, type));
      const reply = base(r.rcode, true);
      reply.answers = r.answers;
      reply.authorities = r.authorities;
      reply.additionals = [...r.additionals, ...(reply.additionals ?? [])];
      return reply;
    }
    try {
      const up = await this.forward(query);
      return { ...up, id: query.id, questions: query.questions };
    } catch (e) {
      const now = Date.now();
      if (now - this.lastUpstreamError > 10_000) {
        this.lastUpstreamError = now;
        this.opts.log?.({ level: 'warn', msg: 'upstream DNS did not answer', name: q.name, error: errorText(e) });
      }
      return base('SERVFAIL');
    }
  }

  /** The reply for a name outside the cluster (cached, or from upstream). */
  private forward(query: Packet): Promise<Packet> {
    const q = query.questions![0]!;
    const dnssecOK = (query.additionals ?? []).some((a) => a.type === 'OPT' && (a as { flag_do?: boolean }).flag_do);
    const key = ResponseCache.key(q.name, q.type, q.class ?? 'IN', dnssecOK);
    const hit = this.cache.get(key);
    if (hit) return Promise.resolve(hit);
    let p = this.inflight.get(key);
    if (!p) {
      const upstreamQuery: Packet = {
        type: 'query', id: 0, flags: dnsPacket.RECURSION_DESIRED, questions: [q],
        additionals: [optRecord(dnssecOK ? dnsPacket.DNSSEC_OK : 0)],
      };
      p = this.opts.client.exchange(this.opts.upstreams(), upstreamQuery).then((reply) => {
        this.cache.put(key, reply);
        return reply;
      }).finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }

  /** A/AAAA answers for a name outside the zone (ExternalName targets). */
  private async lookup(name: string, type: 'A' | 'AAAA'): Promise<Answer[]> {
    const reply = await this.forward({ type: 'query', id: 0, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type, class: 'IN' }] });
    return (reply.answers ?? []).filter((a) => a.type === type || a.type === 'CNAME');
  }
}

/** The OPT record of our reply when the query had one (EDNS0: we accept up to 1232-byte UDP replies' worth). */
function ednsOf(query: Packet): Answer[] {
  const has = (query.additionals ?? []).some((a) => a.type === 'OPT');
  return has ? [optRecord(0)] : [];
}

function optRecord(flags: number): Answer {
  return { type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags, flag_do: (flags & dnsPacket.DNSSEC_OK) !== 0, options: [] };
}
