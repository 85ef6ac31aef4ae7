// pods/eviction (upstream pkg/registry/core/pod/storage/eviction.go): a POST of a policy/v1 Eviction (policy/v1beta1
// bodies are accepted too) deletes the pod unless that would violate its PodDisruptionBudget, in which case the
// answer is 429 TooManyRequests, which `kubectl drain` retries. Pods that are already disrupted (Pending,
// finished, terminating) go without asking a budget; with unhealthyPodEvictionPolicy AlwaysAllow so do pods that
// are not Ready, and with the default IfHealthyBudget an unready pod goes while the budget is met. An allowed
// eviction takes one from status.disruptionsAllowed and records the pod in status.disruptedPods (so the
// disruption controller does not count it while it terminates), sets the DisruptionTarget condition on the pod,
// then deletes it with the Eviction's deleteOptions.
import type { ApiResponse } from '../../api/transport.js';
import { badRequest, genericServerResponse, isConflict, tooManyRequests, forbidden } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { isPodReady } from '../../api/pod.js';
import { budgetsForPod, setDisruptionAllowedCondition } from '../../api/disruption.js';
import { decodeBody } from '../negotiation.js';
import { jsonResponse, type HandlerContext } from './context.js';
import type { DeleteOptions } from '../registry/generic-store.js';
import { timestamp } from '../registry/object-meta.js';

const EVICTION_VERSIONS = ['policy/v1', 'policy/v1beta1'];
/** Upstream's MaxDisruptedPodSize. */
const MAX_DISRUPTED_PODS = 2000;

function violation(message: string, retryAfterSeconds: number) {
  const err = tooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", retryAfterSeconds);
  err.status.details = { ...(err.status.details ?? {}), causes: [{ reason: 'DisruptionBudget', message }] };
  if (retryAfterSeconds === 0) delete (err.status.details as any).retryAfterSeconds;
  return err;
}

/** canIgnorePDB: the pod is already disrupted, or never ran. */
function canIgnoreBudget(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || !!pod.metadata.deletionTimestamp;
}

export async function handleEviction(ctx: HandlerContext): Promise<ApiResponse> {
  const { value } = await decodeBody(ctx.req.body, ctx.req.headers['content-type']);
  const eviction = value as KubeObject | undefined;
  if (!eviction || typeof eviction !== 'object' || Array.isArray(eviction)) throw badRequest('the request body must be an Eviction object');
  if (eviction.kind && eviction.kind !== 'Eviction' || eviction.apiVersion && !EVICTION_VERSIONS.includes(eviction.apiVersion)) {
    throw badRequest(`unable to recognize the Eviction body: ${eviction.apiVersion ?? ''}, Kind=${eviction.kind ?? ''}`);
  }
  const namespace = ctx.info.namespace!;
  const name = ctx.info.name!;
  if (eviction.metadata?.name && eviction.metadata.name !== name) throw badRequest('name in URL does not match name in Eviction object');
  const deleteOptions: DeleteOptions = { ...(eviction.deleteOptions ?? {}) };
  const wctx = ctx.writeContext();
  if (deleteOptions.dryRun?.includes('All')) wctx.dryRun = true;
  const pods = ctx.store;
  const pdbStore = ctx.registry.forResource('policy', 'poddisruptionbudgets');

  for (let attempt = 0; ; attempt++) {
    const pod = await pods.get(namespace, name);
    let evict = canIgnoreBudget(pod);
    if (!evict) {
      const pdbs = pdbStore ? budgetsForPod((await pdbStore.list(namespace)).items, pod) : [];
      if (pdbs.length > 1) throw genericServerResponse(500, 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
      if (pdbs.length === 0) evict = true;
      else {
        const pdb = pdbs[0];
        const ready = isPodReady(pod);
        const st = pdb.status ?? {};
        if (!ready && pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow') evict = true;
        else if (!ready && (st.currentHealthy ?? 0) >= (st.desiredHealthy ?? 0) && (st.desiredHealthy ?? 0) > 0) evict = true;
        else {
          // checkAndDecrement, as one optimistic status write (retried on conflicts with a fresh budget).
          await pdbStore!.guaranteedUpdate(namespace, pdb.metadata.name!, (cur) => {
            const b = cur!;
            const s = b.status ?? {};
            if ((s.observedGeneration ?? 0) < (b.metadata.generation ?? 0)) throw violation(`The disruption budget ${b.metadata.name} is still being processed by the server.`, 10);
            if ((s.disruptionsAllowed ?? 0) < 0) throw forbidden(`poddisruptionbudgets.policy "${b.metadata.name}" is forbidden: pdb disruptions allowed is negative`);
            if (Object.keys(s.disruptedPods ?? {}).length > MAX_DISRUPTED_PODS) throw forbidden(`poddisruptionbudgets.policy "${b.metadata.name}" is forbidden: DisruptedPods map too big - too many evictions not confirmed by PDB controller`);
            if ((s.disruptionsAllowed ?? 0) === 0) throw violation(`The disruption budget ${b.metadata.name} needs ${s.desiredHealthy ?? 0} healthy pods and has ${s.currentHealthy ?? 0} currently`, 0);
            s.disruptionsAllowed -= 1;
            if (s.disruptionsAllowed === 0) setDisruptionAllowedCondition(s, timestamp(wctx.now));
            s.disruptedPods = { ...(s.disruptedPods ?? {}), [name]: timestamp(wctx.now) };
            b.status = s;
            delete b.metadata.resourceVersion;
            return b;
          }, { ...wctx, subresource: 'status' });
        }
        evict = true;
      }
    }
    if (!evict) continue;
    try {
      // The condition write carries the resourceVersion the budget was checked against: a pod that changed
      // meanwhile (409) is checked again.
      if (!wctx.dryRun) await addDisruptionTarget(ctx, pod, wctx);
    } catch (e) {
      if (isConflict(e) && attempt < 3) continue;
      throw e;
    }
    const opts: DeleteOptions = { ...deleteOptions, preconditions: { ...deleteOptions.preconditions } };
    if (!opts.preconditions!.uid) opts.preconditions!.uid = pod.metadata.uid;
    if (!wctx.dryRun) delete opts.preconditions!.resourceVersion;
    await pods.delete(namespace, name, opts, wctx);
    return jsonResponse(201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  }
}

/** The DisruptionTarget=True condition (reason EvictionByEvictionAPI) on the pod about to be deleted. */
async function addDisruptionTarget(ctx: HandlerContext, pod: KubeObject, wctx: ReturnType<HandlerContext['writeContext']>): Promise<void> {
  await ctx.store.guaranteedUpdate(pod.metadata.namespace, pod.metadata.name!, (cur) => {
    const p = cur!;
    p.status ??= {};
    const conds: any[] = (p.status.conditions ?? []).filter((c: any) => c.type !== 'DisruptionTarget');
    conds.push({ type: 'DisruptionTarget', status: 'True', lastProbeTime: null, lastTransitionTime: timestamp(wctx.now), reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' });
    p.status.conditions = conds;
    p.metadata.resourceVersion = pod.metadata.resourceVersion;
    return p;
  }, { ...wctx, subresource: 'status' });
}
