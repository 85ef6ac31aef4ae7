// resource.Quantity's parsing and canonical form, exactly as upstream (k8s.io/apimachinery/pkg/api/resource/
// quantity.go: ParseQuantity, CanonicalizeBytes): the API server stores every Quantity in canonical form
// ("0.5" → "500m", "1024Mi" → "1Gi", "1000m" → "1", "1e4" → "10e3", "2000000000" → "2G").
//  - The suffix picks the format: none or n u m k M G T P E → DecimalSI; Ki Mi Gi Ti Pi Ei → BinarySI; e<int> or
//    E<int> → DecimalExponent.
//  - Values are exact decimals rounded up (away from zero) to a whole nano.
//  - BinarySI stays binary only for integers of magnitude 1024 or more: the largest power of 1024 that divides
//    the value becomes the suffix; anything else is written as DecimalSI.
//  - DecimalSI and DecimalExponent write the mantissa without trailing zeros, its exponent lowered to a multiple
//    of three (1e4 → 10e3; 1500 → 1500; 0.5 → 500m).

/** Upstream's ErrFormatWrong. */
export const QUANTITY_FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
/** Upstream's ErrSuffix. */
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";

export class QuantityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuantityError';
  }
}

type Format = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_BY_EXPONENT: Record<number, string> = Object.fromEntries(Object.entries(DECIMAL_SUFFIXES).map(([s, e]) => [e, s]));
const BINARY_BY_POWER = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

export interface ParsedQuantity {
  /** The value in nano units (value × 10^9), already rounded up to a whole nano. */
  nanos: bigint;
  format: Format;
}

/** Splits like upstream's parseQuantityString: sign, integer digits, fraction digits, suffix. */
function split(str: string): { negative: boolean; num: string; denom: string; suffix: string } {
  let pos = 0;
  const end = str.length;
  let negative = false;
  if (str[0] === '-') { negative = true; pos++; } else if (str[0] === '+') pos++;
  while (pos < end && str[pos] === '0') pos++;
  if (pos >= end) return { negative, num: '0', denom: '', suffix: '' };
  let i = pos;
  while (i < end && str[i] >= '0' && str[i] <= '9') i++;
  const num = str.slice(pos, i) || '0';
  pos = i;
  let denom = '';
  if (pos < end && str[pos] === '.') {
    pos++;
    i = pos;
    while (i < end && str[i] >= '0' && str[i] <= '9') i++;
    denom = str.slice(pos, i);
    pos = i;
  }
  const suffixStart = pos;
  while (pos < end && 'eEinumkKMGTP'.includes(str[pos])) pos++;
  if (pos < end && (str[pos] === '-' || str[pos] === '+')) pos++;
  while (pos < end && str[pos] >= '0' && str[pos] <= '9') pos++;
  if (pos < end) throw new QuantityError(QUANTITY_FORMAT_ERROR);
  return { negative, num, denom, suffix: str.slice(suffixStart) };
}

/** Parses a Quantity (a JSON string or number); throws QuantityError with upstream's message when invalid. */
export function parseQuantity(input: string | number): ParsedQuantity {
  const str = typeof input === 'number' ? numberText(input) : input;
  if (str.length === 0) throw new QuantityError(QUANTITY_FORMAT_ERROR);
  if (str === '0') return { nanos: 0n, format: 'DecimalSI' };
  const { negative, num, denom, suffix } = split(str);
  let format: Format;
  let base: 10 | 2;
  let exponent: number;
  if (suffix in DECIMAL_SUFFIXES) { format = 'DecimalSI'; base = 10; exponent = DECIMAL_SUFFIXES[suffix]; }
  else if (suffix in BINARY_SUFFIXES) { format = 'BinarySI'; base = 2; exponent = BINARY_SUFFIXES[suffix]; }
  else if (/^[eE][-+]?[0-9]+$/.test(suffix)) { format = 'DecimalExponent'; base = 10; exponent = Number(suffix.slice(1)); }
  else throw new QuantityError(QUANTITY_SUFFIX_ERROR);

  // value = digits / 10^scale (× 10^exponent or × 2^exponent), in nanos rounded up.
  let numerator = BigInt(num + denom);
  let scale = denom.length - 9; // numerator / 10^scale is the value in nanos
  if (base === 10) scale -= exponent;
  else numerator <<= BigInt(exponent);
  let nanos: bigint;
  if (scale <= 0) nanos = numerator * 10n ** BigInt(-scale);
  else {
    const div = 10n ** BigInt(scale);
    nanos = numerator / div;
    if (numerator % div !== 0n) nanos += 1n;
  }
  if (format === 'BinarySI' && nanos > 0n && nanos < 1_000_000_000n) format = 'DecimalSI';
  return { nanos: negative ? -nanos : nanos, format };
}

/** Go's strconv formatting of a JSON number as the decoder hands it to Quantity (its literal text). */
function numberText(n: number): string {
  if (!Number.isFinite(n)) throw new QuantityError(QUANTITY_FORMAT_ERROR);
  return String(n).replace('e+', 'e');
}

/** The canonical string of a parsed quantity (upstream's Quantity.String()). */
export function formatQuantity(q: ParsedQuantity): string {
  if (q.nanos === 0n) return '0';
  const negative = q.nanos < 0n;
  const magnitude = negative ? -q.nanos : q.nanos;
  const sign = negative ? '-' : '';
  let format = q.format;
  if (format === 'BinarySI' && (magnitude < 1024n * 1_000_000_000n || magnitude % 1_000_000_000n !== 0n)) format = 'DecimalSI';
  if (format === 'BinarySI') {
    let amount = magnitude / 1_000_000_000n;
    let power = 0;
    while (amount % 1024n === 0n && power < BINARY_BY_POWER.length - 1) { amount /= 1024n; power++; }
    return sign + amount.toString() + BINARY_BY_POWER[power];
  }
  let amount = magnitude;
  let exponent = -9;
  while (amount % 10n === 0n) { amount /= 10n; exponent++; }
  const rem = ((exponent % 3) + 3) % 3;
  if (rem !== 0) { amount *= 10n ** BigInt(rem); exponent -= rem; }
  if (format === 'DecimalExponent') return sign + amount.toString() + (exponent === 0 ? '' : 'e' + exponent);
  if (exponent > 18) { amount *= 10n ** BigInt(exponent - 18); exponent = 18; }
  return sign + amount.toString() + DECIMAL_BY_EXPONENT[exponent];
}

/** The canonical form of a Quantity given as a JSON string or number; throws QuantityError when invalid. */
export function canonicalQuantity(input: unknown): string {
  if (typeof input !== 'string' && typeof input !== 'number') throw new QuantityError(QUANTITY_FORMAT_ERROR);
  return formatQuantity(parseQuantity(input));
}

// ---- arithmetic on stored quantities (the scheduler's fit checks, the kubelet's Downward API and cgroup values,
// QoS classes, autoscaling): objects in the store hold valid quantities, so these answer 0/NaN rather than throw.

const parsedNanos = new Map<string, bigint | null>();

/** The exact value in nanos, memoized per string (pods of one template repeat the same few); null when invalid. */
function nanosOf(q: unknown): bigint | null {
  if (typeof q === 'number') { try { return parseQuantity(q).nanos; } catch { return null; } }
  if (typeof q !== 'string') return null;
  let n = parsedNanos.get(q);
  if (n === undefined) {
    try { n = parseQuantity(q).nanos; } catch { n = null; }
    if (parsedNanos.size < 10_000) parsedNanos.set(q, n);
  }
  return n;
}

/** Integer division rounding up (toward +∞), as Quantity.Value() and MilliValue() round. */
function ceilDiv(n: bigint, d: bigint): number {
  const q = n / d;
  return Number(n > 0n && n % d !== 0n ? q + 1n : q);
}

/** A Quantity as a float of base units ("500m" → 0.5, "128Mi" → 134217728); NaN when absent or invalid. */
export function quantityNumber(q: unknown): number {
  const n = nanosOf(q);
  return n === null ? NaN : Number(n) / 1e9;
}

/** Quantity.MilliValue(): "100m" → 100, "2" → 2000, "0.1m" → 1 (rounded up); 0 when absent or invalid. */
export function milliValue(q: unknown): number {
  const n = nanosOf(q);
  return n === null ? 0 : ceilDiv(n, 1_000_000n);
}

/** Quantity.Value(): "128Mi" → 134217728, "1500m" → 2 (rounded up); 0 when absent or invalid. */
export function value(q: unknown): number {
  const n = nanosOf(q);
  return n === null ? 0 : ceilDiv(n, 1_000_000_000n);
}
