// Test fixtures: resource definitions shaped like the registry's, for OpenAPI tests.
import type { ResourceDefinition } from '../registry/types.js';

export const RESOURCES: ResourceDefinition[] = [
  { group: 'apps', version: 'v1', resource: 'deployments', singular: 'deployment', kind: 'Deployment', namespaced: true,
    shortNames: ['deploy'], categories: ['all'], subresources: ['status', 'scale'], strategy: {} },
  { group: 'apps', version: 'v1', resource: 'replicasets', singular: 'replicaset', kind: 'ReplicaSet', namespaced: true,
    shortNames: ['rs'], categories: ['all'], subresources: ['status', 'scale'], strategy: {} },
  { group: '', version: 'v1', resource: 'pods', singular: 'pod', kind: 'Pod', namespaced: true, shortNames: ['po'],
    categories: ['all'], subresources: ['status', 'log', 'exec', 'attach', 'portforward', 'binding', 'eviction'], strategy: {} },
  { group: '', version: 'v1', resource: 'services', singular: 'service', kind: 'Service', namespaced: true,
    shortNames: ['svc'], categories: ['all'], subresources: ['status'], strategy: {} },
  { group: '', version: 'v1', resource: 'namespaces', singular: 'namespace', kind: 'Namespace', namespaced: false,
    shortNames: ['ns'], subresources: ['status'], strategy: {} },
];
