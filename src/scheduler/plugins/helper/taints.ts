// Toleration matching (upstream v1.Toleration.ToleratesTaint) and the message format the filters report.
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';

export function toleratesTaint(tol: Toleration, taint: Taint): boolean {
  if (tol.effect && tol.effect !== taint.effect) return false;
  if (tol.key && tol.key !== taint.key) return false;
  switch (tol.operator ?? '') {
    case 'Exists': return true;
    case '': case 'Equal': return (tol.value ?? '') === (taint.value ?? '');
    default: return false;
  }
}

export function tolerated(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  if (!tolerations) return false;
  for (const t of tolerations) if (toleratesTaint(t, taint)) return true;
  return false;
}

/** The first taint (NoSchedule/NoExecute pre-filtered by the caller) the pod does not tolerate. */
export function firstUntolerated(taints: readonly Taint[], tolerations: readonly Toleration[] | undefined): Taint | undefined {
  for (const t of taints) if (!tolerated(tolerations, t)) return t;
  return undefined;
}

/** Upstream's reason: "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }". */
export function untoleratedTaintReason(t: Taint): string {
  return `node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`;
}
