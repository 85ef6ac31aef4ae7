// The service account controller (upstream's pkg/controller/serviceaccount ServiceAccountsController): every
import { recorderFor, type ControllerOptions } from '../shared/options.js';
// active namespace has the service accounts in `serviceAccounts` (default: just "default"); one deleted is made
// again. Namespaces being deleted are left alone.
import { isAlreadyExists, isForbidden, isNotFound } from '../../api/errors.js';
import type { Client } from '../../client/client.js';
import type { KubeObject } from '../../api/object.js';
import { resources as builtin } from '../../api/resources.js';
import { realClock, type Clock } from '../../client/clock.js';
import { enqueueHandlers, runController } from '../../client/controller.js';
import type { InformerFactory } from '../../client/informer.js';
import { deletedObject } from '../../client/keys.js';
import { stderrLog, type LogFn } from '../../client/log.js';
import { RateLimitingQueue } from '../../client/workqueue.js';

export interface ServiceAccountControllerOptions extends ControllerOptions {
  /** Upstream's --concurrent-serviceaccount-syncs defaults to 1. */
  workers?: number;
  /** Names ensured in every namespace; default ["default"]. */
  serviceAccounts?: string[];
}

export async function startServiceAccountController(opts: ServiceAccountControllerOptions): Promise<void> {
  const log = opts.log ?? stderrLog;
  const clock = opts.clock ?? realClock;
  const names = opts.serviceAccounts ?? ['default'];
  const queue = new RateLimitingQueue<string>({ clock, name: 'serviceaccount' });
  const namespaces = opts.informers.informerFor(builtin.namespaces);
  const serviceAccounts = opts.informers.informerFor(builtin.serviceaccounts);
  namespaces.addEventHandler(enqueueHandlers(queue));
  // Only a deletion can break the invariant; the namespace is the key.
  serviceAccounts.addEventHandler({
    onDelete: (o) => {
      const sa = deletedObject(o);
      if (sa.metadata?.namespace && names.includes(sa.metadata.name ?? '')) queue.add(sa.metadata.namespace);
    },
  });
  opts.informers.start(opts.signal);
  await runController({
    name: 'serviceaccount-controller', informers: [namespaces, serviceAccounts], workers: opts.workers ?? 1, queue, signal: opts.signal, log,
    async reconcile(namespace) {
      const ns = namespaces.get(namespace);
      if (!ns || ns.metadata?.deletionTimestamp || (ns.status?.phase && ns.status.phase !== 'Active')) return;
      for (const name of names) {
        if (serviceAccounts.getByName(namespace, name)) continue;
        const sa: KubeObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } };
        try {
          await opts.client.create(builtin.serviceaccounts, namespace, sa);
          log({ level: 'info', msg: 'created service account', controller: 'serviceaccount-controller', namespace, name });
        } catch (e) {
          // Already there (our cache lags), or the namespace is gone or terminating (Forbidden): nothing to do.
          if (isAlreadyExists(e) || isNotFound(e) || isForbidden(e)) continue;
          throw e;
        }
      }
    },
  });
}
