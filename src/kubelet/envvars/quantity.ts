// resource.Quantity values as the Downward API reads them (upstream k8s.io/apimachinery/pkg/api/resource):
// Value() and MilliValue() round up. The kubelet cannot import the scheduler's copy (components stay apart).

const SUFFIX: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};
const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

/** The quantity in base units as a float; NaN when invalid. Numbers pass through. */
export function parseQuantity(q: unknown): number {
  if (typeof q === 'number') return q;
  if (typeof q !== 'string') return NaN;
  const m = QUANTITY.exec(q.trim());
  if (!m) return NaN;
  return m[2] ? Number(m[1]) * 10 ** Number(m[2].slice(1)) : Number(m[1]) * SUFFIX[m[3] ?? ''];
}

function ceilUnits(x: number): number {
  if (!Number.isFinite(x)) return 0;
  const r = Math.round(x);
  return Math.abs(x - r) < 1e-9 ? r : Math.ceil(x);
}

/** Quantity.MilliValue(): "100m" → 100, "2" → 2000; 0 when absent or invalid. */
export const milliValue = (q: unknown): number => (q == null ? 0 : ceilUnits(parseQuantity(q) * 1000));
/** Quantity.Value(): "128Mi" → 134217728; 0 when absent or invalid. */
export const value = (q: unknown): number => (q == null ? 0 : ceilUnits(parseQuantity(q)));
