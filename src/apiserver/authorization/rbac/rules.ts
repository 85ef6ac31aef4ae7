// How one RBAC PolicyRule matches a request, word for word with upstream's rbac/v1 helpers (RuleAllows,
// VerbMatches, APIGroupMatches, ResourceMatches with "*/subresource", ResourceNameMatches, NonResourceURLMatches).
import type { UserInfo } from '../../../api/transport.js';
import type { AuthorizationAttributes } from '../authorizer.js';

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface Subject { kind: string; apiGroup?: string; name: string; namespace?: string }
export interface RoleRef { apiGroup: string; kind: string; name: string }

export const verbMatches = (r: PolicyRule, verb: string) => r.verbs.some((v) => v === '*' || v === verb);
export const apiGroupMatches = (r: PolicyRule, group: string) => (r.apiGroups ?? []).some((g) => g === '*' || g === group);

export function resourceMatches(r: PolicyRule, combined: string, subresource: string | undefined): boolean {
  for (const res of r.resources ?? []) {
    if (res === '*' || res === combined) return true;
    if (!subresource) continue;
    if (res.length === subresource.length + 2 && res.startsWith('*/') && res.endsWith(subresource)) return true;
  }
  return false;
}

export const resourceNameMatches = (r: PolicyRule, name: string | undefined) =>
  !r.resourceNames || r.resourceNames.length === 0 || (name !== undefined && r.resourceNames.includes(name));

export function nonResourceURLMatches(r: PolicyRule, path: string): boolean {
  for (const u of r.nonResourceURLs ?? []) {
    if (u === '*' || u === path) return true;
    if (u.endsWith('*') && path.startsWith(u.slice(0, -1))) return true;
  }
  return false;
}

export function ruleAllows(a: AuthorizationAttributes, r: PolicyRule): boolean {
  if (a.resourceRequest) {
    const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource ?? '';
    return verbMatches(r, a.verb) && apiGroupMatches(r, a.apiGroup ?? '') && resourceMatches(r, combined, a.subresource) && resourceNameMatches(r, a.name);
  }
  return verbMatches(r, a.verb) && nonResourceURLMatches(r, a.path ?? '');
}

export const serviceAccountUsername = (namespace: string, name: string) => `system:serviceaccount:${namespace}:${name}`;

/** upstream appliesToUser: a User by name, a Group by membership, a ServiceAccount by its username. */
export function subjectApplies(user: UserInfo, s: Subject, bindingNamespace: string): boolean {
  switch (s.kind) {
    case 'User': return user.username === s.name;
    case 'Group': return user.groups.includes(s.name);
    case 'ServiceAccount': return user.username === serviceAccountUsername(s.namespace || bindingNamespace, s.name);
    default: return false;
  }
}

/** `rule` is covered by one of `owned` (upstream's validation.Covers, rule by rule after breaking down into atoms). */
export function covers(owned: PolicyRule[], requested: PolicyRule[]): { ok: boolean; missing: PolicyRule[] } {
  const missing: PolicyRule[] = [];
  for (const req of requested) for (const atom of breakdown(req)) if (!owned.some((o) => ruleCovers(o, atom))) missing.push(atom);
  return { ok: missing.length === 0, missing };
}

/** One rule per (group, resource, name, verb) or (url, verb): upstream's BreakdownRule. */
function breakdown(r: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const g of r.apiGroups ?? []) for (const res of r.resources ?? []) for (const v of r.verbs) {
    if (r.resourceNames?.length) for (const n of r.resourceNames) out.push({ apiGroups: [g], resources: [res], verbs: [v], resourceNames: [n] });
    else out.push({ apiGroups: [g], resources: [res], verbs: [v] });
  }
  for (const u of r.nonResourceURLs ?? []) for (const v of r.verbs) out.push({ nonResourceURLs: [u], verbs: [v] });
  return out;
}

const has = (list: string[] | undefined, x: string) => (list ?? []).includes('*') || (list ?? []).includes(x);

/** upstream ruleCovers: owner covers an atom rule. */
function ruleCovers(owner: PolicyRule, atom: PolicyRule): boolean {
  if (!atom.verbs.every((v) => has(owner.verbs, v))) return false;
  if (atom.nonResourceURLs?.length) {
    return atom.nonResourceURLs.every((u) => (owner.nonResourceURLs ?? []).some((o) => o === '*' || o === u || (o.endsWith('*') && u.startsWith(o.slice(0, -1)))));
  }
  if (!(atom.apiGroups ?? []).every((g) => has(owner.apiGroups, g))) return false;
  const resOk = (atom.resources ?? []).every((res) => {
    if (has(owner.resources, res)) return true;
    const i = res.indexOf('/');
    return i >= 0 && (owner.resources ?? []).includes(`*${res.slice(i)}`);
  });
  if (!resOk) return false;
  if (!owner.resourceNames?.length) return true;
  return (atom.resourceNames ?? []).length > 0 && atom.resourceNames!.every((n) => owner.resourceNames!.includes(n));
}
