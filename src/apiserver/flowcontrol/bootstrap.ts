// Upstream's API Priority and Fairness bootstrap configuration (k8s.io/apiserver/pkg/apis/flowcontrol/bootstrap,
// Kubernetes 1.32): the mandatory objects (exempt, catch-all), which the apiserver keeps exactly as they are here,
// and the suggested ones, which it keeps current unless a user took them over with
// apf.kubernetes.io/autoupdate-spec: "false". Every object carries that annotation set to "true".
import type { KubeObject } from '../../api/object.js';

export const FLOWCONTROL_GROUP = 'flowcontrol.apiserver.k8s.io';
export const FLOWCONTROL_API_VERSION = `${FLOWCONTROL_GROUP}/v1`;
export const AUTOUPDATE_ANNOTATION = 'apf.kubernetes.io/autoupdate-spec';

type Subject = Record<string, unknown>;
const group = (name: string): Subject => ({ kind: 'Group', group: { name } });
const user = (name: string): Subject => ({ kind: 'User', user: { name } });
const kubeSystemServiceAccount = (name: string): Subject => ({ kind: 'ServiceAccount', serviceAccount: { namespace: 'kube-system', name } });
const resourceRule = (verbs: string[], apiGroups: string[], resources: string[], namespaces: string[], clusterScope: boolean) =>
  clusterScope ? { verbs, apiGroups, resources, clusterScope, namespaces } : { verbs, apiGroups, resources, namespaces };
const nonResourceRule = (verbs: string[], nonResourceURLs: string[]) => ({ verbs, nonResourceURLs });
const everything = {
  resourceRules: [resourceRule(['*'], ['*'], ['*'], ['*'], true)],
  nonResourceRules: [nonResourceRule(['*'], ['*'])],
};

function priorityLevel(name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: FLOWCONTROL_API_VERSION, kind: 'PriorityLevelConfiguration', metadata: { name, annotations: { [AUTOUPDATE_ANNOTATION]: 'true' } }, spec };
}
function limited(nominalConcurrencyShares: number, lendablePercent: number, queuing?: { queues: number; handSize: number; queueLengthLimit: number }) {
  return {
    type: 'Limited',
    limited: { nominalConcurrencyShares, lendablePercent, limitResponse: queuing ? { type: 'Queue', queuing } : { type: 'Reject' } },
  };
}
function flowSchema(name: string, priorityLevel: string, matchingPrecedence: number, distinguisher: 'ByUser' | 'ByNamespace' | undefined, rules: Array<Record<string, unknown>>): KubeObject {
  return {
    apiVersion: FLOWCONTROL_API_VERSION, kind: 'FlowSchema', metadata: { name, annotations: { [AUTOUPDATE_ANNOTATION]: 'true' } },
    spec: {
      priorityLevelConfiguration: { name: priorityLevel }, matchingPrecedence,
      ...(distinguisher ? { distinguisherMethod: { type: distinguisher } } : {}),
      rules,
    },
  };
}

export const mandatoryPriorityLevels: readonly KubeObject[] = [
  priorityLevel('catch-all', limited(5, 0)),
  priorityLevel('exempt', { type: 'Exempt', exempt: { nominalConcurrencyShares: 0, lendablePercent: 0 } }),
];

export const mandatoryFlowSchemas: readonly KubeObject[] = [
  flowSchema('exempt', 'exempt', 1, undefined, [{ subjects: [group('system:masters')], ...everything }]),
  flowSchema('catch-all', 'catch-all', 10000, 'ByUser', [{ subjects: [group('system:unauthenticated'), group('system:authenticated')], ...everything }]),
];

export const suggestedPriorityLevels: readonly KubeObject[] = [
  priorityLevel('system', limited(30, 33, { queues: 64, handSize: 6, queueLengthLimit: 50 })),
  priorityLevel('node-high', limited(40, 25, { queues: 64, handSize: 6, queueLengthLimit: 50 })),
  priorityLevel('leader-election', limited(10, 0, { queues: 16, handSize: 4, queueLengthLimit: 50 })),
  priorityLevel('workload-high', limited(40, 50, { queues: 128, handSize: 6, queueLengthLimit: 50 })),
  priorityLevel('workload-low', limited(100, 90, { queues: 128, handSize: 6, queueLengthLimit: 50 })),
  priorityLevel('global-default', limited(20, 50, { queues: 128, handSize: 6, queueLengthLimit: 50 })),
];

const getCreateUpdate = ['get', 'create', 'update'];
export const suggestedFlowSchemas: readonly KubeObject[] = [
  flowSchema('system-nodes', 'system', 500, 'ByUser', [{ subjects: [group('system:nodes')], ...everything }]),
  flowSchema('system-node-high', 'node-high', 400, 'ByUser', [{
    subjects: [group('system:nodes')],
    resourceRules: [resourceRule(['*'], [''], ['nodes', 'nodes/status'], ['*'], true), resourceRule(['*'], ['coordination.k8s.io'], ['leases'], ['*'], false)],
  }]),
  flowSchema('probes', 'exempt', 2, undefined, [{
    subjects: [group('system:unauthenticated'), group('system:authenticated')],
    nonResourceRules: [nonResourceRule(['get'], ['/healthz', '/readyz', '/livez'])],
  }]),
  flowSchema('system-leader-election', 'leader-election', 100, 'ByUser', [{
    subjects: [user('system:kube-controller-manager'), user('system:kube-scheduler'), kubeSystemServiceAccount('*')],
    resourceRules: [resourceRule(getCreateUpdate, ['coordination.k8s.io'], ['leases'], ['*'], false)],
  }]),
  flowSchema('endpoint-controller', 'workload-high', 150, 'ByUser', [{
    subjects: [user('system:kube-controller-manager'), kubeSystemServiceAccount('endpoint-controller'), kubeSystemServiceAccount('endpointslicemirroring-controller')],
    resourceRules: [resourceRule(getCreateUpdate, [''], ['endpoints'], ['*'], false)],
  }]),
  flowSchema('workload-leader-election', 'leader-election', 200, 'ByUser', [{
    subjects: [kubeSystemServiceAccount('*')],
    resourceRules: [resourceRule(getCreateUpdate, [''], ['endpoints', 'configmaps'], ['*'], false), resourceRule(getCreateUpdate, ['coordination.k8s.io'], ['leases'], ['*'], false)],
  }]),
  flowSchema('kube-controller-manager', 'workload-high', 800, 'ByNamespace', [{ subjects: [user('system:kube-controller-manager')], ...everything }]),
  flowSchema('kube-scheduler', 'workload-high', 800, 'ByNamespace', [{ subjects: [user('system:kube-scheduler')], ...everything }]),
  flowSchema('kube-system-service-accounts', 'workload-high', 900, 'ByNamespace', [{ subjects: [kubeSystemServiceAccount('*')], ...everything }]),
  flowSchema('service-accounts', 'workload-low', 9000, 'ByUser', [{ subjects: [group('system:serviceaccounts')], ...everything }]),
  flowSchema('global-default', 'global-default', 9900, 'ByUser', [{ subjects: [group('system:unauthenticated'), group('system:authenticated')], ...everything }]),
];

const byName = (objs: readonly KubeObject[]) => new Map(objs.map((o) => [o.metadata.name!, o]));
export const mandatoryFlowSchemaByName = byName(mandatoryFlowSchemas);
export const mandatoryPriorityLevelByName = byName(mandatoryPriorityLevels);
