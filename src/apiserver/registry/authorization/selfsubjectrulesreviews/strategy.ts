// selfsubjectrulesreviews (authorization.k8s.io/v1): "what may I do in namespace N?" (`kubectl auth can-i --list`),
// from the rule resolver of the authorizer chain (system:masters: everything; RBAC: the rules bound to the user).
// Never stored.
import type { KubeObject } from '../../../../api/object.js';
import type { ResourceDefinition } from '../../types.js';
import { FieldError, invalid } from '../../../../api/errors.js';
import { resources } from '../../../../api/resources.js';
import { ANONYMOUS } from '../../../authorization/filter.js';
import { rulesReviewStatus } from '../../../authorization/review.js';

export const selfSubjectRulesReviews: ResourceDefinition = {
  ...resources.selfsubjectrulesreviews,
  strategy: {},
  review(obj: KubeObject, user, ctx): KubeObject {
    // upstream: "spec.namespace: Required value" when empty.
    if (!obj.spec?.namespace) throw invalid('SelfSubjectRulesReview', 'authorization.k8s.io', '', [FieldError.required('spec.namespace')]);
    return {
      kind: 'SelfSubjectRulesReview', apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null } as any,
      spec: obj.spec,
      status: rulesReviewStatus(ctx, user ?? ANONYMOUS, obj.spec.namespace),
    };
  },
};
