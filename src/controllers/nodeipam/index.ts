// Wiring of the node IPAM controller (upstream's nodeipam with the RangeAllocator CIDR allocator): the key is the
// node name. See range-allocator.ts.
import { startController } from '../shared/start.js';
import type { Node } from 'kubernetes-types/core/v1.js';
import type { ControllerOptions } from '../shared/options.js';
import { resources as builtin } from '../../api/resources.js';
import type { KubeObject } from '../../api/object.js';
import { deletedObject } from '../../client/keys.js';
import { DEFAULT_CLUSTER_CIDR, DEFAULT_NODE_CIDR_MASK_SIZE, RangeAllocator } from './range-allocator.js';

export { CIDRSet, parseCIDR } from './cidr-set.js';
export { DEFAULT_CLUSTER_CIDR, DEFAULT_NODE_CIDR_MASK_SIZE, RangeAllocator } from './range-allocator.js';

export interface NodeIpamControllerOptions extends ControllerOptions {
  /** --cluster-cidr; default 10.244.0.0/16. */
  clusterCIDR?: string;
  /** --node-cidr-mask-size; default 24. */
  nodeCIDRMaskSize?: number;
}

export function startNodeIpamController(opts: NodeIpamControllerOptions): Promise<void> {
  return startController(opts, { name: 'node-ipam-controller', queue: 'node_ipam', component: 'cidrAllocator', defaultWorkers: 1 }, ({ client, informers, log, queue, recorder }) => {
    const nodes = informers.informerFor<Node & KubeObject>(builtin.nodes);
    const allocator = new RangeAllocator({
      client, nodes, log, recorder,
      clusterCIDR: opts.clusterCIDR ?? DEFAULT_CLUSTER_CIDR, nodeCIDRMaskSize: opts.nodeCIDRMaskSize ?? DEFAULT_NODE_CIDR_MASK_SIZE,
    });
    const key = (n: KubeObject) => n.metadata?.name;
    nodes.addEventHandler({
      // Only nodes lacking a podCIDR need work; the others are marked used when the first reconcile primes the set.
      onAdd: (n) => { if (!n.spec?.podCIDR) queue.add(key(n)!); },
      onUpdate: (_o, n) => { if (!n.spec?.podCIDR) queue.add(key(n)!); },
      onDelete: (o) => { const name = key(deletedObject(o)); if (name) { allocator.release(name); } },
    });
    return { informers: [nodes], reconcile: (name) => allocator.reconcile(name) };
  });
}
