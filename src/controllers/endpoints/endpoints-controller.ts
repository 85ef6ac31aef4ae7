// The Endpoints controller (upstream's pkg/controller/endpoint): for every Service with a selector, an Endpoints
// object of the same name listing the selected pods' addresses, ready ones in `addresses` and the others in
// `notReadyAddresses`, grouped into subsets by the ports they serve (targetPort resolved per pod, so a named port
// can map to different numbers in different pods). Services without a selector, and ExternalName services, are
// left alone (their Endpoints are someone else's); the Endpoints of a deleted Service are deleted.
import { isNotFound } from '../../api/errors.js';
import type { Client } from '../../client/client.js';
import type { KubeObject } from '../../api/object.js';
import { resources as builtin } from '../../api/resources.js';
import type { ReconcileResult } from '../../client/controller.js';
import type { EventRecorder } from '../../client/events.js';
import type { SharedInformer } from '../../client/informer.js';
import { splitMetaNamespaceKey } from '../../client/keys.js';
import { errorText } from '../../client/log.js';
import {
  endpointPort, findPort, headlessLabel, isPodReady, isServiceIPSet, lastChangeTriggerTime, selectedPods,
  shouldPodBeInEndpoints, triggerTimeAnnotation, type EndpointPort, type ServicePort,
} from '../shared/pod-endpoints.js';
import { deepEqual } from '../../api/json-equal.js';

export interface EndpointAddress {
  ip: string; hostname?: string; nodeName?: string;
  targetRef: { kind: 'Pod'; namespace: string; name: string; uid: string };
}
export interface EndpointSubset { addresses?: EndpointAddress[]; notReadyAddresses?: EndpointAddress[]; ports?: EndpointPort[] }

export interface EndpointsControllerDeps {
  client: Client;
  services: SharedInformer;
  pods: SharedInformer;
  endpoints: SharedInformer;
  recorder?: EventRecorder;
}

/** The subsets a Service should have, as upstream builds and repacks them. */
export function desiredSubsets(service: KubeObject, pods: KubeObject[]): EndpointSubset[] {
  const tolerateUnready = !!service.spec?.publishNotReadyAddresses;
  const ports: ServicePort[] = service.spec?.ports ?? [];
  // address (by pod) → its ports and readiness
  const entries: { addr: EndpointAddress; ready: boolean; ports: EndpointPort[] }[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, tolerateUnready)) continue;
    const m = pod.metadata!;
    const addr: EndpointAddress = {
      ip: pod.status.podIP ?? pod.status.podIPs[0].ip,
      targetRef: { kind: 'Pod', namespace: m.namespace!, name: m.name!, uid: m.uid! },
    };
    if (pod.spec?.nodeName) addr.nodeName = pod.spec.nodeName;
    if (pod.spec?.hostname && pod.spec.subdomain === service.metadata?.name) addr.hostname = pod.spec.hostname;
    const ready = tolerateUnready || isPodReady(pod);
    if (ports.length === 0) {
      // Headless services without ports still list their addresses.
      if (service.spec?.clusterIP === 'None') entries.push({ addr, ready, ports: [] });
      continue;
    }
    const podPorts: EndpointPort[] = [];
    for (const sp of ports) {
      const n = findPort(pod, sp);
      if (n !== undefined) podPorts.push(endpointPort(sp, n));
    }
    if (podPorts.length) entries.push({ addr, ready, ports: podPorts });
  }
  // Repack: one subset per distinct port set.
  const bySet = new Map<string, EndpointSubset>();
  for (const e of entries) {
    e.ports.sort(comparePorts);
    const key = JSON.stringify(e.ports);
    let s = bySet.get(key);
    if (!s) bySet.set(key, (s = e.ports.length ? { ports: e.ports } : {}));
    const list = e.ready ? (s.addresses ??= []) : (s.notReadyAddresses ??= []);
    list.push(e.addr);
  }
  const subsets = [...bySet.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, s]) => s);
  for (const s of subsets) { s.addresses?.sort(compareAddresses); s.notReadyAddresses?.sort(compareAddresses); }
  return subsets;
}

function comparePorts(a: EndpointPort, b: EndpointPort): number {
  return (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port || a.protocol.localeCompare(b.protocol);
}
function compareAddresses(a: EndpointAddress, b: EndpointAddress): number {
  return a.ip.localeCompare(b.ip, undefined, { numeric: true }) || a.targetRef.uid.localeCompare(b.targetRef.uid);
}

export class EndpointsController {
  constructor(private readonly d: EndpointsControllerDeps) {}

  async reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const service = this.d.services.get(key);
    const current = this.d.endpoints.get(key);
    if (!service) {
      if (!current) return;
      try { await this.d.client.delete(builtin.endpoints, namespace, name); } catch (e) { if (!isNotFound(e)) throw e; }
      return;
    }
    if (service.spec?.type === 'ExternalName' || !service.spec?.selector) return;

    const pods = selectedPods(service, this.d.pods);
    const subsets = desiredSubsets(service, pods);
    const labels: Record<string, string> = { ...(service.metadata?.labels ?? {}) };
    delete labels[headlessLabel];
    if (!isServiceIPSet(service)) labels[headlessLabel] = '';

    if (current && deepEqual(current.subsets ?? [], subsets) && deepEqual(current.metadata?.labels ?? {}, labels)) return;

    const next: KubeObject = current ? structuredClone(current) as KubeObject : { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace } };
    next.metadata!.labels = labels;
    const annotations = { ...(next.metadata!.annotations ?? {}) };
    const trigger = lastChangeTriggerTime(service, pods);
    if (trigger) annotations[triggerTimeAnnotation] = trigger; else delete annotations[triggerTimeAnnotation];
    next.metadata!.annotations = annotations;
    if (subsets.length) next.subsets = subsets; else delete next.subsets;
    try {
      if (current) await this.d.client.update(builtin.endpoints, next);
      else await this.d.client.create(builtin.endpoints, namespace, next);
    } catch (e) {
      // A Conflict/AlreadyExists means our cache is behind: the retry sees the newer state.
      void this.d.recorder?.event(next, 'Warning', current ? 'FailedToUpdateEndpoint' : 'FailedToCreateEndpoint',
        `Failed to ${current ? 'update' : 'create'} endpoint ${namespace}/${name}: ${errorText(e)}`);
      throw e;
    }
  }
}
