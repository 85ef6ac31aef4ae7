// The Local APIServices upstream's autoregister controller keeps: one per served group/version, named
// "<version>.<group>" ("v1." for core), labelled automanaged "onstart", with upstream's priorities, and Available
// True/Local as its availability controller reports for local services.
import type { KubeObject } from '../../../../api/object.js';
import type { ResourceDefinition } from '../../types.js';

export const AUTOMANAGED_LABEL = 'kube-aggregator.kubernetes.io/automanaged';

/** Upstream's apiVersionPriorities (group priority minimum, version priority); others get 1000/15. */
const PRIORITIES: Record<string, [number, number]> = {
  'v1.': [18000, 1], 'v1.apiregistration.k8s.io': [18000, 15], 'v1.apps': [17800, 15], 'v1.events.k8s.io': [17750, 15],
  'v1.authentication.k8s.io': [17700, 15], 'v1.authorization.k8s.io': [17600, 15], 'v1.autoscaling': [17500, 15],
  'v2.autoscaling': [17500, 30], 'v1.batch': [17400, 15], 'v1.certificates.k8s.io': [17300, 15],
  'v1.networking.k8s.io': [17200, 15], 'v1.policy': [17100, 15], 'v1.rbac.authorization.k8s.io': [17000, 15],
  'v1.storage.k8s.io': [16800, 15], 'v1.apiextensions.k8s.io': [16700, 15], 'v1.admissionregistration.k8s.io': [16700, 15],
  'v1.scheduling.k8s.io': [16600, 15], 'v1.coordination.k8s.io': [16500, 15], 'v1.node.k8s.io': [16300, 15],
  'v1.discovery.k8s.io': [16200, 15], 'v1.flowcontrol.apiserver.k8s.io': [16100, 21],
};

/** The APIService objects (without status) for every group/version among resources. */
export function localAPIServices(resources: readonly ResourceDefinition[]): KubeObject[] {
  const seen = new Set<string>();
  const out: KubeObject[] = [];
  for (const r of resources) {
    const name = `${r.version}.${r.group}`;
    if (seen.has(name)) continue;
    seen.add(name);
    const [groupPriorityMinimum, versionPriority] = PRIORITIES[name] ?? [1000, 15];
    out.push({
      apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService',
      metadata: { name, labels: { [AUTOMANAGED_LABEL]: 'onstart' } },
      spec: { group: r.group, version: r.version, groupPriorityMinimum, versionPriority },
    });
  }
  return out;
}

export const localAvailableCondition = (now: string) => ({
  type: 'Available', status: 'True', lastTransitionTime: now, reason: 'Local', message: 'Local APIServices are always available',
});
