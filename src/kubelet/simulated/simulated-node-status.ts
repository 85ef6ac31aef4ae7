// The node side of the simulated kubelets: Lease renewal and node status posting, done by the same code as the real
// kubelet's (../lease/node-lease.ts, ../nodestatus/conditions.ts), for one simulated node at a time; the caller
// (simulated-nodes.ts) schedules them over thousands of nodes with one timer wheel and throttles writes.
import type { Node } from 'kubernetes-types/core/v1.js';
import { isNotFound } from '../../api/errors.js';
import type { Client } from '../../client/client.js';
import { resources } from '../../api/resources.js';
import { renewNodeLease, type NodeLeaseState, type WriteRunner } from '../lease/node-lease.js';
import { nodeStatusDueInMs, withForeignConditions } from '../nodestatus/conditions.js';
import { nodeStatus } from './node-template.js';

export interface SimulatedNodeState extends NodeLeaseState {
  index: number;
  /** Whether this process has posted the node's status (adopted nodes get their capacity refreshed once). */
  statusPosted: boolean;
}

export function renewSimulatedLease(client: Client, node: SimulatedNodeState, nowMs: number, leaseDurationSeconds: number, run: WriteRunner): Promise<void> {
  return renewNodeLease(client, node, { nowMs, leaseDurationSeconds, run });
}

/** Posts the node's status when due; returns when to look again. */
export async function postSimulatedNodeStatus(client: Client, node: SimulatedNodeState, cached: Node, opts: { nowMs: number; reportIntervalMs: number; capacity: Record<string, string>; run: WriteRunner }): Promise<void | { requeueAfter: number }> {
  const conditions = cached.status?.conditions ?? [];
  const due = nodeStatusDueInMs(conditions, opts.nowMs, opts.reportIntervalMs, node.statusPosted);
  if (due > 0) return { requeueAfter: due };
  const status = nodeStatus({ name: node.name, index: node.index, capacity: opts.capacity }, opts.nowMs, conditions);
  status.conditions = withForeignConditions(status.conditions!, conditions); // e.g. NetworkUnavailable
  try {
    await opts.run(() => client.patch(resources.nodes, undefined, node.name, 'merge', { status }, { subresource: 'status' }));
  } catch (e) {
    if (isNotFound(e)) return; // deleted: the informer's DELETED event stops simulating it
    throw e;
  }
  node.statusPosted = true;
  return { requeueAfter: opts.reportIntervalMs };
}
