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
    if (user?.uid) userInfo.uid = user.uid;
    userInfo.groups = user?.groups ?? ['system:unauthenticated'];
    if (user?.extra && Object.keys(user.extra).length) userInfo.extra = user.extra;
    return {
      kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1',
      metadata: { creationTimestamp: null } as any,
      status: { userInfo },
    };
  },
};
