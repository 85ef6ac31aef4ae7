// Every built-in resource this apiserver serves, with upstream's discovery facts and strategies.
import type { ResourceDefinition } from './types.js';
import { nameIsDNS1035Label, nameIsDNSLabel, nameIsDNSSubdomain, type NameValidator } from '../../api/validation/index.js';
import { namespaces } from './core/namespaces/strategy.js';
import { pods } from './core/pods/strategy.js';
import { services } from './core/services/strategy.js';
import { endpoints } from './core/endpoints/strategy.js';
import { configmaps } from './core/configmaps/strategy.js';
import { secrets } from './core/secrets/strategy.js';
import { events } from './core/events/strategy.js';
import { serviceaccounts } from './core/serviceaccounts/strategy.js';
import { nodes } from './core/nodes/strategy.js';
import { deployments } from './apps/deployments/strategy.js';
import { replicasets } from './apps/replicasets/strategy.js';
import { leases } from './coordination/leases/strategy.js';
import { endpointslices } from './discovery/endpointslices/strategy.js';
import { eventsV1 } from './events/events/strategy.js';
import { selfSubjectAccessReviews } from './authorization/selfsubjectaccessreviews/strategy.js';
import { selfSubjectRulesReviews } from './authorization/selfsubjectrulesreviews/strategy.js';
import { selfSubjectReviews } from './authentication/selfsubjectreviews/strategy.js';

export const allResources: ResourceDefinition[] = [
  namespaces, pods, services, endpoints, configmaps, secrets, events, serviceaccounts, nodes,
  deployments, replicasets, leases, endpointslices, eventsV1,
  selfSubjectReviews, selfSubjectAccessReviews, selfSubjectRulesReviews,
];

/**
 * The name rule upstream applies to a resource's metadata.name (ValidateObjectMeta's nameFn): namespaces are
 * DNS-1123 labels, services DNS-1035 labels, everything else here DNS-1123 subdomains.
 */
export function nameValidatorFor(def: Pick<ResourceDefinition, 'group' | 'resource'>): NameValidator {
  if (def.group === '' && def.resource === 'namespaces') return nameIsDNSLabel;
  if (def.group === '' && def.resource === 'services') return nameIsDNS1035Label;
  return nameIsDNSSubdomain;
}
