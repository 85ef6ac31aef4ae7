// spec.podFailurePolicy (upstream pkg/controller/job/pod_failure_policy.go): the first rule a failed pod matches
// decides what its failure means — FailJob, FailIndex, Ignore (not counted against backoffLimit) or Count.
import type { Pod } from '../shared/types.js';

export type PodFailureAction = 'FailJob' | 'FailIndex' | 'Ignore' | 'Count';

export interface PodFailureMatch {
  action: PodFailureAction;
  /** For FailJob, the message of the job's condition (upstream's wording). */
  message: string;
}

/** matchPodFailurePolicy: undefined when no rule matches (the failure counts as usual). */
export function matchPodFailurePolicy(policy: any, pod: Pod): PodFailureMatch | undefined {
  const rules: any[] = policy?.rules ?? [];
  const podName = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    const action = rule.action as PodFailureAction;
    if (rule.onExitCodes) {
      const hit = matchExitCodes(rule.onExitCodes, pod);
      if (hit) return { action, message: `Container ${hit.name} for pod ${podName} failed with exit code ${hit.exitCode} matching ${action} rule at index ${i}` };
    } else if (rule.onPodConditions) {
      for (const pattern of rule.onPodConditions as any[]) {
        const c = pod.status?.conditions?.find((x) => x.type === pattern.type && x.status === (pattern.status ?? 'True'));
        if (c) return { action, message: `Pod ${podName} has condition ${c.type} matching ${action} rule at index ${i}` };
      }
    }
  }
  return undefined;
}

function matchExitCodes(req: any, pod: Pod): { name: string; exitCode: number } | undefined {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const s of statuses) {
    if (req.containerName && req.containerName !== s.name) continue;
    const code = s.state?.terminated?.exitCode;
    if (code === undefined || code === 0) continue;
    const inValues = (req.values as number[]).includes(code);
    if ((req.operator === 'In' && inValues) || (req.operator === 'NotIn' && !inValues)) return { name: s.name, exitCode: code };
  }
  return undefined;
}
