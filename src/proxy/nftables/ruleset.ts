// The rules upstream's nftables proxier (kubernetes pkg/proxy/nftables/proxier.go) writes, for one table of our own:
//
//   base chains   nat-prerouting / nat-output → services; nat-postrouting → masquerading;
//                 filter-input / filter-forward / filter-output → service-endpoints-check (reject or drop traffic
//                 to Service ports with no usable endpoint, instead of letting it time out)
//   maps          service-ips          ip . proto . port → goto <service chain> (ClusterIPs; LoadBalancer
//                                      ingress and external IPs → goto <external chain>)
//                 service-nodeports    proto . port → goto <external chain>, for every local address
//                                      (`fib daddr type local`), 127.0.0.1 included
//                 no-endpoint-services / no-endpoint-nodeports → goto reject-chain, or drop
//   per port      service-<hash>-<ns>/<name>/<proto>/<port>   all usable endpoints (cluster policy)
//                 local-<hash>-...                            endpoints on this node (traffic policy Local)
//                 external-<hash>-...                         traffic from outside: masquerade, then a policy chain
//                 endpoint-<hash>-...__<ip>/<port>            (sessionAffinity ClientIP only) affinity, DNAT
//                 affinity-<hash>-...__<ip>/<port>            (set) client IPs recently sent to this endpoint
//   hairpin       (set) ip . ip for every endpoint: a DNATed packet whose source is its destination (a pod reaching
//                 itself through its Service) is masqueraded in postrouting
// Load is spread by `numgen random mod N`: straight into a DNAT map (`dnat ip addr . port to numgen random mod N map
// {...}`), or, with session affinity, a vmap to per-endpoint chains as upstream. Upstream writes a chain per
// endpoint for every Service; doing that only for affinity keeps the table ~10x smaller, and nft (which reads the
// table's chains before each batch) correspondingly faster. Masquerading is a mark (0x4000) set where needed and
// honoured in postrouting, as upstream. Traffic to a ClusterIP from outside the cluster CIDR (the host itself) is
// masqueraded so replies come back through this node.
import { createHash } from 'node:crypto';
import type { ServicePortState } from '../proxier.js';
import { usableEndpoints, type Endpoint, type ServicePort } from '../service-ports.js';

export const MASQ_MARK = '0x00004000';

export interface Ruleset {
  /** Dynamic chains (name → rules, in order). */
  chains: Map<string, string[]>;
  /** Affinity sets (name → timeout in seconds). */
  sets: Map<string, number>;
  /** Map name → element key → value. */
  maps: Record<MapName, Map<string, string>>;
  /** Endpoint IPs (elements `ip . ip` of the hairpin set). */
  hairpin: Set<string>;
}

export const MAP_NAMES = ['service-ips', 'service-nodeports', 'no-endpoint-services', 'no-endpoint-nodeports'] as const;
export type MapName = typeof MAP_NAMES[number];

export interface RulesetOptions {
  nodeName: string;
  /** Pods' addresses: traffic to a ClusterIP from elsewhere (the host) is masqueraded. */
  clusterCIDR: string;
}

const hash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 8);
// Names are kept below nft's 256-character limit (Kubernetes names are at most 63; namespaces 63; ports 15).
const chainName = (prefix: string, key: string) => `${prefix}-${hash(key)}-${key}`;
const endpointKey = (sp: ServicePort, e: Endpoint) => `${sp.key}__${e.ip}/${e.port}`;
const proto = (sp: ServicePort) => sp.protocol.toLowerCase();
// The timeout is part of the set's name: a changed timeout makes a new set (a set still referenced by rules cannot
// be deleted and re-added in the same transaction).
const affinitySet = (key: string, seconds: number) => `affinity-${hash(`${key}@${seconds}`)}-${key}`;

/**
 * The fixed part of the table: base chains, helper chains and the maps, with their rules.
 * ClusterIPs are the same addresses in every cluster (10.96.0.1, kube-dns's 10.96.0.10), and when two clusters run
 * on one host the first table's DNAT wins for every packet. So a packet that arrives from another nanokube cluster's
 * bridge (`nk<hash>`, see the CNI network names) with a source outside this cluster's CIDR is left to that
 * cluster's table: a pod's DNS query reaches its own cluster's DNS. (From the host itself, a shared ClusterIP stays
 * ambiguous between clusters; NodePorts are host-global anyway.)
 */
export function baseRules(table: string, clusterCIDR?: string): string {
  const t = `ip ${table}`;
  const lines = [
    `add table ${t} { comment "nanokube service proxy" ; }`,
    `add chain ${t} nat-prerouting { type nat hook prerouting priority dstnat ; policy accept ; }`,
    `add chain ${t} nat-output { type nat hook output priority -100 ; policy accept ; }`,
    `add chain ${t} nat-postrouting { type nat hook postrouting priority srcnat ; policy accept ; }`,
    `add chain ${t} filter-input { type filter hook input priority -110 ; policy accept ; }`,
    `add chain ${t} filter-forward { type filter hook forward priority -110 ; policy accept ; }`,
    `add chain ${t} filter-output { type filter hook output priority -110 ; policy accept ; }`,
    `add chain ${t} services`, `add chain ${t} masquerading`, `add chain ${t} mark-for-masquerade`,
    `add chain ${t} service-endpoints-check`, `add chain ${t} reject-chain`,
    `add map ${t} service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; }`,
    `add map ${t} service-nodeports { type inet_proto . inet_service : verdict ; }`,
    `add map ${t} no-endpoint-services { type ipv4_addr . inet_proto . inet_service : verdict ; }`,
    `add map ${t} no-endpoint-nodeports { type inet_proto . inet_service : verdict ; }`,
    `add set ${t} hairpin { type ipv4_addr . ipv4_addr ; }`,
    ...(clusterCIDR ? [`add rule ${t} nat-prerouting iifname "nk*" ip saddr != ${clusterCIDR} return`] : []),
    `add rule ${t} nat-prerouting jump services`,
    `add rule ${t} nat-output jump services`,
    `add rule ${t} nat-postrouting jump masquerading`,
    `add rule ${t} masquerading ct status dnat ip saddr . ip daddr @hairpin masquerade fully-random`,
    `add rule ${t} masquerading meta mark & ${MASQ_MARK} == 0 return`,
    `add rule ${t} masquerading meta mark set meta mark xor ${MASQ_MARK}`,
    `add rule ${t} masquerading masquerade fully-random`,
    `add rule ${t} mark-for-masquerade meta mark set meta mark or ${MASQ_MARK}`,
    `add rule ${t} services ip daddr . meta l4proto . th dport vmap @service-ips`,
    `add rule ${t} services fib daddr type local meta l4proto . th dport vmap @service-nodeports`,
    `add rule ${t} filter-input ct state new jump service-endpoints-check`,
    `add rule ${t} filter-forward ct state new jump service-endpoints-check`,
    `add rule ${t} filter-output ct state new jump service-endpoints-check`,
    `add rule ${t} service-endpoints-check ip daddr . meta l4proto . th dport vmap @no-endpoint-services`,
    `add rule ${t} service-endpoints-check fib daddr type local meta l4proto . th dport vmap @no-endpoint-nodeports`,
    `add rule ${t} reject-chain reject`,
  ];
  return lines.join('\n') + '\n';
}

/** The desired dynamic part of the table for these Service ports. */
export function buildRuleset(ports: ServicePortState[], opts: RulesetOptions, rs: Ruleset = emptyRuleset()): Ruleset {
  for (const { sp, endpoints } of ports) {
    const p = proto(sp);
    const cluster = usableEndpoints(endpoints, { local: false, nodeName: opts.nodeName });
    const local = usableEndpoints(endpoints, { local: true, nodeName: opts.nodeName });
    // No endpoint at all that could serve: reject (connection refused at once); endpoints exist but none fits
    // the traffic policy: drop, as upstream.
    const noEndpointVerdict = endpoints.some((e) => e.serving || e.ready) ? 'drop' : 'goto reject-chain';
    const hasExternal = sp.nodePort !== undefined || sp.externalAddresses.length > 0;
    const needCluster = !sp.internalLocal || (hasExternal && !sp.externalLocal);
    const needLocal = sp.internalLocal || (hasExternal && sp.externalLocal);

    const usedEndpoints = new Map<string, Endpoint>();
    for (const e of [...(needCluster ? cluster : []), ...(needLocal ? local : [])]) usedEndpoints.set(endpointKey(sp, e), e);
    for (const [k, e] of usedEndpoints) {
      rs.hairpin.add(e.ip);
      if (sp.affinitySeconds === undefined) continue;
      const set = affinitySet(k, sp.affinitySeconds);
      rs.sets.set(set, sp.affinitySeconds);
      rs.chains.set(chainName('endpoint', k), [`update @${set} { ip saddr }`, `meta l4proto ${p} dnat to ${e.ip}:${e.port}`]);
    }
    const balance = (eps: Endpoint[], pre: string[]): string[] => {
      if (!eps.length) return [...pre, 'drop'];
      const rules = [...pre];
      if (sp.affinitySeconds !== undefined) {
        for (const e of eps) rules.push(`ip saddr @${affinitySet(endpointKey(sp, e), sp.affinitySeconds)} goto ${chainName('endpoint', endpointKey(sp, e))}`);
        if (eps.length === 1) rules.push(`goto ${chainName('endpoint', endpointKey(sp, eps[0]!))}`);
        else rules.push(`numgen random mod ${eps.length} vmap { ${eps.map((e, i) => `${i} : goto ${chainName('endpoint', endpointKey(sp, e))}`).join(' , ')} }`);
      } else if (eps.length === 1) {
        rules.push(`meta l4proto ${p} dnat to ${eps[0]!.ip}:${eps[0]!.port}`);
      } else {
        rules.push(`meta l4proto ${p} dnat ip addr . port to numgen random mod ${eps.length} map { ${eps.map((e, i) => `${i} : ${e.ip} . ${e.port}`).join(' , ')} }`);
      }
      return rules;
    };
    const clusterChain = chainName('service', sp.key);
    const localChain = chainName('local', sp.key);
    // Traffic to the ClusterIP from outside the pod network (the host, other nodes) is masqueraded.
    const masqOffCluster = sp.clusterIPs.map((ip) => `ip daddr ${ip} ip saddr != ${opts.clusterCIDR} jump mark-for-masquerade`);
    if (needCluster) rs.chains.set(clusterChain, balance(cluster, sp.internalLocal ? [] : masqOffCluster));
    if (needLocal) rs.chains.set(localChain, balance(local, sp.internalLocal ? masqOffCluster : []));
    const internalChain = sp.internalLocal ? localChain : clusterChain;
    const internalEps = sp.internalLocal ? local : cluster;

    for (const ip of sp.clusterIPs) {
      const k = `${ip} . ${p} . ${sp.port}`;
      if (internalEps.length) rs.maps['service-ips'].set(k, `goto ${internalChain}`);
      else rs.maps['no-endpoint-services'].set(k, noEndpointVerdict);
    }
    if (!hasExternal) continue;
    const externalChain = chainName('external', sp.key);
    const externalEps = sp.externalLocal ? local : cluster;
    rs.chains.set(externalChain, sp.externalLocal
      // Local: the client's address is kept (no masquerade) and only this node's endpoints serve; traffic from this
      // node itself is masqueraded and may go to any endpoint of the internal policy, as upstream.
      ? ['fib saddr type local jump mark-for-masquerade', `fib saddr type local goto ${internalChain}`, `goto ${localChain}`]
      : ['jump mark-for-masquerade', `goto ${clusterChain}`]);
    const externalKeys: Array<[MapName, MapName, string]> = sp.externalAddresses.map((ip) => ['service-ips', 'no-endpoint-services', `${ip} . ${p} . ${sp.port}`]);
    if (sp.nodePort !== undefined) externalKeys.push(['service-nodeports', 'no-endpoint-nodeports', `${p} . ${sp.nodePort}`]);
    for (const [map, none, k] of externalKeys) {
      if (externalEps.length) rs.maps[map].set(k, `goto ${externalChain}`);
      else rs.maps[none].set(k, noEndpointVerdict);
    }
  }
  return rs;
}

export function emptyRuleset(): Ruleset {
  return { chains: new Map(), sets: new Map(), maps: { 'service-ips': new Map(), 'service-nodeports': new Map(), 'no-endpoint-services': new Map(), 'no-endpoint-nodeports': new Map() }, hairpin: new Set() };
}

const sameRules = (a: string[] | undefined, b: string[]) => !!a && a.length === b.length && a.every((r, i) => r === b[i]);

/**
 * The nft commands that turn `applied` into `desired`, in an order the kernel accepts in one transaction: sets and
 * chains first, then changed chains flushed and rewritten, map elements updated one by one, and last the chains
 * and sets nothing refers to any more.
 */
export function diffRuleset(table: string, applied: Ruleset, desired: Ruleset): string[] {
  const t = `ip ${table}`;
  const out: string[] = [];
  for (const [name, timeout] of desired.sets) {
    if (!applied.sets.has(name)) out.push(`add set ${t} ${name} { type ipv4_addr ; flags dynamic,timeout ; timeout ${timeout}s ; }`);
  }
  for (const name of desired.chains.keys()) if (!applied.chains.has(name)) out.push(`add chain ${t} ${name}`);
  for (const [name, rules] of desired.chains) {
    const had = applied.chains.get(name);
    if (sameRules(had, rules)) continue;
    if (had) out.push(`flush chain ${t} ${name}`);
    for (const r of rules) out.push(`add rule ${t} ${name} ${r}`);
  }
  for (const m of MAP_NAMES) {
    const a = applied.maps[m], d = desired.maps[m];
    for (const [k, v] of a) if (d.get(k) !== v) out.push(`delete element ${t} ${m} { ${k} }`);
    for (const [k, v] of d) if (a.get(k) !== v) out.push(`add element ${t} ${m} { ${k} : ${v} }`);
  }
  for (const ip of applied.hairpin) if (!desired.hairpin.has(ip)) out.push(`delete element ${t} hairpin { ${ip} . ${ip} }`);
  for (const ip of desired.hairpin) if (!applied.hairpin.has(ip)) out.push(`add element ${t} hairpin { ${ip} . ${ip} }`);
  // Referring chains go before the chains they refer to: flush every stale chain, then delete them.
  const stale = [...applied.chains.keys()].filter((n) => !desired.chains.has(n));
  for (const name of stale) out.push(`flush chain ${t} ${name}`);
  for (const name of stale) out.push(`delete chain ${t} ${name}`);
  for (const name of applied.sets.keys()) if (!desired.sets.has(name)) out.push(`delete set ${t} ${name}`);
  return out;
}

/** Adds `frag`'s chains, sets, map elements and hairpin IPs to `into` (fragments of different Services). */
export function mergeInto(into: Ruleset, frag: Ruleset): Ruleset {
  for (const [k, v] of frag.chains) into.chains.set(k, v);
  for (const [k, v] of frag.sets) into.sets.set(k, v);
  for (const m of MAP_NAMES) for (const [k, v] of frag.maps[m]) into.maps[m].set(k, v);
  for (const ip of frag.hairpin) into.hairpin.add(ip);
  return into;
}
