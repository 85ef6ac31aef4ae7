// clusterrolebindings (rbac.authorization.k8s.io/v1): a ClusterRole granted to subjects cluster-wide; roleRef
// never changes; ServiceAccount subjects need a namespace.
import type { ResourceDefinition } from '../../types.js';
import { resources } from '../../../../api/resources.js';
import { validateRoleBinding, validateRoleRefUpdate } from '../validation.js';
import { bindingTable } from '../printing.js';

export const clusterrolebindings: ResourceDefinition = {
  ...resources.clusterrolebindings,
  strategy: {
    validate: (o) => validateRoleBinding(o, true),
    validateUpdate: (n, o) => [...validateRoleBinding(n, true), ...validateRoleRefUpdate(n, o)],
    table: bindingTable('RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.'),
  },
};
