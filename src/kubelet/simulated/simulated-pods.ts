// The pod side of the simulated kubelets (what a pod worker does on a simulated node): podStartDelayMs after a pod
// bound to a simulated node is first seen, its status says Running and Ready with an IP from the node's podCIDR;
// podStopDelayMs after its deletionTimestamp is seen, the deletion is confirmed; pods annotated with
// EXIT_AFTER_ANNOTATION finish as Succeeded (as Failed with EXIT_CODE_ANNOTATION under restartPolicy Never). Status is written and deletion confirmed by the same code as the real
// kubelet's status manager (../status/patch-pod-status.ts), through the shared write limiter.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Client } from '../../client/client.js';
import type { Clock } from '../../client/clock.js';
import type { LogFn } from '../../client/log.js';
import type { WriteRunner } from '../lease/node-lease.js';
import { confirmPodDeletion, patchPodStatus } from '../status/patch-pod-status.js';
import type { PodIPAllocator } from './ip-allocator.js';
import { exitAtMs, runningPodStatus, simulatedExitCode, statusMatches, succeededPodStatus } from './pod-status.js';
import { isPodTerminal } from '../../api/pod.js';

/** What the pod side needs to know of a simulated node. */
export interface SimulatedPodHost { name: string; hostIP: string; ips: PodIPAllocator; failed: boolean }

export interface SimulatedPodsOptions {
  /** The client of the kubelet of a node (each simulated node writes as itself). */
  clientFor(nodeName: string): Client;
  clock: Clock;
  log: LogFn;
  startDelayMs: number;
  stopDelayMs: number;
  /** Writes go through the simulated nodes' shared limiter at normal priority. */
  run: WriteRunner;
}

export class SimulatedPods {
  /** Pod uid → when this process first saw it bound to a simulated node / saw its deletionTimestamp. */
  private readonly firstSeen = new Map<string, number>();
  private readonly deletionSeen = new Map<string, number>();

  constructor(private readonly o: SimulatedPodsOptions) {}

  /** Records a pod seen on node (add/update event); returns whether it needs a sync. */
  observe(pod: Pod, node: SimulatedPodHost): boolean {
    const uid = pod.metadata?.uid;
    if (!uid) return false;
    const ip = pod.status?.podIP;
    if (ip && !pod.spec?.hostNetwork && !isPodTerminal(pod)) node.ips.claim(uid, ip);
    if (!this.firstSeen.has(uid)) this.firstSeen.set(uid, this.o.clock.now());
    if (pod.metadata?.deletionTimestamp && !this.deletionSeen.has(uid)) this.deletionSeen.set(uid, this.o.clock.now());
    return !node.failed;
  }

  forget(pod: Pod, node: SimulatedPodHost | undefined): void {
    const uid = pod.metadata?.uid;
    if (!uid) return;
    node?.ips.release(uid);
    this.firstSeen.delete(uid);
    this.deletionSeen.delete(uid);
  }

  /** One sync of a pod on a live simulated node. */
  async sync(pod: Pod, node: SimulatedPodHost, key: string): Promise<void | { requeueAfter: number }> {
    const uid = pod.metadata!.uid!;
    const now = this.o.clock.now();
    if (pod.metadata?.deletionTimestamp) {
      if (pod.metadata.deletionGracePeriodSeconds === 0) return; // already confirmed; finalizers hold it
      const due = (this.deletionSeen.get(uid) ?? now) + this.o.stopDelayMs;
      if (now < due) return { requeueAfter: due - now };
      await confirmPodDeletion(this.o.clientFor(node.name), pod, this.o.run);
      return;
    }
    if (isPodTerminal(pod)) { node.ips.release(uid); return; }

    const exitAt = exitAtMs(pod);
    if (exitAt !== undefined) {
      if (now < exitAt) return { requeueAfter: exitAt - now };
      await patchPodStatus(this.o.clientFor(node.name), pod, succeededPodStatus(pod, now, simulatedExitCode(pod)), this.o.run);
      node.ips.release(uid);
      return;
    }

    if (pod.status?.phase !== 'Running') {
      const due = (this.firstSeen.get(uid) ?? now) + this.o.startDelayMs;
      if (now < due) return { requeueAfter: due - now };
    }
    const podIP = pod.spec?.hostNetwork ? node.hostIP : node.ips.allocate(uid);
    if (!podIP) {
      this.o.log({ level: 'warn', msg: 'no free pod IP on simulated node', node: node.name, podCIDR: node.ips.cidr, pod: key });
      return { requeueAfter: 10_000 };
    }
    const desired = runningPodStatus(pod, { hostIP: node.hostIP, podIP, nowMs: now });
    if (statusMatches(pod.status, desired)) return;
    await patchPodStatus(this.o.clientFor(node.name), pod, desired, this.o.run);
  }
}
