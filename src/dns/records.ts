// The cluster's records, answered as CoreDNS's kubernetes plugin answers them (plugin/kubernetes/kubernetes.go,
// handler.go, reverse.go and plugin/backend_lookup.go), from what a ClusterView holds (informer caches in the
// server, plain lists in tests):
//   - a Service with a ClusterIP: A/AAAA with its ClusterIP(s); a headless one: the ready endpoints' addresses
//     (EndpointSlice conditions.ready, which the EndpointSlice controller sets for publishNotReadyAddresses too);
//   - <hostname>.<svc>.<ns>.svc: the endpoint with that hostname (or dashed IP);
//   - SRV per port (named ports answer `_<port>._<proto>.`), targets with their addresses in the additional
//     section, weights dividing 100 as CoreDNS does;
//   - ExternalName: a CNAME, followed (inside the zone, or through `lookup` outside) for A/AAAA;
//   - pods: `<a-b-c-d>.<ns>.pod` answers the address (`pods insecure`, the deployed Corefile's mode) or, with
//     podMode 'verified', only when a pod of that namespace has that IP;
//   - PTR for ClusterIPs and endpoint addresses; an unknown reverse name is not ours (the caller forwards it, as
//     the Corefile's `fallthrough in-addr.arpa ip6.arpa`);
//   - a name that cannot exist is NXDOMAIN, a name that exists without records of the type is NODATA (NOERROR,
//     no answer); both carry the zone's SOA in the authority section;
//   - the apex answers SOA and NS (ns.dns.<zone> → the DNS Service's address); TXT dns-version.<zone> → 1.1.0.
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Answer, RecordType } from 'dns-packet';
import {
  DEFAULT_CLUSTER_DNS_IP, DEFAULT_CLUSTER_DOMAIN, DEFAULT_TTL, DNS_SCHEMA_VERSION, InvalidName, addressFromReverse, dashed, isIPv4, isIPv6,
  normalize, parseRequest, trimZone, type RecordRequest,
} from './names.js';

/** What the records are computed from; the server's is backed by informers. */
export interface ClusterView {
  service(namespace: string, name: string): Service | undefined;
  /** The EndpointSlices labelled kubernetes.io/service-name=<name> in the namespace. */
  endpointSlices(namespace: string, service: string): EndpointSlice[];
  /** Services whose clusterIPs include ip. */
  servicesByClusterIP(ip: string): Service[];
  /** EndpointSlices with an endpoint address ip. */
  endpointSlicesByAddress(ip: string): EndpointSlice[];
  /** Whether a pod in the namespace has this IP (podMode 'verified'). */
  podHasIP(namespace: string, ip: string): boolean;
  /** Unix seconds of the last change seen (the SOA serial). */
  modified(): number;
}

export interface ClusterRecordsOptions {
  domain?: string;
  ttl?: number;
  /** The DNS Service's address (NS glue, ns.dns.<zone>). */
  dnsIP?: string;
  podMode?: 'insecure' | 'verified' | 'disabled';
}

export type Rcode = 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED';

export interface Reply {
  rcode: Rcode;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
}

/** Resolves names outside the zone (for ExternalName targets); may return no answers. */
export type Lookup = (name: string, type: 'A' | 'AAAA') => Promise<Answer[]>;

interface Found { host: string; port: number; key: string }

const NO_PORT = -1;

export class ClusterRecords {
  readonly domain: string;
  readonly ttl: number;
  private readonly dnsIP: string;
  private readonly podMode: 'insecure' | 'verified' | 'disabled';

  constructor(private readonly view: ClusterView, opts: ClusterRecordsOptions = {}) {
    this.domain = normalize(opts.domain ?? DEFAULT_CLUSTER_DOMAIN);
    this.ttl = opts.ttl ?? DEFAULT_TTL;
    this.dnsIP = opts.dnsIP ?? DEFAULT_CLUSTER_DNS_IP;
    this.podMode = opts.podMode ?? 'insecure';
  }

  /** Whether the name is ours to answer (the zone, or a reverse name we hold a record for). */
  isAuthoritative(qname: string, qtype: string): boolean {
    if (trimZone(qname, this.domain) !== undefined) return true;
    return qtype === 'PTR' && this.reverse(qname).length > 0;
  }

  /** The reply for a question in the zone (or a known reverse name); callers check isAuthoritative first. */
  async answer(qname: string, qtype: RecordType | string, lookup?: Lookup): Promise<Reply> {
    const reply: Reply = { rcode: 'NOERROR', answers: [], authorities: [], additionals: [] };
    const base = trimZone(qname, this.domain);
    if (base === undefined) {
      if (qtype === 'PTR') for (const target of this.reverse(qname)) reply.answers.push({ type: 'PTR', name: qname, ttl: this.ttl, data: target });
      if (!reply.answers.length) return this.negative(reply, 'NXDOMAIN');
      return reply;
    }
    if (qtype === 'AXFR' || qtype === 'IXFR') return { ...reply, rcode: 'REFUSED' };
    if (base === '' && qtype === 'SOA') { reply.answers.push(this.soa()); return reply; }
    if (base === '' && qtype === 'NS') {
      reply.answers.push({ type: 'NS', name: qname, ttl: this.ttl, data: `ns.dns.${this.domain}` });
      reply.additionals.push({ type: 'A', name: `ns.dns.${this.domain}`, ttl: this.ttl, data: this.dnsIP });
      return reply;
    }
    if (base === 'ns.dns') {
      if (qtype === 'A') reply.answers.push({ type: 'A', name: qname, ttl: this.ttl, data: this.dnsIP });
      return reply.answers.length ? reply : this.negative(reply, 'NOERROR');
    }
    if (qtype === 'TXT') {
      if (base === 'dns-version') { reply.answers.push({ type: 'TXT', name: qname, ttl: 28800, data: DNS_SCHEMA_VERSION }); return reply; }
      // CoreDNS answers TXT only for dns-version: every other TXT question is NODATA.
      return this.negative(reply, 'NOERROR');
    }

    let found: Found[];
    try {
      found = this.records(parseRequest(base));
    } catch (e) {
      if (e instanceof NameError || e instanceof InvalidName) return this.negative(reply, 'NXDOMAIN');
      throw e;
    }
    switch (qtype) {
      case 'A': case 'AAAA': await this.address(reply, qname, qtype, found, lookup); break;
      case 'CNAME':
        for (const f of found) if (isName(f.host)) reply.answers.push({ type: 'CNAME', name: qname, ttl: this.ttl, data: f.host });
        break;
      case 'SRV': this.srv(reply, qname, found); break;
      default: break; // other types exist nowhere in the zone: NODATA for names that exist
    }
    return reply.answers.length ? reply : this.negative(reply, 'NOERROR');
  }

  private negative(reply: Reply, rcode: Rcode): Reply {
    reply.rcode = rcode;
    reply.authorities.push(this.soa());
    return reply;
  }

  /** The zone's SOA as CoreDNS's plugin.SOA builds it (TTL min(ttl, 300), minimum = ttl, serial = last change). */
  soa(): Answer {
    return {
      type: 'SOA', name: this.domain, ttl: Math.min(this.ttl, 300),
      data: { mname: `ns.dns.${this.domain}`, rname: `hostmaster.${this.domain}`, serial: this.view.modified() >>> 0, refresh: 7200, retry: 1800, expire: 86400, minimum: this.ttl },
    };
  }

  /** Records for a parsed name; throws NameError for a name that does not exist (NXDOMAIN). */
  private records(r: RecordRequest): Found[] {
    if (r.podOrSvc === '') return [];
    if (r.podOrSvc === 'pod') return this.pods(r);
    if (!r.service) return []; // <ns>.svc: NODATA, as CoreDNS (every namespace name is exposed)
    const svc = this.view.service(r.namespace, r.service);
    if (!svc) throw new NameError();
    const ns = svc.metadata!.namespace!;
    const name = svc.metadata!.name!;
    const key = `${name}.${ns}.svc.${this.domain}`;
    const spec = svc.spec ?? {};
    if (spec.type === 'ExternalName') {
      if (r.endpoint || !spec.externalName) throw new NameError();
      return [{ host: normalize(spec.externalName), port: NO_PORT, key }];
    }
    const out: Found[] = [];
    const headless = spec.clusterIP === 'None';
    if (headless || r.endpoint) {
      for (const slice of this.view.endpointSlices(ns, name)) {
        const ports = slice.ports?.length ? slice.ports : [{ port: NO_PORT, name: '', protocol: '' }];
        for (const ep of slice.endpoints ?? []) {
          if (ep.conditions?.ready === false) continue;
          for (const ip of ep.addresses ?? []) {
            const host = ep.hostname || dashed(ip);
            if (r.endpoint && r.endpoint !== host.toLowerCase()) continue;
            for (const p of ports) {
              if (!matchPort(r, p.name ?? '', p.protocol ?? 'TCP')) continue;
              out.push({ host: ip, port: p.port ?? NO_PORT, key: `${host}.${key}` });
            }
          }
        }
      }
      if (!out.length) throw new NameError();
      return out;
    }
    let matched = false;
    for (const p of spec.ports ?? []) {
      if (!matchPort(r, p.name ?? '', p.protocol ?? 'TCP')) continue;
      matched = true;
      for (const ip of spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])) out.push({ host: ip, port: p.port, key });
    }
    if (!matched) throw new NameError();
    return out;
  }

  private pods(r: RecordRequest): Found[] {
    if (this.podMode === 'disabled') throw new NameError();
    if (!r.service) return [];
    const label = r.service;
    const ip = (label.split('-').length === 4 && !label.includes('--')) ? label.replace(/-/g, '.') : label.replace(/-/g, ':');
    if (!isIPv4(ip) && !isIPv6(ip)) throw new NameError();
    if (this.podMode === 'verified' && !this.view.podHasIP(r.namespace, ip)) throw new NameError();
    return [{ host: ip, port: NO_PORT, key: `${label}.${r.namespace}.pod.${this.domain}` }];
  }

  private async address(reply: Reply, qname: string, qtype: 'A' | 'AAAA', found: Found[], lookup?: Lookup): Promise<void> {
    const seen = new Set<string>();
    for (const f of found) {
      if (isName(f.host)) {
        // ExternalName: the CNAME, then the target's addresses (inside the zone from our records, else upstream).
        reply.answers.push({ type: 'CNAME', name: qname, ttl: this.ttl, data: f.host });
        if (trimZone(f.host, this.domain) !== undefined) {
          const inner = await this.answer(f.host, qtype);
          reply.answers.push(...inner.answers.filter((a) => a.type === qtype || a.type === 'CNAME'));
        } else if (lookup) {
          reply.answers.push(...(await lookup(f.host, qtype).catch(() => [])));
        }
        continue;
      }
      const want = qtype === 'A' ? isIPv4(f.host) : isIPv6(f.host);
      if (!want || seen.has(f.host)) continue;
      seen.add(f.host);
      reply.answers.push({ type: qtype, name: qname, ttl: this.ttl, data: f.host });
    }
  }

  private srv(reply: Reply, qname: string, found: Found[]): void {
    const withPorts = found.filter((f) => f.port !== NO_PORT && !isName(f.host));
    // CoreDNS: every record has priority 0 and weight 100, so each gets floor(100 / count).
    const weight = Math.max(1, Math.floor(100 / Math.max(1, found.filter((f) => !isName(f.host)).length)));
    const extra = new Set<string>();
    for (const f of withPorts) {
      reply.answers.push({ type: 'SRV', name: qname, ttl: this.ttl, data: { priority: 0, weight, port: f.port, target: f.key } });
      const glue = `${f.key}|${f.host}`;
      if (extra.has(glue)) continue;
      extra.add(glue);
      reply.additionals.push({ type: isIPv4(f.host) ? 'A' : 'AAAA', name: f.key, ttl: this.ttl, data: f.host });
    }
  }

  /** PTR targets for a reverse name: the Services with that ClusterIP, else the endpoints with that address. */
  reverse(qname: string): string[] {
    const ip = addressFromReverse(qname);
    if (!ip) return [];
    const svcs = this.view.servicesByClusterIP(ip);
    if (svcs.length) return svcs.map((s) => `${s.metadata!.name}.${s.metadata!.namespace}.svc.${this.domain}`);
    const out = new Set<string>();
    for (const slice of this.view.endpointSlicesByAddress(ip)) {
      const svc = slice.metadata?.labels?.['kubernetes.io/service-name'];
      if (!svc) continue;
      for (const ep of slice.endpoints ?? []) {
        if (!(ep.addresses ?? []).includes(ip)) continue;
        out.add(`${ep.hostname || dashed(ip)}.${svc}.${slice.metadata!.namespace}.svc.${this.domain}`);
      }
    }
    return [...out];
  }
}

class NameError extends Error {}

const isName = (host: string) => !isIPv4(host) && !isIPv6(host);

function matchPort(r: RecordRequest, name: string, protocol: string): boolean {
  return (r.port === '' || r.port === name.toLowerCase()) && (r.protocol === '' || r.protocol === protocol.toLowerCase());
}
