// Nominated pods (upstream's nominator): pending pods that preemption is making room for, by the node they are
// nominated to (status.nominatedNodeName, or the nomination this scheduler just made and has not yet seen written).
// While they wait, other pods of lower or equal priority are filtered as if the nominated ones already ran there,
// so they cannot take the room (Framework.schedulePod).
import type { PodInfo } from './pod-info.js';

export class Nominator {
  private readonly byUid = new Map<string, { info: PodInfo; node: string }>();
  private readonly byNode = new Map<string, Map<string, PodInfo>>();

  get size(): number { return this.byUid.size; }

  set(info: PodInfo, node: string): void {
    this.delete(info.uid);
    this.byUid.set(info.uid, { info, node });
    let m = this.byNode.get(node);
    if (!m) this.byNode.set(node, (m = new Map()));
    m.set(info.uid, info);
  }

  delete(uid: string): void {
    const cur = this.byUid.get(uid);
    if (!cur) return;
    this.byUid.delete(uid);
    const m = this.byNode.get(cur.node);
    m?.delete(uid);
    if (m && m.size === 0) this.byNode.delete(cur.node);
  }

  nodeOf(uid: string): string | undefined { return this.byUid.get(uid)?.node; }

  /** The pods nominated to node with at least `priority`, other than `exceptUid`. */
  forNode(node: string, priority: number, exceptUid: string): PodInfo[] | undefined {
    const m = this.byNode.get(node);
    if (!m) return undefined;
    let out: PodInfo[] | undefined;
    for (const p of m.values()) if (p.uid !== exceptUid && p.priority >= priority) (out ??= []).push(p);
    return out;
  }
}
