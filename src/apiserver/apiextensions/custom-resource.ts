// The resources an Established CustomResourceDefinition serves: one ResourceDefinition per served version, all
// going through the generic store, handlers, field validation and managedFields as built-in resources do. Objects
// are stored once, under /registry/<group>/<plural>/, in the storage version; with the None conversion strategy a
// read in another version only rewrites apiVersion (upstream nopConverter).
import { createHash } from 'node:crypto';
import type { KubeObject } from '../../api/object.js';
import { FieldError } from '../../api/errors.js';
import { loadSchemaModel, overlaySchemaModel } from '../../api/schema/index.js';
import type { SchemaNode } from '../../api/schema/types.js';
import type { ResourceDefinition, Strategy, TableColumn } from '../registry/types.js';
import { DESCRIPTIONS, column, nameColumn } from '../registry/printing.js';
import { translateTimestampSince } from '../registry/age.js';
import { validateValue } from './schema-validation.js';
import { validateRules } from './cel-validation.js';
import { applyDefaults } from './defaulting.js';
import { evaluateJsonPath, parseJsonPath } from './json-path.js';
import { isObject, type JSONSchemaProps } from './json-schema.js';

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/** Upstream's OpenAPI definition name of a custom kind: the group reversed, then version and kind. */
export function definitionName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

/** Kubernetes version priority (upstream version.CompareKubeAwareVersionStrings): GA > beta > alpha, then numbers. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [0, 0, 0, v] as const;
    return [1, Number(m[1]), m[2] === 'alpha' ? 1 : m[2] === 'beta' ? 2 : 3, m[3] ? Number(m[3]) : 0] as const;
  };
  const x = parse(a), y = parse(b);
  if (x[0] !== y[0]) return y[0] - x[0];
  if (x[0] === 0) return a < b ? -1 : a > b ? 1 : 0;
  if (x[2] !== y[2]) return (y[2] as number) - (x[2] as number);
  if (x[1] !== y[1]) return (y[1] as number) - (x[1] as number);
  return (y[3] as number) - (x[3] as number);
}

/** A JSONSchemaProps as our schema model's node (what field validation, pruning, apply and OpenAPI read). */
export function toSchemaNode(s: JSONSchemaProps): SchemaNode {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'properties' && isObject(v)) {
      out.properties = Object.fromEntries(Object.entries(v).map(([name, p]) => [name, toSchemaNode(p as JSONSchemaProps)]));
    } else if (k === 'items' && isObject(v)) out.items = toSchemaNode(v as JSONSchemaProps);
    else if (k === 'additionalProperties') out.additionalProperties = isObject(v) ? toSchemaNode(v as JSONSchemaProps) : v;
    else if (k === 'allOf' || k === 'anyOf' || k === 'oneOf' || k === 'not') continue; // value checks only, not structure
    else out[k] = v;
  }
  if (s['x-kubernetes-embedded-resource']) {
    const props = (out.properties ?? {}) as Record<string, SchemaNode>;
    out.properties = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { ref: OBJECT_META }, ...props };
  }
  return out as SchemaNode;
}

function rootNode(schema: JSONSchemaProps, group: string, version: string, kind: string): SchemaNode {
  const node = toSchemaNode(schema);
  node.type = 'object';
  node.properties = {
    apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources' },
    kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds' },
    ...node.properties,
    metadata: { description: "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata", ref: OBJECT_META },
  };
  node['x-kubernetes-group-version-kind'] = [{ group, version, kind }];
  return node;
}

interface PrinterColumn { name: string; type: string; format?: string; description?: string; priority?: number; jsonPath: string }

function printerTable(columns: PrinterColumn[] | undefined): Strategy['table'] {
  const cols: PrinterColumn[] = columns?.length ? columns
    : [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: DESCRIPTIONS.creationTimestamp }];
  const defs: TableColumn[] = [nameColumn(), ...cols.map((c) => column(c.name, c.type as TableColumn['type'],
    c.description ?? `Custom resource definition column (in JSONPath format): ${c.jsonPath}`, { priority: c.priority ?? 0, format: c.format ?? '' }))];
  const paths = cols.map((c) => parseJsonPath(c.jsonPath));
  return {
    columns: defs,
    row: (o, now) => [o.metadata.name, ...cols.map((c, i) => cell(c, paths[i] ? evaluateJsonPath(paths[i]!, o) : [], now))],
  };
}

/** One cell as upstream's CRD table convertor makes it: a typed value, an age for dates, printed text otherwise. */
function cell(c: PrinterColumn, values: unknown[], now: Date): unknown {
  if (values.length === 0) return null;
  if (values.length === 1) {
    const v = values[0];
    if (c.type === 'date') return typeof v === 'string' ? translateTimestampSince(v, now) : null;
    if (c.type === 'integer' && Number.isInteger(v)) return v;
    if (c.type === 'number' && typeof v === 'number') return v;
    if (c.type === 'boolean' && typeof v === 'boolean') return v;
    if (c.type === 'string' && typeof v === 'string') return v;
  }
  return values.map((v) => typeof v === 'string' ? v : JSON.stringify(v)).join(',');
}

/** Validation of a custom resource: its schema (without metadata, checked by the generic store) and CEL rules. */
function validateCustomResource(schema: JSONSchemaProps, obj: KubeObject, old?: KubeObject): FieldError[] {
  const { metadata: _m, ...rest } = obj;
  const root: JSONSchemaProps = { ...schema, properties: { ...schema.properties } };
  delete root.properties!.metadata;
  const errs = validateValue(root, rest, '');
  // Upstream prints errors at the root without a leading dot ("spec.replicas", not ".spec.replicas").
  const fixed = errs.map((e) => e.field.startsWith('.') ? new FieldError(e.type, e.field.slice(1), e.value, e.detail.replace(/^\.(\S)/, '$1')) : e);
  // CEL sees apiVersion, kind, metadata.name and metadata.generateName at the root (upstream), nothing else of metadata.
  const celMeta = (o: KubeObject) => ({ ...o, metadata: Object.fromEntries(Object.entries({ name: o.metadata.name, generateName: o.metadata.generateName }).filter(([, v]) => v !== undefined)) });
  if (fixed.length === 0) fixed.push(...validateRules(withMetadataSchema(schema), celMeta(obj), old ? celMeta(old) : undefined, ''));
  return fixed.map((e) => e.field === '' ? new FieldError(e.type, '<nil>', e.value, e.detail) : e);
}

/**
 * Upstream's default deprecation warning: "<group>/<version> <Kind> is deprecated; use <group>/<v> <Kind>", naming
 * the preferred served version that is not deprecated and at least as stable (GA > beta > alpha).
 */
function deprecationWarning(group: string, kind: string, v: any, served: any[]): string {
  if (typeof v.deprecationWarning === 'string') return v.deprecationWarning;
  const stability = (name: string) => (/alpha/.test(name) ? 0 : /beta/.test(name) ? 1 : 2);
  const better = served.find((o) => !o.deprecated && o.name !== v.name && stability(o.name) >= stability(v.name));
  return `${group}/${v.name} ${kind} is deprecated${better ? `; use ${group}/${better.name} ${kind}` : ''}`;
}

/** selectableFields (".spec.color") as field selectors "spec.color" (upstream CustomResourceFieldSelectors, on in 1.32). */
function selectableFields(fields: { jsonPath: string }[] | undefined): Strategy['fieldSelectors'] {
  if (!fields?.length) return undefined;
  const out: NonNullable<Strategy['fieldSelectors']> = {};
  for (const f of fields) {
    const steps = parseJsonPath(f.jsonPath);
    if (!steps) continue;
    out[f.jsonPath.replace(/^\./, '')] = (o) => {
      const [v] = evaluateJsonPath(steps, o);
      return v === undefined || v === null ? undefined : String(v);
    };
  }
  return out;
}

const metaSchemas = new WeakMap<JSONSchemaProps, JSONSchemaProps>();
/** The root schema with metadata.name/generateName as strings, so CEL at the root can read them. */
function withMetadataSchema(schema: JSONSchemaProps): JSONSchemaProps {
  let s = metaSchemas.get(schema);
  if (!s) {
    s = { ...schema, properties: { ...schema.properties, metadata: { type: 'object', properties: { name: { type: 'string' }, generateName: { type: 'string' } } } } };
    metaSchemas.set(schema, s);
  }
  return s;
}

/** Every served version of `crd` as a ResourceDefinition, the preferred (highest priority) version first. */
export function customResourceDefinitions(crd: KubeObject): ResourceDefinition[] {
  const spec = crd.spec as any;
  const group: string = spec.group;
  const names = crd.status?.acceptedNames?.plural ? crd.status.acceptedNames : spec.names;
  const storageVersion: string = spec.versions.find((v: any) => v.storage)?.name;
  const served = (spec.versions as any[]).filter((v) => v.served).sort((a, b) => compareVersions(a.name, b.name));
  const base = loadSchemaModel();
  return served.map((v): ResourceDefinition => {
    const schema: JSONSchemaProps = v.schema?.openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    const subs = v.subresources ?? {};
    const apiVersion = `${group}/${v.name}`;
    const storageApiVersion = `${group}/${storageVersion}`;
    const model = overlaySchemaModel(base, { [definitionName(group, v.name, names.kind)]: rootNode(schema, group, v.name, names.kind) });
    const schemaKey = createHash('sha256').update(JSON.stringify([crd.metadata.uid, spec.scope, names, v])).digest('hex').slice(0, 16);
    const hasStatus = !!subs.status;
    return {
      group, version: v.name, resource: names.plural, kind: names.kind, namespaced: spec.scope === 'Namespaced',
      singular: names.singular || names.kind.toLowerCase(), listKind: names.listKind || `${names.kind}List`,
      ...(names.shortNames?.length ? { shortNames: names.shortNames } : {}),
      ...(names.categories?.length ? { categories: names.categories } : {}),
      subresources: [...(subs.scale ? ['scale'] : []), ...(hasStatus ? ['status'] : [])],
      storage: {
        group, resource: names.plural,
        toStorage: (o) => (o.apiVersion === storageApiVersion ? o : { ...o, apiVersion: storageApiVersion }),
        fromStorage: (o) => (o.apiVersion === apiVersion ? o : { ...o, apiVersion }),
      },
      custom: { model, schemaKey, scale: subs.scale, ...(v.deprecated ? { deprecationWarning: deprecationWarning(group, names.kind, v, served) } : {}) },
      strategy: {
        hasGeneration: true,
        hasStatus,
        defaults: (o) => applyDefaults(schema, o),
        validate: (o) => validateCustomResource(schema, o),
        validateUpdate: (o, old) => validateCustomResource(schema, o, old),
        prepareForCreate: hasStatus ? (o) => { delete o.status; } : undefined,
        table: printerTable(v.additionalPrinterColumns),
        fieldSelectors: selectableFields(v.selectableFields),
      },
    };
  });
}
