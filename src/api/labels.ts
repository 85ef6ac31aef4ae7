// Label and field selectors, as k8s.io/apimachinery/pkg/labels and pkg/fields parse and match them.
import { badRequest } from './errors.js';

export type Requirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: '=' | '!='; values: [string] }
  | { key: string; op: 'exists' | '!' ; values: [] }
  | { key: string; op: 'gt' | 'lt'; values: [string] };

export interface Selector { requirements: Requirement[]; matches(labels: Record<string, string> | undefined): boolean; empty: boolean; toString(): string }

function makeSelector(reqs: Requirement[]): Selector {
  return {
    requirements: reqs,
    empty: reqs.length === 0,
    matches(labels) {
      const l = labels ?? {};
      for (const r of reqs) {
        const has = Object.prototype.hasOwnProperty.call(l, r.key);
        const v = l[r.key];
        switch (r.op) {
          case '=': if (!has || v !== r.values[0]) return false; break;
          case '!=': if (has && v === r.values[0]) return false; break;
          case 'in': if (!has || !r.values.includes(v)) return false; break;
          case 'notin': if (has && r.values.includes(v)) return false; break;
          case 'exists': if (!has) return false; break;
          case '!': if (has) return false; break;
          case 'gt': if (!has || !(Number(v) > Number(r.values[0]))) return false; break;
          case 'lt': if (!has || !(Number(v) < Number(r.values[0]))) return false; break;
        }
      }
      return true;
    },
    toString() {
      return reqs.map((r) => {
        switch (r.op) {
          case '=': return `${r.key}=${r.values[0]}`;
          case '!=': return `${r.key}!=${r.values[0]}`;
          case 'in': return `${r.key} in (${r.values.join(',')})`;
          case 'notin': return `${r.key} notin (${r.values.join(',')})`;
          case 'exists': return r.key;
          case '!': return `!${r.key}`;
          case 'gt': return `${r.key}>${r.values[0]}`;
          case 'lt': return `${r.key}<${r.values[0]}`;
        }
      }).join(',');
    },
  };
}

export const everything: Selector = makeSelector([]);

/** Parses the string form used in ?labelSelector= (e.g. "app=flask,tier in (web,api),!canary"). */
export function parseLabelSelector(s: string | null | undefined): Selector {
  if (!s || !s.trim()) return everything;
  const reqs: Requirement[] = [];
  let i = 0;
  const src = s;
  const ws = () => { while (i < src.length && src[i] === ' ') i++; };
  const ident = () => {
    ws();
    const start = i;
    while (i < src.length && !' ,=!()<>'.includes(src[i])) i++;
    return src.slice(start, i);
  };
  const fail = (why: string): never => { throw badRequest(`unable to parse requirement: ${why} in label selector "${s}"`); };
  while (i < src.length) {
    ws();
    if (src[i] === '!') { i++; const key = ident(); if (!key) fail('missing key after "!"'); reqs.push({ key, op: '!', values: [] }); }
    else {
      const key = ident();
      if (!key) fail('missing key');
      ws();
      const rest = src.slice(i);
      if (i >= src.length || src[i] === ',') reqs.push({ key, op: 'exists', values: [] });
      else if (rest.startsWith('==')) { i += 2; reqs.push({ key, op: '=', values: [ident()] }); }
      else if (rest.startsWith('!=')) { i += 2; reqs.push({ key, op: '!=', values: [ident()] }); }
      else if (rest.startsWith('=')) { i += 1; reqs.push({ key, op: '=', values: [ident()] }); }
      else if (rest.startsWith('>')) { i += 1; reqs.push({ key, op: 'gt', values: [ident()] }); }
      else if (rest.startsWith('<')) { i += 1; reqs.push({ key, op: 'lt', values: [ident()] }); }
      else {
        const m = /^(in|notin)\s*\(/.exec(rest);
        if (!m) fail(`found '${rest[0]}', expected: in, notin, =, ==, !=, gt, lt`);
        i += m![0].length;
        const close = src.indexOf(')', i);
        if (close < 0) fail('missing ")"');
        const values = src.slice(i, close).split(',').map((v) => v.trim()).filter((v) => v !== '');
        i = close + 1;
        reqs.push({ key, op: m![1] as 'in' | 'notin', values });
      }
    }
    ws();
    if (i < src.length) { if (src[i] !== ',') fail(`unexpected "${src[i]}"`); i++; }
  }
  return makeSelector(reqs);
}

export interface LabelSelectorSpec {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** metav1.LabelSelectorAsSelector: nil selector matches nothing, empty matches everything. */
export function selectorFromSpec(spec: LabelSelectorSpec | null | undefined): Selector {
  if (!spec) return makeSelector([{ key: '\u0000never', op: 'exists', values: [] }]);
  const reqs: Requirement[] = [];
  for (const [k, v] of Object.entries(spec.matchLabels ?? {})) reqs.push({ key: k, op: '=', values: [v] });
  for (const e of spec.matchExpressions ?? []) {
    switch (e.operator) {
      case 'In': reqs.push({ key: e.key, op: 'in', values: e.values ?? [] }); break;
      case 'NotIn': reqs.push({ key: e.key, op: 'notin', values: e.values ?? [] }); break;
      case 'Exists': reqs.push({ key: e.key, op: 'exists', values: [] }); break;
      case 'DoesNotExist': reqs.push({ key: e.key, op: '!', values: [] }); break;
      default: throw badRequest(`"${e.operator}" is not a valid label selector operator`);
    }
  }
  return makeSelector(reqs);
}

/** The string form of a LabelSelector as kubectl and Scale.status.selector show it. */
export function formatLabelSelector(spec: LabelSelectorSpec | null | undefined): string {
  if (!spec) return '<none>';
  const s = selectorFromSpec(spec).toString();
  return s === '' ? '<none>' : s;
}

export interface FieldRequirement { field: string; op: '=' | '!='; value: string }

/** Parses ?fieldSelector= ("metadata.name=x,status.phase!=Running"); terms may come in any order. */
export function parseFieldSelector(s: string | null | undefined): FieldRequirement[] {
  if (!s || !s.trim()) return [];
  const out: FieldRequirement[] = [];
  for (const term of s.split(',')) {
    if (!term) continue;
    const m = /^([^=!]+)(==|!=|=)(.*)$/.exec(term.trim());
    if (!m) throw badRequest(`invalid selector: '${s}'; can't understand '${term}'`);
    out.push({ field: m[1].trim(), op: m[2] === '!=' ? '!=' : '=', value: m[3].trim() });
  }
  return out;
}
