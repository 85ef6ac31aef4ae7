// selfsubjectreviews (authentication.k8s.io/v1): "who am I?" (`kubectl auth whoami`). Never stored: a POST
// returns the requester's user info as authentication saw it.
import type { KubeObject } from '../../../../api/object.js';
import type { ResourceDefinition } from '../../types.js';
import { resources } from '../../../../api/resources.js';

export const selfSubjectReviews: ResourceDefinition = {
  ...resources.selfsubjectreviews,
  strategy: {},
  review(_obj, user): KubeObject {
    const userInfo: Record<string, unknown> = { username: user?.username ?? 'system:anonymous' };
    userInfo.groups = user?.groups ?? ['system:unauthenticated'];
    return {
      kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1',
      metadata: { creationTimestamp: null } as any,
      status: { userInfo },
    };
  },
};
