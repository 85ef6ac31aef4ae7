// The service account controller (upstream's pkg/controller/serviceaccount ServiceAccountsController): every
// active namespace has the service accounts in `serviceAccounts` (default: just "default"); one deleted is made
// again. Namespaces being deleted are left alone.
import { startController } from '../shared/start.js';
import type { ControllerOptions } from '../shared/options.js';
import { isAlreadyExists, isForbidden, isNotFound } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { resources as builtin } from '../../api/resources.js';
import { enqueueHandlers } from '../../client/controller.js';
import { deletedObject } from '../../client/keys.js';

export interface ServiceAccountControllerOptions extends ControllerOptions {
  /** Upstream's --concurrent-serviceaccount-syncs defaults to 1. */
  workers?: number;
  /** Names ensured in every namespace; default ["default"]. */
  serviceAccounts?: string[];
}

export function startServiceAccountController(opts: ServiceAccountControllerOptions): Promise<void> {
  return startController(opts, { name: 'serviceaccount-controller', queue: 'serviceaccount', component: 'serviceaccount-controller', defaultWorkers: 1 }, ({ client, informers, log, queue }) => {
    const names = opts.serviceAccounts ?? ['default'];
    const namespaces = informers.informerFor(builtin.namespaces);
    const serviceAccounts = informers.informerFor(builtin.serviceaccounts);
    namespaces.addEventHandler(enqueueHandlers(queue));
    // Only a deletion can break the invariant; the namespace is the key.
    serviceAccounts.addEventHandler({
      onDelete: (o) => {
        const sa = deletedObject(o);
        if (sa.metadata?.namespace && names.includes(sa.metadata.name ?? '')) queue.add(sa.metadata.namespace);
      },
    });
    return {
      informers: [namespaces, serviceAccounts],
      async reconcile(namespace) {
        const ns = namespaces.get(namespace);
        if (!ns || ns.metadata?.deletionTimestamp || (ns.status?.phase && ns.status.phase !== 'Active')) return;
        for (const name of names) {
          if (serviceAccounts.getByName(namespace, name)) continue;
          const sa: KubeObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } };
          try {
            await client.create(builtin.serviceaccounts, namespace, sa);
            log({ level: 'info', msg: 'created service account', controller: 'serviceaccount-controller', namespace, name });
          } catch (e) {
            // Already there (our cache lags), or the namespace is gone or terminating (Forbidden): nothing to do.
            if (isAlreadyExists(e) || isNotFound(e) || isForbidden(e)) continue;
            throw e;
          }
        }
      },
    };
  });
}
