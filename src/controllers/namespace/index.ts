// The namespace controller: empties namespaces being deleted and then finalizes them (upstream's
// pkg/controller/namespace). The namespaced resources come from discovery on every sync, or a fixed list.
import { startController } from '../shared/start.js';
import type { ControllerOptions } from '../shared/options.js';
import { resources as builtin } from '../../api/resources.js';
import { enqueueHandlers } from '../../client/controller.js';
import { discoverResources } from '../../client/discovery.js';
import { NamespacedResourcesDeleter, type DeletableResource } from './namespaced-resources-deleter.js';

export { NamespacedResourcesDeleter, kubernetesFinalizer, type DeletableResource, type NamespaceCondition } from './namespaced-resources-deleter.js';

export interface NamespaceControllerOptions extends ControllerOptions {
  /** Upstream's --concurrent-namespace-syncs defaults to 10. */
  workers?: number;
  /** The namespaced resources to delete; default: every namespaced resource discovery lists with list and delete. */
  resources?: DeletableResource[];
}

export function startNamespaceController(opts: NamespaceControllerOptions): Promise<void> {
  return startController(opts, { name: 'namespace-controller', queue: 'namespace', component: 'namespace-controller', defaultWorkers: 10 }, ({ client, informers, clock, log, signal, queue }) => {
    const namespaces = informers.informerFor(builtin.namespaces);
    namespaces.addEventHandler(enqueueHandlers(queue));
    const fixed = opts.resources;
    const deleter = new NamespacedResourcesDeleter({
      client, clock, log,
      discover: async () => fixed ?? (await discoverResources(client, signal))
        .filter((r) => r.namespaced && r.verbs.includes('list') && (r.verbs.includes('delete') || r.verbs.includes('deletecollection'))),
    });
    return {
      informers: [namespaces],
      async reconcile(name) {
        const ns = namespaces.get(name);
        if (!ns) return;
        return deleter.sync(ns);
      },
    };
  });
}
