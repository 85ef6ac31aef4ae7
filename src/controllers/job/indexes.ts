// Completion indexes of Indexed Jobs (upstream pkg/controller/job/indexed_job_utils.go): the index a pod carries,
// and the interval notation of status.completedIndexes / status.failedIndexes ("1,3-5,7").
import { JOB_COMPLETION_INDEX, JOB_INDEX_FAILURE_COUNT } from '../../api/batch.js';
import type { Pod } from '../shared/types.js';

/** The pod's completion index (annotation first, then label, as upstream); undefined when absent or invalid. */
export function podCompletionIndex(pod: Pod): number | undefined {
  const v = pod.metadata?.annotations?.[JOB_COMPLETION_INDEX] ?? pod.metadata?.labels?.[JOB_COMPLETION_INDEX];
  if (v === undefined || !/^(0|[1-9][0-9]*)$/.test(v)) return undefined;
  return Number(v);
}

/** How often the pod's index had failed before this pod was created (backoffLimitPerIndex). */
export function podIndexFailureCount(pod: Pod): number {
  const v = Number(pod.metadata?.annotations?.[JOB_INDEX_FAILURE_COUNT] ?? 0);
  return Number.isInteger(v) && v >= 0 ? v : 0;
}

/** Parses "1,3-5" into the set of indexes below `completions` (unparsable parts are skipped). */
export function parseIndexes(s: string | undefined | null, completions: number): Set<number> {
  const out = new Set<number>();
  for (const part of (s ?? '').split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const from = Number(m[1]), to = m[2] === undefined ? from : Number(m[2]);
    for (let i = from; i <= to && i < completions; i++) out.add(i);
  }
  return out;
}

/** The interval notation of a set of indexes, ascending: [1,3,4,5,7] → "1,3-5,7"; undefined when empty. */
export function formatIndexes(indexes: Iterable<number>): string | undefined {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
