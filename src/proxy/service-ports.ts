// What the proxy programs, computed from the informer caches (upstream's ServicePort and Endpoint, pkg/proxy): one
// entry per Service port with its addresses and policies, and its endpoints from the Service's EndpointSlices
// (the slice's port of the same name and protocol gives each endpoint its port, so named targetPorts are resolved
// per pod by the EndpointSlice controller). Pure functions: both proxiers (nftables, userspace) read this model.
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Service } from 'kubernetes-types/core/v1.js';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface ServicePort {
  /** `namespace/name/protocol/portName` (portName may be empty): unique per Service port. */
  key: string;
  namespace: string;
  name: string;
  portName: string;
  protocol: Protocol;
  port: number;
  /** IPv4 cluster IPs (none for headless). */
  clusterIPs: string[];
  nodePort?: number;
  /** status.loadBalancer.ingress IPs and spec.externalIPs: answered on `port` like the ClusterIP, as external traffic. */
  externalAddresses: string[];
  /** sessionAffinity ClientIP: the timeout in seconds (upstream default 10800); undefined for None. */
  affinitySeconds?: number;
  externalLocal: boolean;
  internalLocal: boolean;
}

export interface Endpoint {
  ip: string;
  port: number;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  nodeName?: string;
}

export const serviceNameLabel = 'kubernetes.io/service-name';
const isIPv4 = (s: string) => /^\d{1,3}(\.\d{1,3}){3}$/.test(s);

/** The ports a Service gets rules for: none for headless Services, ExternalName Services, or without a ClusterIP. */
export function servicePorts(svc: Service): ServicePort[] {
  const spec = svc.spec ?? {};
  const ns = svc.metadata?.namespace ?? 'default';
  const name = svc.metadata?.name ?? '';
  if (spec.type === 'ExternalName') return [];
  const clusterIPs = (spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])).filter((ip) => ip !== 'None' && isIPv4(ip));
  if (!clusterIPs.length) return [];
  const external = [
    ...(spec.type === 'LoadBalancer' ? (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '').filter(isIPv4) : []),
    ...(spec.externalIPs ?? []).filter(isIPv4),
  ];
  const affinitySeconds = spec.sessionAffinity === 'ClientIP' ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800) : undefined;
  const externalLocal = spec.externalTrafficPolicy === 'Local' && (spec.type === 'NodePort' || spec.type === 'LoadBalancer');
  return (spec.ports ?? []).map((p) => {
    const protocol = (p.protocol ?? 'TCP') as Protocol;
    const portName = p.name ?? '';
    return {
      key: `${ns}/${name}/${protocol.toLowerCase()}/${portName}`, namespace: ns, name, portName, protocol, port: p.port,
      clusterIPs, externalAddresses: [...new Set(external)],
      ...((spec.type === 'NodePort' || spec.type === 'LoadBalancer') && p.nodePort ? { nodePort: p.nodePort } : {}),
      ...(affinitySeconds !== undefined ? { affinitySeconds } : {}),
      externalLocal, internalLocal: spec.internalTrafficPolicy === 'Local',
    };
  });
}

/** Every endpoint of one Service port from the Service's slices (IPv4 only), deduplicated by ip:port. */
export function endpointsFor(sp: Pick<ServicePort, 'portName' | 'protocol'>, slices: EndpointSlice[]): Endpoint[] {
  const out = new Map<string, Endpoint>();
  for (const s of slices) {
    if (s.addressType !== 'IPv4') continue;
    const port = (s.ports ?? []).find((p) => (p.name ?? '') === sp.portName && (p.protocol ?? 'TCP') === sp.protocol);
    if (!port?.port) continue;
    for (const e of s.endpoints ?? []) {
      const ip = e.addresses?.[0];
      if (!ip || !isIPv4(ip)) continue;
      const c = e.conditions ?? {};
      // Upstream: a nil ready means ready; serving defaults to ready; terminating to false.
      const ready = c.ready !== false;
      const ep: Endpoint = { ip, port: port.port, ready, serving: c.serving ?? ready, terminating: c.terminating ?? false, ...(e.nodeName ? { nodeName: e.nodeName } : {}) };
      const k = `${ip}:${port.port}`;
      // The same pod in two slices (during a slice rewrite): the ready copy wins.
      const had = out.get(k);
      if (!had || (!had.ready && ep.ready)) out.set(k, ep);
    }
  }
  return [...out.values()].sort((a, b) => (a.ip === b.ip ? a.port - b.port : a.ip < b.ip ? -1 : 1));
}

/**
 * Upstream's CategorizeEndpoints: the endpoints traffic may go to. Ready endpoints only; when none is ready,
 * endpoints that are serving and terminating (so a Service whose every pod is shutting down still answers).
 * `local` keeps only endpoints on this node (traffic policy Local).
 */
export function usableEndpoints(eps: Endpoint[], opts: { local: boolean; nodeName: string }): Endpoint[] {
  const candidates = opts.local ? eps.filter((e) => e.nodeName === opts.nodeName) : eps;
  const ready = candidates.filter((e) => e.ready);
  if (ready.length) return ready;
  return candidates.filter((e) => e.serving && e.terminating);
}
