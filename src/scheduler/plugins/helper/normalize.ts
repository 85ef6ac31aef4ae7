// Upstream's helper.DefaultNormalizeScore: scales scores so the largest becomes 100 (reverse: the largest
// becomes 0 and the smallest 100). All zero → all 0, or all 100 when reversed.
import { MAX_NODE_SCORE } from '../../framework/types.js';

export function defaultNormalizeScore(scores: Float64Array, n: number, reverse: boolean): void {
  let max = 0;
  for (let i = 0; i < n; i++) if (scores[i] > max) max = scores[i];
  if (max === 0) {
    if (reverse) for (let i = 0; i < n; i++) scores[i] = MAX_NODE_SCORE;
    return;
  }
  for (let i = 0; i < n; i++) {
    const s = Math.trunc((MAX_NODE_SCORE * scores[i]) / max);
    scores[i] = reverse ? MAX_NODE_SCORE - s : s;
  }
}
