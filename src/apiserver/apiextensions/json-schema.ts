// apiextensions.k8s.io/v1 JSONSchemaProps as a CustomResourceDefinition holds it (the structural subset that
// nanokube interprets), and the walk helpers the validation, defaulting and CEL code share.

export interface ValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  reason?: string;
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

export interface JSONSchemaProps {
  type?: string;
  format?: string;
  description?: string;
  title?: string;
  nullable?: boolean;
  default?: unknown;
  enum?: unknown[];
  maximum?: number; minimum?: number;
  exclusiveMaximum?: boolean; exclusiveMinimum?: boolean;
  multipleOf?: number;
  maxLength?: number; minLength?: number;
  pattern?: string;
  maxItems?: number; minItems?: number; uniqueItems?: boolean;
  maxProperties?: number; minProperties?: number;
  required?: string[];
  properties?: Record<string, JSONSchemaProps>;
  additionalProperties?: JSONSchemaProps | boolean;
  items?: JSONSchemaProps;
  allOf?: JSONSchemaProps[]; anyOf?: JSONSchemaProps[]; oneOf?: JSONSchemaProps[]; not?: JSONSchemaProps;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-validations'?: ValidationRule[];
  [k: string]: unknown;
}

/** The schema of property `key` of an object value under `s`: a declared property or additionalProperties. */
export function propertySchema(s: JSONSchemaProps, key: string): JSONSchemaProps | undefined {
  const p = s.properties?.[key];
  if (p) return p;
  return typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
}

export const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The JSON type name of a value as upstream's validator reports it ("string", "integer", "number", "object", ...). */
export function jsonTypeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'string') return 'string';
  return 'object';
}

/** Field path joining as upstream's field.Path: "spec.items[0].name", map keys as "spec.labels[key]". */
export function childPath(path: string, key: string): string { return path ? `${path}.${key}` : key; }
