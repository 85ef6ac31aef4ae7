// A pod's DNS settings, as upstream's kubelet forms them (pkg/kubelet/network/dns/dns.go GetPodDNS) and hands
// them to the runtime in PodSandboxConfig.dnsConfig (the runtime writes the pod's /etc/resolv.conf from them):
//   - ClusterFirst (not hostNetwork) and ClusterFirstWithHostNet: the cluster DNS server only, searches
//     <ns>.svc.<domain> svc.<domain> <domain> then the host's, options ndots:5;
//   - ClusterFirst with hostNetwork, and Default: the host's resolv.conf (nameservers, search, options);
//   - None: nothing but the pod's dnsConfig;
//   - ClusterFirst without a cluster DNS address falls back to Default (with a MissingClusterDNS warning);
//   - spec.dnsConfig is appended (nameservers and searches without duplicates, options merged by name, the pod's
//     value winning), then cut to the resolver's limits: 3 nameservers, 32 search domains of at most 253
//     characters each and 2048 characters in all (each cut is reported, as upstream's DNSConfigForming event).
import fs from 'node:fs';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { DNSConfig } from './runtime/runtime.js';

/** The kube-dns Service's address (kubeadm's default --cluster-dns for the 10.96.0.0/12 service CIDR). */
export const DEFAULT_CLUSTER_DNS_IP = '10.96.0.10';
export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';
export const MAX_DNS_NAMESERVERS = 3;
export const MAX_DNS_SEARCH_PATHS = 32;
export const MAX_DNS_SEARCH_LIST_CHARS = 2048;
const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;

export interface HostResolvConf { servers: string[]; searches: string[]; options: string[] }

export interface ClusterDNSSettings {
  /** kubelet --cluster-dns; empty = no cluster DNS. */
  clusterDNS: string[];
  /** kubelet --cluster-domain. */
  clusterDomain: string;
  /** The host's resolver settings (kubelet --resolv-conf, parsed). */
  host: HostResolvConf;
}

/** parseResolvConf: every nameserver, the last search line (without "." and trailing dots), options merged by name. */
export function parseResolvConf(text: string): HostResolvConf {
  const servers: string[] = [];
  let searches: string[] = [];
  let options: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    if (!line) continue;
    const [key, ...fields] = line.split(/\s+/);
    if (key === 'nameserver' && fields[0]) servers.push(fields[0]);
    else if (key === 'search') searches = fields.filter((f) => f !== '.').map((f) => f.replace(/\.$/, ''));
    else if (key === 'options') options = mergeOptions(options, fields.map(splitOption));
  }
  return { servers, searches, options };
}

/**
 * The resolv.conf the kubelet reads for the host's settings: /etc/resolv.conf, unless it only names loopback
 * stubs (systemd-resolved's 127.0.0.53) that a pod in its own network namespace cannot reach and systemd-resolved's
 * full file exists (the choice kubeadm makes for --resolv-conf).
 */
export function defaultHostResolvConfPath(): string {
  try {
    const etc = parseResolvConf(fs.readFileSync('/etc/resolv.conf', 'utf8'));
    if (etc.servers.length && etc.servers.every((s) => s.startsWith('127.') || s === '::1') && fs.existsSync('/run/systemd/resolve/resolv.conf')) {
      return '/run/systemd/resolve/resolv.conf';
    }
  } catch { /* no resolv.conf */ }
  return '/etc/resolv.conf';
}

export function readHostResolvConf(file = defaultHostResolvConfPath()): HostResolvConf {
  try { return parseResolvConf(fs.readFileSync(file, 'utf8')); } catch { return { servers: [], searches: [], options: [] }; }
}

export interface PodDNS { config: DNSConfig; warnings: Array<{ reason: 'DNSConfigForming' | 'MissingClusterDNS'; message: string }> }

export function podDNSConfig(pod: Pod, s: ClusterDNSSettings): PodDNS {
  const warnings: PodDNS['warnings'] = [];
  const spec = pod.spec ?? { containers: [] };
  const policy = spec.dnsPolicy ?? 'ClusterFirst';
  let type: 'none' | 'cluster' | 'host';
  if (policy === 'None') type = 'none';
  else if (policy === 'ClusterFirstWithHostNet') type = 'cluster';
  else if (policy === 'ClusterFirst') type = spec.hostNetwork ? 'host' : 'cluster';
  else type = 'host';
  let cfg: DNSConfig = { servers: [...s.host.servers], searches: [...s.host.searches], options: [...s.host.options] };
  if (type === 'none') cfg = { servers: [], searches: [], options: [] };
  else if (type === 'cluster') {
    if (s.clusterDNS.length) {
      cfg = { servers: [...s.clusterDNS], searches: searchesForClusterFirst(cfg.searches, pod, s.clusterDomain), options: ['ndots:5'] };
    } else {
      warnings.push({ reason: 'MissingClusterDNS', message: `kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.` });
    }
  }
  if (spec.dnsConfig) {
    cfg.servers = omitDuplicates([...cfg.servers, ...(spec.dnsConfig.nameservers ?? [])]);
    cfg.searches = omitDuplicates([...cfg.searches, ...(spec.dnsConfig.searches ?? [])]);
    cfg.options = mergeOptions(cfg.options, (spec.dnsConfig.options ?? []).map((o) => [o.name ?? '', o.value] as [string, string | undefined]));
  }
  if (cfg.servers.length > MAX_DNS_NAMESERVERS) {
    warnings.push({ reason: 'DNSConfigForming', message: `Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: ${cfg.servers.slice(0, MAX_DNS_NAMESERVERS).join(' ')}` });
    cfg.servers = cfg.servers.slice(0, MAX_DNS_NAMESERVERS);
  }
  const searches = searchesFitLimits(cfg.searches);
  if (searches.length !== cfg.searches.length) {
    warnings.push({ reason: 'DNSConfigForming', message: `Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${searches.join(' ')}` });
  }
  cfg.searches = searches;
  return { config: cfg, warnings };
}

function searchesForClusterFirst(hostSearch: string[], pod: Pod, domain: string): string[] {
  if (!domain) return hostSearch;
  const ns = pod.metadata?.namespace ?? 'default';
  return omitDuplicates([`${ns}.svc.${domain}`, `svc.${domain}`, domain, ...hostSearch]);
}

function searchesFitLimits(searches: string[]): string[] {
  let out = searches.slice(0, MAX_DNS_SEARCH_PATHS).filter((s) => s.length <= DNS1123_SUBDOMAIN_MAX_LENGTH);
  let len = out.join(' ').length;
  while (out.length && len > MAX_DNS_SEARCH_LIST_CHARS) {
    len -= out[out.length - 1]!.length + 1;
    out = out.slice(0, -1);
  }
  return out;
}

function omitDuplicates(xs: string[]): string[] {
  return [...new Set(xs)];
}

function splitOption(o: string): [string, string | undefined] {
  const i = o.indexOf(':');
  return i < 0 ? [o, undefined] : [o.slice(0, i), o.slice(i + 1)];
}

/** Options by name, later values winning, in first-seen order (upstream's map has no order; ours is stable). */
function mergeOptions(existing: string[], more: Array<[string, string | undefined]>): string[] {
  const m = new Map<string, string | undefined>();
  for (const o of existing) { const [k, v] = splitOption(o); m.set(k, v); }
  for (const [k, v] of more) m.set(k, v);
  return [...m].map(([k, v]) => (v ? `${k}:${v}` : k));
}
