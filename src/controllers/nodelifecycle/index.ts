// Wiring of the node lifecycle controller: nodes, leases in kube-node-lease, and pods indexed by node; the key is
// the node name.
import { startController } from '../shared/start.js';
import type { ControllerOptions } from '../shared/options.js';
import { resources as builtin } from '../../api/resources.js';
import { enqueueHandlers } from '../../client/controller.js';
import { deletedObject, metaNamespaceKey } from '../../client/keys.js';
import { NodeLifecycleController, type NodeLifecycleSettings } from './node-lifecycle-controller.js';
import { podNodeNameIndexers } from '../../client/indexes.js';
import type { KubeObject } from '../../api/object.js';
import { conditionStatus, type Taint } from './taints.js';

/** Where kubelets keep their node Leases. */
const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export { NodeLifecycleController, type NodeLifecycleSettings } from './node-lifecycle-controller.js';
export * from './taints.js';
export { evictionTime } from './taint-eviction.js';

export interface NodeLifecycleControllerOptions extends ControllerOptions, Partial<NodeLifecycleSettings> {
  workers?: number;
}

export function startNodeLifecycleController(opts: NodeLifecycleControllerOptions): Promise<void> {
  return startController(opts, { name: 'node-lifecycle-controller', queue: 'node_lifecycle', component: 'node-controller', defaultWorkers: 1 }, ({ client, informers, clock, log, queue, recorder }) => {
    const nodes = informers.informerFor(builtin.nodes);
    // All namespaces, as upstream's controller manager: the garbage collector watches every Lease anyway, so the
    // informer (and each renewal's decode) is shared instead of a second watch of kube-node-lease.
    const leases = informers.informerFor(builtin.leases);
    const pods = informers.informerFor(builtin.pods, { indexers: podNodeNameIndexers });
    // Nodes Ready and without NoExecute taints, as the cache shows them: a pod on one of these needs nothing here.
    const healthy = new Set<string>();
    const noteNode = (n: KubeObject) => {
      const name = n.metadata?.name ?? '';
      if (conditionStatus(n, 'Ready') === 'True' && !(n.spec?.taints ?? []).some((t: Taint) => t.effect === 'NoExecute')) healthy.add(name);
      else healthy.delete(name);
    };
    nodes.addEventHandler({
      onAdd: (n) => { noteNode(n); queue.add(metaNamespaceKey(n)); },
      onUpdate: (_o, n) => { noteNode(n); queue.add(metaNamespaceKey(n)); },
      onDelete: (n) => { const node = deletedObject(n); healthy.delete(node.metadata?.name ?? ''); queue.add(metaNamespaceKey(node)); },
    });
    leases.addEventHandler(enqueueHandlers(queue, (l) => (l.metadata?.namespace === NODE_LEASE_NAMESPACE ? l.metadata.name : undefined)));
    // A pod matters here only on a node that is not Ready or has NoExecute taints (marking pods not ready,
    // eviction), as upstream's podUpdated/processPod: on a healthy node its events need no reconcile.
    const podChanged = (p: KubeObject) => {
      const name = p.spec?.nodeName;
      if (name && !healthy.has(name)) queue.add(name);
    };
    pods.addEventHandler({ onAdd: podChanged, onUpdate: (_o, p) => podChanged(p) });
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
