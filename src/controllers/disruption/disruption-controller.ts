// The disruption controller (upstream pkg/controller/disruption): keeps each PodDisruptionBudget's status, which the
// pods/eviction subresource reads to allow or refuse an eviction.
//   expectedPods    the pods that should exist: the matching pods' count for an integer minAvailable, else the sum
//                   of the scales of their controllers (found through ownerReferences: a ReplicaSet owned by a
//                   Deployment counts as the Deployment; anything with a scale subresource counts by it);
//   desiredHealthy  minAvailable (an integer, or a percentage of expectedPods rounded up), or expectedPods minus
//                   maxUnavailable (rounded up);
//   currentHealthy  the matching pods that are Ready, not terminating, and not just evicted (status.disruptedPods
//                   entries younger than 2 minutes, which are also dropped once older or once the pod is gone);
//   disruptionsAllowed = currentHealthy - desiredHealthy (never below 0, and 0 while expectedPods is 0),
// with observedGeneration and the DisruptionAllowed condition (SufficientPods/InsufficientPods). A sync that fails
// (e.g. a pod's controller cannot be found for a percentage) sets disruptionsAllowed 0 with reason SyncFailed.
// Work-queue keys are PDB keys (`namespace/name`).
import { startController } from '../shared/start.js';
import type { ControllerOptions } from '../shared/options.js';
import type { Pod } from '../shared/types.js';
import { isConflict, isNotFound } from '../../api/errors.js';
import { getControllerOf, type KubeObject } from '../../api/object.js';
import { apiVersionOf, resources as builtin, type ApiResource } from '../../api/resources.js';
import { isPodReady } from '../../api/pod.js';
import { DISRUPTED_POD_TIMEOUT_MS, budgetsForPod, setDisruptionAllowedCondition, setStatusCondition, DISRUPTION_ALLOWED_CONDITION } from '../../api/disruption.js';
import { selectorMatches } from '../../api/validation/label-selector.js';
import { deletedObject, metaNamespaceKey } from '../../client/keys.js';
import type { Client } from '../../client/client.js';
import { errorText } from '../../client/log.js';
import { metaNow, parseTime, rfc3339 } from '../shared/time.js';

export interface DisruptionControllerOptions extends ControllerOptions {
  workers?: number;
}

/** intstr.GetScaledValueFromIntOrPercent(v, total, roundUp=true). */
export function scaledValue(v: unknown, total: number): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^[0-9]+%$/.test(v)) return Math.ceil((Number(v.slice(0, -1)) * total) / 100);
  throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
}

/** The desired pod count of the controller a pod belongs to, keyed by that controller's uid (upstream's finders). */
export async function controllerScale(client: Client, pod: Pod): Promise<{ uid: string; scale: number } | undefined> {
  let ref = getControllerOf(pod);
  let namespace = pod.metadata?.namespace;
  for (let depth = 0; ref && depth < 2; depth++) {
    const def = Object.values(builtin as Record<string, ApiResource>).find((r) => apiVersionOf(r) === ref!.apiVersion && r.kind === ref!.kind);
    if (!def || !def.subresources?.includes('scale')) return undefined;
    let owner: KubeObject;
    try { owner = await client.get(def, namespace, ref.name); } catch (e) { if (isNotFound(e)) return undefined; throw e; }
    if (owner.metadata?.uid !== ref.uid) return undefined;
    // A ReplicaSet a Deployment controls is sized by the Deployment (several ReplicaSets during a rollout).
    const parent = def.kind === 'ReplicaSet' ? getControllerOf(owner) : undefined;
    if (parent?.kind === 'Deployment' && parent.apiVersion === 'apps/v1') { ref = parent; namespace = owner.metadata?.namespace; continue; }
    const scale = await client.getScale(def, namespace!, ref.name);
    return { uid: ref.uid, scale: scale.spec?.replicas ?? 0 };
  }
  return undefined;
}

interface Counts { expectedCount: number; desiredHealthy: number; unmanaged: string[] }

async function expectedPodCount(client: Client, pdb: KubeObject, pods: Pod[]): Promise<Counts> {
  const spec = pdb.spec ?? {};
  const unmanaged: string[] = [];
  const expectedScale = async () => {
    const scales = new Map<string, number>();
    for (const pod of pods) {
      const ref = getControllerOf(pod);
      if (!ref) { unmanaged.push(pod.metadata!.name!); continue; }
      if (scales.has(ref.uid)) continue;
      const found = await controllerScale(client, pod);
      if (!found) throw new Error(`found no controllers for pod "${pod.metadata?.name}"`);
      scales.set(found.uid, found.scale);
    }
    let n = 0;
    for (const s of scales.values()) n += s;
    return n;
  };
  if (spec.maxUnavailable != null) {
    const expectedCount = await expectedScale();
    const desired = expectedCount - scaledValue(spec.maxUnavailable, expectedCount);
    return { expectedCount, desiredHealthy: Math.max(0, desired), unmanaged };
  }
  if (typeof spec.minAvailable === 'number') return { expectedCount: pods.length, desiredHealthy: spec.minAvailable, unmanaged };
  if (spec.minAvailable != null) {
    const expectedCount = await expectedScale();
    return { expectedCount, desiredHealthy: scaledValue(spec.minAvailable, expectedCount), unmanaged };
  }
  return { expectedCount: 0, desiredHealthy: 0, unmanaged };
}

/** Runs the disruption controller until opts.signal aborts. */
export function startDisruptionController(opts: DisruptionControllerOptions): Promise<void> {
  return startController(opts, { name: 'disruption-controller', queue: 'disruption', component: 'controllermanager', defaultWorkers: 2 }, ({ client, informers, clock, log, queue, recorder }) => {
    const pods = informers.informerFor<Pod>(builtin.pods);
    const pdbs = informers.informerFor(builtin.poddisruptionbudgets);

    const enqueueBudgetsOf = (pod: Pod) => {
      for (const pdb of budgetsForPod(pdbs.list(pod.metadata?.namespace), pod as KubeObject)) queue.add(metaNamespaceKey(pdb));
    };
    pdbs.addEventHandler({
      onAdd: (p) => queue.add(metaNamespaceKey(p)),
      onUpdate: (_o, p) => queue.add(metaNamespaceKey(p)),
    });
    pods.addEventHandler({
      onAdd: (p) => enqueueBudgetsOf(p),
      onUpdate: (old, p) => {
        enqueueBudgetsOf(p);
        if (JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(p.metadata?.labels ?? {})) enqueueBudgetsOf(old);
      },
      onDelete: (o) => enqueueBudgetsOf(deletedObject(o)),
    });

    const writeStatus = async (pdb: KubeObject, status: any) => {
      const next = structuredClone(pdb);
      next.status = status;
      try { await client.updateStatus(builtin.poddisruptionbudgets, next); }
      catch (e) { if (isNotFound(e)) return; throw e; }
    };

    /** failSafe: no disruptions while the status cannot be computed. */
    const failSafe = async (pdb: KubeObject, err: unknown) => {
      const status = structuredClone(pdb.status ?? {});
      status.disruptionsAllowed = 0;
      setStatusCondition(status, { type: DISRUPTION_ALLOWED_CONDITION, status: 'False', observedGeneration: status.observedGeneration ?? 0, reason: 'SyncFailed', message: errorText(err) }, metaNow(clock));
      await writeStatus(pdb, status);
    };

    return {
      informers: [pods, pdbs],
      async reconcile(key) {
        const pdb = pdbs.get(key);
        if (!pdb) return;
        const matching = pods.list(pdb.metadata.namespace).filter((p) => selectorMatches(pdb.spec?.selector, p.metadata?.labels));
        if (matching.length === 0) void recorder.eventf(pdb, 'Normal', 'NoPods', 'No matching pods found');
        let counts: Counts;
        try {
          counts = await expectedPodCount(client, pdb, matching);
        } catch (e) {
          void recorder.eventf(pdb, 'Warning', 'CalculateExpectedPodCountFailed', 'Failed to calculate the number of expected pods: %s', errorText(e));
          log({ level: 'info', msg: 'failed to sync pdb', controller: 'disruption', pdb: key, error: errorText(e) });
          if (!(pdb.status?.disruptionsAllowed === 0 && pdb.status?.conditions?.some((c: any) => c.reason === 'SyncFailed'))) await failSafe(pdb, e);
          throw e;
        }
        if (counts.unmanaged.length) {
          void recorder.eventf(pdb, 'Warning', 'UnmanagedPods', 'Pods selected by this PodDisruptionBudget (selector: %s) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.', JSON.stringify(pdb.spec?.selector ?? null));
        }
        // buildDisruptedPodMap: evictions not yet seen through, younger than the timeout.
        const now = clock.now();
        const recorded: Record<string, string> = pdb.status?.disruptedPods ?? {};
        const disrupted: Record<string, string> = {};
        let recheck: number | undefined;
        for (const pod of matching) {
          if (pod.metadata?.deletionTimestamp) continue;
          const at = recorded[pod.metadata!.name!];
          if (at === undefined) continue;
          const expectedDeletion = (parseTime(at) ?? 0) + DISRUPTED_POD_TIMEOUT_MS;
          if (expectedDeletion < now) {
            void recorder.eventf(pod, 'Warning', 'NotDeleted', 'Pod was expected by PDB %s/%s to be deleted but it wasn\'t', pdb.metadata.namespace, pdb.metadata.name);
          } else {
            disrupted[pod.metadata!.name!] = at;
            if (recheck === undefined || expectedDeletion < recheck) recheck = expectedDeletion;
          }
        }
        let currentHealthy = 0;
        for (const pod of matching) {
          if (pod.metadata?.deletionTimestamp) continue;
          if (disrupted[pod.metadata!.name!] !== undefined) continue;
          if (isPodReady(pod)) currentHealthy++;
        }
        const { expectedCount, desiredHealthy } = counts;
        let disruptionsAllowed = currentHealthy - desiredHealthy;
        if (expectedCount <= 0 || disruptionsAllowed <= 0) disruptionsAllowed = 0;
        const generation = pdb.metadata.generation ?? 0;
        const st = pdb.status ?? {};
        const cond = (st.conditions ?? []).find((c: any) => c.type === DISRUPTION_ALLOWED_CONDITION);
        const conditionUpToDate = cond && cond.observedGeneration === generation && cond.status === (disruptionsAllowed > 0 ? 'True' : 'False') && cond.reason !== 'SyncFailed';
        const sameDisrupted = JSON.stringify(Object.entries(st.disruptedPods ?? {}).sort()) === JSON.stringify(Object.entries(disrupted).sort());
        if (!(st.currentHealthy === currentHealthy && st.desiredHealthy === desiredHealthy && st.expectedPods === expectedCount
          && st.disruptionsAllowed === disruptionsAllowed && sameDisrupted && st.observedGeneration === generation && conditionUpToDate)) {
          const status: any = {
            ...(Object.keys(disrupted).length ? { disruptedPods: disrupted } : {}),
            disruptionsAllowed, currentHealthy, desiredHealthy, expectedPods: expectedCount, observedGeneration: generation,
            conditions: structuredClone(st.conditions ?? []),
          };
          setDisruptionAllowedCondition(status, rfc3339(now));
          try { await writeStatus(pdb, status); }
          // A conflict: the cache has not seen the newer budget yet; its watch event brings it before the retry.
          catch (e) { if (isConflict(e)) return { requeueAfter: 100 }; throw e; }
        }
        if (recheck !== undefined) return { requeueAfter: Math.max(0, recheck - now) + 1000 };
      },
    };
  });
}
