// ClusterIP and NodePort allocation for Services. Allocations are derived from the Services that exist
// (listed through the StrategyContext), so nothing leaks when a create fails or is a dry run. Errors carry
// upstream's paths and messages, e.g. `spec.ports[0].nodePort: Invalid value: 30001: provided port is
// already allocated`.
import { FieldError, invalid } from '../../../../api/errors.js';
import { invalidRaw, goStringSlice } from '../../../../api/validation/index.js';
import type { KubeObject } from '../../../../api/object.js';
import type { StrategyContext } from '../../types.js';

export interface ServiceNetworkConfig {
  /** IPv4 CIDR for ClusterIPs, e.g. "10.96.0.0/12". The first usable address belongs to `default/kubernetes`. */
  serviceCIDR: string;
  /** Inclusive NodePort range. */
  nodePortRange: { min: number; max: number };
}
export const DEFAULT_SERVICE_NETWORK: ServiceNetworkConfig = { serviceCIDR: '10.96.0.0/12', nodePortRange: { min: 30000, max: 32767 } };

export function ipToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}
export const intToIp = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

export interface CidrRange { first: number; last: number; size: number; base: number }
/** Usable addresses of an IPv4 CIDR: network and broadcast addresses excluded. */
export function parseCidr(cidr: string): CidrRange {
  const [addr, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  const n = ipToInt(addr);
  if (n === undefined || !(bits >= 0 && bits <= 30)) throw new Error(`invalid service CIDR ${cidr}`);
  const size = 2 ** (32 - bits);
  const base = Math.floor(n / size) * size;
  return { base, size, first: base + 1, last: base + size - 2 };
}

export const needsNodePorts = (svc: KubeObject) =>
  svc.spec?.type === 'NodePort' || (svc.spec?.type === 'LoadBalancer' && svc.spec?.allocateLoadBalancerNodePorts !== false);
const needsClusterIP = (svc: KubeObject) => svc.spec?.type !== 'ExternalName';
const sameService = (a: KubeObject, b: KubeObject) => a.metadata.namespace === b.metadata.namespace && a.metadata.name === b.metadata.name;
const serviceInvalid = (svc: KubeObject, causes: FieldError[]) => invalid('Service', undefined, svc.metadata.name ?? '', causes);

interface InUse { ips: Set<number>; nodePorts: Set<number> }
async function inUse(svc: KubeObject, ctx: StrategyContext): Promise<InUse> {
  const ips = new Set<number>();
  const nodePorts = new Set<number>();
  for (const other of await ctx.list({ group: '', resource: 'services' })) {
    if (sameService(other, svc)) continue;
    for (const ip of other.spec?.clusterIPs ?? (other.spec?.clusterIP ? [other.spec.clusterIP] : [])) {
      const n = ipToInt(ip);
      if (n !== undefined) ips.add(n);
    }
    for (const p of other.spec?.ports ?? []) if (p?.nodePort) nodePorts.add(p.nodePort);
    if (other.spec?.healthCheckNodePort) nodePorts.add(other.spec.healthCheckNodePort);
  }
  return { ips, nodePorts };
}

/** Picks a free value: random probes in the preferred (dynamic) band first, then a full scan. */
function pickFree(min: number, max: number, preferredMin: number, used: (n: number) => boolean): number | undefined {
  const lo = Math.min(Math.max(preferredMin, min), max);
  for (let i = 0; i < 64; i++) {
    const n = lo + Math.floor(Math.random() * (max - lo + 1));
    if (!used(n)) return n;
  }
  for (let n = lo; n <= max; n++) if (!used(n)) return n;
  for (let n = min; n < lo; n++) if (!used(n)) return n;
  return undefined;
}

function allocateClusterIP(svc: KubeObject, cfg: ServiceNetworkConfig, used: InUse): void {
  const spec = svc.spec;
  const requested: string = spec.clusterIPs?.[0] || spec.clusterIP || '';
  if (requested === 'None') {
    spec.clusterIP = 'None';
    spec.clusterIPs = ['None'];
  } else {
    const range = parseCidr(cfg.serviceCIDR);
    const reservedKubernetes = range.first; // the `kubernetes` Service's address
    const isKubernetesService = svc.metadata.namespace === 'default' && svc.metadata.name === 'kubernetes';
    let ip: number;
    if (requested) {
      const n = ipToInt(requested);
      const fail = (why: string) => serviceInvalid(svc, [invalidRaw('spec.clusterIPs', goStringSlice(spec.clusterIPs ?? [requested]), `failed to allocate IP ${requested}: ${why}`)]);
      if (n === undefined || n < range.first || n > range.last) {
        throw fail(`the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${cfg.serviceCIDR}`);
      }
      if (used.ips.has(n)) throw fail('provided IP is already allocated');
      ip = n;
    } else if (isKubernetesService && !used.ips.has(reservedKubernetes)) {
      ip = reservedKubernetes;
    } else {
      // Upstream prefers the upper band for dynamic allocation, leaving the lower one for static requests.
      const staticBand = Math.min(Math.max(16, Math.floor(range.size / 16)), 256);
      const picked = pickFree(range.first, range.last, range.base + staticBand, (n) => used.ips.has(n) || n === reservedKubernetes);
      if (picked === undefined) {
        throw serviceInvalid(svc, [FieldError.invalid('spec.clusterIPs', null, 'failed to allocate a serviceIP: range is full')]);
      }
      ip = picked;
    }
    spec.clusterIP = intToIp(ip);
    spec.clusterIPs = [spec.clusterIP];
    used.ips.add(ip);
  }
  spec.ipFamilies ??= ['IPv4'];
  spec.ipFamilyPolicy ??= 'SingleStack';
}

function allocateNodePorts(svc: KubeObject, cfg: ServiceNetworkConfig, used: InUse, old?: KubeObject): void {
  const { min, max } = cfg.nodePortRange;
  const mine = new Set<number>((old?.spec?.ports ?? []).map((p: any) => p?.nodePort).filter(Boolean));
  if (old?.spec?.healthCheckNodePort) mine.add(old.spec.healthCheckNodePort);
  const errs: FieldError[] = [];
  const taken = (n: number) => used.nodePorts.has(n);
  // Explicit requests first, so a dynamic pick never takes a port requested later in the list.
  (svc.spec.ports ?? []).forEach((p: any, i: number) => {
    if (!p?.nodePort || mine.has(p.nodePort)) { if (p?.nodePort) used.nodePorts.add(p.nodePort); return; }
    const path = `spec.ports[${i}].nodePort`;
    if (p.nodePort < min || p.nodePort > max) {
      errs.push(FieldError.invalid(path, p.nodePort, `provided port is not in the valid range. The range of valid ports is ${min}-${max}`));
    } else if (taken(p.nodePort)) {
      errs.push(FieldError.invalid(path, p.nodePort, 'provided port is already allocated'));
    } else used.nodePorts.add(p.nodePort);
  });
  if (errs.length) throw serviceInvalid(svc, errs);
  const staticBand = Math.min(Math.max(16, Math.floor((max - min + 1) / 32)), 128);
  const byPortNumber = new Map<number, number>();
  (svc.spec.ports ?? []).forEach((p: any) => {
    if (p?.nodePort) { byPortNumber.set(p.port, p.nodePort); return; }
    // The same port number under another protocol shares one node port, as upstream does.
    const shared = byPortNumber.get(p.port);
    if (shared) { p.nodePort = shared; return; }
    const picked = pickFree(min, max, min + staticBand, taken);
    if (picked === undefined) throw serviceInvalid(svc, [FieldError.invalid('spec.ports', null, 'failed to allocate a nodePort: range is full')]);
    p.nodePort = picked;
    used.nodePorts.add(picked);
    byPortNumber.set(p.port, picked);
  });
}

function allocateHealthCheckNodePort(svc: KubeObject, cfg: ServiceNetworkConfig, used: InUse, old?: KubeObject): void {
  const spec = svc.spec;
  if (spec.type !== 'LoadBalancer' || spec.externalTrafficPolicy !== 'Local') { delete spec.healthCheckNodePort; return; }
  const { min, max } = cfg.nodePortRange;
  if (spec.healthCheckNodePort) {
    if (spec.healthCheckNodePort === old?.spec?.healthCheckNodePort) return;
    const path = 'spec.healthCheckNodePort';
    if (spec.healthCheckNodePort < min || spec.healthCheckNodePort > max) {
      throw serviceInvalid(svc, [FieldError.invalid(path, spec.healthCheckNodePort, `provided port is not in the valid range. The range of valid ports is ${min}-${max}`)]);
    }
    if (used.nodePorts.has(spec.healthCheckNodePort)) throw serviceInvalid(svc, [FieldError.invalid(path, spec.healthCheckNodePort, 'provided port is already allocated')]);
    used.nodePorts.add(spec.healthCheckNodePort);
    return;
  }
  const picked = pickFree(min, max, min, (n) => used.nodePorts.has(n));
  if (picked !== undefined) spec.healthCheckNodePort = picked;
}

/** Allocates what a created or updated Service needs. Throws a 422 StatusError on conflicts. */
export async function allocateServiceResources(svc: KubeObject, ctx: StrategyContext, cfg: ServiceNetworkConfig, old?: KubeObject): Promise<void> {
  svc.spec ??= {};
  const used = await inUse(svc, ctx);
  if (needsClusterIP(svc)) {
    const keep = old && needsClusterIP(old) && (old.spec?.clusterIPs ?? []).length > 0;
    if (!keep) allocateClusterIP(svc, cfg, used);
  }
  if (needsNodePorts(svc)) allocateNodePorts(svc, cfg, used, old);
  allocateHealthCheckNodePort(svc, cfg, used, old);
}
