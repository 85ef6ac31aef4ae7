// Upstream prints a field error's bad value with Go's fmt: strings quoted, numbers bare, Stringers via
// String(), anything else as Go syntax (%#v), e.g. `map[string]string{"app":"web"}`. FieldError (api/errors.ts)
// prints values as JSON, which matches for strings and numbers; for the other cases we hand it the exact text.
import { FieldError } from '../errors.js';

/** A FieldError whose value is printed verbatim (already formatted the way Go prints it). */
export class RawValueFieldError extends FieldError {
  constructor(type: FieldError['type'], field: string, readonly rawValue: string, detail: string) {
    super(type, field, rawValue, detail);
  }
  override detailMessage(): string {
    const head = { FieldValueInvalid: 'Invalid value', FieldValueDuplicate: 'Duplicate value', FieldValueNotSupported: 'Unsupported value' }[this.type as string] ?? 'Invalid value';
    return `${head}: ${this.rawValue}${this.detail ? ': ' + this.detail : ''}`;
  }
}
export const invalidRaw = (field: string, rawValue: string, detail: string) =>
  new RawValueFieldError('FieldValueInvalid', field, rawValue, detail);

const q = (s: string) => JSON.stringify(s);

/** Go's %#v of a map[string]string (keys sorted, as fmt prints maps). */
export function goStringMap(m: Record<string, string> | undefined | null): string {
  if (m == null) return 'map[string]string(nil)';
  return 'map[string]string{' + Object.keys(m).sort().map((k) => `${q(k)}:${q(String(m[k]))}`).join(', ') + '}';
}
/** Go's %#v of a []string. */
export function goStringSlice(s: string[] | undefined | null): string {
  if (s == null) return '[]string(nil)';
  return '[]string{' + s.map((v) => q(String(v))).join(', ') + '}';
}

/** Go's %#v of a metav1.LabelSelector value (what "field is immutable" errors on selectors print). */
export function goLabelSelector(sel: any): string {
  if (sel == null) return 'null';
  const exprs = sel.matchExpressions == null
    ? '[]v1.LabelSelectorRequirement(nil)'
    : '[]v1.LabelSelectorRequirement{' + (sel.matchExpressions as any[]).map((r) =>
      `v1.LabelSelectorRequirement{Key:${q(r.key ?? '')}, Operator:${q(r.operator ?? '')}, Values:${goStringSlice(r.values)}}`).join(', ') + '}';
  return `v1.LabelSelector{MatchLabels:${goStringMap(sel.matchLabels)}, MatchExpressions:${exprs}}`;
}

/** Go's %#v of an intstr.IntOrString value (its String() has a pointer receiver, so fmt never calls it). */
export function goIntOrString(v: unknown): string {
  if (typeof v === 'string') return `intstr.IntOrString{Type:1, IntVal:0, StrVal:${JSON.stringify(v)}}`;
  return `intstr.IntOrString{Type:0, IntVal:${typeof v === 'number' ? v : 0}, StrVal:""}`;
}

/** field.TooLong as upstream prints it: the value is never shown. */
export class TooLongFieldError extends FieldError {
  constructor(field: string, readonly maxBytes: number) {
    super('FieldValueTooLong', field, undefined, `may not be more than ${maxBytes} ${maxBytes === 1 ? 'byte' : 'bytes'}`);
  }
  override detailMessage(): string { return `Too long: ${this.detail}`; }
}

/**
 * apimachinery's Semantic.DeepEqual for JSON values: like a structural compare, except that an absent
 * (undefined/null) list or map equals an empty one, as nil and empty slices/maps compare equal there.
 */
export function semanticEqual(a: unknown, b: unknown): boolean {
  const emptyish = (v: unknown) => v == null || (Array.isArray(v) && v.length === 0) ||
    (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0);
  if (a === b) return true;
  if (a == null || b == null) return emptyish(a) && emptyish(b) && (a == null ? typeof b === 'object' : typeof a === 'object');
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => semanticEqual(v, b[i]));
  }
  if (typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
    for (const k of keys) if (!semanticEqual((a as any)[k], (b as any)[k])) return false;
    return true;
  }
  return false;
}

/** field.NotFound ("Not found: <value>"), which api/errors.ts's FieldError has no constructor for. */
export class NotFoundFieldError extends FieldError {
  constructor(field: string, value: unknown) {
    super('FieldValueNotFound' as FieldError['type'], field, value, '');
  }
  override detailMessage(): string { return `Not found: ${JSON.stringify(this.value ?? null)}`; }
}
