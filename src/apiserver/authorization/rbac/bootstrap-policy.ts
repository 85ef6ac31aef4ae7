// Upstream's bootstrap RBAC policy (plugin/pkg/auth/authorizer/rbac/bootstrappolicy: policy.go, controller_policy.go
// and their testdata), reconciled at every start (reconcile.ts): the user-facing roles cluster-admin, admin, edit and
// view (aggregated from system:aggregate-to-*), the system:* roles of the components, the system:controller:* roles
// of the controllers nanokube runs, and their bindings. A few nanokube roles (system:nanokube:*) cover components
// upstream has no role for: the shared informer cache, the built-in ingress controller, cluster DNS and servicelb.
import type { KubeObject } from '../../../api/object.js';
import type { PolicyRule, Subject } from './rules.js';

const R = (apiGroups: string[], resources: string[], verbs: string[], resourceNames?: string[]): PolicyRule =>
  (resourceNames ? { apiGroups, resources, verbs, resourceNames } : { apiGroups, resources, verbs });
const U = (nonResourceURLs: string[], verbs: string[]): PolicyRule => ({ nonResourceURLs, verbs });

const read = ['get', 'list', 'watch'];
const readWrite = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
const write = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const events = R(['', 'events.k8s.io'], ['events'], ['create', 'patch', 'update']);

export const AUTOUPDATE_ANNOTATION = 'rbac.authorization.kubernetes.io/autoupdate';
const meta = (name: string, labels: Record<string, string> = {}) => ({
  name, annotations: { [AUTOUPDATE_ANNOTATION]: 'true' }, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults', ...labels },
});
const role = (name: string, rules: PolicyRule[], labels?: Record<string, string>): KubeObject =>
  ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: meta(name, labels), rules });
const aggregated = (name: string, label: string, labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: meta(name, labels),
  aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [label]: 'true' } }] }, rules: [],
});

const AGG_ADMIN = 'rbac.authorization.k8s.io/aggregate-to-admin';
const AGG_EDIT = 'rbac.authorization.k8s.io/aggregate-to-edit';
const AGG_VIEW = 'rbac.authorization.k8s.io/aggregate-to-view';

export const bootstrapClusterRoles: KubeObject[] = [
  role('cluster-admin', [R(['*'], ['*'], ['*']), U(['*'], ['*'])]),
  aggregated('admin', AGG_ADMIN),
  aggregated('edit', AGG_EDIT, { [AGG_ADMIN]: 'true' }),
  aggregated('view', AGG_VIEW, { [AGG_EDIT]: 'true' }),
  role('system:aggregate-to-admin', [
    R(['authorization.k8s.io'], ['localsubjectaccessreviews'], ['create']),
    R(['rbac.authorization.k8s.io'], ['rolebindings', 'roles'], readWrite),
  ], { [AGG_ADMIN]: 'true' }),
  role('system:aggregate-to-edit', [
    R([''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy'], read),
    R([''], ['serviceaccounts'], ['impersonate']),
    R([''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy'], write),
    R([''], ['pods/eviction'], ['create']),
    R([''], ['configmaps', 'events', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy'], write),
    R([''], ['serviceaccounts/token'], ['create']),
    R(['apps'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale'], write),
    R(['autoscaling'], ['horizontalpodautoscalers'], write),
    R(['batch'], ['cronjobs', 'jobs'], write),
    R(['extensions'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'ingresses', 'networkpolicies', 'replicasets', 'replicasets/scale', 'replicationcontrollers/scale'], write),
    R(['policy'], ['poddisruptionbudgets'], write),
    R(['networking.k8s.io'], ['ingresses', 'networkpolicies'], write),
    R(['coordination.k8s.io'], ['leases'], readWrite),
  ], { [AGG_EDIT]: 'true' }),
  role('system:aggregate-to-view', [
    R([''], ['configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status'], read),
    R([''], ['bindings', 'events', 'limitranges', 'namespaces/status', 'pods/log', 'pods/status', 'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status'], read),
    R([''], ['namespaces'], read),
    R(['discovery.k8s.io'], ['endpointslices'], read),
    R(['apps'], ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status'], read),
    R(['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status'], read),
    R(['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status'], read),
    R(['extensions'], ['daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'ingresses', 'ingresses/status', 'networkpolicies', 'replicasets', 'replicasets/scale', 'replicasets/status', 'replicationcontrollers/scale'], read),
    R(['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status'], read),
    R(['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies'], read),
  ], { [AGG_VIEW]: 'true' }),
  role('system:auth-delegator', [R(['authentication.k8s.io'], ['tokenreviews'], ['create']), R(['authorization.k8s.io'], ['subjectaccessreviews'], ['create'])]),
  role('system:basic-user', [
    R(['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], ['create']),
    R(['authentication.k8s.io'], ['selfsubjectreviews'], ['create']),
  ]),
  role('system:discovery', [U(['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'], ['get'])]),
  role('system:public-info-viewer', [U(['/healthz', '/livez', '/readyz', '/version', '/version/'], ['get'])]),
  role('system:monitoring', [U(['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/metrics/slis', '/readyz', '/readyz/*'], ['get'])]),
  role('system:service-account-issuer-discovery', [U(['/.well-known/openid-configuration', '/openid/v1/jwks'], ['get'])]),
  role('system:kube-controller-manager', [
    events,
    R(['coordination.k8s.io'], ['leases'], ['create']),
    R(['coordination.k8s.io'], ['leases'], ['get', 'update'], ['kube-controller-manager']),
    R([''], ['secrets', 'serviceaccounts'], ['create']),
    R([''], ['secrets'], ['delete']),
    R([''], ['configmaps', 'namespaces', 'secrets', 'serviceaccounts'], ['get']),
    R([''], ['secrets', 'serviceaccounts'], ['update']),
    R(['authentication.k8s.io'], ['tokenreviews'], ['create']),
    R(['authorization.k8s.io'], ['subjectaccessreviews'], ['create']),
    R(['*'], ['*'], ['list', 'watch']),
    R([''], ['serviceaccounts/token'], ['create']),
  ]),
  role('system:kube-scheduler', [
    events,
    R(['coordination.k8s.io'], ['leases'], ['create']),
    R(['coordination.k8s.io'], ['leases'], ['get', 'update'], ['kube-scheduler']),
    R([''], ['nodes'], read),
    R([''], ['pods'], ['delete', 'get', 'list', 'watch']),
    R([''], ['bindings', 'pods/binding'], ['create']),
    R([''], ['pods/status'], ['patch', 'update']),
    R([''], ['replicationcontrollers', 'services'], read),
    R(['apps', 'extensions'], ['replicasets'], read),
    R(['apps'], ['statefulsets'], read),
    R(['policy'], ['poddisruptionbudgets'], read),
    R([''], ['persistentvolumeclaims', 'persistentvolumes'], read),
    R(['authentication.k8s.io'], ['tokenreviews'], ['create']),
    R(['authorization.k8s.io'], ['subjectaccessreviews'], ['create']),
    R(['storage.k8s.io'], ['csinodes'], read),
    R([''], ['namespaces'], read),
    R(['storage.k8s.io'], ['csidrivers'], read),
    R(['storage.k8s.io'], ['csistoragecapacities'], read),
  ]),
  role('system:volume-scheduler', [
    R([''], ['persistentvolumes'], ['get', 'list', 'patch', 'update', 'watch']),
    R(['storage.k8s.io'], ['storageclasses'], read),
    R([''], ['persistentvolumeclaims'], ['get', 'list', 'patch', 'update', 'watch']),
  ]),
  role('system:kube-dns', [R([''], ['endpoints', 'services'], ['list', 'watch'])]),
  role('system:kubelet-api-admin', [R([''], ['nodes'], read), R([''], ['nodes'], ['proxy']), R([''], ['nodes/log', 'nodes/metrics', 'nodes/proxy', 'nodes/stats'], ['*'])]),
  role('system:node', [
    R(['authentication.k8s.io'], ['tokenreviews'], ['create']),
    R(['authorization.k8s.io'], ['localsubjectaccessreviews', 'subjectaccessreviews'], ['create']),
    R([''], ['services'], read),
    R([''], ['nodes'], ['create', 'get', 'list', 'watch']),
    R([''], ['nodes/status'], ['patch', 'update']),
    R([''], ['nodes'], ['patch', 'update']),
    R([''], ['events'], ['create', 'patch', 'update']),
    R([''], ['pods'], read),
    R([''], ['pods'], ['create', 'delete']),
    R([''], ['pods/status'], ['patch', 'update']),
    R([''], ['pods/eviction'], ['create']),
    R([''], ['configmaps', 'secrets'], read),
    R([''], ['persistentvolumeclaims', 'persistentvolumes'], ['get']),
    R([''], ['endpoints'], ['get']),
    R(['certificates.k8s.io'], ['certificatesigningrequests'], ['create', 'get', 'list', 'watch']),
    R(['coordination.k8s.io'], ['leases'], ['create', 'delete', 'get', 'patch', 'update']),
    R(['storage.k8s.io'], ['volumeattachments'], ['get']),
    R([''], ['serviceaccounts/token'], ['create']),
    R([''], ['persistentvolumeclaims/status'], ['get', 'patch', 'update']),
    R(['storage.k8s.io'], ['csidrivers'], read),
    R(['storage.k8s.io'], ['csinodes'], ['create', 'delete', 'get', 'patch', 'update']),
    R(['node.k8s.io'], ['runtimeclasses'], read),
  ]),
  role('system:node-bootstrapper', [R(['certificates.k8s.io'], ['certificatesigningrequests'], ['create', 'get', 'list', 'watch'])]),
  role('system:node-proxier', [
    R([''], ['endpoints', 'services'], ['list', 'watch']),
    R([''], ['nodes'], read),
    events,
    R(['discovery.k8s.io'], ['endpointslices'], ['list', 'watch']),
  ]),
  role('system:certificates.k8s.io:certificatesigningrequests:nodeclient', [R(['certificates.k8s.io'], ['certificatesigningrequests/nodeclient'], ['create'])]),
  role('system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', [R(['certificates.k8s.io'], ['certificatesigningrequests/selfnodeclient'], ['create'])]),
  role('system:certificates.k8s.io:kube-apiserver-client-approver', [R(['certificates.k8s.io'], ['signers'], ['approve'], ['kubernetes.io/kube-apiserver-client'])]),
  role('system:certificates.k8s.io:kube-apiserver-client-kubelet-approver', [R(['certificates.k8s.io'], ['signers'], ['approve'], ['kubernetes.io/kube-apiserver-client-kubelet'])]),
  role('system:certificates.k8s.io:kubelet-serving-approver', [R(['certificates.k8s.io'], ['signers'], ['approve'], ['kubernetes.io/kubelet-serving'])]),
  role('system:certificates.k8s.io:legacy-unknown-approver', [R(['certificates.k8s.io'], ['signers'], ['approve'], ['kubernetes.io/legacy-unknown'])]),
  // nanokube's own components (no upstream role): see the file comment.
  role('system:nanokube:informers', [R(['*'], ['*'], ['list', 'watch'])]),
  role('system:nanokube:ingress-controller', [
    R(['networking.k8s.io'], ['ingresses', 'ingressclasses'], read),
    R(['networking.k8s.io'], ['ingressclasses'], ['create']),
    R(['networking.k8s.io'], ['ingresses/status'], ['patch', 'update']),
    R([''], ['services', 'endpoints', 'secrets'], read),
    R(['discovery.k8s.io'], ['endpointslices'], read),
    events,
  ]),
  // metrics-server's own manifest (components.yaml) role, plus nodes/proxy: nanokube's reads real kubelets through the apiserver.
  role('system:metrics-server', [
    R([''], ['nodes/metrics', 'nodes/stats', 'nodes/proxy'], ['get']),
    R([''], ['pods', 'nodes'], read),
  ]),
  role('system:nanokube:cluster-dns', [
    R([''], ['endpoints', 'services', 'pods', 'namespaces'], read),
    R(['discovery.k8s.io'], ['endpointslices'], read),
    R([''], ['services', 'endpoints'], ['create', 'update', 'patch']),
    R(['discovery.k8s.io'], ['endpointslices'], ['create', 'update', 'patch']),
    events,
  ]),
];

/** Controller name (our controllers/manager.ts) → the service account it runs as in kube-system (upstream's). */
export const controllerServiceAccounts: Record<string, string> = {
  replicaset: 'replicaset-controller', replicationcontroller: 'replication-controller', deployment: 'deployment-controller', garbagecollector: 'generic-garbage-collector',
  namespace: 'namespace-controller', serviceaccount: 'service-account-controller', endpoints: 'endpoint-controller',
  endpointslice: 'endpointslice-controller', servicelb: 'service-controller', nodeipam: 'node-controller', nodelifecycle: 'node-controller',
  'root-ca-cert-publisher': 'root-ca-cert-publisher', podgc: 'pod-garbage-collector', 'clusterrole-aggregation': 'clusterrole-aggregation-controller',
  job: 'job-controller', cronjob: 'cronjob-controller', statefulset: 'statefulset-controller', daemonset: 'daemon-set-controller',
  'ttl-after-finished': 'ttl-after-finished-controller', disruption: 'disruption-controller', resourcequota: 'resourcequota-controller',
  horizontalpodautoscaling: 'horizontal-pod-autoscaler', csrsigning: 'certificate-controller',
  'persistentvolume-binder': 'persistent-volume-binder', 'storage-protection': 'storage-protection-controller',
  'validatingadmissionpolicy-status': 'validatingadmissionpolicy-status-controller',
  // The built-in local-path provisioner does what upstream's in-tree provisioners did inside the binder.
  'local-path-provisioner': 'persistent-volume-binder',
};

const controller = (name: string, rules: PolicyRule[]) => role(`system:controller:${name}`, rules);

export const bootstrapControllerRoles: KubeObject[] = [
  controller('clusterrole-aggregation-controller', [R(['rbac.authorization.k8s.io'], ['clusterroles'], ['escalate', 'get', 'list', 'patch', 'update', 'watch'])]),
  controller('certificate-controller', [
    R(['certificates.k8s.io'], ['certificatesigningrequests'], ['delete', 'get', 'list', 'watch']),
    R(['certificates.k8s.io'], ['certificatesigningrequests/approval', 'certificatesigningrequests/status'], ['update']),
    R(['certificates.k8s.io'], ['signers'], ['approve'], ['kubernetes.io/kube-apiserver-client-kubelet']),
    R(['certificates.k8s.io'], ['signers'], ['sign'], ['kubernetes.io/kube-apiserver-client', 'kubernetes.io/kube-apiserver-client-kubelet', 'kubernetes.io/kubelet-serving', 'kubernetes.io/legacy-unknown']),
    R(['authorization.k8s.io'], ['subjectaccessreviews'], ['create']), events,
  ]),
  controller('cronjob-controller', [
    R(['batch'], ['cronjobs'], ['get', 'list', 'update', 'watch']),
    R(['batch'], ['jobs'], ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']),
    R(['batch'], ['cronjobs/status'], ['update']), R(['batch'], ['cronjobs/finalizers'], ['update']),
    R([''], ['pods'], ['delete', 'list', 'watch']), events,
  ]),
  controller('daemon-set-controller', [
    R(['apps', 'extensions'], ['daemonsets'], read), R(['apps', 'extensions'], ['daemonsets/status'], ['update']),
    R(['apps', 'extensions'], ['daemonsets/finalizers'], ['update']), R([''], ['nodes'], ['list', 'watch']),
    R([''], ['pods'], ['create', 'delete', 'list', 'patch', 'watch']), R([''], ['pods/binding'], ['create']),
    R(['apps'], ['controllerrevisions'], ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']), events,
  ]),
  controller('deployment-controller', [
    R(['apps', 'extensions'], ['deployments'], ['get', 'list', 'update', 'watch']),
    R(['apps', 'extensions'], ['deployments/status'], ['update']), R(['apps', 'extensions'], ['deployments/finalizers'], ['update']),
    R(['apps', 'extensions'], ['replicasets'], ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']),
    R([''], ['pods'], ['get', 'list', 'update', 'watch']), events,
  ]),
  controller('disruption-controller', [
    R(['apps', 'extensions'], ['deployments'], read), R(['apps', 'extensions'], ['replicasets'], read),
    R([''], ['replicationcontrollers'], read), R(['policy'], ['poddisruptionbudgets'], read), R(['apps'], ['statefulsets'], read),
    R(['policy'], ['poddisruptionbudgets/status'], ['update']), R([''], ['pods/status'], ['patch', 'update']),
    R(['*'], ['*/scale'], ['get']), events,
  ]),
  controller('endpoint-controller', [
    R([''], ['pods', 'services'], read), R([''], ['endpoints'], ['create', 'delete', 'get', 'list', 'update', 'watch']),
    R([''], ['endpoints/restricted'], ['create']), events,
  ]),
  controller('endpointslice-controller', [
    R([''], ['nodes', 'pods', 'services'], read), R([''], ['services/finalizers'], ['update']),
    R(['discovery.k8s.io'], ['endpointslices'], ['create', 'delete', 'get', 'list', 'update', 'watch']), events,
  ]),
  controller('generic-garbage-collector', [R(['*'], ['*'], ['delete', 'get', 'list', 'patch', 'update', 'watch']), events]),
  controller('horizontal-pod-autoscaler', [
    R(['autoscaling'], ['horizontalpodautoscalers'], read), R(['autoscaling'], ['horizontalpodautoscalers/status'], ['update']),
    R(['*'], ['*/scale'], ['get', 'update']), R([''], ['pods'], ['list', 'watch']), R(['metrics.k8s.io'], ['pods'], ['list', 'watch']),
    R(['custom.metrics.k8s.io'], ['*'], read), R(['external.metrics.k8s.io'], ['*'], read), events,
  ]),
  controller('job-controller', [
    R(['batch'], ['jobs'], ['get', 'list', 'patch', 'update', 'watch']), R(['batch'], ['jobs/status'], ['update']),
    R(['batch'], ['jobs/finalizers'], ['update']), R([''], ['pods'], ['create', 'delete', 'list', 'patch', 'watch']), events,
  ]),
  controller('namespace-controller', [
    R([''], ['namespaces'], ['delete', 'get', 'list', 'watch']), R([''], ['namespaces/finalize', 'namespaces/status'], ['update']),
    R(['*'], ['*'], ['delete', 'deletecollection', 'get', 'list', 'watch']),
  ]),
  controller('node-controller', [
    R([''], ['nodes'], ['delete', 'get', 'list', 'patch', 'update', 'watch']), R([''], ['nodes/status'], ['patch', 'update']),
    R([''], ['pods/status'], ['patch', 'update']), R([''], ['pods'], ['delete', 'get', 'list', 'watch']), events,
  ]),
  controller('persistent-volume-binder', [
    R([''], ['persistentvolumes'], ['create', 'delete', 'get', 'list', 'update', 'watch']), R([''], ['persistentvolumes/status'], ['update']),
    R([''], ['persistentvolumeclaims'], ['get', 'list', 'update', 'watch']), R([''], ['persistentvolumeclaims/status'], ['update']),
    R([''], ['pods'], ['create', 'delete', 'get', 'list', 'watch']), R(['storage.k8s.io'], ['storageclasses'], read),
    R([''], ['nodes'], ['list', 'watch']), events, R([''], ['events'], ['watch']),
  ]),
  // nanokube runs upstream's pvc-protection and pv-protection controllers as one: the union of their roles.
  controller('storage-protection-controller', [
    R([''], ['persistentvolumeclaims'], ['get', 'list', 'update', 'watch']), R([''], ['persistentvolumeclaims/status'], ['update']),
    R([''], ['pods'], read), R([''], ['persistentvolumes'], ['get', 'list', 'update', 'watch']), events,
  ]),
  controller('pod-garbage-collector', [R([''], ['pods'], ['delete', 'list', 'watch']), R([''], ['nodes'], read), R([''], ['pods/status'], ['patch'])]),
  controller('replicaset-controller', [
    R(['apps', 'extensions'], ['replicasets'], ['get', 'list', 'update', 'watch']), R(['apps', 'extensions'], ['replicasets/status'], ['update']),
    R(['apps', 'extensions'], ['replicasets/finalizers'], ['update']), R([''], ['pods'], ['create', 'delete', 'list', 'patch', 'watch']), events,
  ]),
  controller('replication-controller', [
    R([''], ['replicationcontrollers'], ['get', 'list', 'update', 'watch']), R([''], ['replicationcontrollers/status'], ['update']),
    R([''], ['replicationcontrollers/finalizers'], ['update']), R([''], ['pods'], ['create', 'delete', 'list', 'patch', 'watch']), events,
  ]),
  controller('resourcequota-controller', [R(['*'], ['*'], ['list', 'watch']), R([''], ['resourcequotas/status'], ['update']), events]),
  controller('root-ca-cert-publisher', [R([''], ['configmaps'], ['create', 'update']), events]),
  controller('service-account-controller', [R([''], ['serviceaccounts'], ['create']), events]),
  controller('service-controller', [
    R([''], ['services'], read), R([''], ['services/status'], ['patch', 'update']), R([''], ['nodes'], ['list', 'watch']), events,
  ]),
  controller('statefulset-controller', [
    R([''], ['pods'], ['list', 'watch']), R(['apps'], ['statefulsets'], read), R(['apps'], ['statefulsets/status'], ['update']),
    R(['apps'], ['statefulsets/finalizers'], ['update']), R([''], ['pods'], ['create', 'delete', 'get', 'patch', 'update']),
    R(['apps'], ['controllerrevisions'], ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']),
    R([''], ['persistentvolumeclaims'], ['create', 'get', 'list', 'watch']), R([''], ['persistentvolumeclaims'], ['delete', 'update']),
    R([''], ['pods/finalizers'], ['update']), events,
  ]),
  controller('ttl-after-finished-controller', [R(['batch'], ['jobs'], ['delete', 'get', 'list', 'watch']), events]),
  controller('validatingadmissionpolicy-status-controller', [R(['admissionregistration.k8s.io'], ['validatingadmissionpolicies'], ['get', 'list', 'watch']),
    R(['admissionregistration.k8s.io'], ['validatingadmissionpolicies/status'], ['get', 'patch', 'update']), events]),
];

const binding = (name: string, roleName: string, subjects: Subject[]): KubeObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: meta(name),
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName }, subjects,
});
const G = (name: string): Subject => ({ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name });
const User = (name: string): Subject => ({ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name });
const SA = (name: string, namespace = 'kube-system'): Subject => ({ kind: 'ServiceAccount', name, namespace });

/**
 * Controllers that have no entry in controllerServiceAccounts yet (added by someone who did not know about this
 * table) run as their own service account in this group, bound to cluster-admin, so they keep working; the
 * controller manager logs a warning naming them. Give them an upstream role and an entry above.
 */
export const UNMAPPED_CONTROLLERS_GROUP = 'system:nanokube:controllers-without-role';

/** The identities the components run as (src/cmd/components.ts gives each its client). */
export const componentUsers = {
  scheduler: 'system:kube-scheduler',
  controllerManager: 'system:kube-controller-manager',
  proxy: 'system:kube-proxy',
  informers: 'system:nanokube:informers',
  node: (name: string) => `system:node:${name}`,
  nodesGroup: 'system:nodes',
};

export const bootstrapClusterRoleBindings: KubeObject[] = [
  binding('cluster-admin', 'cluster-admin', [G('system:masters')]),
  // kubeadm binds its admin group instead of putting the admin in system:masters.
  binding('kubeadm:cluster-admins', 'cluster-admin', [G('kubeadm:cluster-admins')]),
  binding('system:nanokube:controllers-without-role', 'cluster-admin', [G(UNMAPPED_CONTROLLERS_GROUP)]),
  binding('system:basic-user', 'system:basic-user', [G('system:authenticated')]),
  binding('system:discovery', 'system:discovery', [G('system:authenticated')]),
  binding('system:public-info-viewer', 'system:public-info-viewer', [G('system:authenticated'), G('system:unauthenticated')]),
  binding('system:monitoring', 'system:monitoring', [G('system:monitoring')]),
  // upstream binds only system:serviceaccounts and leaves opening discovery to anonymous clients to the admin (the
  // documented step for external OIDC relying parties); nanokube serves it anonymously, as its authenticator does.
  binding('system:service-account-issuer-discovery', 'system:service-account-issuer-discovery', [G('system:serviceaccounts'), G('system:unauthenticated')]),
  binding('system:kube-controller-manager', 'system:kube-controller-manager', [User(componentUsers.controllerManager)]),
  binding('system:kube-scheduler', 'system:kube-scheduler', [User(componentUsers.scheduler)]),
  binding('system:volume-scheduler', 'system:volume-scheduler', [User(componentUsers.scheduler)]),
  binding('system:kube-dns', 'system:kube-dns', [SA('kube-dns')]),
  binding('system:node', 'system:node', []),
  binding('system:node-proxier', 'system:node-proxier', [User(componentUsers.proxy)]),
  binding('system:nanokube:informers', 'system:nanokube:informers', [User(componentUsers.informers)]),
  binding('system:nanokube:ingress-controller', 'system:nanokube:ingress-controller', [SA('nanokube-ingress-controller')]),
  binding('system:nanokube:cluster-dns', 'system:nanokube:cluster-dns', [SA('coredns')]),
  binding('system:metrics-server', 'system:metrics-server', [SA('metrics-server')]),
  ...bootstrapControllerRoles.map((r) => binding(r.metadata.name!, r.metadata.name!, [SA(r.metadata.name!.slice('system:controller:'.length))])),
];
