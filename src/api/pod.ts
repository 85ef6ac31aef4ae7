// Pod facts every component reads the same way (upstream's k8s.io/kubernetes/pkg/api/v1/pod, podutil): the
// scheduler, the controllers and the kubelets must agree on when a pod is finished or ready.

interface PodCondition { type: string; status: string; lastTransitionTime?: string }
/** Any pod shape: kubernetes-types' Pod, KubeObject, or a partial object in a test. */
interface PodLike { metadata?: unknown; status?: { phase?: string; conditions?: readonly PodCondition[] } }

/** podutil.IsPodTerminal: Succeeded or Failed. Such a pod holds no resources and never runs again. */
export function isPodTerminal(pod: PodLike): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** podutil.GetPodReadyCondition. */
export function podReadyCondition(pod: PodLike): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

/** podutil.IsPodReady: the Ready condition is True. */
export function isPodReady(pod: PodLike): boolean {
  return podReadyCondition(pod)?.status === 'True';
}
