// metav1.LabelSelector: validation (ValidateLabelSelector), matching, and the string forms upstream prints
// (labels.Selector.String(), metav1.FormatLabelSelector, labels.FormatLabels).
import { FieldError } from '../errors.js';
import { validateLabels } from './object-meta.js';
import { isQualifiedName, isValidLabelValue } from './names.js';

export interface LabelSelectorRequirement { key: string; operator: string; values?: string[] }
export interface LabelSelector { matchLabels?: Record<string, string>; matchExpressions?: LabelSelectorRequirement[] }

export function validateLabelSelector(sel: LabelSelector | undefined | null, path: string): FieldError[] {
  if (sel == null) return [];
  const errs = validateLabels(sel.matchLabels, `${path}.matchLabels`);
  (sel.matchExpressions ?? []).forEach((r, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    const values = r.values ?? [];
    switch (r.operator) {
      case 'In': case 'NotIn':
        if (values.length === 0) errs.push(FieldError.required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists': case 'DoesNotExist':
        if (values.length > 0) errs.push(FieldError.forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(FieldError.invalid(`${p}.operator`, r.operator ?? '', 'not a valid selector operator'));
    }
    for (const m of isQualifiedName(r.key ?? '')) errs.push(FieldError.invalid(`${p}.key`, r.key ?? '', m));
    values.forEach((v, j) => { for (const m of isValidLabelValue(v)) errs.push(FieldError.invalid(`${p}.values[${j}]`, v, m)); });
  });
  return errs;
}

/** True when the selector has no requirements (it then matches everything, as LabelSelectorAsSelector does). */
export const isEmptySelector = (sel: LabelSelector | undefined | null) =>
  sel != null && Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0;

/** Whether labels satisfy the selector. A null selector matches nothing; an empty one matches everything. */
export function selectorMatches(sel: LabelSelector | undefined | null, labels: Record<string, string> | undefined): boolean {
  if (sel == null) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const r of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const vals = r.values ?? [];
    switch (r.operator) {
      case 'In': if (!has || !vals.includes(l[r.key])) return false; break;
      case 'NotIn': if (has && vals.includes(l[r.key])) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

/** labels.Selector.String() of LabelSelectorAsSelector(sel): requirements sorted by key; "" when empty or null. */
export function selectorString(sel: LabelSelector | undefined | null): string {
  if (sel == null) return '';
  const reqs: { key: string; text: string }[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push({ key: k, text: `${k}=${v}` });
  for (const r of sel.matchExpressions ?? []) {
    const vals = [...new Set(r.values ?? [])].sort().join(',');
    const text = r.operator === 'In' ? `${r.key} in (${vals})` : r.operator === 'NotIn' ? `${r.key} notin (${vals})`
      : r.operator === 'Exists' ? r.key : r.operator === 'DoesNotExist' ? `!${r.key}` : `${r.key} ${r.operator}`;
    reqs.push({ key: r.key, text });
  }
  // sort.Sort(ByKey) is not stable; keys are unique in practice.
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return reqs.map((r) => r.text).join(',');
}

/** metav1.FormatLabelSelector: like selectorString but "<none>" when empty. */
export function formatLabelSelector(sel: LabelSelector | undefined | null): string {
  const s = selectorString(sel);
  return s.length === 0 ? '<none>' : s;
}

/** labels.FormatLabels: "k=v,k2=v2" sorted by key; "<none>" when empty. */
export function formatLabels(labels: Record<string, string> | undefined | null): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length === 0 ? '<none>' : keys.map((k) => `${k}=${labels![k]}`).join(',');
}
