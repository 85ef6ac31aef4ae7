// clusterroles (rbac.authorization.k8s.io/v1): rules (non-resource URLs allowed) and an optional aggregationRule,
// whose rules the clusterrole-aggregation controller fills in.
import type { ResourceDefinition } from '../../types.js';
import { resources } from '../../../../api/resources.js';
import { validateAggregationRule, validatePolicyRules } from '../validation.js';
import { roleTable } from '../printing.js';

export const clusterroles: ResourceDefinition = {
  ...resources.clusterroles,
  strategy: {
    validate: (o) => [...validatePolicyRules(o.rules, false), ...validateAggregationRule(o.aggregationRule)],
    validateUpdate: (n) => [...validatePolicyRules(n.rules, false), ...validateAggregationRule(n.aggregationRule)],
    table: roleTable,
  },
};
