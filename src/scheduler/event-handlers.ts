// The scheduler's informer event handlers (upstream's eventhandlers.go): assigned pods go to the cache, pending
// pods of this scheduler to the queue, and changes that may make unschedulable pods fit (a node added or changed,
// an assigned pod gone or finished) move them back to be retried.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.js';
import { isPodTerminal } from '../api/pod.js';
import type { SharedInformer } from '../client/informer.js';
import { deletedObject } from '../client/keys.js';
import type { SchedulerCache } from './framework/cache.js';
import type { SchedulingQueue } from './queue/scheduling-queue.js';
import type { Nominator } from './framework/nominator.js';
import { PodInfo } from './framework/pod-info.js';
import { DEFAULT_SCHEDULER_NAME } from './plugins/registry.js';

export interface EventHandlerOptions {
  podInformer: SharedInformer<Pod & KubeObject>;
  nodeInformer: SharedInformer<Node & KubeObject>;
  cache: SchedulerCache;
  queue: SchedulingQueue;
  /** Pods with this spec.schedulerName are ours. */
  schedulerName: string;
  /** Pending pods nominated to a node (status.nominatedNodeName). */
  nominator?: Nominator;
}

export const uidOf = (p: Pod) => p.metadata?.uid ?? '';

/** Registers the handlers; returns a function that removes them. */
export function addSchedulerEventHandlers(o: EventHandlerOptions): () => void {
  const { cache, queue } = o;
  const ours = (p: Pod) => (p.spec?.schedulerName || DEFAULT_SCHEDULER_NAME) === o.schedulerName;
  /** A pod this scheduler should place: ours, unassigned, not terminal, not being deleted. */
  const pending = (p: Pod) => !p.spec?.nodeName && ours(p) && !p.metadata?.deletionTimestamp && !isPodTerminal(p);

  /** Keeps the nominator in step: nominated while pending, forgotten once bound or gone. */
  const nominate = (pod: Pod) => {
    if (!o.nominator) return;
    if (!pending(pod)) o.nominator.delete(uidOf(pod));
    else if (pod.status?.nominatedNodeName) o.nominator.set(new PodInfo(pod), pod.status.nominatedNodeName);
  };
  const removePodHandler = o.podInformer.addEventHandler({
    onAdd(pod) {
      nominate(pod);
      if (pod.spec?.nodeName) cache.addPod(pod);
      else if (pending(pod)) queue.add(pod);
    },
    onUpdate(oldPod, pod) {
      nominate(pod);
      if (pod.spec?.nodeName) {
        if (!oldPod.spec?.nodeName) queue.delete(uidOf(pod));
        const freed = isPodTerminal(pod) && !isPodTerminal(oldPod);
        cache.updatePod(pod);
        if (freed) queue.moveAllToActiveOrBackoff('AssignedPodDelete');
        return;
      }
      if (cache.isAssumed(uidOf(pod))) return; // our binding is in flight; the bound update will follow
      if (pending(pod)) queue.update(oldPod, pod);
      else queue.delete(uidOf(pod));
    },
    onDelete(obj) {
      const pod = deletedObject(obj);
      o.nominator?.delete(uidOf(pod));
      if (pod.spec?.nodeName || cache.nodeOf(uidOf(pod))) {
        cache.removePod(pod);
        queue.moveAllToActiveOrBackoff('AssignedPodDelete');
      }
      queue.delete(uidOf(pod));
    },
  });
  const removeNodeHandler = o.nodeInformer.addEventHandler({
    onAdd(node) { cache.addNode(node); queue.moveAllToActiveOrBackoff('NodeAdd'); },
    onUpdate(oldNode, node) {
      cache.updateNode(node);
      if (nodeChanged(oldNode, node)) queue.moveAllToActiveOrBackoff('NodeUpdate');
    },
    onDelete(obj) { cache.removeNode(deletedObject(obj).metadata?.name ?? ''); },
  });
  return () => { removePodHandler(); removeNodeHandler(); };
}

/** Whether a node update can change where pods fit (schedulability, labels, taints, resources, readiness). */
function nodeChanged(a: Node, b: Node): boolean {
  return a.spec?.unschedulable !== b.spec?.unschedulable
    || JSON.stringify([a.metadata?.labels, a.spec?.taints, a.status?.allocatable, a.status?.capacity])
      !== JSON.stringify([b.metadata?.labels, b.spec?.taints, b.status?.allocatable, b.status?.capacity])
    || a.status?.conditions?.find((c) => c.type === 'Ready')?.status !== b.status?.conditions?.find((c) => c.type === 'Ready')?.status;
}
