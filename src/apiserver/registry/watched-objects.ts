// A resource's objects held in memory by namespace, listed from the registry and kept current by its watch
// (reflector.ts): the apiserver's own informer cache, read where upstream reads informer listers (the RBAC
// authorizer, the APF configuration, admission plugins such as LimitRanger and ResourceQuota). A per-request list
// of the store costs about as much as the rest of a ConfigMap create's admission.
import type { KubeObject } from '../../api/object.js';
import type { GenericStore } from './generic-store.js';
import { reflect, type ReflectorHandler, type ReflectorOptions } from './reflector.js';

/** What changed after the first list: one object, or everything (a relist after the watch ended). */
export type WatchedChange = { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubeObject } | { type: 'RELISTED' };

export class WatchedObjects {
  private readonly byNamespace = new Map<string, Map<string, KubeObject>>();
  /** True while the content follows the store: false before the first list, and from a broken watch to the relist. */
  synced = false;

  /** `onChange` hears every change after the first list (the first list is announced by start's promise). */
  constructor(private readonly onChange?: (change: WatchedChange) => void) {}

  /**
   * Lists `store` and follows its watch until `signal` aborts. Resolves once the first list is in; rejects with its
   * error (the cache goes on trying).
   */
  start(store: Pick<GenericStore, 'list' | 'watch'>, signal: AbortSignal, opts?: ReflectorOptions): Promise<void> {
    const handler: ReflectorHandler = {
      replace: (items, initial) => {
        this.byNamespace.clear();
        for (const o of items) this.put(o);
        this.synced = true;
        if (!initial) this.onChange?.({ type: 'RELISTED' });
      },
      event: (type, object) => this.apply(type, object),
      broken: () => { this.synced = false; },
    };
    return reflect(store, handler, signal, opts);
  }

  /** One object ('' as the namespace of a cluster-scoped one); not a copy: callers must not change it. */
  get(namespace: string, name: string): KubeObject | undefined { return this.byNamespace.get(namespace)?.get(name); }

  /** How many objects the namespace holds ('' for cluster-scoped ones). */
  count(namespace: string): number { return this.byNamespace.get(namespace)?.size ?? 0; }

  /** The namespace's objects ('' for cluster-scoped ones), not copies. */
  inNamespace(namespace: string): Iterable<KubeObject> { return this.byNamespace.get(namespace)?.values() ?? []; }

  /** Every object, not copies. */
  *all(): Iterable<KubeObject> { for (const m of this.byNamespace.values()) yield* m.values(); }

  /** Puts or removes an object, as the watch does (tests fill the cache this way). */
  apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KubeObject): void {
    if (type === 'DELETED') this.byNamespace.get(object.metadata.namespace ?? '')?.delete(object.metadata.name!);
    else this.put(object);
    this.onChange?.({ type, object });
  }

  private put(o: KubeObject): void {
    const ns = o.metadata.namespace ?? '';
    let m = this.byNamespace.get(ns);
    if (!m) this.byNamespace.set(ns, m = new Map());
    m.set(o.metadata.name!, o);
  }
}

/** Asynchronous reads of a resource by namespace, from memory or from the store. */
export interface NamespacedLister {
  /** The namespace's objects (not copies: callers must not change them). */
  list(namespace: string): Promise<KubeObject[]>;
  /** One object ('' for a cluster-scoped one's namespace), or undefined (not a copy either). */
  get(namespace: string, name: string): Promise<KubeObject | undefined>;
  /** How many objects the namespace holds, when known at once from memory; undefined when only the store knows. */
  count?(namespace: string): number | undefined;
  /** The object when memory holds it, at once; undefined when it does not (or only the store knows). */
  cached?(namespace: string, name: string): KubeObject | undefined;
}

/** Lists `store` live on every call. */
export const liveLister = (store: GenericStore): NamespacedLister => ({
  list: async (ns) => (await store.list(ns)).items,
  get: (ns, name) => store.tryGet(ns || undefined, name),
});

/**
 * Lists from a WatchedObjects cache of `store` until `signal` aborts. Until the first list is in, or after the watch
 * broke until the relist, reads go to the store.
 */
export function watchedLister(store: GenericStore, signal: AbortSignal): NamespacedLister {
  const cache = new WatchedObjects();
  cache.start(store, signal, { retryMs: 100 }).catch(() => { /* read live until a list succeeds */ });
  return {
    list: async (ns) => (cache.synced ? [...cache.inNamespace(ns)] : (await store.list(ns)).items),
    get: async (ns, name) => (cache.synced ? cache.get(ns, name) : store.tryGet(ns || undefined, name)),
    count: (ns) => (cache.synced ? cache.count(ns) : undefined),
    cached: (ns, name) => (cache.synced ? cache.get(ns, name) : undefined),
  };
}
