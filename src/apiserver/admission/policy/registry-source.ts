// What the ValidatingAdmissionPolicy plugin reads, from the registry: policies and bindings held in memory and kept
// current by a watch (registry/watched-objects.ts, as upstream's informers: a new binding takes effect a moment after it
// is stored), namespaces and parameter objects read when a request needs them.
import type { Registry } from '../../registry/registry.js';
import type { Authorizer } from '../../authorization/authorizer.js';
import { liveLister, watchedLister, type NamespacedLister } from '../../registry/watched-objects.js';
import { validatingAdmissionPolicy } from './validating-admission-policy.js';
import type { AdmissionPlugin } from '../admission.js';

const GROUP = 'admissionregistration.k8s.io';

/** The plugin reading policies, bindings, namespaces and params from `registry`; caches live until `signal` aborts. */
export async function validatingAdmissionPolicyFromRegistry(registry: Registry, authorizer: Authorizer | undefined, signal?: AbortSignal): Promise<AdmissionPlugin> {
  const lister = (resource: string): NamespacedLister => {
    const store = registry.forResource(GROUP, resource);
    if (!store) return { list: async () => [], get: async () => undefined };
    return signal ? watchedLister(store, signal) : liveLister(store);
  };
  const policies = lister('validatingadmissionpolicies');
  const bindings = lister('validatingadmissionpolicybindings');
  const namespaces = registry.forResource('', 'namespaces');
  return validatingAdmissionPolicy({
    policies: async () => {
      const [p, b] = await Promise.all([policies.list(''), bindings.list('')]);
      return { policies: p, bindings: b };
    },
    noBindings: () => bindings.count?.('') === 0,
    getNamespace: async (name) => namespaces?.tryGet(undefined, name),
    authorizer,
    versionsOf: (group, resource) => registry.resources.filter((r) => r.group === group && r.resource === resource).map((r) => r.version),
    paramResource(apiVersion, kind) {
      const i = apiVersion.indexOf('/');
      const group = i < 0 ? '' : apiVersion.slice(0, i);
      const version = i < 0 ? apiVersion : apiVersion.slice(i + 1);
      const def = registry.resources.find((r) => r.group === group && r.version === version && r.kind === kind && !r.resource.includes('/'));
      const store = def && registry.lookup(def.group, def.version, def.resource);
      if (!def || !store) return undefined;
      return {
        namespaced: def.namespaced,
        get: (namespace, name) => store.tryGet(namespace, name),
        list: async (namespace) => (await store.list(namespace)).items,
      };
    },
  });
}
