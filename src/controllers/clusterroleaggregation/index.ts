// The ClusterRole aggregation controller (upstream pkg/controller/clusterroleaggregation): a ClusterRole with an
// aggregationRule gets as its rules the rules of every other ClusterRole matching one of its clusterRoleSelectors,
// without duplicates, in the order of the matching roles' names; that is how admin, edit and view pick up the
// system:aggregate-to-* roles and any role a user labels rbac.authorization.k8s.io/aggregate-to-view: "true".
import { startController } from '../shared/start.js';
import type { ControllerOptions } from '../shared/options.js';
import { isConflict, isNotFound } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { resources as builtin } from '../../api/resources.js';
import { selectorMatches } from '../../api/validation/label-selector.js';

/** The rules an aggregated role should have, given every ClusterRole. */
export function aggregatedRules(role: KubeObject, all: KubeObject[]): unknown[] {
  const selectors: any[] = role.aggregationRule?.clusterRoleSelectors ?? [];
  const matching = all
    .filter((r) => r.metadata.name !== role.metadata.name && selectors.some((s) => selectorMatches(s, r.metadata.labels)))
    .sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0));
  const out: unknown[] = [];
  const seen = new Set<string>();
  for (const r of matching) for (const rule of r.rules ?? []) {
    const k = JSON.stringify(rule);
    if (!seen.has(k)) { seen.add(k); out.push(rule); }
  }
  return out;
}

export function startClusterRoleAggregationController(opts: ControllerOptions): Promise<void> {
  return startController(opts, { name: 'clusterrole-aggregation-controller', queue: 'ClusterRoleAggregator', component: 'clusterrole-aggregation-controller', defaultWorkers: 1 }, ({ client, informers, queue }) => {
    const roles = informers.informerFor(builtin.clusterroles);
    // Any change may affect any aggregated role: enqueue them all (there are few).
    const enqueueAggregated = () => { for (const r of roles.list()) if (r.aggregationRule) queue.add(r.metadata.name!); };
    roles.addEventHandler({ onAdd: enqueueAggregated, onUpdate: enqueueAggregated, onDelete: enqueueAggregated });
    return {
      informers: [roles],
      async reconcile(name) {
        const role = roles.getByName(undefined, name);
        if (!role?.aggregationRule) return;
        const want = aggregatedRules(role, roles.list());
        if (JSON.stringify(role.rules ?? []) === JSON.stringify(want)) return;
        try {
          await client.update(builtin.clusterroles, { ...structuredClone(role), rules: want });
        } catch (e) {
          if (isNotFound(e)) return;
          if (isConflict(e)) return { requeueAfter: 100 };
          throw e;
        }
      },
    };
  });
}
