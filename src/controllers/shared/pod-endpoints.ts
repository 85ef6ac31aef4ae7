// What a pod contributes to a Service's endpoints, shared by the Endpoints and EndpointSlice controllers
// (upstream's endpointsliceutil.ShouldPodBeInEndpoints, podutil.IsPodReady, podutil.FindPort).
import type { KubeObject } from '../../api/object.js';
import type { EventHandler, SharedInformer } from '../../client/informer.js';
import { deletedObject } from '../../client/keys.js';
import { podReadyCondition } from '../../api/pod.js';

export interface ServicePort { name?: string; protocol?: string; port: number; targetPort?: number | string; appProtocol?: string }
export interface EndpointPort { name?: string; port: number; protocol: string; appProtocol?: string }

export { isPodReady } from '../../api/pod.js';

/** The pod's Ready condition lastTransitionTime (upstream's endpoint trigger time of a pod), if any. */
export function podReadyTransitionTime(pod: KubeObject): string | undefined {
  return podReadyCondition(pod)?.lastTransitionTime;
}

/**
 * Whether the pod belongs in endpoints at all: it has an IP, is not being deleted (unless includeTerminating),
 * and has not finished for good (per its restartPolicy).
 */
export function shouldPodBeInEndpoints(pod: KubeObject, includeTerminating: boolean): boolean {
  if (!pod.status?.podIP && !(pod.status?.podIPs?.length)) return false;
  if (!includeTerminating && pod.metadata?.deletionTimestamp) return false;
  const phase = pod.status?.phase;
  if (pod.spec?.restartPolicy === 'Never') return phase !== 'Failed' && phase !== 'Succeeded';
  if (pod.spec?.restartPolicy === 'OnFailure') return phase !== 'Succeeded';
  return true;
}

/** The pod's IPv4 address (EndpointSlices of addressType IPv4; Endpoints use the primary podIP). */
export function podIPv4(pod: KubeObject): string | undefined {
  const ips: string[] = [pod.status?.podIP, ...(pod.status?.podIPs ?? []).map((p: { ip: string }) => p.ip)].filter(Boolean);
  return ips.find((ip) => !ip.includes(':'));
}

/**
 * The container port a service port's targetPort means in this pod: a number as is; a name looked up among the
 * pod's container ports (and restartable init containers) with the same protocol; undefined when there is none.
 */
export function findPort(pod: KubeObject, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  const protocol = sp.protocol ?? 'TCP';
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []).filter((c: { restartPolicy?: string }) => c.restartPolicy === 'Always')];
  for (const c of containers) {
    for (const p of c.ports ?? []) {
      if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
    }
  }
  return undefined;
}

export function endpointPort(sp: ServicePort, port: number): EndpointPort {
  const ep: EndpointPort = { port, protocol: sp.protocol ?? 'TCP' };
  if (sp.name) ep.name = sp.name;
  if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
  return ep;
}

/** Whether a Service's spec.selector selects these labels (a Service without selector selects nothing here). */
export function selects(service: KubeObject, labels: Record<string, string> | undefined): boolean {
  const sel: Record<string, string> | undefined = service.spec?.selector;
  if (!sel) return false;
  return Object.entries(sel).every(([k, v]) => labels?.[k] === v);
}

/** The pods a Service selects, from the pod cache. */
export function selectedPods(service: KubeObject, pods: SharedInformer): KubeObject[] {
  return pods.list(service.metadata?.namespace ?? '').filter((p) => selects(service, p.metadata?.labels));
}

/** The keys of the services in the pod's namespace that select it (old or new labels). */
export function servicesForPod(services: SharedInformer, pod: KubeObject, oldPod?: KubeObject): string[] {
  const ns = pod.metadata?.namespace ?? '';
  return services.list(ns)
    .filter((s) => selects(s, pod.metadata?.labels) || (oldPod && selects(s, oldPod.metadata?.labels)))
    .map((s) => `${ns}/${s.metadata!.name}`);
}

/** Pod informer handlers that enqueue the keys of the services selecting the pod (before and after a change). */
export function enqueueServicesForPod(services: SharedInformer, queue: { add(key: string): void }): EventHandler {
  const enqueue = (keys: string[]) => { for (const k of keys) queue.add(k); };
  return {
    onAdd: (p) => enqueue(servicesForPod(services, p)),
    onUpdate: (old, p) => enqueue(servicesForPod(services, p, old)),
    onDelete: (p) => enqueue(servicesForPod(services, deletedObject(p))),
  };
}

/** A Service has a cluster IP unless it is headless (clusterIP None) or has none yet. */
export const isServiceIPSet = (svc: KubeObject) => !!svc.spec?.clusterIP && svc.spec.clusterIP !== 'None';

/** upstream's endpoints.kubernetes.io/last-change-trigger-time: the latest change we know of that shaped the endpoints. */
export const triggerTimeAnnotation = 'endpoints.kubernetes.io/last-change-trigger-time';
export function lastChangeTriggerTime(service: KubeObject, pods: KubeObject[]): string | undefined {
  let best = service.metadata?.creationTimestamp as string | undefined;
  for (const p of pods) {
    const t = podReadyTransitionTime(p);
    if (t && (!best || Date.parse(t) > Date.parse(best))) best = t;
  }
  return best;
}

export const headlessLabel = 'service.kubernetes.io/headless';
