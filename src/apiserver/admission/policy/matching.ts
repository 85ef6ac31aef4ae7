// Whether a request falls under a policy's matchConstraints or a binding's matchResources (upstream
// k8s.io/apiserver/pkg/admission/plugin/policy/matching and webhook/predicates/rules): namespaceSelector,
// objectSelector, excludeResourceRules, then resourceRules (operations, apiGroups, apiVersions, resources with
// "res/sub" and "*" forms, scope, resourceNames). matchPolicy Equivalent also matches the request through other
// served versions of the same group and resource (nanokube converts no objects: the policy sees the object in the
// version it was sent in, while request.kind names that version).
import type { KubeObject } from '../../../api/object.js';
import { selectorMatches, type LabelSelector } from '../../../api/validation/index.js';

export interface NamedRuleWithOperations {
  operations?: string[]; apiGroups?: string[]; apiVersions?: string[]; resources?: string[]; scope?: string; resourceNames?: string[];
}
export interface MatchResources {
  namespaceSelector?: LabelSelector; objectSelector?: LabelSelector;
  resourceRules?: NamedRuleWithOperations[]; excludeResourceRules?: NamedRuleWithOperations[]; matchPolicy?: string;
}

/** The request as matching sees it. */
export interface MatchRequest {
  operation: string;
  group: string; version: string; resource: string; subresource: string;
  /** Empty for cluster-scoped objects. For namespaces themselves, the namespace's own name (as upstream). */
  namespace: string;
  name: string;
  object?: KubeObject; oldObject?: KubeObject;
  /** Other versions the same group/resource is served in (for matchPolicy Equivalent). */
  equivalentVersions?: string[];
  /** Labels of the request's namespace (undefined: cluster-scoped or not found). */
  namespaceLabels?: Record<string, string>;
}

const has = (list: string[] | undefined, v: string) => !!list && (list.includes('*') || list.includes(v));

function ruleMatches(rule: NamedRuleWithOperations, r: MatchRequest, version: string): boolean {
  if (!has(rule.operations, r.operation) || !has(rule.apiGroups, r.group) || !has(rule.apiVersions, version)) return false;
  const resourceOk = (rule.resources ?? []).some((rs) => {
    const i = rs.indexOf('/');
    const res = i < 0 ? rs : rs.slice(0, i);
    const sub = i < 0 ? '' : rs.slice(i + 1);
    return (res === '*' || res === r.resource) && (sub === '*' || sub === r.subresource);
  });
  if (!resourceOk) return false;
  const isNamespace = r.group === '' && r.resource === 'namespaces';
  switch (rule.scope ?? '*') {
    case 'Namespaced': if (isNamespace || !r.namespace) return false; break;
    case 'Cluster': if (!isNamespace && r.namespace) return false; break;
  }
  if (rule.resourceNames?.length && !rule.resourceNames.includes(r.name)) return false;
  return true;
}

function rulesMatch(rules: NamedRuleWithOperations[] | undefined, matchPolicy: string | undefined, r: MatchRequest): boolean {
  for (const rule of rules ?? []) {
    if (ruleMatches(rule, r, r.version)) return true;
    if (matchPolicy !== 'Exact' && (r.equivalentVersions ?? []).some((v) => v !== r.version && ruleMatches(rule, r, v))) return true;
  }
  return false;
}

function namespaceMatches(sel: LabelSelector | undefined, r: MatchRequest): boolean {
  const isNamespace = r.group === '' && r.resource === 'namespaces';
  if (!r.namespace && !isNamespace) return true; // cluster-scoped objects are never excluded by a namespace selector
  if (!sel || (!Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length)) return true;
  const labels = isNamespace ? (r.object ?? r.oldObject)?.metadata?.labels : r.namespaceLabels;
  return selectorMatches(sel, labels ?? {});
}

function objectMatches(sel: LabelSelector | undefined, r: MatchRequest): boolean {
  if (!sel || (!Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length)) return true;
  return [r.object, r.oldObject].some((o) => o != null && selectorMatches(sel, o.metadata?.labels ?? {}));
}

/**
 * Whether `r` falls under `m` (ignoreNamespaceSelector: all but the namespace selector, a cheap first look before the
 * namespace is read). `requireRules`: a policy's matchConstraints match nothing without resourceRules; a
 * binding's matchResources without resourceRules match whatever the policy matches.
 */
export function matches(m: MatchResources | undefined, r: MatchRequest, requireRules: boolean, opts: { ignoreNamespaceSelector?: boolean } = {}): boolean {
  if (!m) return !requireRules;
  if ((!opts.ignoreNamespaceSelector && !namespaceMatches(m.namespaceSelector, r)) || !objectMatches(m.objectSelector, r)) return false;
  if (rulesMatch(m.excludeResourceRules, m.matchPolicy, r)) return false;
  if (!m.resourceRules?.length) return !requireRules;
  return rulesMatch(m.resourceRules, m.matchPolicy, r);
}
