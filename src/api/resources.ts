// The one group/version/resource registry: what each built-in resource is called, which Kind it holds, whether it
// is namespaced, and upstream's discovery facts (short names, categories, verbs, subresources). The client
// addresses requests with these entries, the apiserver serves those it has a strategy for
// (apiserver/registry/all-resources.ts) and derives discovery and OpenAPI from them, and the garbage collector falls
// back to them when discovery is not available. Adding a resource is one line here plus a strategy.

/** Identifies a resource the way the API addresses it. */
export interface ResourceId {
  group: string;          // '' for core
  version: string;
  resource: string;       // plural
  namespaced: boolean;
  /** The Kind of one object; used to fill apiVersion/kind on list items that omit them. */
  kind?: string;
}

/** A resource with upstream's discovery facts (metav1.APIResource). */
export interface ApiResource extends ResourceId {
  kind: string;
  /** Lowercase kind, as upstream's singularName. */
  singular: string;
  /** Default: kind + 'List'. */
  listKind?: string;
  shortNames?: string[];
  categories?: string[];
  /** Default: DEFAULT_VERBS. Review APIs (never stored) have ['create']. */
  verbs?: string[];
  /**
   * Subresources served: 'status', 'scale', 'binding', 'eviction', 'finalize', and the streaming ones the kubelet
   * answers ('log', 'exec', 'attach', 'portforward', 'proxy').
   */
  subresources?: string[];
}

/** The verbs of a stored resource (upstream's full REST storage). */
export const DEFAULT_VERBS: readonly string[] = Object.freeze(['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);

export const verbsOf = (r: Pick<ApiResource, 'verbs'>): readonly string[] => r.verbs ?? DEFAULT_VERBS;

type Facts = Pick<ApiResource, 'listKind' | 'shortNames' | 'categories' | 'verbs' | 'subresources'>;

const r = (group: string, version: string, resource: string, kind: string, namespaced: boolean, facts: Facts = {}): ApiResource => {
  for (const v of Object.values(facts)) if (Array.isArray(v)) Object.freeze(v);
  return Object.freeze({ group, version, resource, kind, namespaced, singular: kind.toLowerCase(), ...facts });
};

// Only subresources that are served: discovery must never list one that answers 404 (kubectl drain reads a listed
// eviction as supported). The pods/services proxy is not served yet.
const podSubresources = ['attach', 'binding', 'ephemeralcontainers', 'eviction', 'exec', 'log', 'portforward', 'status'];

export const resources = Object.freeze({
  // core/v1
  namespaces: r('', 'v1', 'namespaces', 'Namespace', false, {
    shortNames: ['ns'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], subresources: ['finalize', 'status'] }),
  pods: r('', 'v1', 'pods', 'Pod', true, { shortNames: ['po'], categories: ['all'], subresources: podSubresources }),
  services: r('', 'v1', 'services', 'Service', true, { shortNames: ['svc'], categories: ['all'], subresources: ['status'] }),
  endpoints: r('', 'v1', 'endpoints', 'Endpoints', true, { shortNames: ['ep'] }),
  configmaps: r('', 'v1', 'configmaps', 'ConfigMap', true, { shortNames: ['cm'] }),
  secrets: r('', 'v1', 'secrets', 'Secret', true),
  events: r('', 'v1', 'events', 'Event', true, { shortNames: ['ev'] }),
  serviceaccounts: r('', 'v1', 'serviceaccounts', 'ServiceAccount', true, { shortNames: ['sa'], subresources: ['token'] }),
  nodes: r('', 'v1', 'nodes', 'Node', false, { shortNames: ['no'], subresources: ['proxy', 'status'] }),
  // Deprecated since 1.19 but served: the control plane's health, computed at each read, never stored.
  componentStatuses: r('', 'v1', 'componentstatuses', 'ComponentStatus', false, { shortNames: ['cs'], verbs: ['get', 'list'] }),
  replicationcontrollers: r('', 'v1', 'replicationcontrollers', 'ReplicationController', true, { shortNames: ['rc'], categories: ['all'], subresources: ['scale', 'status'] }),
  podtemplates: r('', 'v1', 'podtemplates', 'PodTemplate', true),
  persistentvolumeclaims: r('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true, { shortNames: ['pvc'], subresources: ['status'] }),
  resourcequotas: r('', 'v1', 'resourcequotas', 'ResourceQuota', true, { shortNames: ['quota'], subresources: ['status'] }),
  limitranges: r('', 'v1', 'limitranges', 'LimitRange', true, { shortNames: ['limits'] }),
  persistentvolumes: r('', 'v1', 'persistentvolumes', 'PersistentVolume', false, { shortNames: ['pv'], subresources: ['status'] }),
  // apps/v1
  deployments: r('apps', 'v1', 'deployments', 'Deployment', true, { shortNames: ['deploy'], categories: ['all'], subresources: ['scale', 'status'] }),
  replicasets: r('apps', 'v1', 'replicasets', 'ReplicaSet', true, { shortNames: ['rs'], categories: ['all'], subresources: ['scale', 'status'] }),
  statefulsets: r('apps', 'v1', 'statefulsets', 'StatefulSet', true, { shortNames: ['sts'], categories: ['all'], subresources: ['scale', 'status'] }),
  daemonsets: r('apps', 'v1', 'daemonsets', 'DaemonSet', true, { shortNames: ['ds'], categories: ['all'], subresources: ['status'] }),
  controllerrevisions: r('apps', 'v1', 'controllerrevisions', 'ControllerRevision', true),
  // batch/v1
  jobs: r('batch', 'v1', 'jobs', 'Job', true, { categories: ['all'], subresources: ['status'] }),
  cronjobs: r('batch', 'v1', 'cronjobs', 'CronJob', true, { shortNames: ['cj'], categories: ['all'], subresources: ['status'] }),
  // other groups
  leases: r('coordination.k8s.io', 'v1', 'leases', 'Lease', true),
  endpointslices: r('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice', true),
  ingresses: r('networking.k8s.io', 'v1', 'ingresses', 'Ingress', true, { shortNames: ['ing'], subresources: ['status'] }),
  ingressclasses: r('networking.k8s.io', 'v1', 'ingressclasses', 'IngressClass', false),
  networkpolicies: r('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy', true, { shortNames: ['netpol'] }),
  poddisruptionbudgets: r('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget', true, { shortNames: ['pdb'], subresources: ['status'] }),
  flowschemas: r('flowcontrol.apiserver.k8s.io', 'v1', 'flowschemas', 'FlowSchema', false, { subresources: ['status'] }),
  prioritylevelconfigurations: r('flowcontrol.apiserver.k8s.io', 'v1', 'prioritylevelconfigurations', 'PriorityLevelConfiguration', false, { subresources: ['status'] }),
  priorityclasses: r('scheduling.k8s.io', 'v1', 'priorityclasses', 'PriorityClass', false, { shortNames: ['pc'] }),
  apiservices: r('apiregistration.k8s.io', 'v1', 'apiservices', 'APIService', false, { subresources: ['status'] }),
  eventsV1: r('events.k8s.io', 'v1', 'events', 'Event', true, { shortNames: ['ev'] }),
  storageclasses: r('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', false, { shortNames: ['sc'] }),
  csidrivers: r('storage.k8s.io', 'v1', 'csidrivers', 'CSIDriver', false),
  csinodes: r('storage.k8s.io', 'v1', 'csinodes', 'CSINode', false),
  volumeattachments: r('storage.k8s.io', 'v1', 'volumeattachments', 'VolumeAttachment', false, { subresources: ['status'] }),
  // admissionregistration.k8s.io/v1 (GA in 1.30)
  validatingadmissionpolicies: r('admissionregistration.k8s.io', 'v1', 'validatingadmissionpolicies', 'ValidatingAdmissionPolicy', false, {
    categories: ['api-extensions'], subresources: ['status'] }),
  validatingadmissionpolicybindings: r('admissionregistration.k8s.io', 'v1', 'validatingadmissionpolicybindings', 'ValidatingAdmissionPolicyBinding', false, {
    categories: ['api-extensions'] }),
  customresourcedefinitions: r('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false, {
    shortNames: ['crd', 'crds'], categories: ['api-extensions'], subresources: ['status'] }),
  // autoscaling: v2 first (the preferred version), v1 the same objects converted
  horizontalpodautoscalers: r('autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', true, { shortNames: ['hpa'], categories: ['all'], subresources: ['status'] }),
  horizontalpodautoscalersV1: r('autoscaling', 'v1', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', true, { shortNames: ['hpa'], categories: ['all'], subresources: ['status'] }),
  // metrics.k8s.io: read-only, answered from the metrics server (api/metrics.ts), never stored
  nodeMetrics: r('metrics.k8s.io', 'v1beta1', 'nodes', 'NodeMetrics', false, { verbs: ['get', 'list'] }),
  podMetrics: r('metrics.k8s.io', 'v1beta1', 'pods', 'PodMetrics', true, { verbs: ['get', 'list'] }),
  // review APIs: create-only, never stored
  certificatesigningrequests: r('certificates.k8s.io', 'v1', 'certificatesigningrequests', 'CertificateSigningRequest', false, { shortNames: ['csr'], subresources: ['approval', 'status'] }),
  selfsubjectreviews: r('authentication.k8s.io', 'v1', 'selfsubjectreviews', 'SelfSubjectReview', false, { verbs: ['create'] }),
  selfsubjectaccessreviews: r('authorization.k8s.io', 'v1', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview', false, { verbs: ['create'] }),
  selfsubjectrulesreviews: r('authorization.k8s.io', 'v1', 'selfsubjectrulesreviews', 'SelfSubjectRulesReview', false, { verbs: ['create'] }),
  subjectaccessreviews: r('authorization.k8s.io', 'v1', 'subjectaccessreviews', 'SubjectAccessReview', false, { verbs: ['create'] }),
  localsubjectaccessreviews: r('authorization.k8s.io', 'v1', 'localsubjectaccessreviews', 'LocalSubjectAccessReview', true, { verbs: ['create'] }),
  // rbac.authorization.k8s.io/v1
  clusterroles: r('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false),
  clusterrolebindings: r('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false),
  roles: r('rbac.authorization.k8s.io', 'v1', 'roles', 'Role', true),
  rolebindings: r('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', true),
});

export type ResourceName = keyof typeof resources;

export const apiVersionOf = (res: Pick<ResourceId, 'group' | 'version'>) => (res.group ? `${res.group}/${res.version}` : res.version);
