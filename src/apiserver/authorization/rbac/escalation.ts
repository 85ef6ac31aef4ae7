// RBAC escalation prevention (upstream pkg/registry/rbac: the policy-based storage of roles and bindings), run as
// an admission step on creates and updates: a Role or ClusterRole may only grant what its author holds (or the
// author has `escalate` on it); a binding may only grant a role whose rules its author holds (or the author has
// `bind` on that role). Only cluster-wide holders of everything may create aggregated ClusterRoles, unless they
// have `escalate`. The server's own writes (no user) pass.
import type { KubeObject } from '../../../api/object.js';
import type { UserInfo } from '../../../api/transport.js';
import { badRequest, forbiddenResource } from '../../../api/errors.js';
import type { AdmissionPlugin } from '../../admission/admission.js';
import type { Authorizer, RuleResolver } from '../authorizer.js';
import { SYSTEM_MASTERS } from '../authorizer.js';
import { covers, type PolicyRule } from './rules.js';
import { RBAC_GROUP, type PolicyCache } from './policy-cache.js';

export interface EscalationOptions { authorizer: Authorizer; rules: RuleResolver; policy: PolicyCache }

const goQuoteList = (l: string[]) => `[${l.map((x) => JSON.stringify(x)).join(' ')}]`;

/** upstream CompactString: `{APIGroups:["apps"], Resources:["deployments"], Verbs:["create"]}`. */
export function compactRuleString(r: PolicyRule): string {
  const parts: string[] = [];
  if (r.apiGroups?.length) parts.push(`APIGroups:${goQuoteList(r.apiGroups)}`);
  if (r.resources?.length) parts.push(`Resources:${goQuoteList(r.resources)}`);
  if (r.nonResourceURLs?.length) parts.push(`NonResourceURLs:${goQuoteList(r.nonResourceURLs)}`);
  if (r.resourceNames?.length) parts.push(`ResourceNames:${goQuoteList(r.resourceNames)}`);
  parts.push(`Verbs:${goQuoteList(r.verbs)}`);
  return `{${parts.join(', ')}}`;
}

/** Atom rules merged back by group, resource and name (upstream CompactRules), sorted as upstream prints them. */
function compact(atoms: PolicyRule[]): PolicyRule[] {
  const by = new Map<string, PolicyRule>();
  for (const a of atoms) {
    const k = JSON.stringify([a.apiGroups, a.resources, a.resourceNames, a.nonResourceURLs]);
    const cur = by.get(k);
    if (cur) { for (const v of a.verbs) if (!cur.verbs.includes(v)) cur.verbs.push(v); }
    else by.set(k, { ...a, verbs: [...a.verbs] });
  }
  return [...by.values()].map((r) => ({ ...r, verbs: [...r.verbs].sort() })).sort((x, y) => compactRuleString(x).localeCompare(compactRuleString(y)));
}

export function rbacEscalation(opts: EscalationOptions): AdmissionPlugin {
  const allowedVerb = (user: UserInfo, verb: string, resource: string, namespace: string | undefined, name: string) =>
    opts.authorizer.authorize({ user, verb, resourceRequest: true, apiGroup: RBAC_GROUP, resource, namespace, name }).decision === 'Allow';

  function confirmNoEscalation(user: UserInfo, obj: KubeObject, resource: string, namespace: string | undefined, wanted: PolicyRule[]): void {
    const held = opts.rules.rulesFor(user, namespace ?? '');
    const { ok, missing } = covers([...held.resourceRules, ...held.nonResourceRules] as PolicyRule[], wanted);
    if (ok) return;
    let msg = `user ${JSON.stringify(user.username)} (groups=${goQuoteList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${compact(missing).map(compactRuleString).join('\n')}`;
    if (held.evaluationError) msg += `; resolution errors: [${held.evaluationError}]`;
    throw forbiddenResource({ group: RBAC_GROUP, resource }, obj.metadata.name, msg);
  }

  return {
    name: 'RBACEscalation',
    resources: ['rbac.authorization.k8s.io/roles', 'rbac.authorization.k8s.io/clusterroles', 'rbac.authorization.k8s.io/rolebindings', 'rbac.authorization.k8s.io/clusterrolebindings'],
    async admit(attrs) {
      const user = attrs.user;
      if (!user || attrs.def.group !== RBAC_GROUP || (attrs.operation !== 'CREATE' && attrs.operation !== 'UPDATE')) return;
      if (user.groups.includes(SYSTEM_MASTERS)) return;
      const obj = attrs.object;
      const resource = attrs.def.resource;
      const ns = attrs.def.namespaced ? attrs.namespace : undefined;
      const name = obj.metadata.name ?? '';
      if (resource === 'roles' || resource === 'clusterroles') {
        if (allowedVerb(user, 'escalate', resource, ns, name)) return;
        if (resource === 'clusterroles' && obj.aggregationRule) {
          // upstream: only someone holding everything cluster-wide may define an aggregated role without `escalate`.
          confirmNoEscalation(user, obj, resource, undefined, [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }]);
          return;
        }
        confirmNoEscalation(user, obj, resource, ns, (obj.rules ?? []) as PolicyRule[]);
        return;
      }
      if (resource === 'rolebindings' || resource === 'clusterrolebindings') {
        if (attrs.operation === 'UPDATE' && JSON.stringify(attrs.oldObject?.roleRef) === JSON.stringify(obj.roleRef)
          && JSON.stringify(attrs.oldObject?.subjects) === JSON.stringify(obj.subjects)) return;
        const ref = obj.roleRef ?? {};
        const roleResource = ref.kind === 'Role' ? 'roles' : 'clusterroles';
        if (allowedVerb(user, 'bind', roleResource, ref.kind === 'Role' ? ns : undefined, ref.name ?? '')) return;
        const role = ref.kind === 'Role' ? opts.policy.getRole(ns ?? '', ref.name) : opts.policy.getClusterRole(ref.name);
        if (!role) throw badRequest(`${ref.kind === 'Role' ? 'role' : 'clusterrole'}.rbac.authorization.k8s.io ${JSON.stringify(ref.name ?? '')} not found`);
        const rules = (role.rules ?? []) as PolicyRule[];
        confirmNoEscalation(user, obj, resource, ns, rules);
      }
    },
  };
}
