// Wiring of the EndpointSlice controller: services, pods, nodes (for zones) and the managed slices; the key is
import { recorderFor, type ControllerOptions } from '../shared/options.js';
// the Service's.
import type { Client } from '../../client/client.js';
import { resources as builtin } from '../../api/resources.js';
import { realClock, type Clock } from '../../client/clock.js';
import { enqueueHandlers, runController } from '../../client/controller.js';
import type { InformerFactory } from '../../client/informer.js';
import { deletedObject } from '../../client/keys.js';
import { stderrLog, type LogFn } from '../../client/log.js';
import { RateLimitingQueue } from '../../client/workqueue.js';
import { servicesForPod } from '../shared/pod-endpoints.js';
import { controllerName, EndpointSliceReconciler, managedByLabel, serviceNameLabel } from './reconciler.js';
import { SliceTracker } from './slice-tracker.js';

export { EndpointSliceReconciler, controllerName, managedByLabel, serviceNameLabel, sliceLabels, type SliceEndpoint, type SlicePort } from './reconciler.js';

export interface EndpointSliceControllerOptions extends ControllerOptions {
  /** Upstream's --concurrent-service-endpoint-syncs defaults to 5. */
  workers?: number;
  /** Upstream's --max-endpoints-per-slice defaults to 100. */
  maxEndpointsPerSlice?: number;
}

export async function startEndpointSliceController(opts: EndpointSliceControllerOptions): Promise<void> {
  const log = opts.log ?? stderrLog;
  const clock = opts.clock ?? realClock;
  const queue = new RateLimitingQueue<string>({ clock, name: 'endpoint_slice' });
  const services = opts.informers.informerFor(builtin.services);
  const pods = opts.informers.informerFor(builtin.pods);
  const nodes = opts.informers.informerFor(builtin.nodes);
  const slices = opts.informers.informerFor(builtin.endpointslices, { labelSelector: `${managedByLabel}=${controllerName}` });
  const tracker = new SliceTracker((ns, name) => slices.getByName(ns, name));
  services.addEventHandler(enqueueHandlers(queue));
  const enqueue = (keys: string[]) => { for (const k of keys) queue.add(k); };
  pods.addEventHandler({
    onAdd: (p) => enqueue(servicesForPod(services, p)),
    onUpdate: (old, p) => enqueue(servicesForPod(services, p, old)),
    onDelete: (p) => enqueue(servicesForPod(services, deletedObject(p))),
  });
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
    client: opts.client, services, pods, nodes, slices, tracker, recorder: recorderFor(opts, 'endpointslice-controller', opts.clock ?? realClock, opts.log ?? stderrLog), maxEndpointsPerSlice: opts.maxEndpointsPerSlice ?? 100,
  });
  opts.informers.start(opts.signal);
  await runController({
    name: 'endpointslice-controller', informers: [services, pods, nodes, slices], workers: opts.workers ?? 5, queue, signal: opts.signal, log,
    reconcile: (key) => reconciler.reconcile(key),
  });
}
