// The authorizer chain the apiserver runs (upstream's default for kubeadm: --authorization-mode=Node,RBAC), with
// the privileged system:masters group in front, and the rule resolver behind SelfSubjectRulesReview.
import type { Registry } from '../registry/registry.js';
import { privilegedGroups, unionAuthorizer, unionRuleResolver, type Authorizer, type RuleResolver } from './authorizer.js';
import { PolicyCache } from './rbac/policy-cache.js';
import { rbacAuthorizer } from './rbac/authorizer.js';
import { reconcileBootstrapPolicy } from './rbac/reconcile.js';
import { NodeGraph, nodeAuthorizer } from './node.js';
import type { PolicyRule } from './rbac/rules.js';
import type { Authorization } from './filter.js';

export type { Authorization } from './filter.js';

export interface RunningAuthorization extends Authorization {
  policy: PolicyCache;
  graph: NodeGraph;
}

/** Reconciles the bootstrap policy, fills the caches, and returns the chain Node, RBAC. Stops with `signal`. */
export async function startAuthorization(registry: Registry, signal: AbortSignal): Promise<RunningAuthorization> {
  await reconcileBootstrapPolicy(registry);
  const [policy, graph] = await Promise.all([PolicyCache.start(registry, signal), NodeGraph.start(registry, signal)]);
  const rbac = rbacAuthorizer(policy);
  const nodeRules = (): PolicyRule[] => (policy.getClusterRole('system:node')?.rules ?? []) as PolicyRule[];
  const authorizer: Authorizer = unionAuthorizer([privilegedGroups, nodeAuthorizer(graph, nodeRules), rbac]);
  const rules: RuleResolver = unionRuleResolver([privilegedGroups, rbac]);
  return { authorizer, rules, policy, graph };
}
