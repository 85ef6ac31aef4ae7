// Periodic compaction, like kube-apiserver's compactor (storage/etcd3/compact.go) and kine's: every
// `intervalMs`, forget history older than the newest `retainRevisions` revisions, so the revision log stays
// bounded however much the same objects churn. Watchers further behind than the window get CompactedError
// (→ 410 Gone) and relist, which is what Kubernetes clients expect.
import type { Store } from './backend.js';

export interface CompactionPolicy {
  /** How often to compact. 0 or negative disables periodic compaction. Default 60 s. */
  intervalMs?: number;
  /** How many of the newest revisions stay readable/watchable. Default 1000 (kine's default). */
  retainRevisions?: number;
}

export const defaultCompactionIntervalMs = 60_000;
export const defaultRetainRevisions = 1000;

export interface PeriodicCompaction {
  /** Runs one compaction now (also what the timer runs). Resolves to the revision compacted, if any. */
  runOnce(): Promise<number | undefined>;
  stop(): void;
}

export function startPeriodicCompaction(
  store: Pick<Store, 'compact' | 'currentRevision' | 'compactedRevision'>,
  policy: CompactionPolicy = {},
  onError: (err: unknown) => void = (err) => console.error(JSON.stringify({ msg: 'storage compaction failed', error: String(err) })),
): PeriodicCompaction {
  const intervalMs = policy.intervalMs ?? defaultCompactionIntervalMs;
  const retain = Math.max(1, policy.retainRevisions ?? defaultRetainRevisions);
  let running: Promise<number | undefined> | undefined;

  const runOnce = (): Promise<number | undefined> => {
    running ??= (async () => {
      try {
        const target = (await store.currentRevision()) - retain;
        // compactedRevision() is the oldest readable revision, i.e. last compacted + 1.
        if (target <= 0 || target < (await store.compactedRevision())) return undefined;
        await store.compact(target);
        return target;
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  let timer: NodeJS.Timeout | undefined;
  if (intervalMs > 0) {
    timer = setInterval(() => { runOnce().catch(onError); }, intervalMs);
    timer.unref();
  }
  return { runOnce, stop: () => { if (timer) clearInterval(timer); timer = undefined; } };
}
