// The ClusterView the server answers from: the shared informer caches of Services, EndpointSlices and Pods, with
// indexes for the lookups a query needs (slices by service, services by ClusterIP, slices and pods by address), so
// a query costs a map lookup whatever the cluster's size. Any event moves the SOA serial (CoreDNS's Modified()).
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { KubeObject } from '../api/object.js';
import { resources } from '../api/resources.js';
import type { InformerFactory, SharedInformer } from '../client/informer.js';
import type { ClusterView } from './records.js';

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const bySliceService = 'dns:slice-service';
const bySliceAddress = 'dns:slice-address';
const byClusterIP = 'dns:cluster-ip';
const byPodIP = 'dns:pod-ip';

// Module-level functions: an informer accepts the same index function again (another view on the same factory).
const serviceIndexers = {
  [byClusterIP]: (s: Service & KubeObject) => (s.spec?.clusterIPs ?? (s.spec?.clusterIP ? [s.spec.clusterIP] : [])).filter((ip) => ip !== 'None'),
};
const sliceIndexers = {
  [bySliceService]: (s: EndpointSlice & KubeObject) => (s.metadata?.labels?.[SERVICE_NAME_LABEL] ? [`${s.metadata.namespace}/${s.metadata.labels[SERVICE_NAME_LABEL]}`] : []),
  [bySliceAddress]: (s: EndpointSlice & KubeObject) => [...new Set((s.endpoints ?? []).flatMap((e) => e.addresses ?? []))],
};
const podIndexers = {
  [byPodIP]: (p: Pod & KubeObject) => [...new Set([p.status?.podIP, ...(p.status?.podIPs ?? []).map((x) => x.ip)].filter((x): x is string => !!x))],
};

export class InformerClusterView implements ClusterView {
  private readonly services: SharedInformer<Service & KubeObject>;
  private readonly slices: SharedInformer<EndpointSlice & KubeObject>;
  private readonly pods: SharedInformer<Pod & KubeObject> | undefined;
  private lastChange = Math.floor(Date.now() / 1000);

  constructor(informers: InformerFactory, opts: { pods: boolean }) {
    this.services = informers.informerFor<Service & KubeObject>(resources.services, { indexers: serviceIndexers });
    this.slices = informers.informerFor<EndpointSlice & KubeObject>(resources.endpointslices, { indexers: sliceIndexers });
    this.pods = opts.pods ? informers.informerFor<Pod & KubeObject>(resources.pods, { indexers: podIndexers }) : undefined;
    const touch = { onAdd: () => this.touch(), onUpdate: () => this.touch(), onDelete: () => this.touch() };
    this.services.addEventHandler(touch);
    this.slices.addEventHandler(touch);
  }

  private touch(): void { this.lastChange = Math.floor(Date.now() / 1000); }

  async waitForSync(signal?: AbortSignal): Promise<boolean> {
    const all = [this.services, this.slices, ...(this.pods ? [this.pods] : [])];
    return (await Promise.all(all.map((i) => i.waitForSync(signal)))).every(Boolean);
  }

  service(namespace: string, name: string): Service | undefined {
    return this.services.getByName(namespace, name);
  }

  endpointSlices(namespace: string, service: string): EndpointSlice[] {
    return this.slices.byIndex(bySliceService, `${namespace}/${service}`);
  }

  servicesByClusterIP(ip: string): Service[] {
    return this.services.byIndex(byClusterIP, ip);
  }

  endpointSlicesByAddress(ip: string): EndpointSlice[] {
    return this.slices.byIndex(bySliceAddress, ip);
  }

  podHasIP(namespace: string, ip: string): boolean {
    return !!this.pods?.byIndex(byPodIP, ip).some((p) => p.metadata?.namespace === namespace);
  }

  modified(): number { return this.lastChange; }
}
