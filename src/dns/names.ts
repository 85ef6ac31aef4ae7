// Names of the cluster DNS schema (kubernetes/dns docs/specification.md, version 1.1.0) and how a query name is
// read, as CoreDNS's kubernetes plugin parses it (plugin/kubernetes/parse.go):
//   _<port>._<proto>.<service>.<namespace>.svc.<zone>   SRV for a named port
//   <endpoint>.<service>.<namespace>.svc.<zone>          an endpoint by hostname (or its dashed IP)
//   <service>.<namespace>.svc.<zone>                     the Service
//   <a-b-c-d>.<namespace>.pod.<zone>                     a pod by its dashed IP
// Anything longer, or not under svc/pod, is not a name of the zone (NXDOMAIN).

/** The cluster domain (kubelet --cluster-domain, CoreDNS's zone). */
export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';
/** The kube-dns Service's ClusterIP: the 10th address of the default service CIDR, as kubeadm and minikube use. */
export const DEFAULT_CLUSTER_DNS_IP = '10.96.0.10';
/**
 * Answer TTL. CoreDNS's kubernetes plugin defaults to 5 s, but the Corefile kubeadm and minikube deploy says
 * `ttl 30`, which is what clusters actually answer with; we match the deployed default.
 */
export const DEFAULT_TTL = 30;
/** The schema version answered for TXT dns-version.<zone> (CoreDNS's DNSSchemaVersion). */
export const DNS_SCHEMA_VERSION = '1.1.0';

export class InvalidName extends Error {}

export interface RecordRequest {
  /** '' for the zone apex, `svc.<zone>` and `pod.<zone>` (NODATA names). */
  podOrSvc: '' | 'svc' | 'pod';
  namespace: string;
  service: string;
  endpoint: string;
  /** Without the underscore; '' = any. */
  port: string;
  protocol: string;
}

/** Lower-cased, without the trailing dot. */
export function normalize(name: string): string {
  return name.replace(/\.$/, '').toLowerCase();
}

/** `name` relative to `zone` ('' for the apex), or undefined when it is not inside the zone. */
export function trimZone(name: string, zone: string): string | undefined {
  const n = normalize(name);
  if (n === zone) return '';
  return n.endsWith('.' + zone) ? n.slice(0, -zone.length - 1) : undefined;
}

/** CoreDNS's parseRequest. Throws InvalidName for names that cannot exist in the zone. */
export function parseRequest(base: string): RecordRequest {
  const r: RecordRequest = { podOrSvc: '', namespace: '', service: '', endpoint: '', port: '', protocol: '' };
  if (base === '' || base === 'svc' || base === 'pod') return r;
  const segs = base.split('.');
  let last = segs.length - 1;
  const podOrSvc = segs[last--]!;
  if (podOrSvc !== 'svc' && podOrSvc !== 'pod') throw new InvalidName(base);
  r.podOrSvc = podOrSvc;
  if (last < 0) return r;
  r.namespace = segs[last--]!;
  if (last < 0) return r;
  r.service = segs[last--]!;
  if (last < 0) return r;
  if (last === 0) r.endpoint = segs[0]!;
  else if (last === 1) {
    r.protocol = stripUnderscore(segs[1]!);
    r.port = stripUnderscore(segs[0]!);
  } else throw new InvalidName(base);
  return r;
}

const stripUnderscore = (s: string) => (s.startsWith('_') ? s.slice(1) : s);

/** The dashed form of an IP used as an endpoint's or pod's label: 10.244.0.5 → 10-244-0-5. */
export function dashed(ip: string): string {
  return ip.includes('.') ? ip.replace(/\./g, '-') : ip.replace(/:/g, '-');
}

/** The address in a reverse name (`5.0.244.10.in-addr.arpa` → 10.244.0.5), or undefined. */
export function addressFromReverse(name: string): string | undefined {
  const n = normalize(name);
  if (n.endsWith('.in-addr.arpa')) {
    const parts = n.slice(0, -'.in-addr.arpa'.length).split('.');
    if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) < 256)) return undefined;
    return parts.reverse().map(Number).join('.');
  }
  if (n.endsWith('.ip6.arpa')) {
    const nibbles = n.slice(0, -'.ip6.arpa'.length).split('.');
    if (nibbles.length !== 32 || !nibbles.every((x) => /^[0-9a-f]$/.test(x))) return undefined;
    const hex = nibbles.reverse().join('');
    const groups = hex.match(/.{4}/g)!.map((g) => g.replace(/^0+(?=.)/, ''));
    return compressIPv6(groups);
  }
  return undefined;
}

function compressIPv6(groups: string[]): string {
  // The longest run of zero groups (2 or more) becomes "::", as Go's net.IP.String prints it.
  let best = -1, bestLen = 0;
  for (let i = 0; i < groups.length;) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > bestLen && j - i >= 2) { best = i; bestLen = j - i; }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** The in-addr.arpa name of an IPv4 address. */
export function reverseName(ip: string): string {
  return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
}

export const isIPv4 = (s: string) => /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(s) && s.split('.').every((p) => Number(p) < 256);
export const isIPv6 = (s: string) => s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s);
