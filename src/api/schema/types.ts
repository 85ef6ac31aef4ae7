// The shape of our type knowledge: an OpenAPI-like schema per Kubernetes type, with upstream's patch and
// list-type extensions. Used for OpenAPI documents, strict field validation, `kubectl explain`, and strategic
// merge patch / server-side apply (which need merge keys and list types).

export interface SchemaNode {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  description?: string;
  properties?: Record<string, SchemaNode>;
  /** Maps (labels, data, resources.limits...): the schema of each value. */
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  required?: string[];
  enum?: unknown[];
  /** Name of another definition (e.g. "io.k8s.api.apps.v1.DeploymentSpec"); resolve with SchemaModel.resolve. */
  ref?: string;
  'x-kubernetes-patch-strategy'?: string;          // "merge", "retainKeys", "merge,retainKeys", "replace"
  'x-kubernetes-patch-merge-key'?: string;         // e.g. "name" for containers, "port" for service ports
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[];
}

export interface SchemaModel {
  /** Definition name → schema. Names follow upstream's OpenAPI ("io.k8s.api.core.v1.Pod"). */
  readonly definitions: Record<string, SchemaNode>;
  /** Follows `ref` (repeatedly); returns the node itself when it has none. */
  resolve(node: SchemaNode): SchemaNode;
  /** The top-level schema for a kind, e.g. ("apps", "v1", "Deployment"). */
  forKind(group: string, version: string, kind: string): SchemaNode | undefined;
}
