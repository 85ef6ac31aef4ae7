// Wiring of the Endpoints controller: services, pods and endpoints informers; the key is the Service's.
import { recorderFor, type ControllerOptions } from '../shared/options.js';
import type { Client } from '../../client/client.js';
import { resources as builtin } from '../../api/resources.js';
import { realClock, type Clock } from '../../client/clock.js';
import { enqueueHandlers, runController } from '../../client/controller.js';
import type { InformerFactory } from '../../client/informer.js';
import { deletedObject, metaNamespaceKey } from '../../client/keys.js';
import { stderrLog, type LogFn } from '../../client/log.js';
import { RateLimitingQueue } from '../../client/workqueue.js';
import { EndpointsController } from './endpoints-controller.js';
import { servicesForPod } from '../shared/pod-endpoints.js';

export { EndpointsController, desiredSubsets, type EndpointAddress, type EndpointSubset } from './endpoints-controller.js';
export * from '../shared/pod-endpoints.js';

export interface EndpointsControllerOptions extends ControllerOptions {
  /** Upstream's --concurrent-endpoint-syncs defaults to 5. */
  workers?: number;
}

export async function startEndpointsController(opts: EndpointsControllerOptions): Promise<void> {
  const log = opts.log ?? stderrLog;
  const clock = opts.clock ?? realClock;
  const queue = new RateLimitingQueue<string>({ clock, name: 'endpoint' });
  const services = opts.informers.informerFor(builtin.services);
  const pods = opts.informers.informerFor(builtin.pods);
  const endpoints = opts.informers.informerFor(builtin.endpoints);
  services.addEventHandler(enqueueHandlers(queue));
  const enqueue = (keys: string[]) => { for (const k of keys) queue.add(k); };
  pods.addEventHandler({
    onAdd: (p) => enqueue(servicesForPod(services, p)),
    onUpdate: (old, p) => enqueue(servicesForPod(services, p, old)),
    onDelete: (p) => enqueue(servicesForPod(services, deletedObject(p))),
  });
  // A deleted Endpoints of a Service with a selector is made again.
  endpoints.addEventHandler({ onDelete: (e) => queue.add(metaNamespaceKey(e)) });
  const controller = new EndpointsController({ client: opts.client, services, pods, endpoints, recorder: recorderFor(opts, 'endpoint-controller', opts.clock ?? realClock, opts.log ?? stderrLog) });
  opts.informers.start(opts.signal);
  await runController({
    name: 'endpoints-controller', informers: [services, pods, endpoints], workers: opts.workers ?? 5, queue, signal: opts.signal, log,
    reconcile: (key) => controller.reconcile(key),
  });
}
