// selfsubjectreviews (authentication.k8s.io/v1): "who am I?" (`kubectl auth whoami`). Never stored: a POST
// returns the requester's user info as authentication saw it.
import type { KObject, ResourceDefinition } from '../../types.js';

export const selfSubjectReviews: ResourceDefinition = {
  group: 'authentication.k8s.io', version: 'v1', resource: 'selfsubjectreviews', singular: 'selfsubjectreview',
  kind: 'SelfSubjectReview', namespaced: false, verbs: ['create'],
  strategy: {},
  review(_obj, user): KObject {
    const userInfo: Record<string, unknown> = { username: user?.username ?? 'system:anonymous' };
    userInfo.groups = user?.groups ?? ['system:unauthenticated'];
    return {
      kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1',
      metadata: { creationTimestamp: null } as any,
      status: { userInfo },
    };
  },
};
