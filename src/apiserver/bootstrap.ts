// What a fresh cluster has before anyone writes: the four system namespaces and the `kubernetes` Service in
// `default` (upstream's bootstrap controller), created idempotently at every start.
import { isAlreadyExists } from '../api/errors.js';
import type { Registry } from './registry/registry.js';
import type { KObject } from './registry/types.js';

export const systemNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export async function bootstrapCluster(registry: Registry, apiPort: number): Promise<void> {
  const ns = registry.forResource('', 'namespaces');
  const create = async (store: ReturnType<Registry['forResource']>, namespace: string | undefined, obj: KObject) => {
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
}
