// The pod garbage collector (upstream's pkg/controller/podgc). It force-deletes (gracePeriodSeconds 0) three kinds
// of pods nobody else will ever finish:
//  - orphaned pods: bound to a Node that no longer exists. A node missing from the cache is quarantined for
//    `quarantineMs` (upstream 40 s) and then confirmed gone with a live GET before its pods are marked Failed with
//    a DisruptionTarget condition (reason DeletionByPodGC) and deleted;
//  - unscheduled terminating pods: deletionTimestamp set, no spec.nodeName;
//  - terminated pods (Succeeded/Failed) beyond `terminatedPodThreshold`: the oldest (by creationTimestamp, then name)
//    go first, so the newest `terminatedPodThreshold` remain.
// Work-queue keys are pod keys (`namespace/name`) plus one key, `terminatedPodsKey`, for the threshold pass.
import { startController } from '../shared/start.js';
import type { ControllerOptions } from '../shared/options.js';
import type { Pod } from '../shared/types.js';
import { isConflict, isNotFound } from '../../api/errors.js';
import { resources as builtin } from '../../api/resources.js';
import { deletedObject, metaNamespaceKey } from '../../client/keys.js';
import { metaNow } from '../shared/time.js';
import { podNodeNameIndex, podNodeNameIndexers } from '../../client/indexes.js';
import { isPodTerminal } from '../../api/pod.js';

export interface PodGCControllerOptions extends ControllerOptions {
  /** Terminated pods kept before the oldest are deleted; <= 0 turns that pass off. Upstream's default is 12500. */
  terminatedPodThreshold?: number;
  /** How long a node must stay missing before its pods count as orphaned. Upstream's quarantineTime is 40 s. */
  quarantineMs?: number;
  workers?: number;
}

export const defaultTerminatedPodThreshold = 12500;
export const defaultQuarantineMs = 40_000;
/** The key of the terminated-pods pass; pod keys always contain a '/', so it cannot collide with one. */
export const terminatedPodsKey = 'terminated-pods';
const fieldManager = 'PodGC';

type PodCondition = NonNullable<NonNullable<Pod['status']>['conditions']>[number];

/** Runs the pod GC until opts.signal aborts. */
export function startPodGCController(opts: PodGCControllerOptions): Promise<void> {
  return startController(opts, { name: 'pod-garbage-collector', queue: 'pod_gc', component: 'pod-garbage-collector', defaultWorkers: 2 }, ({ client, informers, clock, log, queue }) => {
    const threshold = opts.terminatedPodThreshold ?? defaultTerminatedPodThreshold;
    const quarantineMs = opts.quarantineMs ?? defaultQuarantineMs;
    const pods = informers.informerFor<Pod>(builtin.pods, { indexers: podNodeNameIndexers });
    const nodes = informers.informerFor(builtin.nodes);

    // Keys of terminated pods, kept by the handlers so the threshold pass is only queued when it has work to do.
    const terminated = new Set<string>();
    // When each missing node was first seen missing (the quarantine start). In memory only: after a restart the
    // quarantine starts again, which only delays deletion.
    const missingSince = new Map<string, number>();

    const onPod = (p: Pod) => {
      const key = metaNamespaceKey(p);
      if (isPodTerminal(p)) terminated.add(key); else terminated.delete(key);
      if (threshold > 0 && terminated.size > threshold) queue.add(terminatedPodsKey);
      const node = p.spec?.nodeName;
      if ((p.metadata?.deletionTimestamp && !node) || (node && !nodes.getByName(undefined, node))) queue.add(key);
    };
    pods.addEventHandler({
      onAdd: (p) => onPod(p),
      onUpdate: (_old, p) => onPod(p),
      onDelete: (o) => {
        const p = deletedObject(o);
        const key = metaNamespaceKey(p);
        terminated.delete(key);
        // Forget the quarantine of a missing node once none of its pods is left.
        const node = p.spec?.nodeName;
        if (node && missingSince.has(node) && pods.byIndex(podNodeNameIndex, node).every((q) => metaNamespaceKey(q) === key)) missingSince.delete(node);
      },
    });
    nodes.addEventHandler({
      onAdd: (n) => { if (n.metadata?.name) missingSince.delete(n.metadata.name); },
      onDelete: (o) => {
        const name = deletedObject(o).metadata?.name;
        if (name) for (const p of pods.byIndex(podNodeNameIndex, name)) queue.add(metaNamespaceKey(p));
      },
    });

    /** Upstream's markFailedAndDeletePod(WithCondition): a pod not yet terminal is patched Failed first. */
    const markFailedAndDelete = async (pod: Pod, why: string, condition?: PodCondition) => {
      const { namespace, name, uid, resourceVersion } = pod.metadata ?? {};
      if (!isPodTerminal(pod)) {
        const status: Record<string, unknown> = { phase: 'Failed' };
        // A merge patch replaces the list, so send the current conditions with ours put in. The resourceVersion is a
        // precondition: a Conflict means the pod changed and the retry decides again from the fresh cache.
        if (condition) status.conditions = [...(pod.status?.conditions ?? []).filter((c) => c.type !== condition.type), condition];
        try {
          await client.patch(builtin.pods, namespace, name!, 'merge', { metadata: { resourceVersion }, status }, { subresource: 'status', fieldManager });
        } catch (e) {
          if (isNotFound(e)) return;
          throw e;
        }
      }
      try {
        await client.delete(builtin.pods, namespace, name!, { gracePeriodSeconds: 0, preconditions: { uid } });
        log({ level: 'info', msg: 'force deleted pod', controller: 'pod-garbage-collector', namespace, name, reason: why });
      } catch (e) {
        // Gone already, or replaced by a new pod of the same name (the uid precondition fails): nothing to collect.
        if (isNotFound(e) || isConflict(e)) return;
        throw e;
      }
    };

    const gcTerminated = async () => {
      if (threshold <= 0) return;
      const list = pods.list().filter(isPodTerminal);
      const excess = list.length - threshold;
      if (excess <= 0) return;
      list.sort((a, b) => {
        const ta = a.metadata?.creationTimestamp ?? '', tb = b.metadata?.creationTimestamp ?? '';
        const da = Date.parse(ta), db = Date.parse(tb);
        if (da !== db) return (Number.isNaN(da) ? 0 : da) - (Number.isNaN(db) ? 0 : db);
        return metaNamespaceKey(a) < metaNamespaceKey(b) ? -1 : 1;
      });
      log({ level: 'info', msg: 'garbage collecting terminated pods', controller: 'pod-garbage-collector', count: excess });
      const victims = list.slice(0, excess);
      // A few deletes in flight at once (upstream runs them all in parallel goroutines).
      for (let i = 0; i < victims.length; i += 16) {
        await Promise.all(victims.slice(i, i + 16).map((p) => markFailedAndDelete(p, 'terminated pod threshold exceeded')));
      }
    };

    return {
      informers: [pods, nodes],
      async reconcile(key) {
        if (key === terminatedPodsKey) return gcTerminated();
        const pod = pods.get(key);
        if (!pod) return;
        const nodeName = pod.spec?.nodeName;
        if (!nodeName) {
          if (pod.metadata?.deletionTimestamp) await markFailedAndDelete(pod, 'unscheduled and terminating');
          return;
        }
        if (nodes.getByName(undefined, nodeName)) { missingSince.delete(nodeName); return; }
        const now = clock.now();
        const since = missingSince.get(nodeName) ?? now;
        missingSince.set(nodeName, since);
        const remaining = since + quarantineMs - now;
        if (remaining > 0) return { requeueAfter: remaining };
        // The cache can lag behind a node that was just (re)created: ask the API server before deleting anything.
        try {
          await client.get(builtin.nodes, undefined, nodeName);
          missingSince.delete(nodeName);
          return;
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
        await markFailedAndDelete(pod, `node ${nodeName} no longer exists`, {
          type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists', lastTransitionTime: metaNow(clock),
        });
      },
    };
  });
}
