// Wiring of the EndpointSlice controller: services, pods, nodes (for zones) and the managed slices; the key is
// the Service's.
import { startController } from '../shared/start.js';
import type { ControllerOptions } from '../shared/options.js';
import { resources as builtin } from '../../api/resources.js';
import { enqueueHandlers } from '../../client/controller.js';
import { deletedObject } from '../../client/keys.js';
import { enqueueServicesForPod } from '../shared/pod-endpoints.js';
import { controllerName, EndpointSliceReconciler, managedByLabel, serviceNameLabel } from './reconciler.js';
import { SliceTracker } from './slice-tracker.js';

export { EndpointSliceReconciler, controllerName, managedByLabel, serviceNameLabel, sliceLabels, type SliceEndpoint, type SlicePort } from './reconciler.js';

export interface EndpointSliceControllerOptions extends ControllerOptions {
  /** Upstream's --concurrent-service-endpoint-syncs defaults to 5. */
  workers?: number;
  /** Upstream's --max-endpoints-per-slice defaults to 100. */
  maxEndpointsPerSlice?: number;
}

export function startEndpointSliceController(opts: EndpointSliceControllerOptions): Promise<void> {
  return startController(opts, { name: 'endpointslice-controller', queue: 'endpoint_slice', component: 'endpointslice-controller', defaultWorkers: 5 }, ({ client, informers, queue, recorder }) => {
    const services = informers.informerFor(builtin.services);
    const pods = informers.informerFor(builtin.pods);
    const nodes = informers.informerFor(builtin.nodes);
    const slices = informers.informerFor(builtin.endpointslices, { labelSelector: `${managedByLabel}=${controllerName}` });
    const tracker = new SliceTracker((ns, name) => slices.getByName(ns, name));
    services.addEventHandler(enqueueHandlers(queue));
    pods.addEventHandler(enqueueServicesForPod(services, queue));
    const serviceOf = (o: { metadata?: { namespace?: string; labels?: Record<string, string> } }) => {
      const svc = o.metadata?.labels?.[serviceNameLabel];
      return svc ? `${o.metadata!.namespace}/${svc}` : undefined;
    };
    slices.addEventHandler({
      onAdd: (s) => { const k = serviceOf(s); if (k) queue.add(k); },
      onUpdate: (_o, s) => { const k = serviceOf(s); if (k) queue.add(k); },
      onDelete: (d) => { const s = deletedObject(d); tracker.observedDeleted(s); const k = serviceOf(s); if (k) queue.add(k); },
    });
    const reconciler = new EndpointSliceReconciler({
      client, services, pods, nodes, slices, tracker, recorder, maxEndpointsPerSlice: opts.maxEndpointsPerSlice ?? 100,
    });
    return { informers: [services, pods, nodes, slices], reconcile: (key) => reconciler.reconcile(key) };
  });
}
