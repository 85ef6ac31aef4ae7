// The authorization.k8s.io review APIs answered by the real authorizer chain: SubjectAccessReview (anyone's
// rights), LocalSubjectAccessReview (in one namespace), SelfSubjectAccessReview (`kubectl auth can-i`) and
// SelfSubjectRulesReview (`kubectl auth can-i --list`). Without an authorizer (a handler built without one) every
// request is allowed, and the reviews say so.
import type { UserInfo } from '../../api/transport.js';
import type { ReviewContext } from '../registry/types.js';
import type { AuthorizationAttributes } from './authorizer.js';

export const allowAllReason = 'this API server runs without an authorizer: every request is allowed';

/** The attributes a review's spec asks about (upstream's ResourceAttributesFrom / NonResourceAttributesFrom). */
export function reviewAttributes(user: UserInfo, spec: any): AuthorizationAttributes {
  if (spec.resourceAttributes) {
    const r = spec.resourceAttributes;
    return {
      user, verb: r.verb ?? '', resourceRequest: true, namespace: r.namespace || undefined, apiGroup: r.group ?? '', apiVersion: r.version ?? '',
      resource: r.resource ?? '', subresource: r.subresource || undefined, name: r.name || undefined,
    };
  }
  const n = spec.nonResourceAttributes ?? {};
  return { user, verb: n.verb ?? '', resourceRequest: false, path: n.path ?? '' };
}

export function accessReviewStatus(ctx: ReviewContext, a: AuthorizationAttributes): Record<string, unknown> {
  if (!ctx.authorization) return { allowed: true, reason: allowAllReason };
  const r = ctx.authorization.authorizer.authorize(a);
  const status: Record<string, unknown> = { allowed: r.decision === 'Allow' };
  if (r.decision === 'Deny') status.denied = true;
  if (r.reason) status.reason = r.reason;
  return status;
}

export function rulesReviewStatus(ctx: ReviewContext, user: UserInfo, namespace: string): Record<string, unknown> {
  if (!ctx.authorization) {
    return { resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }], incomplete: false };
  }
  const r = ctx.authorization.rules.rulesFor(user, namespace);
  const status: Record<string, unknown> = { resourceRules: r.resourceRules, nonResourceRules: r.nonResourceRules, incomplete: r.incomplete };
  if (r.evaluationError) status.evaluationError = r.evaluationError;
  return status;
}
