// Test support: a schema model generated in-process from kubernetes-types (so unit tests do not depend on
// the build step having written dist/schema/definitions.json). Generated once per test process.
import { generateDefinitions } from './generate.js';
import { createSchemaModel } from './index.js';
import type { SchemaModel } from './types.js';

let model: SchemaModel | undefined;

export function testSchemaModel(): SchemaModel {
  model ??= createSchemaModel(generateDefinitions().definitions);
  return model;
}
