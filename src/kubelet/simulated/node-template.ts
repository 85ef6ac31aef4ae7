// What a simulated node looks like to the API: the Node a kubelet registers (labels, capacity, nodeInfo, the four
// kubelet-owned conditions) and the Lease it renews in kube-node-lease. Pure functions of the node's index and the
// options, so a restarted process describes an adopted node exactly as the one that created it.
//
// Addresses are data only; nothing ever connects to them. They are chosen away from the ranges the rest of the
// cluster uses (services 10.96.0.0/12, the real kubelet's pod CIDR 10.244.0.0/16), so simulated and real pods in
// one cluster never share an IP:
//   InternalIP  10.64.<i / 254>.<i % 254 + 1>        (up to 65024 nodes)
//   podCIDR     10.<128 + i / 256>.<i % 256>.0/24    (10.128.0.0/10: up to 16384 nodes, 253 pod IPs each)
import type { Node, NodeCondition } from 'kubernetes-types/core/v1.js';
import { formatTime, kubeletConditions } from '../nodestatus/conditions.js';
import { leaseObject, NODE_LEASE_NAMESPACE } from '../lease/node-lease.js';
import { KUBELET_VERSION } from '../nodestatus/host-node.js';

export const SIMULATED_LABEL = 'type';
export const SIMULATED_LABEL_VALUE = 'simulated';
export { NODE_LEASE_NAMESPACE, KUBELET_VERSION };
export const MAX_SIMULATED_NODES = 16384;

export const defaultCapacity: Readonly<Record<string, string>> = Object.freeze({
  cpu: '32', memory: '256Gi', pods: '110', 'ephemeral-storage': '100Gi', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0',
});


export function nodeName(prefix: string, index: number): string { return `${prefix}${index}`; }

/** The index in a name made by nodeName(prefix, i); undefined for any other name. */
export function nodeIndex(prefix: string, name: string): number | undefined {
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  if (!/^(0|[1-9]\d*)$/.test(rest)) return undefined;
  const i = Number(rest);
  return i < MAX_SIMULATED_NODES ? i : undefined;
}

export function nodeInternalIP(index: number): string {
  return `10.64.${Math.floor(index / 254)}.${(index % 254) + 1}`;
}

export function nodePodCIDR(index: number): string {
  if (index < 0 || index >= MAX_SIMULATED_NODES) throw new Error(`simulated node index ${index} is out of range (0..${MAX_SIMULATED_NODES - 1})`);
  return `10.${128 + Math.floor(index / 256)}.${index % 256}.0/24`;
}

export { formatTime };

/** The kubelet-owned conditions of a healthy node (shared with the real kubelet), keeping lastTransitionTime. */
export function healthyConditions(nowMs: number, previous: readonly NodeCondition[] = []): NodeCondition[] {
  return kubeletConditions(nowMs, previous);
}

export interface NodeShape { name: string; index: number; capacity: Record<string, string> }

/** status as the simulated kubelet posts it (registration and every status update). */
export function nodeStatus(shape: NodeShape, nowMs: number, previous?: readonly NodeCondition[]): NonNullable<Node['status']> {
  const id = `sim-${shape.index.toString(16).padStart(8, '0')}`;
  return {
    capacity: { ...shape.capacity },
    allocatable: { ...shape.capacity },
    conditions: healthyConditions(nowMs, previous),
    addresses: [{ type: 'InternalIP', address: nodeInternalIP(shape.index) }, { type: 'Hostname', address: shape.name }],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: id, systemUUID: id, bootID: id,
      kernelVersion: '6.1.0-simulated', osImage: 'nanokube simulated node',
      containerRuntimeVersion: 'simulated://0.1', kubeletVersion: KUBELET_VERSION, kubeProxyVersion: '',
      operatingSystem: 'linux', architecture: 'amd64',
    },
  };
}

/** The Node a simulated kubelet registers with POST /api/v1/nodes. */
export function nodeObject(shape: NodeShape, nowMs: number): Node {
  const cidr = nodePodCIDR(shape.index);
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: {
      name: shape.name,
      labels: {
        'beta.kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64', 'kubernetes.io/hostname': shape.name, 'kubernetes.io/os': 'linux',
        [SIMULATED_LABEL]: SIMULATED_LABEL_VALUE,
      },
      annotations: { 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: { podCIDR: cidr, podCIDRs: [cidr] },
    status: nodeStatus(shape, nowMs),
  };
}

/** The name prefix of the simulated nodes `nanokube start` and `nanokube node add` create (sim-node-<n>). */
export const SIMULATED_NODE_PREFIX = 'sim-node-';

/**
 * The next `count` simulated Nodes to register beside `existing` (the names of the nodes there are): numbered on
 * from the highest index in use, as `nanokube node add` creates them. Throws past MAX_SIMULATED_NODES.
 */
export function nextSimulatedNodes(existing: readonly string[], count: number, nowMs: number, prefix = SIMULATED_NODE_PREFIX): Node[] {
  let next = 0;
  for (const name of existing) { const i = nodeIndex(prefix, name); if (i !== undefined && i >= next) next = i + 1; }
  if (next + count > MAX_SIMULATED_NODES) throw new Error(`at most ${MAX_SIMULATED_NODES} simulated nodes are supported`);
  const nodes: Node[] = [];
  for (let i = next; i < next + count; i++) nodes.push(nodeObject({ name: nodeName(prefix, i), index: i, capacity: { ...defaultCapacity } }, nowMs));
  return nodes;
}

export { leaseObject };
