// The RBAC authorizer (upstream plugin/pkg/auth/authorizer/rbac): a request is allowed when a ClusterRoleBinding,
// or a RoleBinding in the request's namespace, binds a subject the user matches to a role with a rule that allows
// it. RBAC never denies: without a matching rule it has no opinion, and the chain answers Forbidden.
import type { UserInfo } from '../../../api/transport.js';
import { noOpinion, type AuthorizationAttributes, type AuthorizationResult, type Authorizer, type NonResourceRule, type ResourceRule, type RuleResolver } from '../authorizer.js';
import type { PolicyCache } from './policy-cache.js';
import { ruleAllows, subjectApplies, type PolicyRule, type RoleRef, type Subject } from './rules.js';
import type { KubeObject } from '../../../api/object.js';

/** Visits the rules that apply to `user` in `namespace` (cluster-wide ones first); stop by returning false. */
export function visitRulesFor(cache: PolicyCache, user: UserInfo, namespace: string | undefined,
  visit: (source: string, rule: PolicyRule) => boolean | void, onError?: (msg: string) => void): void {
  for (const b of cache.clusterRoleBindings()) {
    const subject = ((b.subjects ?? []) as Subject[]).find((s) => subjectApplies(user, s, ''));
    if (!subject) continue;
    const ref = b.roleRef as RoleRef;
    const role = ref?.kind === 'ClusterRole' ? cache.getClusterRole(ref.name) : undefined;
    if (!role) { onError?.(`clusterrole.rbac.authorization.k8s.io "${ref?.name}" not found`); continue; }
    const src = `ClusterRoleBinding "${b.metadata.name}" of ClusterRole "${ref.name}" to ${describeSubject(subject, '')}`;
    for (const r of (role.rules ?? []) as PolicyRule[]) if (visit(src, r) === false) return;
  }
  if (!namespace) return;
  for (const b of cache.roleBindings(namespace)) {
    const subject = ((b.subjects ?? []) as Subject[]).find((s) => subjectApplies(user, s, namespace));
    if (!subject) continue;
    const ref = b.roleRef as RoleRef;
    const role: KubeObject | undefined = ref?.kind === 'ClusterRole' ? cache.getClusterRole(ref.name) : ref?.kind === 'Role' ? cache.getRole(namespace, ref.name) : undefined;
    if (!role) { onError?.(`${ref?.kind === 'Role' ? 'role' : 'clusterrole'}.rbac.authorization.k8s.io "${ref?.name}" not found`); continue; }
    const src = `RoleBinding "${b.metadata.name}/${namespace}" of ${ref.kind} "${ref.name}" to ${describeSubject(subject, namespace)}`;
    for (const r of (role.rules ?? []) as PolicyRule[]) if (visit(src, r) === false) return;
  }
}

/** Decisions remembered per policy generation (any RBAC change forgets them all); bounded. */
const DECISION_CACHE_SIZE = 10_000;

/**
 * The decisions for one set of request attributes but the name: `any` when no rule with resourceNames was involved
 * (gets of many different objects share it), else by name.
 */
interface Remembered { any?: AuthorizationResult; byName?: Map<string, AuthorizationResult> }
/** verb → namespace → API group → resource → subresource (or "\0" + path for non-resource requests). */
type DecisionTree = Map<string, Map<string, Map<string, Map<string, Map<string, Remembered>>>>>;

/** The map under `k`, made when missing (no closure per call: this runs five times per request). */
function child<V>(m: Map<string, Map<string, V>>, k: string): Map<string, V> {
  let v = m.get(k);
  if (v === undefined) m.set(k, v = new Map());
  return v;
}

export function rbacAuthorizer(cache: PolicyCache): Authorizer & RuleResolver {
  let generation = -1;
  // Per username: the groups the entry is for (compared element by element, so no key is built from them) and the
  // decisions by request attributes, in nested maps looked up part by part (no key is built per request either).
  const byUser = new Map<string, { groups: readonly string[]; decisions: DecisionTree }>();
  let size = 0;
  return {
    authorize(a: AuthorizationAttributes) {
      if (generation !== cache.generation) { byUser.clear(); size = 0; generation = cache.generation; }
      let entry = byUser.get(a.user.username);
      if (!entry || !sameGroups(entry.groups, a.user.groups)) {
        byUser.set(a.user.username, entry = { groups: [...a.user.groups], decisions: new Map() });
      }
      const bySub = child(child(child(child(entry.decisions, a.verb), a.namespace ?? ''), a.apiGroup ?? ''), a.resource ?? '');
      const last = a.resourceRequest ? a.subresource ?? '' : `\0${a.path ?? ''}`;
      let remembered = bySub.get(last);
      if (!remembered) bySub.set(last, remembered = {});
      if (remembered.any) return remembered.any;
      const knownByName = remembered.byName?.get(a.name ?? '');
      if (knownByName) return knownByName;
      let allowedBy: string | undefined;
      let dependsOnName = false;
      visitRulesFor(cache, a.user, a.namespace, (src, rule) => {
        if (rule.resourceNames?.length) dependsOnName = true;
        if (ruleAllows(a, rule)) { allowedBy = src; dependsOnName = !!rule.resourceNames?.length; return false; }
        return true;
      });
      const result: AuthorizationResult = allowedBy ? { decision: 'Allow', reason: `RBAC: allowed by ${allowedBy}` } : noOpinion;
      if (++size > DECISION_CACHE_SIZE) { byUser.clear(); size = 0; }
      else if (dependsOnName) (remembered.byName ??= new Map()).set(a.name ?? '', result);
      else remembered.any = result;
      return result;
    },
    rulesFor(user, namespace) {
      const resourceRules: ResourceRule[] = [];
      const nonResourceRules: NonResourceRule[] = [];
      const errors: string[] = [];
      visitRulesFor(cache, user, namespace || undefined, (_src, r) => {
        if (r.nonResourceURLs?.length) nonResourceRules.push({ verbs: [...r.verbs], nonResourceURLs: [...r.nonResourceURLs] });
        else {
          const rr: ResourceRule = { verbs: [...r.verbs], apiGroups: [...(r.apiGroups ?? [])], resources: [...(r.resources ?? [])] };
          if (r.resourceNames?.length) rr.resourceNames = [...r.resourceNames];
          resourceRules.push(rr);
        }
      }, (e) => errors.push(e));
      return { resourceRules, nonResourceRules, incomplete: errors.length > 0, ...(errors.length ? { evaluationError: errors.join(', ') } : {}) };
    },
  };
}

function sameGroups(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** upstream describeSubject: `User "jane"`, `ServiceAccount "ci/team-a"` (name/namespace, as upstream prints it). */
function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === 'ServiceAccount') return `${s.kind} "${s.name}/${s.namespace || bindingNamespace}"`;
  return `${s.kind} "${s.name}"`;
}

/** Every rule a user holds in a namespace (or cluster-wide), for escalation checks. */
export function rulesHeld(cache: PolicyCache, user: UserInfo, namespace: string | undefined): PolicyRule[] {
  const out: PolicyRule[] = [];
  visitRulesFor(cache, user, namespace, (_s, r) => { out.push(r); });
  return out;
}
