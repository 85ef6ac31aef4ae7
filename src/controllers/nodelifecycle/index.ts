// Wiring of the node lifecycle controller: nodes, leases in kube-node-lease, and pods indexed by node; the key is
import { recorderFor, type ControllerOptions } from '../shared/options.js';
// the node name.
import type { Client } from '../../client/client.js';
import { resources as builtin } from '../../api/resources.js';
import { realClock, type Clock } from '../../client/clock.js';
import { enqueueHandlers, runController } from '../../client/controller.js';
import type { InformerFactory } from '../../client/informer.js';
import { stderrLog, type LogFn } from '../../client/log.js';
import { RateLimitingQueue } from '../../client/workqueue.js';
import { NodeLifecycleController, type NodeLifecycleSettings } from './node-lifecycle-controller.js';
import { podNodeNameIndexers } from '../../client/indexes.js';

export { NodeLifecycleController, type NodeLifecycleSettings } from './node-lifecycle-controller.js';
export * from './taints.js';
export { evictionTime } from './taint-eviction.js';

export interface NodeLifecycleControllerOptions extends ControllerOptions, Partial<NodeLifecycleSettings> {
  workers?: number;
}

export async function startNodeLifecycleController(opts: NodeLifecycleControllerOptions): Promise<void> {
  const log = opts.log ?? stderrLog;
  const clock = opts.clock ?? realClock;
  const queue = new RateLimitingQueue<string>({ clock, name: 'node_lifecycle' });
  const nodes = opts.informers.informerFor(builtin.nodes);
  const leases = opts.informers.informerFor(builtin.leases, { namespace: 'kube-node-lease' });
  const pods = opts.informers.informerFor(builtin.pods, { indexers: podNodeNameIndexers });
  nodes.addEventHandler(enqueueHandlers(queue));
  leases.addEventHandler(enqueueHandlers(queue, (l) => l.metadata?.name));
  pods.addEventHandler({
    onAdd: (p) => { if (p.spec?.nodeName) queue.add(p.spec.nodeName); },
    onUpdate: (_o, p) => { if (p.spec?.nodeName) queue.add(p.spec.nodeName); },
  });
  const controller = new NodeLifecycleController({
    client: opts.client, clock, log, recorder: recorderFor(opts, 'node-controller', opts.clock ?? realClock, opts.log ?? stderrLog), nodes, leases, pods,
    settings: {
      nodeMonitorGracePeriodMs: opts.nodeMonitorGracePeriodMs ?? 40_000,
      nodeStartupGracePeriodMs: opts.nodeStartupGracePeriodMs ?? 60_000,
      defaultTolerationSeconds: opts.defaultTolerationSeconds === undefined ? 300 : opts.defaultTolerationSeconds,
    },
  });
  opts.informers.start(opts.signal);
  await runController({
    name: 'node-lifecycle-controller', informers: [nodes, leases, pods], workers: opts.workers ?? 1, queue, signal: opts.signal, log,
    reconcile: (name) => controller.reconcile(name),
  });
}
