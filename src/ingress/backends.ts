// From an Ingress backend (Service name + port number or name) to one endpoint to dial, with the proxy's own
// endpoint selection (ready endpoints; serving-and-terminating ones only when none is ready), so a pod leaves the
// rotation as soon as it starts terminating. Endpoints are taken in turn (round robin per Service port).
import type { KubeObject } from '../api/object.js';
import type { SharedInformer } from '../client/informer.js';
import { endpointsFor, serviceNameLabel, usableEndpoints, type Endpoint } from '../proxy/index.js';
import type { ServiceBackendRef } from './routes.js';

export type BackendChoice =
  | { endpoint: Endpoint }
  | { endpoint: undefined; reason: 'no-service' | 'no-port' | 'no-endpoints' };

export class BackendPicker {
  private readonly next = new Map<string, number>();

  constructor(private readonly services: SharedInformer<KubeObject>, private readonly slices: SharedInformer<KubeObject>, private readonly nodeName: string) {}

  pick(b: ServiceBackendRef): BackendChoice {
    const svc = this.services.get(`${b.namespace}/${b.service}`);
    if (!svc) return { endpoint: undefined, reason: 'no-service' };
    const port = (svc.spec?.ports ?? []).find((p: any) => (b.port.name ? p?.name === b.port.name : p?.port === b.port.number));
    if (!port || (port.protocol ?? 'TCP') !== 'TCP') return { endpoint: undefined, reason: 'no-port' };
    const slices = this.slices.list(b.namespace).filter((s) => s.metadata?.labels?.[serviceNameLabel] === b.service);
    const eps = usableEndpoints(endpointsFor({ portName: port.name ?? '', protocol: 'TCP' }, slices as any[]), { local: false, nodeName: this.nodeName });
    if (eps.length === 0) return { endpoint: undefined, reason: 'no-endpoints' };
    const key = `${b.namespace}/${b.service}/${port.name ?? port.port}`;
    const i = (this.next.get(key) ?? 0) % eps.length;
    this.next.set(key, i + 1);
    return { endpoint: eps[i] };
  }
}
