// Which FlowSchema a request belongs to (upstream's rule.go), with each FlowSchema's rules compiled once when the
// configuration changes into sets and flags, so classifying a request is a few set lookups per schema rather than
// a walk over its rule lists.
import type { KubeObject } from '../../api/object.js';
import type { UserInfo } from '../../api/transport.js';

/** What APF sees of a request (upstream's RequestDigest: RequestInfo + user). */
export interface RequestDigest {
  user: UserInfo;
  /** Resource requests: the parsed path. */
  resource?: { verb: string; group: string; resource: string; subresource?: string; namespace?: string };
  /** Non-resource requests: the lower-case method and the path. */
  nonResource?: { verb: string; path: string };
}

/** A set that is either everything ('*') or these values. */
interface Match { all: boolean; values: Set<string> }
const compileList = (xs: unknown, wildcard = '*'): Match => {
  const list = Array.isArray(xs) ? xs.map(String) : [];
  return { all: list.length === 1 && list[0] === wildcard, values: new Set(list) };
};
const has = (m: Match, v: string) => m.all || m.values.has(v);

interface CompiledResourceRule { verbs: Match; groups: Match; resources: Match; namespaces: Match; clusterScope: boolean }
interface CompiledNonResourceRule { verbs: Match; all: boolean; exact: Set<string>; prefixes: string[] }
interface CompiledRule {
  users: Set<string>; allUsers: boolean;
  groups: Set<string>; allGroups: boolean;
  /** Service accounts: namespace → names ('*' for all in it). */
  serviceAccounts: Map<string, Set<string>>;
  resourceRules: CompiledResourceRule[];
  nonResourceRules: CompiledNonResourceRule[];
}

export interface CompiledFlowSchema {
  object: KubeObject;
  name: string;
  uid: string;
  priorityLevel: string;
  distinguisher?: 'ByUser' | 'ByNamespace';
  rules: CompiledRule[];
}

const SA_PREFIX = 'system:serviceaccount:';

export function compileFlowSchema(fs: KubeObject): CompiledFlowSchema {
  const spec = fs.spec ?? {};
  const rules: CompiledRule[] = (Array.isArray(spec.rules) ? spec.rules : []).map((r: any) => {
    const c: CompiledRule = { users: new Set(), allUsers: false, groups: new Set(), allGroups: false, serviceAccounts: new Map(), resourceRules: [], nonResourceRules: [] };
    for (const s of Array.isArray(r?.subjects) ? r.subjects : []) {
      if (s?.kind === 'User' && s.user?.name) { if (s.user.name === '*') c.allUsers = true; else c.users.add(s.user.name); }
      else if (s?.kind === 'Group' && s.group?.name) { if (s.group.name === '*') c.allGroups = true; else c.groups.add(s.group.name); }
      else if (s?.kind === 'ServiceAccount' && s.serviceAccount?.namespace && s.serviceAccount?.name) {
        let names = c.serviceAccounts.get(s.serviceAccount.namespace);
        if (!names) c.serviceAccounts.set(s.serviceAccount.namespace, names = new Set());
        names.add(s.serviceAccount.name);
      }
    }
    for (const rr of Array.isArray(r?.resourceRules) ? r.resourceRules : []) {
      c.resourceRules.push({ verbs: compileList(rr?.verbs), groups: compileList(rr?.apiGroups), resources: compileList(rr?.resources), namespaces: compileList(rr?.namespaces), clusterScope: rr?.clusterScope === true });
    }
    for (const nr of Array.isArray(r?.nonResourceRules) ? r.nonResourceRules : []) {
      const urls: string[] = Array.isArray(nr?.nonResourceURLs) ? nr.nonResourceURLs.map(String) : [];
      const prefixes = urls.map((u) => { const p = u.endsWith('*') ? u.slice(0, -1) : u; return p.endsWith('/') ? p : `${p}/`; });
      c.nonResourceRules.push({ verbs: compileList(nr?.verbs), all: urls.includes('*'), exact: new Set(urls), prefixes });
    }
    return c;
  });
  const dm = spec.distinguisherMethod?.type;
  return {
    object: fs, name: fs.metadata.name!, uid: fs.metadata.uid ?? '', priorityLevel: spec.priorityLevelConfiguration?.name ?? '',
    distinguisher: dm === 'ByUser' || dm === 'ByNamespace' ? dm : undefined, rules,
  };
}

function matchesSubject(user: UserInfo, r: CompiledRule): boolean {
  if (r.allUsers || r.users.has(user.username)) return true;
  if (r.allGroups) return true;
  if (r.groups.size) for (const g of user.groups) if (r.groups.has(g)) return true;
  if (r.serviceAccounts.size && user.username.startsWith(SA_PREFIX)) {
    const rest = user.username.slice(SA_PREFIX.length);
    const i = rest.indexOf(':');
    if (i > 0) {
      const names = r.serviceAccounts.get(rest.slice(0, i));
      if (names && (names.has('*') || names.has(rest.slice(i + 1)))) return true;
    }
  }
  return false;
}

function matchesRule(d: RequestDigest, r: CompiledRule): boolean {
  return matchesSubject(d.user, r) && matchesRequest(d, r);
}

function matchesRequest(d: RequestDigest, r: CompiledRule): boolean {
  if (d.resource) {
    const ri = d.resource;
    const res = ri.subresource ? `${ri.resource}/${ri.subresource}` : ri.resource;
    for (const rr of r.resourceRules) {
      if (!has(rr.verbs, ri.verb) || !has(rr.resources, res) || !has(rr.groups, ri.group)) continue;
      if (!ri.namespace ? rr.clusterScope : has(rr.namespaces, ri.namespace)) return true;
    }
    return false;
  }
  const nr = d.nonResource!;
  for (const rule of r.nonResourceRules) {
    if (!has(rule.verbs, nr.verb)) continue;
    if (rule.all || rule.exact.has(nr.path)) return true;
    for (const p of rule.prefixes) if (nr.path.startsWith(p)) return true;
  }
  return false;
}

/** The first schema (in matching order) whose rules match, or undefined. */
export function classify(d: RequestDigest, schemas: readonly CompiledFlowSchema[]): CompiledFlowSchema | undefined {
  for (const fs of schemas) for (const r of fs.rules) if (matchesRule(d, r)) return fs;
  return undefined;
}

/**
 * The schemas (in matching order) with a rule whose subjects match `user`, each with those rules only: a user's
 * requests are classified among these, so the subject checks run once per user and configuration.
 */
export function candidatesFor(user: UserInfo, schemas: readonly CompiledFlowSchema[]): CompiledFlowSchema[] {
  const out: CompiledFlowSchema[] = [];
  for (const fs of schemas) {
    const rules = fs.rules.filter((r) => matchesSubject(user, r));
    if (rules.length) out.push(rules.length === fs.rules.length ? fs : { ...fs, rules });
  }
  return out;
}

/** classify over candidatesFor(d.user, ...): the subjects are known to match. */
export function classifyCandidates(d: RequestDigest, candidates: readonly CompiledFlowSchema[]): CompiledFlowSchema | undefined {
  for (const fs of candidates) for (const r of fs.rules) if (matchesRequest(d, r)) return fs;
  return undefined;
}

/** The flow within a schema: the user's name, the request's namespace, or one flow for all. */
export function flowDistinguisher(d: RequestDigest, fs: CompiledFlowSchema): string {
  if (fs.distinguisher === 'ByUser') return d.user.username;
  if (fs.distinguisher === 'ByNamespace') return d.resource?.namespace ?? '';
  return '';
}

/** Upstream's FlowSchemaSequence order: matchingPrecedence, then name. */
export function matchingOrder(a: KubeObject, b: KubeObject): number {
  const pa = a.spec?.matchingPrecedence ?? 0, pb = b.spec?.matchingPrecedence ?? 0;
  if (pa !== pb) return pa - pb;
  const na = a.metadata.name ?? '', nb = b.metadata.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}
