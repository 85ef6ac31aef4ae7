// The RBAC objects the authorizer reads, held in memory and kept current by a watch on the registry (upstream's
// RBAC authorizer reads informer listers the same way, so a new binding takes effect a moment after it is
// stored, not within the write that stores it).
import type { KubeObject } from '../../../api/object.js';
import type { Registry } from '../../registry/registry.js';
import { WatchedObjects } from '../../registry/watched-objects.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';
const kinds = ['clusterroles', 'clusterrolebindings', 'roles', 'rolebindings'] as const;
type Kind = typeof kinds[number];

export class PolicyCache {
  private readonly objects: Record<Kind, WatchedObjects>;
  /** Bumped on every change: caches of decisions are valid for one generation. */
  generation = 0;
  private readonly listeners = new Set<() => void>();

  constructor() {
    const changed = () => {
      this.generation++;
      for (const l of this.listeners) l();
    };
    this.objects = { clusterroles: new WatchedObjects(changed), clusterrolebindings: new WatchedObjects(changed), roles: new WatchedObjects(changed), rolebindings: new WatchedObjects(changed) };
  }

  getClusterRole(name: string): KubeObject | undefined { return this.objects.clusterroles.get('', name); }
  getRole(namespace: string, name: string): KubeObject | undefined { return this.objects.roles.get(namespace, name); }
  clusterRoles(): Iterable<KubeObject> { return this.objects.clusterroles.inNamespace(''); }
  clusterRoleBindings(): Iterable<KubeObject> { return this.objects.clusterrolebindings.inNamespace(''); }
  roleBindings(namespace: string): Iterable<KubeObject> { return this.objects.rolebindings.inNamespace(namespace); }

  /** Called after every change (the aggregation controller listens). */
  onChange(fn: () => void): () => void { this.listeners.add(fn); return () => this.listeners.delete(fn); }

  /** Puts or removes an object (tests fill the cache this way; the watch does the same). */
  apply(kind: Kind, type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject): void { this.objects[kind].apply(type, obj); }

  /** Lists the four kinds, then follows their watches until `signal` aborts. Resolves once the lists are in. */
  static async start(registry: Registry, signal: AbortSignal): Promise<PolicyCache> {
    const cache = new PolicyCache();
    await Promise.all(kinds.map(async (kind) => {
      const store = registry.forResource(RBAC_GROUP, kind);
      if (store) await cache.objects[kind].start(store, signal);
    }));
    return cache;
  }
}
