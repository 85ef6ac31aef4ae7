// Test fixtures: a few resources of the one registry (api/resources.ts) with empty strategies, for OpenAPI tests.
import { resources } from '../../api/resources.js';
import type { ResourceDefinition } from '../registry/types.js';

export const RESOURCES: ResourceDefinition[] = [
  resources.deployments, resources.replicasets, resources.pods, resources.services, resources.namespaces,
].map((r) => ({ ...r, strategy: {} }));
