// A resource's objects held in memory by namespace, listed once and kept current by a watch on the registry (as
// upstream's admission plugins read LimitRanges and ResourceQuotas from informers): a per-request list of the
// store costs about as much as the rest of a ConfigMap create's admission. Until the first list is in, or after
// the watch broke until the relist, reads go to the store.
import type { KubeObject } from '../../api/object.js';
import type { GenericStore } from '../registry/generic-store.js';

export interface NamespacedLister {
  /** The namespace's objects (not copies: callers must not change them). */
  list(namespace: string): Promise<KubeObject[]>;
  /** One object ('' for a cluster-scoped one's namespace), or undefined (not a copy either). */
  get(namespace: string, name: string): Promise<KubeObject | undefined>;
}

/** Lists `store` live on every call. */
export const liveLister = (store: GenericStore): NamespacedLister => ({
  list: async (ns) => (await store.list(ns)).items,
  get: (ns, name) => store.tryGet(ns || undefined, name),
});

/** Lists from memory, kept current by a watch until `signal` aborts. */
export function watchedLister(store: GenericStore, signal: AbortSignal): NamespacedLister {
  const byNamespace = new Map<string, Map<string, KubeObject>>();
  let ready = false;
  const put = (o: KubeObject) => {
    const ns = o.metadata.namespace ?? '';
    if (!byNamespace.has(ns)) byNamespace.set(ns, new Map());
    byNamespace.get(ns)!.set(o.metadata.name!, o);
  };
  async function relist(): Promise<string> {
    const list = await store.list(undefined);
    byNamespace.clear();
    for (const o of list.items) put(o);
    ready = true;
    return list.resourceVersion;
  }
  async function follow(): Promise<void> {
    let rv: string | undefined;
    while (!signal.aborted) {
      try {
        rv ??= await relist();
        for await (const ev of store.watch(undefined, { resourceVersion: rv, allowWatchBookmarks: true }, signal)) {
          const o = ev.object as KubeObject;
          if (o?.metadata?.resourceVersion) rv = o.metadata.resourceVersion;
          if (ev.type === 'ADDED' || ev.type === 'MODIFIED') put(o);
          else if (ev.type === 'DELETED') byNamespace.get(o.metadata.namespace ?? '')?.delete(o.metadata.name!);
          else if (ev.type === 'ERROR') break;
        }
      } catch { /* store closed or watch expired: relist below */ }
      ready = false;
      rv = undefined;
      if (signal.aborted) return;
      await new Promise((r) => setTimeout(r, 100).unref());
    }
  }
  void follow();
  return {
    list: async (ns) => (ready ? [...(byNamespace.get(ns)?.values() ?? [])] : (await store.list(ns)).items),
    get: async (ns, name) => (ready ? byNamespace.get(ns)?.get(name) : store.tryGet(ns || undefined, name)),
  };
}
