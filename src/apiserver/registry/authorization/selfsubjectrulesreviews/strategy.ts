// selfsubjectrulesreviews (authorization.k8s.io/v1): "what may I do in namespace N?" (`kubectl auth can-i --list`).
// Never stored. With no authorizer every authenticated user holds the rules of upstream's cluster-admin.
import type { KObject, ResourceDefinition } from '../../types.js';
import { FieldError, invalid } from '../../../../api/errors.js';

export const selfSubjectRulesReviews: ResourceDefinition = {
  group: 'authorization.k8s.io', version: 'v1', resource: 'selfsubjectrulesreviews', singular: 'selfsubjectrulesreview',
  kind: 'SelfSubjectRulesReview', namespaced: false, verbs: ['create'],
  strategy: {},
  review(obj: KObject): KObject {
    // upstream: "spec.namespace: Required value" when empty.
    if (!obj.spec?.namespace) throw invalid('SelfSubjectRulesReview', 'authorization.k8s.io', '', [FieldError.required('spec.namespace')]);
    return {
      kind: 'SelfSubjectRulesReview', apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null } as any,
      spec: obj.spec,
      status: {
        resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
        nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
        incomplete: false,
      },
    };
  },
};
