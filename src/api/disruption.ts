// PodDisruptionBudget facts shared by the eviction subresource (apiserver) and the disruption controller
// (upstream pkg/apis/policy and pkg/api/v1/pod helpers): which budgets cover a pod, and the DisruptionAllowed
// condition both write.
import type { KubeObject } from './object.js';
import { selectorMatches } from './validation/label-selector.js';

export const DISRUPTION_ALLOWED_CONDITION = 'DisruptionAllowed';
/** Upstream's DeletionTimeout: a pod in status.disruptedPods that is not deleted within it counts again. */
export const DISRUPTED_POD_TIMEOUT_MS = 2 * 60 * 1000;

/** The budgets in pod's namespace whose selector matches it (a nil selector matches nothing, an empty one everything). */
export function budgetsForPod(pdbs: readonly KubeObject[], pod: KubeObject): KubeObject[] {
  return pdbs.filter((p) => p.metadata.namespace === pod.metadata.namespace && selectorMatches(p.spec?.selector, pod.metadata.labels));
}

/** UpdateDisruptionAllowedCondition: metav1.Condition semantics (lastTransitionTime changes only with the status). */
export function setDisruptionAllowedCondition(status: any, now: string): void {
  const allowed = (status.disruptionsAllowed ?? 0) > 0;
  const want = {
    type: DISRUPTION_ALLOWED_CONDITION, status: allowed ? 'True' : 'False', observedGeneration: status.observedGeneration ?? 0,
    reason: allowed ? 'SufficientPods' : 'InsufficientPods', message: '',
  };
  setStatusCondition(status, want, now);
}

/** apimeta.SetStatusCondition. */
export function setStatusCondition(status: any, want: { type: string; status: string; observedGeneration?: number; reason: string; message: string }, now: string): void {
  const conds: any[] = status.conditions ?? [];
  const i = conds.findIndex((c) => c.type === want.type);
  if (i < 0) { conds.push({ ...want, lastTransitionTime: now }); status.conditions = conds; return; }
  const cur = conds[i];
  conds[i] = { ...want, lastTransitionTime: cur.status === want.status && cur.lastTransitionTime ? cur.lastTransitionTime : now };
  status.conditions = conds;
}
