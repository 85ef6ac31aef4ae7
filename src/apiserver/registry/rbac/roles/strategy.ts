// roles (rbac.authorization.k8s.io/v1, namespaced): rules as upstream validates them; no non-resource URLs.
import type { ResourceDefinition } from '../../types.js';
import { resources } from '../../../../api/resources.js';
import { validatePolicyRules } from '../validation.js';
import { roleTable } from '../printing.js';

export const roles: ResourceDefinition = {
  ...resources.roles,
  strategy: {
    validate: (o) => validatePolicyRules(o.rules, true),
    validateUpdate: (n) => validatePolicyRules(n.rules, true),
    table: roleTable,
  },
};
