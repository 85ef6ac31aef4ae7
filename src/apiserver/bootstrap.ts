// What a fresh cluster has before anyone writes: the four system namespaces and the `kubernetes` Service in
// `default` (upstream's bootstrap controller), the system-node-critical and system-cluster-critical
// PriorityClasses (upstream's scheduling REST storage hook), the Local APIServices of every served group/version
// (upstream's autoregister controller), created idempotently at every start; and the Service's Endpoints
// and EndpointSlice pointing at this apiserver (upstream's master endpoint reconciler), rewritten when the
// address or port changed since the last start.
import { isAlreadyExists, isNotFound } from '../api/errors.js';
import type { Registry } from './registry/registry.js';
import type { KubeObject } from '../api/object.js';
import { SYSTEM_PRIORITY_CLASSES } from '../api/priority.js';
import { AUTOMANAGED_LABEL, localAPIServices, localAvailableCondition } from './registry/apiregistration/apiservices/local.js';
import { timestamp } from './registry/object-meta.js';
import { DEFAULT_STORAGE_CLASS_NAME, IS_DEFAULT_STORAGE_CLASS_ANNOTATION, LOCAL_PATH_PROVISIONER } from '../api/storage.js';

export const systemNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export async function bootstrapCluster(registry: Registry, apiPort: number, advertiseAddress?: string): Promise<void> {
  const ns = registry.forResource('', 'namespaces');
  const create = async (store: ReturnType<Registry['forResource']>, namespace: string | undefined, obj: KubeObject) => {
    if (!store) return;
    try { await store.create(namespace, obj, registry.writeContext()); }
    catch (e) { if (!isAlreadyExists(e)) throw e; }
  };
  for (const name of systemNamespaces) {
    if (ns && !(await ns.tryGet(undefined, name))) await create(ns, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } } });
  }
  const svc = registry.forResource('', 'services');
  if (svc && !(await svc.tryGet('default', 'kubernetes'))) {
    await create(svc, 'default', {
      apiVersion: 'v1', kind: 'Service',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: { type: 'ClusterIP', clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: apiPort }], sessionAffinity: 'None' },
    });
  }
  const pcs = registry.forResource('scheduling.k8s.io', 'priorityclasses');
  for (const pc of SYSTEM_PRIORITY_CLASSES) {
    if (pcs && !(await pcs.tryGet(undefined, pc.name))) {
      await create(pcs, undefined, { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: pc.name }, value: pc.value, description: pc.description });
    }
  }
  // The built-in default StorageClass, as minikube's `standard` (provisioned from directories under NANOKUBE_HOME, as
  // k3s's local-path): created when absent at every start, as k3s re-applies its local-storage manifest.
  const sc = registry.forResource('storage.k8s.io', 'storageclasses');
  if (sc && !(await sc.tryGet(undefined, DEFAULT_STORAGE_CLASS_NAME))) await create(sc, undefined, defaultStorageClassObject());
  await reconcileLocalAPIServices(registry);
  if (advertiseAddress) await reconcileApiServerEndpoints(registry, advertiseAddress, apiPort);
}

/** One Available APIService per served group/version; those this server no longer serves are removed. */
async function reconcileLocalAPIServices(registry: Registry): Promise<void> {
  const store = registry.forResource('apiregistration.k8s.io', 'apiservices');
  if (!store) return;
  const desired = localAPIServices(registry.resources);
  const names = new Set(desired.map((a) => a.metadata.name));
  for (const a of desired) {
    const wctx = registry.writeContext({ fieldManager: 'kube-apiserver' });
    let current = await store.tryGet(undefined, a.metadata.name!);
    if (!current) {
      try { current = await store.create(undefined, a, wctx); } catch (e) { if (!isAlreadyExists(e)) throw e; continue; }
    }
    if ((current.status?.conditions ?? []).some((c: any) => c.type === 'Available' && c.status === 'True')) continue;
    await store.guaranteedUpdate(undefined, a.metadata.name!, (cur) => {
      const next = cur!;
      next.status = { conditions: [localAvailableCondition(timestamp(wctx.now))] };
      delete next.metadata.resourceVersion;
      return next;
    }, { ...wctx, subresource: 'status' });
  }
  for (const a of (await store.list(undefined)).items) {
    if (a.metadata.labels?.[AUTOMANAGED_LABEL] !== 'onstart' || names.has(a.metadata.name!)) continue;
    try { await store.delete(undefined, a.metadata.name!, {}, registry.writeContext()); } catch (e) { if (!isNotFound(e)) throw e; }
  }
}

/**
 * The `standard` class: WaitForFirstConsumer, as k3s's local-path, because a directory volume lives on one node and
 * binding it before the pod is scheduled would pin the pod to whichever node the provisioner chose (minikube's
 * Immediate works because minikube has one node; nanokube's agents add more). Delete reclaims the directory with the
 * claim, and expansion is allowed (a directory has no fixed size; the new capacity is recorded).
 */
export function defaultStorageClassObject(): KubeObject {
  return {
    apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass',
    metadata: { name: DEFAULT_STORAGE_CLASS_NAME, annotations: { [IS_DEFAULT_STORAGE_CLASS_ANNOTATION]: 'true' }, labels: { 'addonmanager.kubernetes.io/mode': 'EnsureExists' } },
    provisioner: LOCAL_PATH_PROVISIONER, reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer', allowVolumeExpansion: true,
  };
}

/** The `kubernetes` Endpoints and EndpointSlice as upstream's reconciler writes them (one apiserver, IPv4 or IPv6). */
async function reconcileApiServerEndpoints(registry: Registry, ip: string, port: number): Promise<void> {
  const ports = [{ name: 'https', port, protocol: 'TCP' }];
  const desired: [string, string, KubeObject][] = [
    ['', 'endpoints', {
      apiVersion: 'v1', kind: 'Endpoints',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      subsets: [{ addresses: [{ ip }], ports }],
    }],
    ['discovery.k8s.io', 'endpointslices', {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
      addressType: ip.includes(':') ? 'IPv6' : 'IPv4',
      endpoints: [{ addresses: [ip], conditions: { ready: true } }],
      ports,
    }],
  ];
  for (const [group, resource, obj] of desired) {
    const store = registry.forResource(group, resource);
    if (!store) continue;
    const wctx = registry.writeContext({ fieldManager: 'kube-apiserver' });
    try {
      await store.guaranteedUpdate('default', 'kubernetes', (current) => {
        if (!current) return structuredClone(obj);
        const next = { ...current, ...structuredClone(obj), metadata: { ...current.metadata, labels: { ...current.metadata.labels, ...obj.metadata.labels } } };
        delete next.metadata.resourceVersion;
        return next;
      }, { ...wctx, allowCreate: true });
    } catch (e) { if (!isAlreadyExists(e) && !isNotFound(e)) throw e; }
  }
}
