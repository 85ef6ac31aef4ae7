// Run-time access to our type knowledge: the definitions the build generated from kubernetes-types
// (generate.ts → dist/schema/definitions.json). Loaded once per process, on first use.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SchemaModel, SchemaNode } from './types.js';

export type { SchemaModel, SchemaNode } from './types.js';

/** dist/schema/definitions.json, relative to this compiled module (dist/src/api/schema/index.js). */
export function definitionsPath(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../schema/definitions.json');
}

let cached: SchemaModel | undefined;

/**
 * The schema model (lazy, cached). Throws with a clear message when the build step that writes
 * dist/schema/definitions.json has not run.
 */
export function loadSchemaModel(): SchemaModel {
  if (cached) return cached;
  const file = definitionsPath();
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`schema definitions missing at ${file}: run the build (node dist/src/api/schema/generate.js after tsc)`, { cause: err });
  }
  cached = createSchemaModel(JSON.parse(text) as Record<string, SchemaNode>);
  return cached;
}

/** Follows `node`'s refs in `definitions` to the node they name. */
function resolveRef(definitions: Record<string, SchemaNode>, node: SchemaNode): SchemaNode {
  let current = node;
  for (let hops = 0; current.ref !== undefined; hops++) {
    const next = definitions[current.ref];
    if (!next || hops > 32) throw new Error(`schema: unresolvable ref ${current.ref}`);
    current = next;
  }
  return current;
}

/** A SchemaModel over the given definitions (tests and tools may build their own). */
export function createSchemaModel(definitions: Record<string, SchemaNode>): SchemaModel {
  const byKind = new Map<string, SchemaNode>();
  for (const node of Object.values(definitions)) {
    for (const gvk of node['x-kubernetes-group-version-kind'] ?? []) {
      byKind.set(`${gvk.group}/${gvk.version}/${gvk.kind}`, node);
    }
  }
  return {
    definitions,
    resolve: (node) => resolveRef(definitions, node),
    forKind(group: string, version: string, kind: string): SchemaNode | undefined {
      return byKind.get(`${group}/${version}/${kind}`);
    },
  };
}

/** The definition name whose GVK is (group, version, kind), e.g. "io.k8s.api.apps.v1.Deployment". */
export function definitionNameForKind(model: SchemaModel, group: string, version: string, kind: string): string | undefined {
  const node = model.forKind(group, version, kind);
  if (!node) return undefined;
  // for-in, not Object.keys: an overlay model (overlaySchemaModel) inherits the base definitions.
  for (const name in model.definitions) if (model.definitions[name] === node) return name;
  return undefined;
}

/**
 * A model with `extra` definitions over `base` (custom resource schemas over the built-in types). The base is
 * shared, not copied: one overlay costs only its own definitions.
 */
export function overlaySchemaModel(base: SchemaModel, extra: Record<string, SchemaNode>): SchemaModel {
  const definitions: Record<string, SchemaNode> = Object.create(base.definitions);
  Object.assign(definitions, extra);
  const own = createSchemaModel(extra);
  return {
    definitions,
    resolve: (node) => resolveRef(definitions, node),
    forKind: (group, version, kind) => own.forKind(group, version, kind) ?? base.forKind(group, version, kind),
  };
}
