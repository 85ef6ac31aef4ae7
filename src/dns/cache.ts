// The cache in front of the upstream resolvers, as CoreDNS's cache plugin with the deployed Corefile's `cache 30`:
// answers are kept for their own TTL (the smallest in the answer section) but at most 30 s; denials (NXDOMAIN, or
// NOERROR without answers) for the SOA's negative TTL (min(SOA TTL, SOA minimum), RFC 2308) but at most 30 s;
// a denial without SOA is not cached; SERVFAIL from an upstream for 5 s (the plugin's servfail default).
// Served copies have their TTLs lowered by the time spent in the cache. Bounded: the oldest entry goes first.
import type { Answer, Packet } from 'dns-packet';

export interface CacheOptions {
  /** Cap for positive answers, seconds (default 30). */
  maxTTL?: number;
  /** Cap for denials, seconds (default 30). */
  maxDenialTTL?: number;
  /** SERVFAIL caching, seconds (default 5; 0 = off). */
  servfailTTL?: number;
  /** Entries (default 9984, CoreDNS's capacity). */
  capacity?: number;
  now?: () => number;
}

interface Entry { packet: Packet; storedAt: number; ttl: number }

export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxTTL: number;
  private readonly maxDenialTTL: number;
  private readonly servfailTTL: number;
  private readonly capacity: number;
  private readonly now: () => number;
  hits = 0;
  misses = 0;

  constructor(opts: CacheOptions = {}) {
    this.maxTTL = opts.maxTTL ?? 30;
    this.maxDenialTTL = opts.maxDenialTTL ?? 30;
    this.servfailTTL = opts.servfailTTL ?? 5;
    this.capacity = opts.capacity ?? 9984;
    this.now = opts.now ?? Date.now;
  }

  static key(name: string, type: string, klass = 'IN', dnssecOK = false): string {
    return `${name.replace(/\.$/, '').toLowerCase()}|${type}|${klass}|${dnssecOK ? 1 : 0}`;
  }

  get size(): number { return this.entries.size; }

  /** A copy of the cached reply with TTLs lowered by its age, or undefined (absent or expired). */
  get(key: string): Packet | undefined {
    const e = this.entries.get(key);
    if (!e) { this.misses++; return undefined; }
    const age = Math.floor((this.now() - e.storedAt) / 1000);
    if (age >= e.ttl) { this.entries.delete(key); this.misses++; return undefined; }
    this.hits++;
    const lower = (rs: Answer[] | undefined) => (rs ?? []).map((r) => (r.type === 'OPT' ? r : { ...r, ttl: Math.max(0, Math.min((r.ttl ?? 0) - age, e.ttl - age)) } as Answer));
    return { ...e.packet, answers: lower(e.packet.answers), authorities: lower(e.packet.authorities), additionals: lower(e.packet.additionals) };
  }

  /** Stores a reply from upstream if it is cacheable; returns the TTL it is kept for (0 = not kept). */
  put(key: string, packet: Packet): number {
    const ttl = this.ttlOf(packet);
    if (ttl <= 0) return 0;
    this.entries.delete(key);
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { packet, storedAt: this.now(), ttl });
    return ttl;
  }

  private ttlOf(p: Packet): number {
    const rcode = (p as { rcode?: string }).rcode ?? 'NOERROR';
    if (p.flags !== undefined && (p.flags & TRUNCATED) !== 0) return 0;
    if (rcode === 'SERVFAIL') return this.servfailTTL;
    const answers = (p.answers ?? []).filter((r) => r.type !== 'OPT');
    if (rcode === 'NOERROR' && answers.length) {
      return Math.min(this.maxTTL, ...answers.map((r) => r.ttl ?? 0));
    }
    if (rcode === 'NXDOMAIN' || (rcode === 'NOERROR' && !answers.length)) {
      const soa = (p.authorities ?? []).find((r) => r.type === 'SOA');
      if (!soa || soa.type !== 'SOA') return 0;
      return Math.min(this.maxDenialTTL, soa.ttl ?? 0, soa.data.minimum ?? 0);
    }
    return 0;
  }
}

const TRUNCATED = 1 << 9;
