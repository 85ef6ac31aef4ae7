// The RBAC objects the authorizer reads, held in memory and kept current by a watch on the registry (upstream's
// RBAC authorizer reads informer listers the same way, so a new binding takes effect a moment after it is
// stored, not within the write that stores it).
import type { KubeObject } from '../../../api/object.js';
import type { Registry } from '../../registry/registry.js';
import type { GenericStore } from '../../registry/generic-store.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';
const kinds = ['clusterroles', 'clusterrolebindings', 'roles', 'rolebindings'] as const;
type Kind = typeof kinds[number];

const keyOf = (o: KubeObject) => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name!);

export class PolicyCache {
  private readonly maps: Record<Kind, Map<string, KubeObject>> = { clusterroles: new Map(), clusterrolebindings: new Map(), roles: new Map(), rolebindings: new Map() };
  /** rolebindings by namespace, rebuilt lazily after a change. */
  private bindingsByNs: Map<string, KubeObject[]> | undefined;
  /** Bumped on every change: caches of decisions are valid for one generation. */
  generation = 0;
  private readonly listeners = new Set<() => void>();

  getClusterRole(name: string): KubeObject | undefined { return this.maps.clusterroles.get(name); }
  getRole(namespace: string, name: string): KubeObject | undefined { return this.maps.roles.get(`${namespace}/${name}`); }
  clusterRoles(): Iterable<KubeObject> { return this.maps.clusterroles.values(); }
  clusterRoleBindings(): Iterable<KubeObject> { return this.maps.clusterrolebindings.values(); }
  roleBindings(namespace: string): KubeObject[] {
    if (!this.bindingsByNs) {
      this.bindingsByNs = new Map();
      for (const b of this.maps.rolebindings.values()) {
        const ns = b.metadata.namespace!;
        let l = this.bindingsByNs.get(ns);
        if (!l) this.bindingsByNs.set(ns, l = []);
        l.push(b);
      }
    }
    return this.bindingsByNs.get(namespace) ?? [];
  }

  /** Called after every change (the aggregation controller listens). */
  onChange(fn: () => void): () => void { this.listeners.add(fn); return () => this.listeners.delete(fn); }

  /** Puts or removes an object (tests fill the cache this way; the watch does the same). */
  apply(kind: Kind, type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject): void {
    if (type === 'DELETED') this.maps[kind].delete(keyOf(obj));
    else this.maps[kind].set(keyOf(obj), obj);
    if (kind === 'rolebindings') this.bindingsByNs = undefined;
    this.generation++;
    for (const l of this.listeners) l();
  }

  /** Lists the four kinds, then follows their watches until `signal` aborts. Resolves once the lists are in. */
  static async start(registry: Registry, signal: AbortSignal): Promise<PolicyCache> {
    const cache = new PolicyCache();
    await Promise.all(kinds.map(async (kind) => {
      const store = registry.forResource(RBAC_GROUP, kind);
      if (!store) return;
      const list = await store.list(undefined);
      for (const o of list.items) cache.maps[kind].set(keyOf(o), o);
      void cache.follow(store, kind, list.resourceVersion, signal);
    }));
    return cache;
  }

  private async follow(store: GenericStore, kind: Kind, resourceVersion: string, signal: AbortSignal): Promise<void> {
    let rv = resourceVersion;
    while (!signal.aborted) {
      try {
        for await (const ev of store.watch(undefined, { resourceVersion: rv, allowWatchBookmarks: true }, signal)) {
          const o = ev.object as KubeObject;
          if (o?.metadata?.resourceVersion) rv = o.metadata.resourceVersion;
          if (ev.type === 'ADDED' || ev.type === 'MODIFIED' || ev.type === 'DELETED') this.apply(kind, ev.type, o);
          else if (ev.type === 'ERROR') break;
        }
      } catch { /* store closed or watch too old: relist below */ }
      if (signal.aborted) return;
      try {
        const list = await store.list(undefined);
        this.maps[kind].clear();
        for (const o of list.items) this.maps[kind].set(keyOf(o), o);
        if (kind === 'rolebindings') this.bindingsByNs = undefined;
        this.generation++;
        for (const l of this.listeners) l();
        rv = list.resourceVersion;
      } catch {
        await new Promise((r) => setTimeout(r, 1000).unref());
      }
    }
  }
}
