// The node Lease heartbeat (upstream's pkg/kubelet/nodelease controller): a Lease named after the node in
// kube-node-lease, owned by the Node (so it goes with it), holderIdentity = node name, leaseDurationSeconds 40, and
// spec.renewTime moved forward every renew interval (10 s). The node lifecycle controller reads it to tell a live
// node from a dead one. One NodeLease per node; the caller decides when to renew (a timer for the real kubelet, one
// timer wheel for thousands of simulated ones) and how writes are throttled (`run`).
import { isNotFound } from '../../api/errors.js';
import type { Client } from '../../client/client.js';
import { resources } from '../../api/resources.js';
import { formatMicroTime, type Lease } from '../../client/leader-election.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
export const DEFAULT_LEASE_DURATION_SECONDS = 40;
export const DEFAULT_LEASE_RENEW_INTERVAL_MS = 10_000;

/** The node's Lease as the kubelet's lease controller creates it. */
export function leaseObject(node: { name: string; uid?: string }, leaseDurationSeconds: number, nowMs: number): Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
    metadata: {
      name: node.name, namespace: NODE_LEASE_NAMESPACE,
      ...(node.uid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node.name, uid: node.uid }] } : {}),
    },
    spec: { holderIdentity: node.name, leaseDurationSeconds, renewTime: formatMicroTime(nowMs) },
  };
}

export interface NodeLeaseState {
  name: string;
  /** The Node's uid, for the owner reference of a Lease created anew. */
  uid?: string;
  /** The Lease last read or written; renewals PUT it with its resourceVersion. */
  lease?: Lease;
}

/** Runs an API write; lets the caller throttle (the simulated nodes' WriteLimiter) or not (the real kubelet). */
export type WriteRunner = <T>(write: () => Promise<T>) => Promise<T>;
const direct: WriteRunner = (write) => write();

/**
 * Renews (or creates) the node's Lease once. Throws on failure after forgetting the cached Lease, so the retry reads
 * it again (someone else may have changed it).
 */
export async function renewNodeLease(client: Client, node: NodeLeaseState, opts: { nowMs: number; leaseDurationSeconds?: number; run?: WriteRunner }): Promise<void> {
  const run = opts.run ?? direct;
  const leaseDurationSeconds = opts.leaseDurationSeconds ?? DEFAULT_LEASE_DURATION_SECONDS;
  if (!node.lease) {
    try {
      node.lease = await run(() => client.get<Lease>(resources.leases, NODE_LEASE_NAMESPACE, node.name));
    } catch (e) {
      if (!isNotFound(e)) throw e;
      node.lease = await run(() => client.create<Lease>(resources.leases, NODE_LEASE_NAMESPACE, leaseObject(node, leaseDurationSeconds, opts.nowMs)));
      return;
    }
  }
  // Only spec changes: the rest is sent as last read (a deep copy of the whole Lease cost more than the PUT's encoding).
  const next: Lease = { ...node.lease, spec: { ...node.lease.spec, holderIdentity: node.name, leaseDurationSeconds, renewTime: formatMicroTime(opts.nowMs) } };
  try {
    node.lease = await run(() => client.update<Lease>(resources.leases, next));
  } catch (e) {
    node.lease = undefined;
    throw e;
  }
}
