// The schema model a resource's requests are checked against: the built-in model, or a custom resource's own
// (the built-in definitions plus its schema).
import { loadSchemaModel } from '../api/schema/index.js';
import type { SchemaModel } from '../api/schema/types.js';
import type { ResourceDefinition } from './registry/types.js';

export function modelFor(def: Pick<ResourceDefinition, 'custom'>): SchemaModel {
  return def.custom?.model ?? loadSchemaModel();
}
