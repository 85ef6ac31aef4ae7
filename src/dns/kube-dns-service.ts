// The kube-dns Service in kube-system, as kubeadm installs it (ClusterIP 10.96.0.10, ports 53/UDP "dns" and
// 53/TCP "dns-tcp", label k8s-app=kube-dns), but without a selector: the server is not a pod, so its one
// EndpointSlice is ours (managed-by nanokube-dns, which the EndpointSlice controller leaves alone) and points at
// where the server listens. Made again if deleted; put back if edited. A kube-dns Service someone made with a
// selector (their own CoreDNS) is left alone, and so are its endpoints. The v1 Endpoints object kube-dns is kept
// beside the slice (the endpoints controllers skip selector-less Services): kubectl 1.32's `describe service`
// and `get endpoints` read it.
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { isAlreadyExists, isInvalid, isNotFound } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import { resources } from '../api/resources.js';
import type { Client } from '../client/client.js';
import { runController } from '../client/controller.js';
import type { InformerFactory } from '../client/informer.js';
import type { LogFn } from '../client/log.js';
import { RateLimitingQueue } from '../client/workqueue.js';

export const DNS_SERVICE_NAMESPACE = 'kube-system';
export const DNS_SERVICE_NAME = 'kube-dns';
export const DNS_SLICE_NAME = 'kube-dns-nanokube';
export const DNS_SLICE_MANAGER = 'nanokube-cluster-dns';
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
const KEY = `${DNS_SERVICE_NAMESPACE}/${DNS_SERVICE_NAME}`;

export interface KubeDnsServiceOptions {
  client: Client;
  informers: InformerFactory;
  signal: AbortSignal;
  log: LogFn;
  clusterIP: string;
  /** The node the server runs on (the endpoint's nodeName). */
  nodeName?: string;
}

type Svc = Service & KubeObject;
type Slice = EndpointSlice & KubeObject;

export class KubeDnsService {
  private endpoint: { ip: string; port: number } | undefined;
  private readonly queue = new RateLimitingQueue<string>({ name: 'kube_dns_service' });
  private warnedIP = false;
  readonly done: Promise<void>;

  constructor(private readonly opts: KubeDnsServiceOptions) {
    const services = opts.informers.informerFor<Svc>(resources.services);
    const endpoints = opts.informers.informerFor<KubeObject>(resources.endpoints);
    const slices = opts.informers.informerFor<Slice>(resources.endpointslices);
    const mine = (o: KubeObject) => o.metadata?.namespace === DNS_SERVICE_NAMESPACE && (o.metadata.name === DNS_SERVICE_NAME || o.metadata.name === DNS_SLICE_NAME);
    const enqueue = (o: unknown) => { const obj = (o as { obj?: KubeObject }).obj ?? (o as KubeObject); if (obj?.metadata && mine(obj)) this.queue.add(KEY); };
    services.addEventHandler({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n), onDelete: enqueue });
    slices.addEventHandler({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n), onDelete: enqueue });
    endpoints.addEventHandler({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n), onDelete: enqueue });
    opts.informers.start(opts.signal);
    this.queue.add(KEY);
    this.done = runController({
      name: 'kube-dns-service', informers: [services, slices, endpoints], workers: 1, queue: this.queue, signal: opts.signal, log: opts.log,
      reconcile: async () => {
        const svc = services.getByName(DNS_SERVICE_NAMESPACE, DNS_SERVICE_NAME);
        const r = await this.reconcile(svc, slices.getByName(DNS_SERVICE_NAMESPACE, DNS_SLICE_NAME));
        if (svc && this.endpoint && !(svc.spec?.selector && Object.keys(svc.spec.selector).length)) {
          await this.reconcileEndpoints(endpoints.getByName(DNS_SERVICE_NAMESPACE, DNS_SERVICE_NAME));
        }
        return r;
      },
    });
  }

  /** Where the server listens (set once it is bound); the EndpointSlice follows. */
  setEndpoint(ip: string, port: number): void {
    this.endpoint = { ip, port };
    this.queue.add(KEY);
  }

  private async reconcile(svc: Svc | undefined, slice: Slice | undefined): Promise<void | { requeueAfter: number }> {
    const { client, log } = this.opts;
    if (!svc) {
      try {
        await client.create(resources.services, DNS_SERVICE_NAMESPACE, this.desiredService());
        log({ level: 'info', msg: 'created the kube-dns Service', clusterIP: this.opts.clusterIP });
      } catch (e) {
        if (isAlreadyExists(e)) return;
        if (isInvalid(e) && !this.warnedIP) {
          // The address is taken by another Service: pods' resolv.conf names it, so say so loudly.
          this.warnedIP = true;
          log({ level: 'error', msg: `cannot create the kube-dns Service with ClusterIP ${this.opts.clusterIP}`, error: String((e as Error).message) });
        }
        if (isInvalid(e) || isNotFound(e)) return { requeueAfter: 30_000 };
        throw e;
      }
      return;
    }
    if (svc.spec?.selector && Object.keys(svc.spec.selector).length) return; // someone else's DNS
    if (!this.endpoint) return;
    const want = this.desiredSlice(svc);
    if (!slice) {
      try {
        await client.create(resources.endpointslices, DNS_SERVICE_NAMESPACE, want);
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
      }
      return;
    }
    if (JSON.stringify([slice.endpoints, slice.ports, slice.metadata.labels?.[SERVICE_NAME_LABEL], slice.metadata.labels?.[MANAGED_BY_LABEL]])
      === JSON.stringify([want.endpoints, want.ports, want.metadata.labels?.[SERVICE_NAME_LABEL], want.metadata.labels?.[MANAGED_BY_LABEL]])) return;
    const next = structuredClone(slice) as Slice;
    next.endpoints = want.endpoints;
    next.ports = want.ports;
    next.metadata.labels = { ...(next.metadata.labels ?? {}), ...want.metadata.labels };
    await client.update(resources.endpointslices, next);
  }

  private async reconcileEndpoints(current: KubeObject | undefined): Promise<void> {
    const ep = this.endpoint!;
    const subsets = [{
      addresses: [{ ip: ep.ip, ...(this.opts.nodeName ? { nodeName: this.opts.nodeName } : {}) }],
      ports: [{ name: 'dns', port: ep.port, protocol: 'UDP' }, { name: 'dns-tcp', port: ep.port, protocol: 'TCP' }],
    }];
    if (!current) {
      try {
        await this.opts.client.create(resources.endpoints, DNS_SERVICE_NAMESPACE, {
          apiVersion: 'v1', kind: 'Endpoints', metadata: { name: DNS_SERVICE_NAME, namespace: DNS_SERVICE_NAMESPACE, labels: { 'k8s-app': 'kube-dns' } }, subsets,
        });
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
      }
      return;
    }
    if (JSON.stringify(current.subsets) === JSON.stringify(subsets)) return;
    const next = structuredClone(current);
    next.subsets = subsets;
    await this.opts.client.update(resources.endpoints, next);
  }

  private desiredService(): KubeObject {
    return {
      apiVersion: 'v1', kind: 'Service',
      metadata: {
        name: DNS_SERVICE_NAME, namespace: DNS_SERVICE_NAMESPACE,
        labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'nanokube-dns' },
      },
      spec: {
        type: 'ClusterIP', clusterIP: this.opts.clusterIP, clusterIPs: [this.opts.clusterIP],
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
          { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        ],
        sessionAffinity: 'None',
      },
    };
  }

  private desiredSlice(svc: Svc): Slice {
    const ep = this.endpoint!;
    return {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
      metadata: {
        name: DNS_SLICE_NAME, namespace: DNS_SERVICE_NAMESPACE,
        labels: { [SERVICE_NAME_LABEL]: DNS_SERVICE_NAME, [MANAGED_BY_LABEL]: DNS_SLICE_MANAGER, 'k8s-app': 'kube-dns' },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: DNS_SERVICE_NAME, uid: svc.metadata.uid!, controller: true, blockOwnerDeletion: true }],
      },
      endpoints: [{ addresses: [ep.ip], conditions: { ready: true, serving: true, terminating: false }, ...(this.opts.nodeName ? { nodeName: this.opts.nodeName } : {}) }],
      ports: [
        { name: 'dns', port: ep.port, protocol: 'UDP' },
        { name: 'dns-tcp', port: ep.port, protocol: 'TCP' },
      ],
    };
  }
}
