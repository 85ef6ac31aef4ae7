// The x-kubernetes-* fields of apiextensions.k8s.io/v1 JSONSchemaProps, which kubernetes-types leaves out (their
// names are not TypeScript identifiers). Without them strict field validation would call them unknown and pruning
// would drop them from every CustomResourceDefinition. Descriptions as upstream's types.go, shortened.
import type { SchemaNode } from './types.js';

const PROPS = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps';
const RULE = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.ValidationRule';

const extensions: Record<string, SchemaNode> = {
  'x-kubernetes-embedded-resource': { type: 'boolean', description: 'x-kubernetes-embedded-resource defines that the value is an embedded Kubernetes runtime.Object, with TypeMeta and ObjectMeta. The type must be object. It is allowed to further restrict the embedded object. kind, apiVersion and metadata are validated automatically. x-kubernetes-preserve-unknown-fields is allowed to be true, but does not have to be if the object is fully specified (up to kind, apiVersion, metadata).' },
  'x-kubernetes-int-or-string': { type: 'boolean', description: 'x-kubernetes-int-or-string specifies that this value is either an integer or a string. If this is true, an empty type is allowed and type as child of anyOf is permitted if following one of the following patterns:\n\n1) anyOf:\n   - type: integer\n   - type: string\n2) allOf:\n   - anyOf:\n     - type: integer\n     - type: string\n   - ... zero or more' },
  'x-kubernetes-list-map-keys': { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'atomic', description: 'x-kubernetes-list-map-keys annotates an array with the x-kubernetes-list-type `map` by specifying the keys used as the index of the map.' },
  'x-kubernetes-list-type': { type: 'string', description: 'x-kubernetes-list-type annotates an array to further describe its topology: atomic, set or map.' },
  'x-kubernetes-map-type': { type: 'string', description: 'x-kubernetes-map-type annotates an object to further describe its topology: granular or atomic.' },
  'x-kubernetes-preserve-unknown-fields': { type: 'boolean', description: 'x-kubernetes-preserve-unknown-fields stops the API server decoding step from pruning fields which are not specified in the validation schema.' },
  'x-kubernetes-validations': { type: 'array', items: { ref: RULE }, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['rule'], 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'rule', description: 'x-kubernetes-validations describes a list of validation rules written in the CEL expression language.' },
};

/** Adds the x-kubernetes-* properties to JSONSchemaProps (mutates `definitions`). */
export function addJsonSchemaPropsExtensions(definitions: Record<string, SchemaNode>): void {
  const props = definitions[PROPS];
  if (!props?.properties) return;
  for (const [name, node] of Object.entries(extensions)) props.properties[name] ??= node;
}
