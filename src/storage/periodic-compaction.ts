// Periodic compaction, like kube-apiserver's compactor (storage/etcd3/compact.go): every `intervalMs`, note the
// current revision, and forget the history written before the newest revision noted at least `retainMs` ago. So
// at least `retainMs` (upstream: 5 minutes) of history stays readable and watchable, whatever the write rate, and
// the revision log stays bounded by what is written in that window, however much the same objects churn. Watchers
// further behind get CompactedError (→ 410 Gone) and relist, which is what Kubernetes clients expect.
import type { Store } from './backend.js';

export interface CompactionPolicy {
  /** How often to compact. 0 or negative disables periodic compaction. Default 60 s. */
  intervalMs?: number;
  /** How much history (by time) stays readable. Default 5 minutes, as upstream. */
  retainMs?: number;
  /** Milliseconds since the epoch (injected so tests control time). */
  now?: () => number;
}

export const defaultCompactionIntervalMs = 60_000;
export const defaultRetainMs = 5 * 60_000;

export interface PeriodicCompaction {
  /**
   * Notes the current revision and compacts what was written before the window, if anything (also what the timer
   * runs). Resolves to the revision compacted, if any.
   */
  runOnce(): Promise<number | undefined>;
  stop(): void;
}

export function startPeriodicCompaction(
  store: Pick<Store, 'compact' | 'currentRevision' | 'compactedRevision'>,
  policy: CompactionPolicy = {},
  onError: (err: unknown) => void = (err) => console.error(JSON.stringify({ msg: 'storage compaction failed', error: String(err) })),
): PeriodicCompaction {
  const intervalMs = policy.intervalMs ?? defaultCompactionIntervalMs;
  const retainMs = Math.max(0, policy.retainMs ?? defaultRetainMs);
  const now = policy.now ?? Date.now;
  /** Revisions noted at each run, oldest first: every revision up to `revision` was written before `at`. */
  const noted: { at: number; revision: number }[] = [];
  let running: Promise<number | undefined> | undefined;

  const runOnce = (): Promise<number | undefined> => {
    running ??= (async () => {
      try {
        const t = now();
        noted.push({ at: t, revision: await store.currentRevision() });
        // The newest noted revision that is at least retainMs old; older notes are no longer needed.
        let i = -1;
        while (i + 1 < noted.length && noted[i + 1].at <= t - retainMs) i++;
        if (i < 0) return undefined;
        const target = noted[i].revision;
        noted.splice(0, i);
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
