// The service environment variables the kubelet injects (upstream pkg/kubelet/envvars FromServices and
// kubelet's getServiceEnvVarMap): for each Service with a cluster IP in the pod's namespace (when the pod's
// enableServiceLinks is true, the default) and always for the `kubernetes` Service in `default`:
// <NAME>_SERVICE_HOST, <NAME>_SERVICE_PORT, <NAME>_SERVICE_PORT_<PORTNAME>, and Docker-link variables
// <NAME>_PORT, <NAME>_PORT_<port>_<PROTO>{,_PROTO,_PORT,_ADDR}.
import type { Service } from 'kubernetes-types/core/v1.js';
import type { Client } from '../../client/client.js';
import { resources } from '../../api/resources.js';

const MASTER_SERVICES = new Set(['kubernetes']);

const isServiceIPSet = (s: Service) => !!s.spec?.clusterIP && s.spec.clusterIP !== 'None';
const envName = (s: string) => s.replaceAll('-', '_').toUpperCase();
const joinHostPort = (host: string, port: number) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

/** The service env vars for a pod in `namespace`, from any set of Services (others' namespaces are ignored). */
export function serviceEnvVars(services: readonly Service[], namespace: string, enableServiceLinks = true): Map<string, string> {
  const byName = new Map<string, Service>();
  for (const s of services) {
    if (!isServiceIPSet(s)) continue;
    const name = s.metadata?.name ?? '';
    const ns = s.metadata?.namespace ?? 'default';
    if (ns === 'default' && MASTER_SERVICES.has(name)) {
      if (!byName.has(name)) byName.set(name, s);
    } else if (ns === namespace && enableServiceLinks) {
      byName.set(name, s);
    }
  }
  const out = new Map<string, string>();
  for (const [name, s] of [...byName].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const ports = s.spec?.ports ?? [];
    if (!ports.length) continue;
    const ip = s.spec!.clusterIP!;
    const prefix = envName(name);
    out.set(`${prefix}_SERVICE_HOST`, ip);
    out.set(`${prefix}_SERVICE_PORT`, String(ports[0].port));
    for (const p of ports) if (p.name) out.set(`${prefix}_SERVICE_PORT_${envName(p.name)}`, String(p.port));
    ports.forEach((p, i) => {
      const proto = p.protocol || 'TCP';
      const url = `${proto.toLowerCase()}://${joinHostPort(ip, p.port)}`;
      if (i === 0) out.set(`${prefix}_PORT`, url);
      const pp = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`;
      out.set(pp, url);
      out.set(`${pp}_PROTO`, proto.toLowerCase());
      out.set(`${pp}_PORT`, String(p.port));
      out.set(`${pp}_ADDR`, ip);
    });
  }
  return out;
}

/** The Services a pod's env may name, read through the API: those of its namespace and default/kubernetes. */
export async function listServicesForPod(client: Client, namespace: string): Promise<Service[]> {
  const own = (await client.list<Service & { metadata: object }>(resources.services, { namespace })).items;
  if (namespace === 'default') return own;
  try {
    return [...own, await client.get<Service & { metadata: object }>(resources.services, 'default', 'kubernetes')];
  } catch {
    return own;
  }
}
