// Upstream's patch and list metadata, which kubernetes-types does not carry: Go struct tags
// (`patchStrategy:"merge" patchMergeKey:"name"`) and `+listType` / `+listMapKey` / `+mapType` / `+structType`
// markers from k8s.io/api and k8s.io/apimachinery types.go (1.30–1.32). Strategic merge patch, server-side
// apply and the OpenAPI documents depend on these values being exactly upstream's.
//
// Key: definition name → field name → extensions. The field name '' means the definition itself
// (`+structType=atomic` → 'x-kubernetes-map-type': 'atomic' on the type).
import type { SchemaNode } from './types.js';

export type PatchMeta = Pick<SchemaNode,
  'x-kubernetes-patch-strategy' | 'x-kubernetes-patch-merge-key' | 'x-kubernetes-list-type' |
  'x-kubernetes-list-map-keys' | 'x-kubernetes-map-type'>;

// Shorthands keep the table readable; each expands to upstream's exact extension values.
const atomic: PatchMeta = { 'x-kubernetes-list-type': 'atomic' };
const set: PatchMeta = { 'x-kubernetes-list-type': 'set' };
const atomicStruct: PatchMeta = { 'x-kubernetes-map-type': 'atomic' };
const atomicMap: PatchMeta = { 'x-kubernetes-map-type': 'atomic' };
/** `patchStrategy:"merge" patchMergeKey:key` + `+listType=map` `+listMapKey=key`. */
function mergeBy(key: string, ...extraKeys: string[]): PatchMeta {
  return {
    'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': key,
    'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': [key, ...extraKeys],
  };
}
/** `+listType=map` without a patch strategy (server-side apply only). */
function mapBy(...keys: string[]): PatchMeta {
  return { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': keys };
}
const conditionsByType = mergeBy('type');

const CORE = 'io.k8s.api.core.v1.';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const APPS = 'io.k8s.api.apps.v1.';
const DISCOVERY = 'io.k8s.api.discovery.v1.';
const POLICY = 'io.k8s.api.policy.v1.';

const containerFields: Record<string, PatchMeta> = {
  command: atomic, args: atomic,
  ports: mergeBy('containerPort', 'protocol'),
  envFrom: atomic,
  env: mergeBy('name'),
  resizePolicy: atomic,
  volumeMounts: mergeBy('mountPath'),
  volumeDevices: mergeBy('devicePath'),
};

export const patchMeta: Record<string, Record<string, PatchMeta>> = {
  // meta/v1
  [META + 'ObjectMeta']: {
    finalizers: { 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-list-type': 'set' },
    ownerReferences: mergeBy('uid'),
    managedFields: atomic,
  },
  [META + 'OwnerReference']: { '': atomicStruct },
  [META + 'LabelSelector']: { '': atomicStruct, matchExpressions: atomic },
  [META + 'LabelSelectorRequirement']: { values: atomic },
  [META + 'StatusDetails']: { causes: atomic },
  [META + 'DeleteOptions']: { dryRun: atomic },
  [META + 'APIGroup']: { versions: atomic, serverAddressByClientCIDRs: atomic },
  [META + 'APIGroupList']: { groups: atomic },
  [META + 'APIResource']: { verbs: atomic, shortNames: atomic, categories: atomic },
  [META + 'APIResourceList']: { resources: atomic },
  [META + 'APIVersions']: { versions: atomic, serverAddressByClientCIDRs: atomic },

  // core/v1: pods and containers
  [CORE + 'PodSpec']: {
    volumes: { ...mergeBy('name'), 'x-kubernetes-patch-strategy': 'merge,retainKeys' },
    initContainers: mergeBy('name'),
    containers: mergeBy('name'),
    ephemeralContainers: mergeBy('name'),
    nodeSelector: atomicMap,
    imagePullSecrets: mergeBy('name'),
    tolerations: atomic,
    hostAliases: mergeBy('ip'),
    readinessGates: atomic,
    topologySpreadConstraints: mergeBy('topologyKey', 'whenUnsatisfiable'),
    schedulingGates: mergeBy('name'),
    resourceClaims: { ...mergeBy('name'), 'x-kubernetes-patch-strategy': 'merge,retainKeys' },
  },
  [CORE + 'Container']: containerFields,
  [CORE + 'EphemeralContainer']: containerFields,
  [CORE + 'PodStatus']: {
    conditions: conditionsByType,
    hostIPs: { 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'ip', 'x-kubernetes-list-type': 'atomic' },
    podIPs: mergeBy('ip'),
    initContainerStatuses: atomic,
    containerStatuses: atomic,
    ephemeralContainerStatuses: atomic,
    resourceClaimStatuses: { ...mergeBy('name'), 'x-kubernetes-patch-strategy': 'merge,retainKeys' },
  },
  [CORE + 'ContainerStatus']: {
    // (1.31+ adds allocatedResourcesStatus: merge by name; kubernetes-types 1.30 lacks the field.)
    volumeMounts: { 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'mountPath', 'x-kubernetes-list-type': 'atomic' },
  },
  [CORE + 'ResourceRequirements']: { claims: mapBy('name') },
  [CORE + 'PodDNSConfig']: { nameservers: atomic, searches: atomic, options: atomic },
  [CORE + 'PodSecurityContext']: { supplementalGroups: atomic, sysctls: atomic },
  [CORE + 'Capabilities']: { add: atomic, drop: atomic },
  [CORE + 'ExecAction']: { command: atomic },
  [CORE + 'HTTPGetAction']: { httpHeaders: atomic },
  [CORE + 'HostAlias']: { hostnames: atomic },
  [CORE + 'NodeAffinity']: { preferredDuringSchedulingIgnoredDuringExecution: atomic },
  [CORE + 'PodAffinity']: {
    requiredDuringSchedulingIgnoredDuringExecution: atomic, preferredDuringSchedulingIgnoredDuringExecution: atomic,
  },
  [CORE + 'PodAntiAffinity']: {
    requiredDuringSchedulingIgnoredDuringExecution: atomic, preferredDuringSchedulingIgnoredDuringExecution: atomic,
  },
  [CORE + 'PodAffinityTerm']: { namespaces: atomic, matchLabelKeys: atomic, mismatchLabelKeys: atomic },
  [CORE + 'NodeSelector']: { '': atomicStruct, nodeSelectorTerms: atomic },
  [CORE + 'NodeSelectorTerm']: { '': atomicStruct, matchExpressions: atomic, matchFields: atomic },
  [CORE + 'NodeSelectorRequirement']: { values: atomic },
  [CORE + 'TopologySelectorTerm']: { '': atomicStruct, matchLabelExpressions: atomic },
  [CORE + 'TopologySelectorLabelRequirement']: { values: atomic },
  [CORE + 'TopologySpreadConstraint']: { matchLabelKeys: atomic },
  [CORE + 'ConfigMapKeySelector']: { '': atomicStruct },
  [CORE + 'SecretKeySelector']: { '': atomicStruct },
  [CORE + 'ObjectFieldSelector']: { '': atomicStruct },
  [CORE + 'ResourceFieldSelector']: { '': atomicStruct },
  [CORE + 'LocalObjectReference']: { '': atomicStruct },
  [CORE + 'TypedLocalObjectReference']: { '': atomicStruct },
  [CORE + 'ObjectReference']: { '': atomicStruct },
  [CORE + 'EndpointAddress']: { '': atomicStruct },
  [CORE + 'EndpointPort']: { '': atomicStruct },

  // core/v1: volumes
  [CORE + 'ConfigMapVolumeSource']: { items: atomic },
  [CORE + 'SecretVolumeSource']: { items: atomic },
  [CORE + 'DownwardAPIVolumeSource']: { items: atomic },
  [CORE + 'ProjectedVolumeSource']: { sources: atomic },
  [CORE + 'ConfigMapProjection']: { items: atomic },
  [CORE + 'SecretProjection']: { items: atomic },
  [CORE + 'DownwardAPIProjection']: { items: atomic },
  [CORE + 'CephFSVolumeSource']: { monitors: atomic },
  [CORE + 'CephFSPersistentVolumeSource']: { monitors: atomic },
  [CORE + 'RBDVolumeSource']: { monitors: atomic },
  [CORE + 'RBDPersistentVolumeSource']: { monitors: atomic },
  [CORE + 'ISCSIVolumeSource']: { portals: atomic },
  [CORE + 'ISCSIPersistentVolumeSource']: { portals: atomic },
  [CORE + 'FCVolumeSource']: { targetWWNs: atomic, wwids: atomic },
  [CORE + 'PersistentVolumeClaimSpec']: { accessModes: atomic },
  [CORE + 'PersistentVolumeClaimStatus']: { accessModes: atomic, conditions: conditionsByType },
  [CORE + 'PersistentVolumeSpec']: { accessModes: atomic, mountOptions: atomic },

  // core/v1: services and endpoints
  [CORE + 'ServiceSpec']: {
    ports: mergeBy('port', 'protocol'),
    selector: atomicMap,
    clusterIPs: atomic,
    externalIPs: atomic,
    loadBalancerSourceRanges: atomic,
    ipFamilies: atomic,
  },
  [CORE + 'ServiceStatus']: { conditions: conditionsByType },
  [CORE + 'LoadBalancerStatus']: { ingress: atomic },
  [CORE + 'LoadBalancerIngress']: { ports: atomic },
  [CORE + 'Endpoints']: { subsets: atomic },
  [CORE + 'EndpointSubset']: { addresses: atomic, notReadyAddresses: atomic, ports: atomic },

  // core/v1: nodes, namespaces, and the rest
  [CORE + 'NodeSpec']: {
    podCIDRs: { 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-list-type': 'set' },
    taints: atomic,
  },
  [CORE + 'NodeStatus']: {
    conditions: conditionsByType,
    addresses: conditionsByType,
    volumesInUse: atomic,
    volumesAttached: atomic,
    images: atomic,
    runtimeHandlers: atomic,
  },
  [CORE + 'ContainerImage']: { names: atomic },
  [CORE + 'NamespaceSpec']: { finalizers: atomic },
  [CORE + 'NamespaceStatus']: { conditions: conditionsByType },
  [CORE + 'ReplicationControllerSpec']: { selector: atomicMap },
  [CORE + 'ReplicationControllerStatus']: { conditions: conditionsByType },
  [CORE + 'ServiceAccount']: { secrets: mergeBy('name'), imagePullSecrets: atomic },
  [CORE + 'ComponentStatus']: { conditions: conditionsByType },
  [CORE + 'LimitRangeSpec']: { limits: atomic },
  [CORE + 'ResourceQuotaSpec']: { scopes: atomic },
  [CORE + 'ScopeSelector']: { matchExpressions: atomic },
  [CORE + 'ScopedResourceSelectorRequirement']: { values: atomic },

  // apps/v1
  [APPS + 'DeploymentSpec']: { strategy: { 'x-kubernetes-patch-strategy': 'retainKeys' } },
  [APPS + 'DeploymentStatus']: { conditions: conditionsByType },
  [APPS + 'ReplicaSetStatus']: { conditions: conditionsByType },
  [APPS + 'DaemonSetStatus']: { conditions: conditionsByType },
  [APPS + 'StatefulSetSpec']: { volumeClaimTemplates: atomic },
  [APPS + 'StatefulSetStatus']: { conditions: conditionsByType },

  // discovery/v1
  [DISCOVERY + 'EndpointSlice']: { endpoints: atomic, ports: atomic },
  [DISCOVERY + 'Endpoint']: { addresses: set },
  [DISCOVERY + 'EndpointHints']: { forZones: atomic },
  [DISCOVERY + 'EndpointPort']: { '': atomicStruct },

  // policy/v1 (Eviction and PodDisruptionBudget are served beside pods)
  [POLICY + 'PodDisruptionBudgetSpec']: { selector: { 'x-kubernetes-patch-strategy': 'replace' } },
  [POLICY + 'PodDisruptionBudgetStatus']: { conditions: conditionsByType },

  // coordination/v1 (Lease) and events/v1 (Event) have no patch or list markers upstream.
};
