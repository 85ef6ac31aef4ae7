// metav1.Time as the API writes it: RFC 3339 with second precision.
import type { Clock } from '../../client/clock.js';

export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** metav1.Now() on the injected clock. */
export const metaNow = (clock: Clock): string => rfc3339(clock.now());

/** Milliseconds since the epoch of a metav1.Time; undefined for an absent or unparseable time (Go's zero time). */
export function parseTime(t: string | null | undefined): number | undefined {
  if (!t) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}
