// The list-and-watch loop behind every cache the apiserver keeps of its own registry (client-go's Reflector, over a
// GenericStore instead of the HTTP API): list, hand the items to the handler, follow the watch from the list's
// resourceVersion, and list again whenever the watch ends (an ERROR event such as 410 Gone once the revision is
// compacted, a watcher closed for falling behind, the storage closing). The loop runs until `signal` aborts.
import type { KubeObject } from '../../api/object.js';
import type { GenericStore } from './generic-store.js';

export interface ReflectorHandler {
  /** The whole content from a list: the first one (`initial`), or a relist after the watch ended. */
  replace(items: KubeObject[], initial: boolean): void;
  /** One change the watch reported. */
  event(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KubeObject): void;
  /** The watch ended: what the handler holds may be stale until the next replace. */
  broken?(): void;
}

export interface ReflectorOptions {
  /** Delay before a failed list is tried again (default 1 s). */
  retryMs?: number;
}

/**
 * Starts the loop. The promise settles with the first list: it resolves once the handler has the items, or rejects
 * with the list's error (the loop goes on trying; a caller that does not wait for the first list must catch it).
 */
export function reflect(store: Pick<GenericStore, 'list' | 'watch'>, handler: ReflectorHandler, signal: AbortSignal,
  opts: ReflectorOptions = {}): Promise<void> {
  const retryMs = opts.retryMs ?? 1000;
  let settle!: { resolve: () => void; reject: (e: unknown) => void };
  const firstList = new Promise<void>((resolve, reject) => { settle = { resolve, reject }; });
  void (async () => {
    let initial = true;
    let rv: string | undefined;
    while (!signal.aborted) {
      if (rv === undefined) {
        try {
          const list = await store.list(undefined);
          handler.replace(list.items, initial);
          rv = list.resourceVersion;
          if (initial) settle.resolve();
          initial = false;
        } catch (e) {
          if (initial) settle.reject(e);
          await new Promise((r) => setTimeout(r, retryMs).unref());
          continue;
        }
      }
      try {
        for await (const ev of store.watch(undefined, { resourceVersion: rv, allowWatchBookmarks: true }, signal)) {
          const o = ev.object as KubeObject;
          if (o?.metadata?.resourceVersion) rv = o.metadata.resourceVersion;
          if (ev.type === 'ADDED' || ev.type === 'MODIFIED' || ev.type === 'DELETED') handler.event(ev.type, o);
          else if (ev.type === 'ERROR') break;
        }
      } catch { /* storage closed or revision compacted: relist */ }
      if (signal.aborted) return;
      rv = undefined;
      handler.broken?.();
    }
  })();
  return firstList;
}
