// Every built-in resource this apiserver serves: an entry of the one registry (api/resources.ts) joined with its
// strategy. Discovery lists them in this order.
import type { ResourceDefinition } from './types.js';
import { namespaces } from './core/namespaces/strategy.js';
import { pods } from './core/pods/strategy.js';
import { services } from './core/services/strategy.js';
import { endpoints } from './core/endpoints/strategy.js';
import { configmaps } from './core/configmaps/strategy.js';
import { secrets } from './core/secrets/strategy.js';
import { events } from './core/events/strategy.js';
import { serviceaccounts } from './core/serviceaccounts/strategy.js';
import { nodes } from './core/nodes/strategy.js';
import { componentStatuses } from './core/componentstatuses/strategy.js';
import { deployments } from './apps/deployments/strategy.js';
import { replicasets } from './apps/replicasets/strategy.js';
import { jobs, cronjobs } from './batch/strategies.js';
import { replicationcontrollers, podtemplates, controllerrevisions, daemonsets, statefulsets } from './apps/workload-resources.js';
import { leases } from './coordination/leases/strategy.js';
import { endpointslices } from './discovery/endpointslices/strategy.js';
import { ingresses } from './networking/ingresses/strategy.js';
import { ingressclasses } from './networking/ingressclasses/strategy.js';
import { persistentvolumes } from './core/persistentvolumes/strategy.js';
import { persistentvolumeclaims } from './core/persistentvolumeclaims/strategy.js';
import { storageclasses } from './storage/storageclasses/strategy.js';
import { csidrivers } from './storage/csidrivers/strategy.js';
import { csinodes } from './storage/csinodes/strategy.js';
import { volumeattachments } from './storage/volumeattachments/strategy.js';
import { eventsV1 } from './events/events/strategy.js';
import { selfSubjectAccessReviews } from './authorization/selfsubjectaccessreviews/strategy.js';
import { selfSubjectRulesReviews } from './authorization/selfsubjectrulesreviews/strategy.js';
import { customresourcedefinitions } from './apiextensions/customresourcedefinitions/strategy.js';
import { selfSubjectReviews } from './authentication/selfsubjectreviews/strategy.js';
import { resourcequotas } from './core/resourcequotas/strategy.js';
import { limitranges } from './core/limitranges/strategy.js';
import { networkpolicies } from './networking/networkpolicies/strategy.js';
import { poddisruptionbudgets } from './policy/poddisruptionbudgets/strategy.js';
import { flowschemas } from './flowcontrol/flowschemas/strategy.js';
import { prioritylevelconfigurations } from './flowcontrol/prioritylevelconfigurations/strategy.js';
import { priorityclasses } from './scheduling/priorityclasses/strategy.js';
import { apiservices } from './apiregistration/apiservices/strategy.js';
import { validatingadmissionpolicies, validatingadmissionpolicybindings } from './admissionregistration/strategies.js';
import { certificateSigningRequests } from './certificates/certificatesigningrequests/strategy.js';
import { nodeMetrics, podMetrics } from './metrics/strategy.js';
import { subjectAccessReviews, localSubjectAccessReviews } from './authorization/subjectaccessreviews/strategy.js';
import { clusterroles } from './rbac/clusterroles/strategy.js';
import { clusterrolebindings } from './rbac/clusterrolebindings/strategy.js';
import { roles } from './rbac/roles/strategy.js';
import { rolebindings } from './rbac/rolebindings/strategy.js';
import { horizontalpodautoscalers, horizontalpodautoscalersV1 } from './autoscaling/horizontalpodautoscalers/strategy.js';

export const allResources: ResourceDefinition[] = [
  namespaces, pods, services, endpoints, configmaps, secrets, events, serviceaccounts, nodes, componentStatuses,
  deployments, replicasets, leases, endpointslices, ingresses, ingressclasses, eventsV1, customresourcedefinitions,
  jobs, cronjobs,
  selfSubjectReviews, selfSubjectAccessReviews, selfSubjectRulesReviews,
  certificateSigningRequests,
  replicationcontrollers, podtemplates, controllerrevisions, daemonsets, statefulsets,
  resourcequotas,
  limitranges,
  networkpolicies,
  poddisruptionbudgets,
  priorityclasses,
  flowschemas, prioritylevelconfigurations,
  apiservices,
  validatingadmissionpolicies, validatingadmissionpolicybindings,
  persistentvolumes, persistentvolumeclaims,
  storageclasses, csidrivers, csinodes, volumeattachments,
  nodeMetrics, podMetrics,
  subjectAccessReviews, localSubjectAccessReviews,
  clusterroles, clusterrolebindings, roles, rolebindings,
  horizontalpodautoscalers, horizontalpodautoscalersV1,
];
