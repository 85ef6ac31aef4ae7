// SchemaNode (our model) → OpenAPI schema objects, and the set of definitions a document must carry.
// v3 (components.schemas): a reference that has siblings (description, patch extensions) is wrapped as
// {allOf: [{$ref}], ...siblings}, as upstream's v3 documents do. v2 (definitions): siblings sit beside $ref,
// as upstream's swagger.json does.
import type { SchemaModel, SchemaNode } from '../../api/schema/types.js';

export type OpenApiFlavor = 'v2' | 'v3';

export function refPrefix(flavor: OpenApiFlavor): string {
  return flavor === 'v3' ? '#/components/schemas/' : '#/definitions/';
}

export function refTo(flavor: OpenApiFlavor, definition: string): Record<string, unknown> {
  return { $ref: refPrefix(flavor) + definition };
}

export function toOpenApiSchema(node: SchemaNode, flavor: OpenApiFlavor): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    switch (key) {
      case 'ref': break;
      case 'properties': {
        const props: Record<string, unknown> = {};
        for (const [name, child] of Object.entries(value as Record<string, SchemaNode>)) props[name] = toOpenApiSchema(child, flavor);
        out.properties = props;
        break;
      }
      case 'items': out.items = toOpenApiSchema(value as SchemaNode, flavor); break;
      case 'additionalProperties':
        out.additionalProperties = typeof value === 'boolean' ? value : toOpenApiSchema(value as SchemaNode, flavor);
        break;
      default: out[key] = value;
    }
  }
  if (node.ref === undefined) return out;
  const ref = refTo(flavor, node.ref);
  if (Object.keys(out).length === 0) return ref;
  return flavor === 'v3' ? { allOf: [ref], ...out } : { ...ref, ...out };
}

/** Every definition reachable from the given ones (themselves included), sorted by name. */
export function reachableDefinitions(model: SchemaModel, roots: Iterable<string>): string[] {
  const seen = new Set<string>();
  const stack = [...roots].filter((r) => model.definitions[r] !== undefined);
  const visitNode = (node: SchemaNode): void => {
    if (node.ref !== undefined && !seen.has(node.ref) && model.definitions[node.ref]) stack.push(node.ref);
    for (const child of Object.values(node.properties ?? {})) visitNode(child);
    if (node.items) visitNode(node.items);
    if (typeof node.additionalProperties === 'object') visitNode(node.additionalProperties);
  };
  while (stack.length) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    visitNode(model.definitions[name]);
  }
  return [...seen].sort();
}

/** OpenAPI schemas for the named definitions. */
export function schemaSection(model: SchemaModel, names: string[], flavor: OpenApiFlavor): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of names) out[name] = toOpenApiSchema(model.definitions[name], flavor);
  return out;
}
