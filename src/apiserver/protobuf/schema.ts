// Field tables for the Kubernetes protobuf messages that kubectl's typed clients send.
// Field numbers are upstream's (k8s.io/api */generated.proto, k8s.io/apimachinery meta/v1, intstr, resource);
// they never change once published, so a table written against one release decodes every later one
// (fields added later are skipped as unknown until listed here). The JSON names are the proto field names,
// which upstream keeps equal to the JSON tags.
//
// Notation, one field per comma-separated entry: `<number> <jsonName> <type>` where <type> is
//   s | i32 | i64 | b | y        string, int32, int64, bool, bytes (base64 in JSON)
//   <Message>                    a message listed below, or a well-known one: Time, IntOrString, Quantity, FieldsV1
//   []<type>                     repeated
//   map<type>                    map<string, type>
//   ...<Message>                 (no name) embedded (inlined) struct: its fields appear directly in the parent object
//   <type>?                      the Go field is a pointer, so presence on the wire is meaningful: keep zero
//                                values and empty messages (e.g. `emptyDir: {}`, `replicas: 0`)
// Without `?`, Go's marshaller writes the field even when it holds its zero value (the sample Secret carries
// empty namespace/uid/... and generation 0); such zero values are dropped, as a JSON client's omitempty would.

const MESSAGES: Record<string, string> = {
  // --- k8s.io/apimachinery/pkg/apis/meta/v1
  ObjectMeta: `1 name s, 2 generateName s, 3 namespace s, 4 selfLink s, 5 uid s, 6 resourceVersion s,
    7 generation i64, 8 creationTimestamp Time, 9 deletionTimestamp Time?, 10 deletionGracePeriodSeconds i64?,
    11 labels map<s>, 12 annotations map<s>, 13 ownerReferences []OwnerReference, 14 finalizers []s,
    17 managedFields []ManagedFieldsEntry`,
  OwnerReference: `5 apiVersion s, 1 kind s, 3 name s, 4 uid s, 6 controller b?, 7 blockOwnerDeletion b?`,
  ManagedFieldsEntry: `1 manager s, 2 operation s, 3 apiVersion s, 4 time Time?, 6 fieldsType s,
    7 fieldsV1 FieldsV1?, 8 subresource s`,
  LabelSelector: `1 matchLabels map<s>, 2 matchExpressions []LabelSelectorRequirement`,
  LabelSelectorRequirement: `1 key s, 2 operator s, 3 values []s`,

  // --- k8s.io/api/core/v1: top-level kinds
  Secret: `1 metadata ObjectMeta, 5 immutable b?, 2 data map<y>, 4 stringData map<s>, 3 type s`,
  ConfigMap: `1 metadata ObjectMeta, 4 immutable b?, 2 data map<s>, 3 binaryData map<y>`,
  Namespace: `1 metadata ObjectMeta, 2 spec NamespaceSpec, 3 status NamespaceStatus`,
  NamespaceSpec: `1 finalizers []s`,
  NamespaceStatus: `1 phase s`,
  ServiceAccount: `1 metadata ObjectMeta, 2 secrets []ObjectReference, 3 imagePullSecrets []LocalObjectReference,
    4 automountServiceAccountToken b?`,
  Service: `1 metadata ObjectMeta, 2 spec ServiceSpec`,
  ServiceSpec: `1 ports []ServicePort, 2 selector map<s>, 3 clusterIP s, 18 clusterIPs []s, 4 type s,
    5 externalIPs []s, 7 sessionAffinity s, 8 loadBalancerIP s, 9 loadBalancerSourceRanges []s,
    10 externalName s, 11 externalTrafficPolicy s, 12 healthCheckNodePort i32, 13 publishNotReadyAddresses b,
    14 sessionAffinityConfig SessionAffinityConfig?, 19 ipFamilies []s, 17 ipFamilyPolicy s?,
    20 allocateLoadBalancerNodePorts b?, 21 loadBalancerClass s?, 22 internalTrafficPolicy s?`,
  ServicePort: `1 name s, 2 protocol s, 6 appProtocol s?, 3 port i32, 4 targetPort IntOrString, 5 nodePort i32`,
  SessionAffinityConfig: `1 clientIP ClientIPConfig?`,
  ClientIPConfig: `1 timeoutSeconds i32?`,
  Pod: `1 metadata ObjectMeta, 2 spec PodSpec`,
  ObjectReference: `1 kind s, 2 namespace s, 3 name s, 4 uid s, 5 apiVersion s, 6 resourceVersion s, 7 fieldPath s`,
  LocalObjectReference: `1 name s`,

  // --- core/v1: pods
  PodTemplateSpec: `1 metadata ObjectMeta, 2 spec PodSpec`,
  PodSpec: `1 volumes []Volume, 20 initContainers []Container, 2 containers []Container, 3 restartPolicy s,
    4 terminationGracePeriodSeconds i64?, 5 activeDeadlineSeconds i64?, 6 dnsPolicy s, 7 nodeSelector map<s>,
    8 serviceAccountName s, 9 serviceAccount s, 21 automountServiceAccountToken b?, 10 nodeName s,
    11 hostNetwork b, 12 hostPID b, 13 hostIPC b, 27 shareProcessNamespace b?,
    14 securityContext PodSecurityContext?, 15 imagePullSecrets []LocalObjectReference, 16 hostname s,
    17 subdomain s, 18 affinity Affinity?, 19 schedulerName s, 22 tolerations []Toleration,
    23 hostAliases []HostAlias, 24 priorityClassName s, 25 priority i32?, 26 dnsConfig PodDNSConfig?,
    28 readinessGates []PodReadinessGate, 29 runtimeClassName s?, 30 enableServiceLinks b?,
    31 preemptionPolicy s?, 32 overhead map<Quantity>, 33 topologySpreadConstraints []TopologySpreadConstraint,
    35 setHostnameAsFQDN b?, 36 os PodOS?, 37 hostUsers b?, 38 schedulingGates []PodSchedulingGate`,
  Container: `1 name s, 2 image s, 3 command []s, 4 args []s, 5 workingDir s, 6 ports []ContainerPort,
    19 envFrom []EnvFromSource, 7 env []EnvVar, 8 resources ResourceRequirements, 9 volumeMounts []VolumeMount,
    21 volumeDevices []VolumeDevice, 10 livenessProbe Probe?, 11 readinessProbe Probe?, 22 startupProbe Probe?,
    12 lifecycle Lifecycle?, 13 terminationMessagePath s, 20 terminationMessagePolicy s, 14 imagePullPolicy s,
    15 securityContext SecurityContext?, 16 stdin b, 17 stdinOnce b, 18 tty b,
    23 resizePolicy []ContainerResizePolicy, 24 restartPolicy s?`,
  ContainerResizePolicy: `1 resourceName s, 2 restartPolicy s`,
  ContainerPort: `1 name s, 2 hostPort i32, 3 containerPort i32, 4 protocol s, 5 hostIP s`,
  EnvVar: `1 name s, 2 value s, 3 valueFrom EnvVarSource?`,
  EnvVarSource: `1 fieldRef ObjectFieldSelector?, 2 resourceFieldRef ResourceFieldSelector?,
    3 configMapKeyRef ConfigMapKeySelector?, 4 secretKeyRef SecretKeySelector?`,
  ObjectFieldSelector: `1 apiVersion s, 2 fieldPath s`,
  ResourceFieldSelector: `1 containerName s, 2 resource s, 3 divisor Quantity`,
  ConfigMapKeySelector: `1 ...LocalObjectReference, 2 key s, 3 optional b?`,
  SecretKeySelector: `1 ...LocalObjectReference, 2 key s, 3 optional b?`,
  EnvFromSource: `1 prefix s, 2 configMapRef ConfigMapEnvSource?, 3 secretRef SecretEnvSource?`,
  ConfigMapEnvSource: `1 ...LocalObjectReference, 2 optional b?`,
  SecretEnvSource: `1 ...LocalObjectReference, 2 optional b?`,
  ResourceRequirements: `1 limits map<Quantity>, 2 requests map<Quantity>, 3 claims []ResourceClaim`,
  ResourceClaim: `1 name s`,
  VolumeMount: `1 name s, 2 readOnly b, 3 mountPath s, 4 subPath s, 5 mountPropagation s?, 6 subPathExpr s`,
  VolumeDevice: `1 name s, 2 devicePath s`,
  Probe: `1 ...ProbeHandler, 2 initialDelaySeconds i32, 3 timeoutSeconds i32, 4 periodSeconds i32,
    5 successThreshold i32, 6 failureThreshold i32, 7 terminationGracePeriodSeconds i64?`,
  ProbeHandler: `1 exec ExecAction?, 2 httpGet HTTPGetAction?, 3 tcpSocket TCPSocketAction?, 4 grpc GRPCAction?`,
  ExecAction: `1 command []s`,
  HTTPGetAction: `1 path s, 2 port IntOrString, 3 host s, 4 scheme s, 5 httpHeaders []HTTPHeader`,
  HTTPHeader: `1 name s, 2 value s`,
  TCPSocketAction: `1 port IntOrString, 2 host s`,
  GRPCAction: `1 port i32, 2 service s?`,
  Lifecycle: `1 postStart LifecycleHandler?, 2 preStop LifecycleHandler?`,
  LifecycleHandler: `1 exec ExecAction?, 2 httpGet HTTPGetAction?, 3 tcpSocket TCPSocketAction?`,
  SecurityContext: `1 capabilities Capabilities?, 2 privileged b?, 3 seLinuxOptions SELinuxOptions?,
    4 runAsUser i64?, 8 runAsGroup i64?, 5 runAsNonRoot b?, 6 readOnlyRootFilesystem b?,
    7 allowPrivilegeEscalation b?, 9 procMount s?, 11 seccompProfile SeccompProfile?`,
  Capabilities: `1 add []s, 2 drop []s`,
  SELinuxOptions: `1 user s, 2 role s, 3 type s, 4 level s`,
  SeccompProfile: `1 type s, 2 localhostProfile s?`,
  PodSecurityContext: `1 seLinuxOptions SELinuxOptions?, 2 runAsUser i64?, 6 runAsGroup i64?, 3 runAsNonRoot b?,
    4 supplementalGroups []i64, 5 fsGroup i64?, 7 sysctls []Sysctl, 9 fsGroupChangePolicy s?,
    10 seccompProfile SeccompProfile?`,
  Sysctl: `1 name s, 2 value s`,
  Toleration: `1 key s, 2 operator s, 3 value s, 4 effect s, 5 tolerationSeconds i64?`,
  HostAlias: `1 ip s, 2 hostnames []s`,
  PodDNSConfig: `1 nameservers []s, 2 searches []s, 3 options []PodDNSConfigOption`,
  PodDNSConfigOption: `1 name s, 2 value s?`,
  PodReadinessGate: `1 conditionType s`,
  PodOS: `1 name s`,
  PodSchedulingGate: `1 name s`,
  TopologySpreadConstraint: `1 maxSkew i32, 2 topologyKey s, 3 whenUnsatisfiable s, 4 labelSelector LabelSelector?,
    5 minDomains i32?, 6 nodeAffinityPolicy s?, 7 nodeTaintsPolicy s?, 8 matchLabelKeys []s`,
  Affinity: `1 nodeAffinity NodeAffinity?, 2 podAffinity PodAffinity?, 3 podAntiAffinity PodAffinity?`,
  NodeAffinity: `1 requiredDuringSchedulingIgnoredDuringExecution NodeSelector?,
    2 preferredDuringSchedulingIgnoredDuringExecution []PreferredSchedulingTerm`,
  NodeSelector: `1 nodeSelectorTerms []NodeSelectorTerm`,
  NodeSelectorTerm: `1 matchExpressions []NodeSelectorRequirement, 2 matchFields []NodeSelectorRequirement`,
  NodeSelectorRequirement: `1 key s, 2 operator s, 3 values []s`,
  PreferredSchedulingTerm: `1 weight i32, 2 preference NodeSelectorTerm`,
  // PodAntiAffinity has the same shape and numbers as PodAffinity.
  PodAffinity: `1 requiredDuringSchedulingIgnoredDuringExecution []PodAffinityTerm,
    2 preferredDuringSchedulingIgnoredDuringExecution []WeightedPodAffinityTerm`,
  PodAffinityTerm: `1 labelSelector LabelSelector?, 2 namespaces []s, 3 topologyKey s,
    4 namespaceSelector LabelSelector?`,
  WeightedPodAffinityTerm: `1 weight i32, 2 podAffinityTerm PodAffinityTerm`,

  // --- core/v1: volumes (Volume embeds VolumeSource, so `emptyDir` etc. sit beside `name`)
  Volume: `1 name s, 2 ...VolumeSource`,
  VolumeSource: `1 hostPath HostPathVolumeSource?, 2 emptyDir EmptyDirVolumeSource?, 6 secret SecretVolumeSource?,
    7 nfs NFSVolumeSource?, 10 persistentVolumeClaim PersistentVolumeClaimVolumeSource?,
    16 downwardAPI DownwardAPIVolumeSource?, 19 configMap ConfigMapVolumeSource?,
    26 projected ProjectedVolumeSource?`,
  HostPathVolumeSource: `1 path s, 2 type s?`,
  EmptyDirVolumeSource: `1 medium s, 2 sizeLimit Quantity?`,
  SecretVolumeSource: `1 secretName s, 2 items []KeyToPath, 3 defaultMode i32?, 4 optional b?`,
  NFSVolumeSource: `1 server s, 2 path s, 3 readOnly b`,
  PersistentVolumeClaimVolumeSource: `1 claimName s, 2 readOnly b`,
  DownwardAPIVolumeSource: `1 items []DownwardAPIVolumeFile, 2 defaultMode i32?`,
  DownwardAPIVolumeFile: `1 path s, 2 fieldRef ObjectFieldSelector?, 3 resourceFieldRef ResourceFieldSelector?,
    4 mode i32?`,
  ConfigMapVolumeSource: `1 ...LocalObjectReference, 2 items []KeyToPath, 3 defaultMode i32?, 4 optional b?`,
  KeyToPath: `1 key s, 2 path s, 3 mode i32?`,
  ProjectedVolumeSource: `1 sources []VolumeProjection, 2 defaultMode i32?`,
  VolumeProjection: `1 secret SecretProjection?, 2 downwardAPI DownwardAPIProjection?,
    3 configMap ConfigMapProjection?, 4 serviceAccountToken ServiceAccountTokenProjection?`,
  SecretProjection: `1 ...LocalObjectReference, 2 items []KeyToPath, 4 optional b?`,
  ConfigMapProjection: `1 ...LocalObjectReference, 2 items []KeyToPath, 4 optional b?`,
  DownwardAPIProjection: `1 items []DownwardAPIVolumeFile`,
  ServiceAccountTokenProjection: `1 audience s, 2 expirationSeconds i64?, 3 path s`,

  // --- k8s.io/api/apps/v1
  Deployment: `1 metadata ObjectMeta, 2 spec DeploymentSpec, 3 status DeploymentStatus`,
  DeploymentSpec: `1 replicas i32?, 2 selector LabelSelector?, 3 template PodTemplateSpec,
    4 strategy DeploymentStrategy, 5 minReadySeconds i32, 6 revisionHistoryLimit i32?, 7 paused b,
    9 progressDeadlineSeconds i32?`,
  DeploymentStrategy: `1 type s, 2 rollingUpdate RollingUpdateDeployment?`,
  RollingUpdateDeployment: `1 maxUnavailable IntOrString?, 2 maxSurge IntOrString?`,
  DeploymentStatus: `1 observedGeneration i64, 2 replicas i32, 3 updatedReplicas i32, 7 readyReplicas i32,
    4 availableReplicas i32, 5 unavailableReplicas i32, 6 conditions []DeploymentCondition, 8 collisionCount i32?`,
  DeploymentCondition: `1 type s, 2 status s, 6 lastUpdateTime Time, 7 lastTransitionTime Time, 4 reason s,
    5 message s`,
  ReplicaSet: `1 metadata ObjectMeta, 2 spec ReplicaSetSpec, 3 status ReplicaSetStatus`,
  ReplicaSetSpec: `1 replicas i32?, 4 minReadySeconds i32, 2 selector LabelSelector?, 3 template PodTemplateSpec`,
  ReplicaSetStatus: `1 replicas i32, 2 fullyLabeledReplicas i32, 4 readyReplicas i32, 5 availableReplicas i32,
    3 observedGeneration i64, 6 conditions []ReplicaSetCondition`,
  ReplicaSetCondition: `1 type s, 2 status s, 3 lastTransitionTime Time, 4 reason s, 5 message s`,

  // --- k8s.io/api/batch/v1 (`kubectl create job|cronjob`)
  Job: `1 metadata ObjectMeta, 2 spec JobSpec`,
  JobSpec: `1 parallelism i32?, 2 completions i32?, 3 activeDeadlineSeconds i64?, 11 podFailurePolicy PodFailurePolicy?,
    7 backoffLimit i32?, 4 selector LabelSelector?, 5 manualSelector b?, 6 template PodTemplateSpec,
    8 ttlSecondsAfterFinished i32?, 9 completionMode s?, 10 suspend b?`,
  PodFailurePolicy: `1 rules []PodFailurePolicyRule`,
  PodFailurePolicyRule: `1 action s, 2 onExitCodes PodFailurePolicyOnExitCodesRequirement?,
    3 onPodConditions []PodFailurePolicyOnPodConditionsPattern`,
  PodFailurePolicyOnExitCodesRequirement: `1 containerName s?, 2 operator s, 3 values []i32`,
  PodFailurePolicyOnPodConditionsPattern: `1 type s, 2 status s`,
  CronJob: `1 metadata ObjectMeta, 2 spec CronJobSpec`,
  // --- autoscaling/v1 (kubectl autoscale)
  HorizontalPodAutoscalerV1: `1 metadata ObjectMeta, 2 spec HorizontalPodAutoscalerSpecV1`,
  HorizontalPodAutoscalerSpecV1: `1 scaleTargetRef CrossVersionObjectReference, 2 minReplicas i32?, 3 maxReplicas i32,
    4 targetCPUUtilizationPercentage i32?`,
  CrossVersionObjectReference: `1 kind s, 2 name s, 3 apiVersion s`,
  CronJobSpec: `1 schedule s, 8 timeZone s?, 2 startingDeadlineSeconds i64?, 3 concurrencyPolicy s, 4 suspend b?,
    5 jobTemplate JobTemplateSpec, 6 successfulJobsHistoryLimit i32?, 7 failedJobsHistoryLimit i32?`,
  JobTemplateSpec: `1 metadata ObjectMeta, 2 spec JobSpec`,

  // --- k8s.io/api/autoscaling/v1. ScaleSpec.replicas is kept even when 0: scaling to zero is the point.
  Scale: `1 metadata ObjectMeta, 2 spec ScaleSpec, 3 status ScaleStatus`,
  ScaleSpec: `1 replicas i32?`,
  ScaleStatus: `1 replicas i32?, 2 selector s`,

  // --- k8s.io/api/networking/v1 (`kubectl create ingress`). IngressRule inlines IngressRuleValue, so `http` sits
  // on the rule in JSON. Status is never sent by clients with content and is skipped as unknown.
  Ingress: `1 metadata ObjectMeta, 2 spec IngressSpec`,
  IngressSpec: `4 ingressClassName s?, 1 defaultBackend IngressBackend?, 2 tls []IngressTLS, 3 rules []IngressRule`,
  IngressBackend: `4 service IngressServiceBackend?, 3 resource TypedLocalObjectReference?`,
  IngressServiceBackend: `1 name s, 2 port ServiceBackendPort`,
  ServiceBackendPort: `1 name s, 2 number i32`,
  TypedLocalObjectReference: `1 apiGroup s?, 2 kind s, 3 name s`,
  IngressTLS: `1 hosts []s, 2 secretName s`,
  IngressRule: `1 host s, 2 ...IngressRuleValue`,
  IngressRuleValue: `1 http HTTPIngressRuleValue?`,
  HTTPIngressRuleValue: `1 paths []HTTPIngressPath`,
  HTTPIngressPath: `1 path s, 3 pathType s?, 2 backend IngressBackend`,
  IngressClass: `1 metadata ObjectMeta, 2 spec IngressClassSpec`,
  IngressClassSpec: `1 controller s, 2 parameters IngressClassParametersReference?`,
  IngressClassParametersReference: `1 apiGroup s?, 2 kind s, 3 name s, 4 scope s?, 5 namespace s?`,

  // --- meta/v1 DeleteOptions, policy/v1 (the pods/eviction body `kubectl drain` sends; `kubectl create pdb`),
  // scheduling.k8s.io/v1 (`kubectl create priorityclass`), core/v1 ResourceQuota (`kubectl create quota`).
  DeleteOptions: `1 gracePeriodSeconds i64?, 2 preconditions Preconditions?, 3 orphanDependents b?, 4 propagationPolicy s?, 5 dryRun []s`,
  Preconditions: `1 uid s?, 2 resourceVersion s?`,
  Eviction: `1 metadata ObjectMeta, 2 deleteOptions DeleteOptions?`,
  PodDisruptionBudget: `1 metadata ObjectMeta, 2 spec PodDisruptionBudgetSpec`,
  PodDisruptionBudgetSpec: `1 minAvailable IntOrString?, 2 selector LabelSelector?, 3 maxUnavailable IntOrString?, 4 unhealthyPodEvictionPolicy s?`,
  PriorityClass: `1 metadata ObjectMeta, 2 value i32, 3 globalDefault b, 4 description s, 5 preemptionPolicy s?`,
  ResourceQuota: `1 metadata ObjectMeta, 2 spec ResourceQuotaSpec`,
  ResourceQuotaSpec: `1 hard map<Quantity>, 2 scopes []s, 3 scopeSelector ScopeSelector?`,
  ScopeSelector: `1 matchExpressions []ScopedResourceSelectorRequirement`,
  ScopedResourceSelectorRequirement: `1 scopeName s, 2 operator s, 3 values []s`,

  // --- k8s.io/api/authorization/v1 and authentication/v1 (`kubectl auth can-i`, `kubectl auth whoami`).
  // The status messages are never sent by clients; ResourceAttributes' selectors (8, 9) are skipped as unknown.
  SelfSubjectAccessReview: `1 metadata ObjectMeta, 2 spec SelfSubjectAccessReviewSpec`,
  SelfSubjectAccessReviewSpec: `1 resourceAttributes ResourceAttributes?, 2 nonResourceAttributes NonResourceAttributes?`,
  ResourceAttributes: `1 namespace s, 2 verb s, 3 group s, 4 version s, 5 resource s, 6 subresource s, 7 name s`,
  NonResourceAttributes: `1 path s, 2 verb s`,
  SelfSubjectRulesReview: `1 metadata ObjectMeta, 2 spec SelfSubjectRulesReviewSpec`,
  SelfSubjectRulesReviewSpec: `1 namespace s`,
  SelfSubjectReview: `1 metadata ObjectMeta`,
  // `kubectl create token` (serviceaccounts/token).
  TokenRequest: `1 metadata ObjectMeta, 2 spec TokenRequestSpec`,
  TokenRequestSpec: `1 audiences []s, 4 expirationSeconds i64?, 3 boundObjectRef BoundObjectReference?`,
  BoundObjectReference: `1 kind s, 2 apiVersion s, 3 name s, 4 uid s`,

  // --- k8s.io/api/rbac/v1 (`kubectl create role|clusterrole|rolebinding|clusterrolebinding`).
  Role: `1 metadata ObjectMeta, 2 rules []PolicyRule`,
  ClusterRole: `1 metadata ObjectMeta, 2 rules []PolicyRule, 3 aggregationRule AggregationRule?`,
  PolicyRule: `1 verbs []s, 2 apiGroups []s, 3 resources []s, 4 resourceNames []s, 5 nonResourceURLs []s`,
  AggregationRule: `1 clusterRoleSelectors []LabelSelector`,
  RoleBinding: `1 metadata ObjectMeta, 2 subjects []Subject, 3 roleRef RoleRef`,
  Subject: `1 kind s, 2 apiGroup s, 3 name s, 4 namespace s`,
  RoleRef: `1 apiGroup s, 2 kind s, 3 name s`,

  // --- k8s.io/api/certificates/v1 (`kubectl certificate approve|deny` PUTs the whole object to /approval).
  // spec.extra (a map of ExtraValue) is skipped as unknown: clients never set it, the server fills it.
  CertificateSigningRequest: `1 metadata ObjectMeta, 2 spec CertificateSigningRequestSpec, 3 status CertificateSigningRequestStatus`,
  CertificateSigningRequestSpec: `1 request y, 7 signerName s, 8 expirationSeconds i32?, 5 usages []s, 2 username s, 3 uid s,
    4 groups []s`,
  CertificateSigningRequestStatus: `1 conditions []CertificateSigningRequestCondition, 2 certificate y`,
  CertificateSigningRequestCondition: `1 type s, 6 status s, 2 reason s, 3 message s, 4 lastUpdateTime Time?,
    5 lastTransitionTime Time?`,
};

/** The top-level kinds we decode, by `apiVersion/kind` as carried in the envelope's TypeMeta. */
const ROOT_KINDS: Record<string, string> = {
  'v1/Secret': 'Secret',
  'v1/ConfigMap': 'ConfigMap',
  'v1/Namespace': 'Namespace',
  'v1/ServiceAccount': 'ServiceAccount',
  'v1/Service': 'Service',
  'v1/Pod': 'Pod',
  'apps/v1/Deployment': 'Deployment',
  'apps/v1/ReplicaSet': 'ReplicaSet',
  'batch/v1/Job': 'Job',
  'batch/v1/CronJob': 'CronJob',
  'autoscaling/v1/Scale': 'Scale',
  'autoscaling/v1/HorizontalPodAutoscaler': 'HorizontalPodAutoscalerV1',
  'networking.k8s.io/v1/Ingress': 'Ingress',
  'policy/v1/Eviction': 'Eviction',
  'policy/v1beta1/Eviction': 'Eviction',
  'policy/v1/PodDisruptionBudget': 'PodDisruptionBudget',
  'scheduling.k8s.io/v1/PriorityClass': 'PriorityClass',
  'v1/ResourceQuota': 'ResourceQuota',
  'networking.k8s.io/v1/IngressClass': 'IngressClass',
  'authorization.k8s.io/v1/SelfSubjectAccessReview': 'SelfSubjectAccessReview',
  'authorization.k8s.io/v1/SelfSubjectRulesReview': 'SelfSubjectRulesReview',
  'authentication.k8s.io/v1/SelfSubjectReview': 'SelfSubjectReview',
  'authentication.k8s.io/v1/TokenRequest': 'TokenRequest',
  'certificates.k8s.io/v1/CertificateSigningRequest': 'CertificateSigningRequest',
  'rbac.authorization.k8s.io/v1/Role': 'Role',
  'rbac.authorization.k8s.io/v1/ClusterRole': 'ClusterRole',
  'rbac.authorization.k8s.io/v1/RoleBinding': 'RoleBinding',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': 'RoleBinding',
};

export type ScalarType = 's' | 'i32' | 'i64' | 'b' | 'y';
/** Messages with a fixed JSON rendering rather than an object (see decode.ts). */
export type WellKnownType = 'Time' | 'IntOrString' | 'Quantity' | 'FieldsV1';
export const WELL_KNOWN_TYPES: readonly WellKnownType[] = ['Time', 'IntOrString', 'Quantity', 'FieldsV1'];
const SCALARS: readonly string[] = ['s', 'i32', 'i64', 'b', 'y'];

export type ValueType =
  | { kind: 'scalar'; scalar: ScalarType }
  | { kind: 'wellKnown'; name: WellKnownType }
  | { kind: 'message'; name: string };

export interface FieldSpec {
  number: number;
  /** JSON field name; unused for inlined fields. */
  name: string;
  value: ValueType;
  repeated: boolean;
  /** map<string, value>: wire entries are messages {1: key, 2: value}. */
  map: boolean;
  /** Embedded struct whose fields are merged into the parent object. */
  inline: boolean;
  /** Go pointer field: a value present on the wire is kept even if it is a zero value. */
  presence: boolean;
}

export interface MessageSpec { name: string; fields: Map<number, FieldSpec> }

function parseValueType(t: string): ValueType {
  if (SCALARS.includes(t)) return { kind: 'scalar', scalar: t as ScalarType };
  if ((WELL_KNOWN_TYPES as readonly string[]).includes(t)) return { kind: 'wellKnown', name: t as WellKnownType };
  return { kind: 'message', name: t };
}

function parseField(entry: string, message: string): FieldSpec {
  // `<n> <name> <type>`, or `<n> ...<Message>` for an inlined struct (it has no JSON name of its own).
  const m = /^(\d+)\s+(?:(\S+)\s+)?(\S+)$/.exec(entry.trim());
  if (!m || (m[2] === undefined) !== m[3].startsWith('...')) {
    throw new Error(`protobuf schema ${message}: cannot parse field "${entry.trim()}"`);
  }
  let t = m[3];
  const presence = t.endsWith('?');
  if (presence) t = t.slice(0, -1);
  let repeated = false, map = false, inline = false;
  if (t.startsWith('[]')) { repeated = true; t = t.slice(2); }
  else if (t.startsWith('map<') && t.endsWith('>')) { map = true; t = t.slice(4, -1); }
  else if (t.startsWith('...')) { inline = true; t = t.slice(3); }
  const value = parseValueType(t);
  if (inline && value.kind !== 'message') throw new Error(`protobuf schema ${message}: only messages can be inlined`);
  return { number: Number(m[1]), name: m[2] ?? '', value, repeated, map, inline, presence };
}

function buildSchema(): Map<string, MessageSpec> {
  const out = new Map<string, MessageSpec>();
  for (const [name, text] of Object.entries(MESSAGES)) {
    const fields = new Map<number, FieldSpec>();
    for (const entry of text.split(',')) {
      const f = parseField(entry, name);
      if (fields.has(f.number)) throw new Error(`protobuf schema ${name}: field ${f.number} listed twice`);
      fields.set(f.number, f);
    }
    out.set(name, { name, fields });
  }
  // Every referenced message must be defined; a typo here is a programming error, caught at load time.
  for (const spec of out.values()) {
    for (const f of spec.fields.values()) {
      if (f.value.kind === 'message' && !out.has(f.value.name)) {
        throw new Error(`protobuf schema ${spec.name}.${f.name}: unknown message ${f.value.name}`);
      }
    }
  }
  return out;
}

const SCHEMA = buildSchema();

export function messageSpec(name: string): MessageSpec {
  const spec = SCHEMA.get(name);
  if (!spec) throw new Error(`protobuf schema: unknown message ${name}`);
  return spec;
}

/** The root message for an envelope's apiVersion and kind, or undefined when we cannot decode that kind. */
export function rootMessageFor(apiVersion: string, kind: string): string | undefined {
  return ROOT_KINDS[`${apiVersion}/${kind}`];
}

/** `apiVersion/kind` pairs whose protobuf bodies we decode. */
export function decodableKinds(): string[] { return Object.keys(ROOT_KINDS); }
