// Authorization (DESIGN.md §3 "Request pipeline"): after authentication and before admission, one decision per
// request from a chain of authorizers, as upstream's union authorizer: the first Allow or Deny wins, NoOpinion
// passes on; when every authorizer has no opinion the request is forbidden. The chain is Node, then RBAC, with
// upstream's system:masters privileged-group authorizer in front.
import type { UserInfo } from '../../api/transport.js';

/** What is being asked (upstream's authorizer.Attributes). */
export interface AuthorizationAttributes {
  user: UserInfo;
  verb: string;
  /** true for /api and /apis resource paths, false for everything else (then `path` is set). */
  resourceRequest: boolean;
  namespace?: string;
  apiGroup?: string;
  apiVersion?: string;
  resource?: string;
  subresource?: string;
  name?: string;
  path?: string;
}

export type Decision = 'Allow' | 'Deny' | 'NoOpinion';

export interface AuthorizationResult { decision: Decision; reason: string }

export interface Authorizer {
  authorize(attrs: AuthorizationAttributes): AuthorizationResult;
}

export interface ResourceRule { verbs: string[]; apiGroups?: string[]; resources?: string[]; resourceNames?: string[] }
export interface NonResourceRule { verbs: string[]; nonResourceURLs?: string[] }

/** What a user may do in a namespace (SelfSubjectRulesReview): upstream's RuleResolver. */
export interface RuleResolver {
  rulesFor(user: UserInfo, namespace: string): { resourceRules: ResourceRule[]; nonResourceRules: NonResourceRule[]; incomplete: boolean; evaluationError?: string };
}

export const noOpinion: AuthorizationResult = Object.freeze({ decision: 'NoOpinion', reason: '' });

/** The group whose members may do everything (upstream's user.SystemPrivilegedGroup). */
export const SYSTEM_MASTERS = 'system:masters';

/** system:masters may do anything, before any other authorizer is asked (upstream authorizerfactory.NewPrivilegedGroups). */
export const privilegedGroups: Authorizer & RuleResolver = {
  authorize: (a) => (a.user.groups.includes(SYSTEM_MASTERS) ? { decision: 'Allow', reason: '' } : noOpinion),
  rulesFor: (user) => user.groups.includes(SYSTEM_MASTERS)
    ? { resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }], incomplete: false }
    : { resourceRules: [], nonResourceRules: [], incomplete: false },
};

/** The authorizers in order as one (upstream's union authorizer); reasons of no-opinion answers are joined. */
export function unionAuthorizer(authorizers: Authorizer[]): Authorizer {
  return {
    authorize(a) {
      let reasons: string[] | undefined; // made only when an authorizer gives a reason with no opinion
      for (const z of authorizers) {
        const r = z.authorize(a);
        if (r.decision !== 'NoOpinion') return r;
        if (r.reason) (reasons ??= []).push(r.reason);
      }
      return { decision: 'NoOpinion', reason: reasons ? reasons.join('\n') : '' };
    },
  };
}

export function unionRuleResolver(resolvers: RuleResolver[]): RuleResolver {
  return {
    rulesFor(user, namespace) {
      const out = { resourceRules: [] as ResourceRule[], nonResourceRules: [] as NonResourceRule[], incomplete: false, evaluationError: undefined as string | undefined };
      const errs: string[] = [];
      for (const r of resolvers) {
        const x = r.rulesFor(user, namespace);
        out.resourceRules.push(...x.resourceRules);
        out.nonResourceRules.push(...x.nonResourceRules);
        if (x.incomplete) out.incomplete = true;
        if (x.evaluationError) errs.push(x.evaluationError);
      }
      if (errs.length) out.evaluationError = errs.join(', ');
      else delete out.evaluationError;
      return out;
    },
  };
}

/**
 * Upstream's forbidden message (apiserver/pkg/endpoints/handlers/responsewriters.forbiddenMessage), e.g.
 * `User "jane" cannot delete resource "pods" in API group "" in the namespace "team-a"`.
 */
export function forbiddenMessage(a: AuthorizationAttributes): string {
  const user = JSON.stringify(a.user.username);
  if (!a.resourceRequest) return `User ${user} cannot ${a.verb} path ${JSON.stringify(a.path ?? '')}`;
  let resource = a.resource ?? '';
  if (a.subresource) resource += `/${a.subresource}`;
  const ns = a.namespace ? ` in the namespace ${JSON.stringify(a.namespace)}` : '';
  return `User ${user} cannot ${a.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(a.apiGroup ?? '')}${ns ? ns : ' at the cluster scope'}`;
}
