// resource.Quantity parsing for the scheduler's arithmetic (upstream k8s.io/apimachinery/pkg/api/resource).
// The scheduler compares integers as upstream does: CPU in millicores (MilliValue, rounded up), everything else
// in base units (Value, rounded up). Parsed strings are memoized: pods of one template repeat the same few values.

const SUFFIX: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};
const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

const memo = new Map<string, number>();

/** The quantity in base units as a float; NaN when it is not a valid Quantity. Numbers pass through. */
export function parseQuantity(q: unknown): number {
  if (typeof q === 'number') return q;
  if (typeof q !== 'string') return NaN;
  const hit = memo.get(q);
  if (hit !== undefined) return hit;
  const m = QUANTITY.exec(q.trim());
  let v = NaN;
  if (m) v = m[2] ? Number(m[1]) * 10 ** Number(m[2].slice(1)) : Number(m[1]) * SUFFIX[m[3] ?? ''];
  if (memo.size < 10_000) memo.set(q, v);
  return v;
}

/** Rounds up like Quantity.Value()/MilliValue(), tolerating float noise (0.1*3 is 0.30000000000000004). */
function ceilUnits(x: number): number {
  if (!Number.isFinite(x)) return 0;
  const r = Math.round(x);
  return Math.abs(x - r) < 1e-9 ? r : Math.ceil(x);
}

/** Millicores of a cpu quantity ("100m" → 100, "2" → 2000); 0 when absent or invalid. */
export function milliValue(q: unknown): number {
  if (q === undefined || q === null) return 0;
  return ceilUnits(parseQuantity(q) * 1000);
}

/** Base units of a quantity ("128Mi" → 134217728, "110" → 110); 0 when absent or invalid. */
export function value(q: unknown): number {
  if (q === undefined || q === null) return 0;
  return ceilUnits(parseQuantity(q));
}
