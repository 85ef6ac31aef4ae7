// Build step support: Kubernetes 1.32's type model, read from the models of @kubernetes/client-node 1.1.2
// (generated from OpenAPI spec v1.32.0; installed as the dev dependency kubernetes-client-node-1.32), laid over
// the definitions generate.ts derives from kubernetes-types 1.30. kubernetes-types stops at 1.30, and no npm
// package ships upstream's swagger.json itself; client-node's models carry 1.32's fields, descriptions, required
// fields and integer formats, but flatten Quantity to string and drop the upstream definition names, so:
//  - a client-node class is matched to the 1.30 definition of the same version and kind (V1PodSpec →
//    io.k8s.api.core.v1.PodSpec; group-prefixed classes such as CoreV1Event where upstream has several);
//  - a class 1.30 lacks gets its package from the API group that serves it (ResourceV1beta1Api → ResourceClaim in
//    io.k8s.api.resource.v1beta1) or, for a nested type, from the class that refers to it;
//  - a property both know keeps 1.30's shape (Quantity, Time, IntOrString refs and the patch metadata merged
//    later) and takes 1.32's description and integer format; a property only 1.32 has is converted from
//    client-node's type; a property 1.32 no longer has is dropped, as are API versions 1.32 no longer serves.
// Nothing here runs inside the server.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import type { SchemaNode } from './types.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const TIME = META + '.Time';
const MICRO_TIME = META + '.MicroTime';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

/** Classes whose package the API-group rule would get wrong: shared types that live in meta/v1. */
const PACKAGE_OVERRIDES: Record<string, string> = {
  V1FieldSelectorRequirement: META + '.FieldSelectorRequirement',
};

/** Fields new since 1.30 that are Quantities upstream (client-node types them as plain strings). */
const NEW_QUANTITY_FIELDS = new Set(['V1beta1DeviceCapacity.value']);

/** API class prefix (before the version) → upstream definition package prefix, where not 'io.k8s.api.' + first word. */
const API_PACKAGES: Record<string, string> = {
  Apiregistration: 'io.k8s.kube-aggregator.pkg.apis.apiregistration',
  Apiextensions: 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions',
  InternalApiserver: 'io.k8s.api.apiserverinternal',
};
/** Upstream group names for packages the 1.30 definitions carry no group-version-kind in. */
const PACKAGE_GROUPS: Record<string, string> = {
  'io.k8s.kube-aggregator.pkg.apis.apiregistration': 'apiregistration.k8s.io',
};

interface Attribute { name: string; baseName: string; type: string; format: string }
interface ModelClass {
  name: string;
  description?: string;
  attributes: Attribute[];
  /** By JSON name. */
  descriptions: Record<string, string>;
  required: string[];
}

const VERSION_RE = /^(V\d+(?:(?:alpha|beta)\d+)?)([A-Z].*)$/;
const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** The directory holding client-node 1.32's generated sources (dist/gen), or undefined when not installed. */
export function defaultModelDir(resolveFrom: string): string | undefined {
  for (let dir = resolveFrom; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', 'kubernetes-client-node-1.32', 'dist', 'gen');
    if (fs.existsSync(path.join(candidate, 'models'))) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** openapi-generator escapes quotes in doc comments ("pod\'s", \"Always\"); upstream's text has none. */
function unescapeDoc(text: string): string {
  return text.replace(/\\(["'\\])/g, '$1').trim();
}

/**
 * client-node's doc comments have upstream's line breaks flattened to spaces: where the text is otherwise the
 * same, 1.30's (with its line breaks, as upstream's OpenAPI has them) is kept.
 */
function sameText(a: string, b: string | undefined): boolean {
  const flat = (s: string): string => s.replace(/\s+/g, ' ').trim();
  return b !== undefined && flat(a) === flat(b);
}

function readModels(modelsDir: string): Map<string, ModelClass> {
  const out = new Map<string, ModelClass>();
  // The package also holds stale models of older specs (v1.30's resource.k8s.io/v1alpha2): the serializer's type
  // map lists the current ones.
  const serializer = fs.readFileSync(path.join(modelsDir, 'ObjectSerializer.js'), 'utf8');
  const typeMap = /let typeMap = \{([^}]*)\}/.exec(serializer)?.[1] ?? '';
  const current = new Set([...typeMap.matchAll(/"(\w+)":/g)].map((m) => m[1]));
  if (!current.size) throw new Error(`1.32 model: no type map in ${modelsDir}/ObjectSerializer.js`);
  const attrRe = /\{\s*"name":\s*"([^"]*)",\s*"baseName":\s*"([^"]*)",\s*"type":\s*"([^"]*)",\s*"format":\s*"([^"]*)"\s*\}/g;
  for (const file of fs.readdirSync(modelsDir)) {
    if (!file.endsWith('.d.ts') || file === 'all.d.ts' || file === 'ObjectSerializer.d.ts') continue;
    const name = file.slice(0, -'.d.ts'.length);
    if (!current.has(name)) continue;
    const js = fs.readFileSync(path.join(modelsDir, name + '.js'), 'utf8');
    if (!js.includes('.attributeTypeMap')) continue; // enums or helpers
    const attributes: Attribute[] = [];
    for (const m of js.matchAll(attrRe)) attributes.push({ name: m[1], baseName: m[2], type: m[3], format: m[4] });
    const jsonName = new Map(attributes.map((a) => [a.name, a.baseName]));
    const sf = ts.createSourceFile(file, fs.readFileSync(path.join(modelsDir, file), 'utf8'), ts.ScriptTarget.Latest, true);
    const cls: ModelClass = { name, attributes, descriptions: {}, required: [] };
    const docOf = (node: ts.Node): string | undefined => {
      const docs = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc);
      const text = docs.map((d) => (typeof d.comment === 'string' ? d.comment : '')).join('\n');
      return text ? unescapeDoc(text) : undefined;
    };
    for (const stmt of sf.statements) {
      if (!ts.isClassDeclaration(stmt) || stmt.name?.text !== name) continue;
      cls.description = docOf(stmt);
      for (const m of stmt.members) {
        if (!ts.isPropertyDeclaration(m) || !m.name || m.modifiers?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword)) continue;
        const field = jsonName.get(m.name.getText(sf).replace(/^["']|["']$/g, ''));
        if (!field) continue;
        const doc = docOf(m);
        if (doc) cls.descriptions[field] = doc;
        if (!m.questionToken) cls.required.push(field);
      }
    }
    out.set(name, cls);
  }
  return out;
}

/** API classes (CoreV1Api, ResourceV1beta1Api…) → the model classes their .d.ts imports. */
function readApis(apisDir: string): { prefix: string; version: string; imports: string[] }[] {
  const out: { prefix: string; version: string; imports: string[] }[] = [];
  for (const file of fs.readdirSync(apisDir)) {
    const m = /^([A-Z][A-Za-z]*?)(V\d+(?:(?:alpha|beta)\d+)?)Api\.d\.ts$/.exec(file);
    if (!m) continue;
    const text = fs.readFileSync(path.join(apisDir, file), 'utf8');
    const imports = [...text.matchAll(/import \{ (\w+) \} from '\.\.\/models\//g)].map((x) => x[1]);
    out.push({ prefix: m[1], version: m[2], imports });
  }
  return out.sort((a, b) => (a.prefix + a.version).localeCompare(b.prefix + b.version));
}

/** Referenced class names inside a client-node type string ("Array<V1Container>", "{ [key: string]: V1X; }"). */
function referencedClasses(type: string, classes: Map<string, ModelClass>): string[] {
  return [...type.matchAll(/[A-Za-z0-9]+/g)].map((m) => m[0]).filter((w) => classes.has(w));
}

export interface OverlayResult {
  definitions: Record<string, SchemaNode>;
  warnings: string[];
}

/**
 * Lays 1.32's type model (client-node's generated models under modelDir) over `base` (definitions from
 * kubernetes-types 1.30, before the patch metadata is merged). Returns a new definitions object.
 */
export function overlay132(base: Record<string, SchemaNode>, modelDir: string): OverlayResult {
  const warnings: string[] = [];
  const classes = readModels(path.join(modelDir, 'models'));
  const defs: Record<string, SchemaNode> = structuredClone(base);

  // 1. Classes 1.30 already has.
  const classToDef = new Map<string, string>();
  const matchedPackages = new Set<string>();
  for (const name of Object.keys(defs)) {
    const parts = name.split('.');
    const kind = parts[parts.length - 1];
    const version = parts[parts.length - 2];
    const pkgWord = parts[parts.length - 3];
    const candidates = [cap(version) + kind, cap(pkgWord) + cap(version) + kind];
    if (name.startsWith(META) || name.startsWith('io.k8s.apimachinery.pkg.version')) candidates.push(kind, 'Version' + kind);
    const cls = candidates.find((c) => classes.has(c) && !classToDef.has(c));
    if (!cls) continue;
    classToDef.set(cls, name);
    matchedPackages.add(parts.slice(0, -1).join('.'));
  }
  for (const [cls, def] of Object.entries(PACKAGE_OVERRIDES)) if (classes.has(cls)) classToDef.set(cls, def);

  // 2. New kinds, from the API group that serves them.
  const kindOf = (cls: string): string => {
    let rest = cls;
    const grouped = /^[A-Z][a-z]+(?:[A-Z][a-z]+)*?(V\d+(?:(?:alpha|beta)\d+)?[A-Z].*)$/.exec(cls);
    if (!VERSION_RE.test(rest) && grouped) rest = grouped[1];
    return VERSION_RE.exec(rest)?.[2] ?? rest;
  };
  const versionOf = (cls: string): string | undefined => {
    const m = /(V\d+(?:(?:alpha|beta)\d+)?)[A-Z]/.exec(cls);
    return m ? m[1].toLowerCase() : undefined;
  };
  const newKinds = new Map<string, { group?: string; version: string; kind: string }>();
  const groupOfPackage = (pkg: string): string | undefined => {
    const family = pkg.slice(0, pkg.lastIndexOf('.') + 1);
    if (PACKAGE_GROUPS[family.slice(0, -1)]) return PACKAGE_GROUPS[family.slice(0, -1)];
    for (const [name, node] of Object.entries(defs)) {
      if (name.startsWith(pkg + '.') && node['x-kubernetes-group-version-kind']) return node['x-kubernetes-group-version-kind'][0].group;
    }
    // A version 1.30 does not have: any other version of the same package.
    for (const [name, node] of Object.entries(defs)) {
      if (name.startsWith(family) && node['x-kubernetes-group-version-kind']) return node['x-kubernetes-group-version-kind'][0].group;
    }
    return undefined;
  };
  for (const api of readApis(path.join(modelDir, 'apis'))) {
    const version = api.version.toLowerCase();
    const pkgWord = API_PACKAGES[api.prefix] ?? 'io.k8s.api.' + (api.prefix.match(/^[A-Z][a-z]+/)?.[0] ?? api.prefix).toLowerCase();
    const pkg = pkgWord + '.' + version;
    for (const cls of api.imports) {
      if (classToDef.has(cls) || !classes.has(cls) || versionOf(cls) !== version) continue;
      const def = pkg + '.' + kindOf(cls);
      classToDef.set(cls, def);
      const attrs = classes.get(cls)!.attributes.map((a) => a.baseName);
      if (attrs.includes('apiVersion') && attrs.includes('kind') && attrs.includes('metadata')) {
        newKinds.set(cls, { group: groupOfPackage(pkg), version, kind: kindOf(cls) });
      }
    }
  }
  // 3. New nested types: the package of a class that refers to them (repeat until nothing changes).
  for (let changed = true; changed;) {
    changed = false;
    for (const [cls, model] of classes) {
      const owner = classToDef.get(cls);
      if (!owner) continue;
      const pkg = owner.slice(0, owner.lastIndexOf('.'));
      for (const a of model.attributes) {
        for (const ref of referencedClasses(a.type, classes)) {
          if (classToDef.has(ref)) continue;
          classToDef.set(ref, pkg + '.' + kindOf(ref));
          changed = true;
        }
      }
    }
  }
  for (const cls of classes.keys()) if (!classToDef.has(cls)) warnings.push(`1.32 model: no package for class ${cls}`);

  // 4. Versions 1.32 no longer serves (resource.k8s.io/v1alpha2): definitions of an API package no class maps to.
  const livePackages = new Set([...classToDef.values()].map((d) => d.slice(0, d.lastIndexOf('.'))));
  for (const name of Object.keys(defs)) {
    if (!name.startsWith('io.k8s.api.')) continue;
    const pkg = name.slice(0, name.lastIndexOf('.'));
    if (!livePackages.has(pkg)) delete defs[name];
  }

  // 5. Properties.
  const convert = (type: string, format: string, where: string): SchemaNode => {
    const arr = /^Array<(.*)>$/.exec(type);
    if (arr) return { type: 'array', items: convert(arr[1], format, where + '[]') };
    const map = /^\{ \[key: string\]: (.*); \}$/.exec(type);
    if (map) return { type: 'object', additionalProperties: convert(map[1], format, where + '{}') };
    if (format === 'date-time-micro') return { ref: MICRO_TIME };
    switch (type) {
      case 'string': {
        if (NEW_QUANTITY_FIELDS.has(where)) return { ref: QUANTITY };
        return format ? { type: 'string', format } : { type: 'string' };
      }
      case 'boolean': return { type: 'boolean' };
      case 'number': return format === 'double' ? { type: 'number', format: 'double' } : { type: 'integer', format: format || 'int32' };
      case 'Date': return { ref: TIME };
      case 'IntOrString': return { ref: INT_OR_STRING };
      case 'any': case 'object': return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    }
    const def = classToDef.get(type);
    if (def) return { ref: def };
    warnings.push(`${where}: unmapped 1.32 type ${type}`);
    return { 'x-kubernetes-preserve-unknown-fields': true };
  };
  /** Sets the integer format of `node` (or its array items / map values) to 1.32's. */
  const applyFormat = (node: SchemaNode, format: string): void => {
    if (!format) return;
    if (node.type === 'integer' && (format === 'int32' || format === 'int64')) node.format = format;
    if (node.items) applyFormat(node.items, format);
    if (node.additionalProperties && typeof node.additionalProperties === 'object') applyFormat(node.additionalProperties, format);
  };

  /** openapi-generator gives a field of a referenced type that type's description instead of the field's. */
  const isTypeDoc = (a: Attribute, doc: string): boolean => {
    if (a.type === 'IntOrString' || a.format === 'date-time-micro') return true;
    const ref = referencedClasses(a.type, classes)[0];
    return ref !== undefined && sameText(doc, classes.get(ref)?.description);
  };

  for (const [cls, model] of classes) {
    const defName = classToDef.get(cls);
    if (!defName) continue;
    const existing = defs[defName];
    if (existing && existing.properties === undefined && model.attributes.length === 0) continue; // free-form types
    const node: SchemaNode = existing ? { ...existing } : { type: 'object' };
    if (model.description && !sameText(model.description, existing?.description)) node.description = model.description;
    const properties: Record<string, SchemaNode> = {};
    for (const a of model.attributes) {
      const old = existing?.properties?.[a.baseName];
      let prop: SchemaNode;
      if (old) {
        prop = { ...old };
        applyFormat(prop, a.format);
      } else {
        prop = convert(a.type, a.format, `${cls}.${a.baseName}`);
      }
      const doc = model.descriptions[a.baseName];
      if (doc && !sameText(doc, old?.description) && !isTypeDoc(a, doc)) {
        const { description: _old, ...rest } = prop;
        prop = { description: doc, ...rest };
      }
      properties[a.baseName] = prop;
    }
    if (Object.keys(properties).length) {
      node.properties = properties;
      delete node['x-kubernetes-preserve-unknown-fields'];
    } else if (!existing) {
      node['x-kubernetes-preserve-unknown-fields'] = true;
    }
    if (model.required.length) node.required = [...model.required].sort();
    else delete node.required;
    const gvk = newKinds.get(cls);
    if (gvk && !node['x-kubernetes-group-version-kind']) {
      if (gvk.group === undefined) warnings.push(`1.32 model: no group for ${defName}`);
      else node['x-kubernetes-group-version-kind'] = [{ group: gvk.group, version: gvk.version, kind: gvk.kind }];
    }
    defs[defName] = node;
  }

  const sorted: Record<string, SchemaNode> = {};
  for (const name of Object.keys(defs).sort()) sorted[name] = defs[name];
  return { definitions: sorted, warnings };
}
