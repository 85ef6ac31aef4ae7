// The node IPAM controller's range allocator (upstream's pkg/controller/nodeipam/ipam/range_allocator.go): every
// Node without spec.podCIDR gets the next free subnet (/24 by default) of the cluster CIDR (10.244.0.0/16 by
// default), written once to spec.podCIDR and spec.podCIDRs (both immutable once set). Subnets Nodes already hold are
// marked used before anything is handed out, so a restarted controller never hands one out twice; a deleted Node's
// subnet goes back to the pool.
//
// Nodes whose podCIDR lies outside the cluster CIDR are left alone, as upstream's allocator leaves them: simulated
// nodes (src/kubelet/simulated) register with their own podCIDR in 10.128.0.0/10, since thousands of them would not
// fit in a /16, and their IPs are data only.
import type { Node } from 'kubernetes-types/core/v1.js';
import { isConflict, isNotFound, isInvalid } from '../../api/errors.js';
import type { Client } from '../../client/client.js';
import { resources as builtin } from '../../api/resources.js';
import type { KubeObject } from '../../api/object.js';
import type { EventRecorder } from '../../client/events.js';
import type { SharedInformer } from '../../client/informer.js';
import type { LogFn } from '../../client/log.js';
import { CIDRSet } from './cidr-set.js';

export const DEFAULT_CLUSTER_CIDR = '10.244.0.0/16';
export const DEFAULT_NODE_CIDR_MASK_SIZE = 24;

export interface RangeAllocatorConfig {
  client: Client;
  nodes: SharedInformer<Node & KubeObject>;
  recorder: EventRecorder;
  log: LogFn;
  clusterCIDR: string;
  nodeCIDRMaskSize: number;
}

export class RangeAllocator {
  private readonly cidrs: CIDRSet;
  /** Node name → the subnet this allocator handed it or saw it hold. */
  private readonly byNode = new Map<string, string>();
  private primed = false;

  constructor(private readonly cfg: RangeAllocatorConfig) {
    this.cidrs = new CIDRSet(cfg.clusterCIDR, cfg.nodeCIDRMaskSize);
  }

  /** Called for a deleted Node: its subnet is free again. */
  release(name: string): void {
    const cidr = this.byNode.get(name);
    if (!cidr) return;
    this.byNode.delete(name);
    this.cidrs.release(cidr);
  }

  async reconcile(name: string): Promise<void> {
    if (!this.primed) {
      // Runs after the cache synced (runController waits): every subnet held is known before one is handed out.
      for (const n of this.cfg.nodes.list()) this.occupy(n);
      this.primed = true;
    }
    const node = this.cfg.nodes.getByName(undefined, name);
    if (!node) { this.release(name); return; }
    if (node.spec?.podCIDR || (node.spec?.podCIDRs ?? []).length > 0) { this.occupy(node); return; }
    if (node.metadata?.deletionTimestamp) return;

    let cidr = this.byNode.get(name);
    if (!cidr) {
      cidr = this.cidrs.allocateNext();
      if (!cidr) {
        void this.cfg.recorder.event(nodeRef(node), 'Normal', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
        throw new Error(`no pod CIDR left in ${this.cidrs.clusterCIDR} for node ${name}`);
      }
      this.byNode.set(name, cidr);
    }
    try {
      await this.cfg.client.patch(builtin.nodes, undefined, name, 'merge', { spec: { podCIDR: cidr, podCIDRs: [cidr] } });
      this.cfg.log({ level: 'info', msg: 'set node podCIDR', controller: 'node-ipam-controller', node: name, podCIDR: cidr });
    } catch (e) {
      if (isNotFound(e)) { this.release(name); return; }
      if (isInvalid(e) || isConflict(e)) {
        // Someone set it meanwhile: give ours back; the update event brings the Node's own subnet here.
        this.release(name);
        return;
      }
      throw e;
    }
  }

  private occupy(node: Node): void {
    const name = node.metadata?.name ?? '';
    const held = node.spec?.podCIDRs?.[0] ?? node.spec?.podCIDR;
    if (!held) return;
    const mine = this.byNode.get(name);
    if (mine === held) return;
    if (mine) this.cidrs.release(mine);
    if (this.cidrs.occupy(held)) this.byNode.set(name, held);
    else this.byNode.delete(name);
  }
}

function nodeRef(node: Node) {
  return { apiVersion: 'v1', kind: 'Node', name: node.metadata?.name, uid: node.metadata?.uid };
}
