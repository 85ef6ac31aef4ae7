// The namespace controller: empties namespaces being deleted and then finalizes them (upstream's
import { recorderFor, type ControllerOptions } from '../shared/options.js';
// pkg/controller/namespace). The namespaced resources come from discovery on every sync, or a fixed list.
import type { Client } from '../../client/client.js';
import { resources as builtin } from '../../api/resources.js';
import { realClock, type Clock } from '../../client/clock.js';
import { enqueueHandlers, runController } from '../../client/controller.js';
import type { InformerFactory } from '../../client/informer.js';
import { stderrLog, type LogFn } from '../../client/log.js';
import { RateLimitingQueue } from '../../client/workqueue.js';
import { discoverResources } from '../../client/discovery.js';
import { NamespacedResourcesDeleter, type DeletableResource } from './namespaced-resources-deleter.js';

export { NamespacedResourcesDeleter, kubernetesFinalizer, type DeletableResource, type NamespaceCondition } from './namespaced-resources-deleter.js';

export interface NamespaceControllerOptions extends ControllerOptions {
  /** Upstream's --concurrent-namespace-syncs defaults to 10. */
  workers?: number;
  /** The namespaced resources to delete; default: every namespaced resource discovery lists with list and delete. */
  resources?: DeletableResource[];
}

export async function startNamespaceController(opts: NamespaceControllerOptions): Promise<void> {
  const log = opts.log ?? stderrLog;
  const clock = opts.clock ?? realClock;
  const queue = new RateLimitingQueue<string>({ clock, name: 'namespace' });
  const namespaces = opts.informers.informerFor(builtin.namespaces);
  namespaces.addEventHandler(enqueueHandlers(queue));
  const fixed = opts.resources;
  const deleter = new NamespacedResourcesDeleter({
    client: opts.client, clock, log,
    discover: async () => fixed ?? (await discoverResources(opts.client, opts.signal))
      .filter((r) => r.namespaced && r.verbs.includes('list') && (r.verbs.includes('delete') || r.verbs.includes('deletecollection'))),
  });
  opts.informers.start(opts.signal);
  await runController({
    name: 'namespace-controller', informers: [namespaces], workers: opts.workers ?? 10, queue, signal: opts.signal, log,
    async reconcile(name) {
      const ns = namespaces.get(name);
      if (!ns) return;
      return deleter.sync(ns);
    },
  });
}
