// subjectaccessreviews and localsubjectaccessreviews (authorization.k8s.io/v1): "may user U (groups G) do X?",
// answered by the authorizer chain; the local one is namespaced and asks only about its namespace. Never stored.
import type { KubeObject } from '../../../../api/object.js';
import type { ResourceDefinition } from '../../types.js';
import { FieldError, badRequest, invalid } from '../../../../api/errors.js';
import { resources } from '../../../../api/resources.js';
import { accessReviewStatus, reviewAttributes } from '../../../authorization/review.js';
import { validateAccessReviewSpec } from '../selfsubjectaccessreviews/strategy.js';

/** upstream ValidateSubjectAccessReviewSpec: the access spec plus a user or at least one group. */
function validateSpec(spec: any): FieldError[] {
  const errs = validateAccessReviewSpec(spec);
  if (!spec?.user && !(spec?.groups?.length)) errs.push(FieldError.invalid('spec.user', spec?.user ?? '', 'at least one of user or group must be specified'));
  return errs;
}

function subjectReview(kind: 'SubjectAccessReview' | 'LocalSubjectAccessReview'): ResourceDefinition['review'] {
  return (obj: KubeObject, _user, ctx): KubeObject => {
    const spec = obj.spec ?? {};
    const errs = validateSpec(spec);
    if (errs.length) throw invalid(kind, 'authorization.k8s.io', '', errs);
    if (kind === 'LocalSubjectAccessReview') {
      if (spec.nonResourceAttributes) throw invalid(kind, 'authorization.k8s.io', '', [FieldError.invalid('spec.nonResourceAttributes', JSON.stringify(spec.nonResourceAttributes), 'disallowed on this kind of request')]);
      const ns = spec.resourceAttributes?.namespace ?? '';
      if (ns !== (ctx.namespace ?? '')) throw badRequest(`spec.resourceAttributes.namespace must match namespace: ${ctx.namespace ?? ''}`);
    }
    const user = { username: spec.user ?? '', groups: [...(spec.groups ?? [])], ...(spec.uid ? { uid: spec.uid } : {}), ...(spec.extra ? { extra: spec.extra } : {}) };
    return {
      kind, apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null, ...(kind === 'LocalSubjectAccessReview' && ctx.namespace ? { namespace: ctx.namespace } : {}) } as any,
      spec,
      status: accessReviewStatus(ctx, reviewAttributes(user, spec)),
    };
  };
}

export const subjectAccessReviews: ResourceDefinition = { ...resources.subjectaccessreviews, strategy: {}, review: subjectReview('SubjectAccessReview') };
export const localSubjectAccessReviews: ResourceDefinition = { ...resources.localsubjectaccessreviews, strategy: {}, review: subjectReview('LocalSubjectAccessReview') };
