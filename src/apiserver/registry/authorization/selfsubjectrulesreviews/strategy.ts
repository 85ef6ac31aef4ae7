// selfsubjectrulesreviews (authorization.k8s.io/v1): "what may I do in namespace N?" (`kubectl auth can-i --list`).
// Never stored. With no authorizer every authenticated user holds the rules of upstream's cluster-admin.
import type { KubeObject } from '../../../../api/object.js';
import type { ResourceDefinition } from '../../types.js';
import { FieldError, invalid } from '../../../../api/errors.js';
import { resources } from '../../../../api/resources.js';

export const selfSubjectRulesReviews: ResourceDefinition = {
  ...resources.selfsubjectrulesreviews,
  strategy: {},
  review(obj: KubeObject): KubeObject {
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
