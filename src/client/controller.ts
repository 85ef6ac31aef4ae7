// The one controller shape (DESIGN.md §4). Event handlers only enqueue `namespace/name` keys; workers start after
// the informers have synced; reconcile(key) reads the cache and writes through the client. A thrown error means a
// rate-limited retry, `{ requeueAfter }` a timed retry, success forgets the key's backoff. The work queue never
// hands one key to two workers at once.
import type { KubeObject } from '../api/object.js';
import type { EventHandler } from './informer.js';
import { deletedObject, metaNamespaceKey, type DeletedFinalStateUnknown } from './keys.js';
import { errorText, stderrLog, type LogFn } from './log.js';
import type { RateLimitingQueue } from './workqueue.js';

export type ReconcileResult = void | { requeueAfter: number };

export interface ControllerConfig {
  /** For logs, e.g. "replicaset-controller". */
  name: string;
  /** Workers start only after every one of these has synced. */
  informers: { waitForSync(signal?: AbortSignal): Promise<boolean> }[];
  /** Concurrent reconciles (different keys). */
  workers: number;
  queue: RateLimitingQueue<string>;
  reconcile(key: string): Promise<ReconcileResult>;
  /** Aborting shuts the queue down; runController resolves when in-flight reconciles have finished. */
  signal: AbortSignal;
  log?: LogFn;
}

export async function runController(cfg: ControllerConfig): Promise<void> {
  const log = cfg.log ?? stderrLog;
  const { queue, signal } = cfg;
  const onAbort = () => queue.shutDown();
  if (signal.aborted) { queue.shutDown(); return; }
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const synced = await Promise.all(cfg.informers.map((i) => i.waitForSync(signal)));
    if (!synced.every(Boolean) || signal.aborted) return;
    log({ level: 'info', msg: 'controller started', controller: cfg.name, workers: cfg.workers });
    const worker = async () => {
      let sinceYield = 0;
      for (;;) {
        // Reconciles that need no I/O complete in microtasks: without a turn of the event loop now and then, a key
        // requeued at once could spin and starve the I/O (watch events, the store's disk sync) it is waiting for.
        if (++sinceYield >= 32) { sinceYield = 0; await new Promise((r) => setImmediate(r)); }
        const key = await queue.get();
        if (key === undefined) return;
        if (signal.aborted) { queue.done(key); return; }
        try {
          const result = await cfg.reconcile(key);
          queue.forget(key);
          if (result && result.requeueAfter >= 0) queue.addAfter(key, result.requeueAfter);
        } catch (e) {
          log({ level: 'error', msg: 'reconcile failed', controller: cfg.name, key, requeues: queue.numRequeues(key), error: errorText(e) });
          queue.addRateLimited(key);
        } finally {
          queue.done(key);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, cfg.workers) }, worker));
  } finally {
    signal.removeEventListener('abort', onAbort);
    queue.shutDown();
  }
}

/** Informer handlers that enqueue the object's key on add, update and delete (tombstones included). */
export function enqueueHandlers<T extends KubeObject>(queue: RateLimitingQueue<string>, keyOf: (obj: T) => string | undefined = metaNamespaceKey): EventHandler<T> {
  const add = (k: string | undefined) => { if (k) queue.add(k); };
  return {
    onAdd: (obj) => add(keyOf(obj)),
    onUpdate: (_old, obj) => add(keyOf(obj)),
    onDelete: (obj: T | DeletedFinalStateUnknown<T>) => add(keyOf(deletedObject(obj))),
  };
}
