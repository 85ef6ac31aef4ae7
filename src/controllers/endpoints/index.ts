// Wiring of the Endpoints controller: services, pods and endpoints informers; the key is the Service's.
import { startController } from '../shared/start.js';
import type { ControllerOptions } from '../shared/options.js';
import { resources as builtin } from '../../api/resources.js';
import { enqueueHandlers } from '../../client/controller.js';
import { metaNamespaceKey } from '../../client/keys.js';
import { EndpointsController } from './endpoints-controller.js';
import { enqueueServicesForPod } from '../shared/pod-endpoints.js';

export { EndpointsController, desiredSubsets, type EndpointAddress, type EndpointSubset } from './endpoints-controller.js';
export * from '../shared/pod-endpoints.js';

export interface EndpointsControllerOptions extends ControllerOptions {
  /** Upstream's --concurrent-endpoint-syncs defaults to 5. */
  workers?: number;
}

export function startEndpointsController(opts: EndpointsControllerOptions): Promise<void> {
  return startController(opts, { name: 'endpoints-controller', queue: 'endpoint', component: 'endpoint-controller', defaultWorkers: 5 }, ({ client, informers, queue, recorder }) => {
    const services = informers.informerFor(builtin.services);
    const pods = informers.informerFor(builtin.pods);
    const endpoints = informers.informerFor(builtin.endpoints);
    services.addEventHandler(enqueueHandlers(queue));
    pods.addEventHandler(enqueueServicesForPod(services, queue));
    // A deleted Endpoints of a Service with a selector is made again.
    endpoints.addEventHandler({ onDelete: (e) => queue.add(metaNamespaceKey(e)) });
    const controller = new EndpointsController({ client, services, pods, endpoints, recorder });
    return { informers: [services, pods, endpoints], reconcile: (key) => controller.reconcile(key) };
  });
}
