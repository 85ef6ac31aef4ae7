// The EndpointSlice controller's reconcile (upstream's pkg/controller/endpointslice reconciler): the selected
// pods of a Service become endpoints grouped by port set, at most maxEndpointsPerSlice per slice. Endpoints stay
// in the slice they are in (so a change rewrites as few slices as possible); new ones fill slices with room,
// then new slices; empty slices are deleted. A Service with no endpoints at all keeps one placeholder slice.
import { isNotFound } from '../../api/errors.js';
import type { Client } from '../../client/client.js';
import type { KubeObject } from '../../api/object.js';
import { resources as builtin } from '../../api/resources.js';
import type { ReconcileResult } from '../../client/controller.js';
import type { EventRecorder } from '../../client/events.js';
import type { SharedInformer } from '../../client/informer.js';
import { splitMetaNamespaceKey } from '../../client/keys.js';
import { errorText } from '../../client/log.js';
import { deepEqual } from '../../api/json-equal.js';
import {
  findPort, headlessLabel, isPodReady, isServiceIPSet, lastChangeTriggerTime, podIPv4, selectedPods,
  shouldPodBeInEndpoints, triggerTimeAnnotation, type ServicePort,
} from '../shared/pod-endpoints.js';
import type { SliceTracker } from './slice-tracker.js';

export const serviceNameLabel = 'kubernetes.io/service-name';
export const managedByLabel = 'endpointslice.kubernetes.io/managed-by';
export const controllerName = 'endpointslice-controller.k8s.io';
export const zoneLabel = 'topology.kubernetes.io/zone';

export interface SlicePort { name: string; port: number; protocol: string; appProtocol?: string }
export interface SliceEndpoint {
  addresses: string[];
  conditions: { ready: boolean; serving: boolean; terminating: boolean };
  hostname?: string;
  nodeName?: string;
  zone?: string;
  targetRef: { kind: 'Pod'; namespace: string; name: string; uid: string };
}

export interface ReconcilerDeps {
  client: Client;
  services: SharedInformer;
  pods: SharedInformer;
  nodes: SharedInformer;
  slices: SharedInformer;
  tracker: SliceTracker;
  recorder?: EventRecorder;
  maxEndpointsPerSlice: number;
}

const endpointKey = (e: SliceEndpoint) => e.targetRef.uid;
const portsKey = (ports: SlicePort[]) => JSON.stringify(ports);

/** The slices managed for this Service, from the cache. */
export function managedSlices(slices: SharedInformer, namespace: string, service: string): KubeObject[] {
  return slices.list(namespace).filter((s) => s.metadata?.labels?.[serviceNameLabel] === service && s.metadata?.labels?.[managedByLabel] === controllerName);
}

export class EndpointSliceReconciler {
  constructor(private readonly d: ReconcilerDeps) {}

  async reconcile(key: string): Promise<ReconcileResult> {
    const { namespace = '', name } = splitMetaNamespaceKey(key);
    const service = this.d.services.get(key);
    // A deleted Service's slices go with it through their ownerReference (the garbage collector).
    if (!service || service.spec?.type === 'ExternalName' || !service.spec?.selector) return;
    // Our own recent writes not yet in the cache: acting now could duplicate slices. Their events bring us back.
    if (this.d.tracker.isStale(key)) return { requeueAfter: 1000 };

    const pods = selectedPods(service, this.d.pods);
    const desired = this.desiredEndpoints(service, pods);
    const existing = managedSlices(this.d.slices, namespace, name);
    const labels = sliceLabels(service);
    const annotations: Record<string, string> = {};
    const trigger = lastChangeTriggerTime(service, pods);
    if (trigger) annotations[triggerTimeAnnotation] = trigger;

    const toCreate: KubeObject[] = [], toUpdate: KubeObject[] = [], toDelete: KubeObject[] = [];
    const max = this.d.maxEndpointsPerSlice;
    const placed = new Set<string>();
    // 1. Existing slices keep the endpoints still wanted in their port group, with their current state.
    const byGroup = new Map<string, KubeObject[]>();
    for (const slice of existing) {
      const group = slice.addressType === 'IPv4' ? desired.get(portsKey(slice.ports ?? [])) : undefined;
      if (!group) { toDelete.push(slice); continue; }
      const eps: SliceEndpoint[] = [];
      for (const e of (slice.endpoints ?? []) as SliceEndpoint[]) {
        const want = group.endpoints.get(endpointKey(e));
        if (want && !placed.has(endpointKey(want)) && eps.length < max) { eps.push(want); placed.add(endpointKey(want)); }
      }
      if (eps.length === 0) { toDelete.push(slice); continue; }
      const next = structuredClone(slice) as KubeObject;
      next.endpoints = eps;
      if (!deepEqual(slice.endpoints, eps) || !deepEqual(slice.metadata?.labels ?? {}, labels)) {
        next.metadata!.labels = labels;
        next.metadata!.annotations = { ...(next.metadata!.annotations ?? {}), ...annotations };
        toUpdate.push(next);
      }
      const list = byGroup.get(portsKey(group.ports)) ?? [];
      list.push(toUpdate.includes(next) ? next : slice);
      byGroup.set(portsKey(group.ports), list);
    }
    // 2. New endpoints fill slices with room (those already being rewritten first), then new slices.
    for (const [pk, group] of desired) {
      const fresh = [...group.endpoints.values()].filter((e) => !placed.has(endpointKey(e)))
        .sort((a, b) => a.addresses[0].localeCompare(b.addresses[0], undefined, { numeric: true }));
      if (fresh.length === 0) continue;
      const candidates = (byGroup.get(pk) ?? []).sort((a, b) => Number(toUpdate.includes(b)) - Number(toUpdate.includes(a)));
      for (const slice of candidates) {
        if (fresh.length === 0) break;
        const room = max - (slice.endpoints?.length ?? 0);
        if (room <= 0) continue;
        let target = slice;
        if (!toUpdate.includes(slice)) {
          target = structuredClone(slice) as KubeObject;
          target.metadata!.labels = labels;
          target.metadata!.annotations = { ...(target.metadata!.annotations ?? {}), ...annotations };
          toUpdate.push(target);
        }
        target.endpoints = [...(target.endpoints ?? []), ...fresh.splice(0, room)];
      }
      while (fresh.length) toCreate.push(this.newSlice(service, labels, annotations, group.ports, fresh.splice(0, max)));
    }
    // 3. A Service with no endpoints keeps exactly one placeholder slice.
    if (existing.length === toDelete.length && toCreate.length === 0) {
      const placeholder = this.newSlice(service, labels, annotations, [], []);
      const keep = toDelete.findIndex((s) => (s.endpoints ?? []).length === 0 && (s.ports ?? []).length === 0 && s.addressType === 'IPv4');
      if (keep >= 0) toDelete.splice(keep, 1); else toCreate.push(placeholder);
    }
    await this.write(key, service, toCreate, toUpdate, toDelete);
  }

  private desiredEndpoints(service: KubeObject, pods: KubeObject[]): Map<string, { ports: SlicePort[]; endpoints: Map<string, SliceEndpoint> }> {
    const out = new Map<string, { ports: SlicePort[]; endpoints: Map<string, SliceEndpoint> }>();
    const svcPorts: ServicePort[] = service.spec?.ports ?? [];
    const publishNotReady = !!service.spec?.publishNotReadyAddresses;
    for (const pod of pods) {
      if (!shouldPodBeInEndpoints(pod, true)) continue;
      const ip = podIPv4(pod);
      if (!ip) continue;
      const ports: SlicePort[] = [];
      for (const sp of svcPorts) {
        const n = findPort(pod, sp);
        if (n === undefined) continue;
        const p: SlicePort = { name: sp.name ?? '', port: n, protocol: sp.protocol ?? 'TCP' };
        if (sp.appProtocol) p.appProtocol = sp.appProtocol;
        ports.push(p);
      }
      ports.sort((a, b) => a.name.localeCompare(b.name) || a.port - b.port || a.protocol.localeCompare(b.protocol));
      const m = pod.metadata!;
      const serving = publishNotReady || isPodReady(pod);
      const terminating = !!m.deletionTimestamp;
      const ep: SliceEndpoint = {
        addresses: [ip],
        // "ready" is never true for a terminating pod unless the Service publishes not-ready addresses.
        conditions: { ready: publishNotReady || (serving && !terminating), serving, terminating },
        targetRef: { kind: 'Pod', namespace: m.namespace!, name: m.name!, uid: m.uid! },
      };
      if (pod.spec?.hostname && pod.spec.subdomain === service.metadata?.name) ep.hostname = pod.spec.hostname;
      if (pod.spec?.nodeName) {
        ep.nodeName = pod.spec.nodeName;
        const zone = this.d.nodes.get(pod.spec.nodeName)?.metadata?.labels?.[zoneLabel];
        if (zone) ep.zone = zone;
      }
      const pk = portsKey(ports);
      let group = out.get(pk);
      if (!group) out.set(pk, (group = { ports, endpoints: new Map() }));
      group.endpoints.set(endpointKey(ep), ep);
    }
    return out;
  }

  private newSlice(service: KubeObject, labels: Record<string, string>, annotations: Record<string, string>, ports: SlicePort[], endpoints: SliceEndpoint[]): KubeObject {
    const m = service.metadata!;
    return {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: {
        generateName: `${m.name!.slice(0, 57)}-`, namespace: m.namespace, labels, annotations,
        ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: m.name!, uid: m.uid!, controller: true, blockOwnerDeletion: true }],
      },
      addressType: 'IPv4', endpoints, ports,
    };
  }

  private async write(key: string, service: KubeObject, toCreate: KubeObject[], toUpdate: KubeObject[], toDelete: KubeObject[]): Promise<void> {
    const ns = service.metadata!.namespace!;
    try {
      for (const s of toCreate) {
        const created = await this.d.client.create(builtin.endpointslices, ns, s);
        this.d.tracker.expect(key, created.metadata!.name!, created.metadata!.resourceVersion);
      }
      for (const s of toUpdate) {
        const updated = await this.d.client.update(builtin.endpointslices, s);
        this.d.tracker.expect(key, updated.metadata!.name!, updated.metadata!.resourceVersion);
      }
      for (const s of toDelete) {
        try { await this.d.client.delete(builtin.endpointslices, ns, s.metadata!.name!, { preconditions: { uid: s.metadata!.uid } }); } catch (e) { if (!isNotFound(e)) throw e; }
        this.d.tracker.expectDeleted(key, s.metadata!.name!);
      }
    } catch (e) {
      void this.d.recorder?.event(service, 'Warning', 'FailedToUpdateEndpointSlices', `Error updating Endpoint Slices for Service ${key}: ${errorText(e)}`);
      throw e;
    }
  }
}

/** The Service's labels (minus reserved keys) plus the slice's own. */
export function sliceLabels(service: KubeObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(service.metadata?.labels ?? {})) {
    if (k !== serviceNameLabel && k !== managedByLabel && k !== headlessLabel) out[k] = v;
  }
  out[serviceNameLabel] = service.metadata!.name!;
  out[managedByLabel] = controllerName;
  if (!isServiceIPSet(service)) out[headlessLabel] = '';
  return out;
}
