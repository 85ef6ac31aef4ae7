// Wiring of the node lifecycle controller: nodes, leases in kube-node-lease, and pods indexed by node; the key is
// the node name.
import { startController } from '../shared/start.js';
import type { ControllerOptions } from '../shared/options.js';
import { resources as builtin } from '../../api/resources.js';
import { enqueueHandlers } from '../../client/controller.js';
import { NodeLifecycleController, type NodeLifecycleSettings } from './node-lifecycle-controller.js';
import { podNodeNameIndexers } from '../../client/indexes.js';

export { NodeLifecycleController, type NodeLifecycleSettings } from './node-lifecycle-controller.js';
export * from './taints.js';
export { evictionTime } from './taint-eviction.js';

export interface NodeLifecycleControllerOptions extends ControllerOptions, Partial<NodeLifecycleSettings> {
  workers?: number;
}

export function startNodeLifecycleController(opts: NodeLifecycleControllerOptions): Promise<void> {
  return startController(opts, { name: 'node-lifecycle-controller', queue: 'node_lifecycle', component: 'node-controller', defaultWorkers: 1 }, ({ client, informers, clock, log, queue, recorder }) => {
    const nodes = informers.informerFor(builtin.nodes);
    const leases = informers.informerFor(builtin.leases, { namespace: 'kube-node-lease' });
    const pods = informers.informerFor(builtin.pods, { indexers: podNodeNameIndexers });
    nodes.addEventHandler(enqueueHandlers(queue));
    leases.addEventHandler(enqueueHandlers(queue, (l) => l.metadata?.name));
    pods.addEventHandler({
      onAdd: (p) => { if (p.spec?.nodeName) queue.add(p.spec.nodeName); },
      onUpdate: (_o, p) => { if (p.spec?.nodeName) queue.add(p.spec.nodeName); },
    });
    const controller = new NodeLifecycleController({
      client, clock, log, recorder, nodes, leases, pods,
      settings: {
        nodeMonitorGracePeriodMs: opts.nodeMonitorGracePeriodMs ?? 40_000,
        nodeStartupGracePeriodMs: opts.nodeStartupGracePeriodMs ?? 60_000,
        defaultTolerationSeconds: opts.defaultTolerationSeconds === undefined ? 300 : opts.defaultTolerationSeconds,
      },
    });
    return { informers: [nodes, leases, pods], reconcile: (name) => controller.reconcile(name) };
  });
}
