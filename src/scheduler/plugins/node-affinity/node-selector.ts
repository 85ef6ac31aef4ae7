// Node selector terms (spec.affinity.nodeAffinity), compiled once per pod into matchers, as upstream's
// nodeaffinity.NodeSelector: terms are ORed; within a term, matchExpressions (labels) and matchFields
// (only metadata.name) are ANDed; a term with neither matches nothing.
import type { NodeSelectorRequirement, NodeSelectorTerm } from 'kubernetes-types/core/v1.js';
import type { NodeInfo } from '../../framework/node-info.js';

export type NodeMatcher = (node: NodeInfo) => boolean;

const INT = /^[+-]?\d+$/;

function requirement(r: NodeSelectorRequirement, get: (n: NodeInfo) => string | undefined): NodeMatcher {
  const values = r.values ?? [];
  const set = new Set(values);
  switch (r.operator) {
    case 'In': return (n) => { const v = get(n); return v !== undefined && set.has(v); };
    case 'NotIn': return (n) => { const v = get(n); return v === undefined || !set.has(v); };
    case 'Exists': return (n) => get(n) !== undefined;
    case 'DoesNotExist': return (n) => get(n) === undefined;
    case 'Gt': case 'Lt': {
      if (values.length !== 1 || !INT.test(values[0])) return () => false;
      const bound = Number(values[0]);
      const gt = r.operator === 'Gt';
      return (n) => {
        const v = get(n);
        if (v === undefined || !INT.test(v)) return false;
        return gt ? Number(v) > bound : Number(v) < bound;
      };
    }
    default: return () => false;
  }
}

const labelOf = (key: string) => (n: NodeInfo) => {
  const l = n.labels;
  return Object.prototype.hasOwnProperty.call(l, key) ? l[key] : undefined;
};
const nameOf = (n: NodeInfo) => n.name;

export function compileTerm(term: NodeSelectorTerm): NodeMatcher {
  const parts: NodeMatcher[] = [];
  for (const r of term.matchExpressions ?? []) parts.push(requirement(r, labelOf(r.key)));
  for (const f of term.matchFields ?? []) {
    // Upstream accepts only metadata.name, with In/NotIn.
    if (f.key !== 'metadata.name' || (f.operator !== 'In' && f.operator !== 'NotIn')) return () => false;
    parts.push(requirement(f, nameOf));
  }
  if (parts.length === 0) return () => false;
  return (n) => { for (const p of parts) if (!p(n)) return false; return true; };
}

export function compileTerms(terms: readonly NodeSelectorTerm[]): NodeMatcher {
  const ms = terms.map(compileTerm);
  return (n) => { for (const m of ms) if (m(n)) return true; return false; };
}
