// What the ValidatingAdmissionPolicy plugin reads, from the registry: policies and bindings held in memory and kept
// current by a watch (as upstream's informers: a new binding takes effect a moment after it is stored), namespaces
// and parameter objects read when a request needs them.
import type { KubeObject } from '../../../api/object.js';
import type { Registry } from '../../registry/registry.js';
import type { GenericStore } from '../../registry/generic-store.js';
import type { Authorizer } from '../../authorization/authorizer.js';
import { validatingAdmissionPolicy } from './validating-admission-policy.js';
import type { AdmissionPlugin } from '../admission.js';

const GROUP = 'admissionregistration.k8s.io';

/** The objects of one cluster-scoped resource, listed then followed by a watch until `signal` aborts. */
class WatchedObjects {
  readonly byName = new Map<string, KubeObject>();
  constructor(private readonly store: GenericStore | undefined, private readonly signal: AbortSignal) {}

  async start(): Promise<void> {
    if (!this.store) return;
    const rv = await this.relist();
    void this.follow(rv);
  }

  private async relist(): Promise<string> {
    const list = await this.store!.list(undefined);
    this.byName.clear();
    for (const o of list.items) this.byName.set(o.metadata.name!, o);
    return list.resourceVersion;
  }

  private async follow(resourceVersion: string): Promise<void> {
    let rv = resourceVersion;
    while (!this.signal.aborted) {
      try {
        for await (const ev of this.store!.watch(undefined, { resourceVersion: rv, allowWatchBookmarks: true }, this.signal)) {
          const o = ev.object as KubeObject;
          if (o?.metadata?.resourceVersion) rv = o.metadata.resourceVersion;
          if (ev.type === 'ADDED' || ev.type === 'MODIFIED') this.byName.set(o.metadata.name!, o);
          else if (ev.type === 'DELETED') this.byName.delete(o.metadata.name!);
          else if (ev.type === 'ERROR') break;
        }
      } catch { /* store closed or watch too old: relist below */ }
      if (this.signal.aborted) return;
      try { rv = await this.relist(); } catch { await new Promise((r) => setTimeout(r, 1000).unref()); }
    }
  }
}

/** The plugin reading policies, bindings, namespaces and params from `registry`. Resolves once the lists are in. */
export async function validatingAdmissionPolicyFromRegistry(registry: Registry, authorizer: Authorizer | undefined, signal: AbortSignal): Promise<AdmissionPlugin> {
  const policies = new WatchedObjects(registry.forResource(GROUP, 'validatingadmissionpolicies'), signal);
  const bindings = new WatchedObjects(registry.forResource(GROUP, 'validatingadmissionpolicybindings'), signal);
  await Promise.all([policies.start(), bindings.start()]);
  const namespaces = registry.forResource('', 'namespaces');
  return validatingAdmissionPolicy({
    policies: () => ({ policies: policies.byName.values(), bindings: bindings.byName.values() }),
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
