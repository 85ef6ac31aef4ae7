// The scheduler's view of the cluster (upstream's scheduler cache): NodeInfos fed by the node and pod informers,
// plus "assumed" pods. A pod is assumed onto its node the moment the scheduling cycle picks the node, before the
// binding is written, so the next pod is scheduled against the capacity the first one will take; when the watch
// later reports the pod bound, the assumption is confirmed; when the bind fails, it is forgotten.
//
// Scheduling cycles run synchronously between informer events, so the cache itself is the snapshot a cycle reads
// (upstream copies a snapshot because its cycle runs concurrently with event handlers; ours cannot).
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { FitSlots, NodeInfo } from './node-info.js';
import { PodInfo } from './pod-info.js';
import type { NodeInfoLister } from './types.js';
import { isPodTerminal } from '../../api/pod.js';

interface PodState { info: PodInfo; nodeName: string; assumed: boolean; bindingFinished: boolean }

export class SchedulerCache implements NodeInfoLister {
  private readonly nodeInfos = new Map<string, NodeInfo>();
  private readonly nodeList: NodeInfo[] = [];
  private readonly listIndex = new Map<string, number>();
  private readonly podStates = new Map<string, PodState>();
  /** The fit numbers of every NodeInfo here, in one array in the order nodes arrive (node-info.ts). */
  private readonly fitSlots = new FitSlots();

  list(): readonly NodeInfo[] { return this.nodeList; }
  get(name: string): NodeInfo | undefined {
    const ni = this.nodeInfos.get(name);
    return ni?.node ? ni : undefined;
  }
  get nodeCount(): number { return this.nodeList.length; }

  // --- nodes -------------------------------------------------------------------------------------------------

  /** Adds or updates a node. */
  addNode(node: Node): NodeInfo {
    const name = node.metadata?.name ?? '';
    let ni = this.nodeInfos.get(name);
    if (!ni) this.nodeInfos.set(name, (ni = new NodeInfo(name, this.fitSlots)));
    ni.setNode(node);
    if (!this.listIndex.has(name)) {
      this.listIndex.set(name, this.nodeList.length);
      this.nodeList.push(ni);
    }
    return ni;
  }
  updateNode(node: Node): NodeInfo { return this.addNode(node); }

  removeNode(name: string): void {
    const ni = this.nodeInfos.get(name);
    if (!ni) return;
    const i = this.listIndex.get(name);
    if (i !== undefined) {
      const last = this.nodeList.pop()!;
      if (last !== ni) { this.nodeList[i] = last; this.listIndex.set(last.name, i); }
      this.listIndex.delete(name);
    }
    ni.node = undefined;
    // Pods still bound to a deleted node keep their NodeInfo until they go (as upstream's "ghost" node).
    if (ni.pods.size === 0) this.dropNodeInfo(ni);
  }

  // --- pods --------------------------------------------------------------------------------------------------

  isAssumed(uid: string): boolean { return this.podStates.get(uid)?.assumed === true; }
  /** The node the cache holds the pod on (assumed or confirmed), or undefined. */
  nodeOf(uid: string): string | undefined { return this.podStates.get(uid)?.nodeName; }
  get podCount(): number { return this.podStates.size; }

  /** Puts a pod on nodeName before its binding is written. Throws when the cache already holds it. */
  assumePod(info: PodInfo, nodeName: string): void {
    if (this.podStates.has(info.uid)) throw new Error(`pod ${info.key} (${info.uid}) is already in the cache, so cannot be assumed`);
    this.nodeInfoFor(nodeName).addPod(info);
    this.podStates.set(info.uid, { info, nodeName, assumed: true, bindingFinished: false });
  }

  finishBinding(uid: string): void {
    const s = this.podStates.get(uid);
    if (s?.assumed) s.bindingFinished = true;
  }

  /** Undoes assumePod after a failed bind. A pod the watch has already confirmed is left alone. */
  forgetPod(info: PodInfo): void {
    const s = this.podStates.get(info.uid);
    if (!s || !s.assumed) return;
    this.removeFromNode(s);
    this.podStates.delete(info.uid);
  }

  /** An assigned pod reported by the informer (add or update): confirms an assumed pod or (re)accounts it. */
  addPod(pod: Pod): void {
    const uid = pod.metadata?.uid ?? '';
    const nodeName = pod.spec?.nodeName ?? '';
    if (!nodeName) return;
    // Pods in a terminal phase no longer hold resources (upstream's informer filter drops them from the cache).
    if (isPodTerminal(pod)) { this.removePod(pod); return; }
    const s = this.podStates.get(uid);
    const info = new PodInfo(pod);
    if (s) this.removeFromNode(s);
    this.nodeInfoFor(nodeName).addPod(info);
    this.podStates.set(uid, { info, nodeName, assumed: false, bindingFinished: true });
  }
  updatePod(pod: Pod): void { this.addPod(pod); }

  removePod(pod: Pod): void {
    const s = this.podStates.get(pod.metadata?.uid ?? '');
    if (!s) return;
    this.removeFromNode(s);
    this.podStates.delete(s.info.uid);
  }

  private removeFromNode(s: PodState): void {
    const ni = this.nodeInfos.get(s.nodeName);
    if (!ni) return;
    ni.removePod(s.info);
    if (!ni.node && ni.pods.size === 0) this.dropNodeInfo(ni);
  }

  private dropNodeInfo(ni: NodeInfo): void {
    this.nodeInfos.delete(ni.name);
    this.fitSlots.release(ni);
  }

  private nodeInfoFor(name: string): NodeInfo {
    let ni = this.nodeInfos.get(name);
    if (!ni) this.nodeInfos.set(name, (ni = new NodeInfo(name, this.fitSlots)));
    return ni;
  }
}
