// rolebindings (rbac.authorization.k8s.io/v1, namespaced): a Role or ClusterRole granted to subjects in one
// namespace; roleRef never changes.
import type { ResourceDefinition } from '../../types.js';
import { resources } from '../../../../api/resources.js';
import { validateRoleBinding, validateRoleRefUpdate } from '../validation.js';
import { bindingTable } from '../printing.js';

export const rolebindings: ResourceDefinition = {
  ...resources.rolebindings,
  strategy: {
    validate: (o) => validateRoleBinding(o, false),
    validateUpdate: (n, o) => [...validateRoleBinding(n, false), ...validateRoleRefUpdate(n, o)],
    table: bindingTable('RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.'),
  },
};
