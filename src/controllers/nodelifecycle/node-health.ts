// When this controller last saw each node show signs of life (upstream's nodeHealthMap probeTimestamp): a newer
// Lease renewTime in kube-node-lease, or a new lastHeartbeatTime on the kubelet's Ready condition. Times are the
// controller's own clock at observation, so clock skew between hosts does not matter. Kept in memory: after a
// restart every node gets a fresh grace period, as upstream.
import type { KubeObject } from '../../api/object.js';

/** Reasons this controller writes; a Ready condition carrying one is not a kubelet heartbeat. */
export const controllerReasons = new Set(['NodeStatusUnknown', 'NodeStatusNeverUpdated']);

interface Seen { probeAt: number; renewTime?: string; heartbeat?: string }

export class NodeHealth {
  private seen = new Map<string, Seen>();

  /** Records what the node and its lease show now; returns when the node last showed life. */
  observe(node: KubeObject, lease: KubeObject | undefined, now: number): number {
    const name = node.metadata!.name!;
    const renewTime: string | undefined = lease?.spec?.renewTime;
    const ready = (node.status?.conditions ?? []).find((c: { type: string }) => c.type === 'Ready');
    const heartbeat: string | undefined = ready && !controllerReasons.has(ready.reason) ? ready.lastHeartbeatTime : undefined;
    const s = this.seen.get(name);
    if (!s) {
      this.seen.set(name, { probeAt: now, renewTime, heartbeat });
      return now;
    }
    if ((renewTime && renewTime !== s.renewTime) || (heartbeat && heartbeat !== s.heartbeat)) s.probeAt = now;
    s.renewTime = renewTime ?? s.renewTime;
    s.heartbeat = heartbeat ?? s.heartbeat;
    return s.probeAt;
  }

  forget(name: string): void { this.seen.delete(name); }
}
