// selfsubjectaccessreviews (authorization.k8s.io/v1): "may I do X?" (`kubectl auth can-i VERB RESOURCE`), answered
// by the authorizer chain for the requesting user. Never stored: a POST returns the review with status filled in.
import type { KubeObject } from '../../../../api/object.js';
import type { ResourceDefinition } from '../../types.js';
import { FieldError, invalid } from '../../../../api/errors.js';
import { resources } from '../../../../api/resources.js';
import { ANONYMOUS } from '../../../authorization/filter.js';
import { accessReviewStatus, reviewAttributes } from '../../../authorization/review.js';

/** upstream ValidateSelfSubjectAccessReviewSpec: exactly one of resourceAttributes and nonResourceAttributes. */
export function validateAccessReviewSpec(spec: any): FieldError[] {
  const hasResource = spec?.resourceAttributes != null;
  const hasNonResource = spec?.nonResourceAttributes != null;
  if (hasResource && hasNonResource) {
    return [FieldError.invalid('spec.nonResourceAttributes', JSON.stringify(spec.nonResourceAttributes), 'cannot be specified in combination with resourceAttributes')];
  }
  if (!hasResource && !hasNonResource) {
    return [FieldError.invalid('spec.resourceAttributes', 'null', 'exactly one of nonResourceAttributes or resourceAttributes must be specified')];
  }
  return [];
}

export const selfSubjectAccessReviews: ResourceDefinition = {
  ...resources.selfsubjectaccessreviews,
  strategy: {},
  review(obj: KubeObject, user, ctx): KubeObject {
    const errs = validateAccessReviewSpec(obj.spec);
    if (errs.length) throw invalid('SelfSubjectAccessReview', 'authorization.k8s.io', '', errs);
    return {
      kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null } as any,
      spec: obj.spec,
      status: accessReviewStatus(ctx, reviewAttributes(user ?? ANONYMOUS, obj.spec)),
    };
  },
};
