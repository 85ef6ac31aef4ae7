// Build step: reads the kubernetes-types (1.30) declaration files with the TypeScript compiler API, lays
// Kubernetes 1.32's type model over them (model-1-32.ts), and writes our type knowledge, dist/schema/definitions.json (definition name → SchemaNode, upstream OpenAPI names), merged
// with upstream's patch/list metadata from patch-meta.ts. Run after tsc: `node dist/src/api/schema/generate.js`
// (optionally `--out <file>`). The generated file is what loadSchemaModel() reads at run time; nothing here
// runs inside the server.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { SchemaNode } from './types.js';
import { patchMeta } from './patch-meta.js';
import { defaultModelDir, overlay132 } from './model-1-32.js';
import { addEnums, defaultEnumsDir } from './enums.js';
import { addJsonSchemaPropsExtensions } from './json-schema-props.js';

const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

/** Declaration file (relative to the package, without .d.ts) → upstream definition-name prefix. */
function packagePrefix(rel: string): string {
  const special: Record<string, string> = {
    'meta/v1': 'io.k8s.apimachinery.pkg.apis.meta.v1',
    'runtime': 'io.k8s.apimachinery.pkg.runtime',
    'api/resource': 'io.k8s.apimachinery.pkg.api.resource',
    'version': 'io.k8s.apimachinery.pkg.version',
    'apiextensions/v1': 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1',
  };
  return special[rel] ?? 'io.k8s.api.' + rel.replace(/\//g, '.');
}

/**
 * Integer fields that upstream declares int64 (everything else numeric is int32). Keyed by field name;
 * "Definition.field" entries override the plain name where upstream differs between types.
 */
const INT64_FIELDS = new Set([
  'generation', 'observedGeneration', 'deletionGracePeriodSeconds', 'terminationGracePeriodSeconds',
  'activeDeadlineSeconds', 'runAsUser', 'runAsGroup', 'fsGroup', 'supplementalGroups', 'tolerationSeconds',
  'revision', 'gracePeriodSeconds', 'remainingItemCount', 'sizeBytes', 'startingDeadlineSeconds',
  'expirationSeconds', 'maxLength', 'minLength', 'maxItems', 'minItems', 'maxProperties', 'minProperties',
  'SleepAction.seconds', 'LinuxContainerUser.uid', 'LinuxContainerUser.gid',
]);
const INT32_OVERRIDES = new Set(['CertificateSigningRequestSpec.expirationSeconds']);
/** The few upstream fields that are floating point ("number", format "double"). */
const DOUBLE_FIELDS = new Set(['JSONSchemaProps.maximum', 'JSONSchemaProps.minimum', 'JSONSchemaProps.multipleOf']);

/** Definitions kubernetes-types gives no apiVersion/kind literals for, but upstream tags with a GVK. */
const EXTRA_GVKS: Record<string, SchemaNode['x-kubernetes-group-version-kind']> = {
  'io.k8s.apimachinery.pkg.apis.meta.v1.Status': [{ group: '', version: 'v1', kind: 'Status' }],
  'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent': [{ group: '', version: 'v1', kind: 'WatchEvent' }],
};

export interface GenerateOptions {
  /** Directory of the kubernetes-types package (default: resolved from node_modules). */
  typesDir?: string;
  /** client-node 1.32's generated sources (dist/gen; default: kubernetes-client-node-1.32 from node_modules). */
  modelDir?: string;
  /** kubernetes-models 4.5.0's root (default: kubernetes-models-1.33 from node_modules), for enum values. */
  enumsDir?: string;
}

export interface GenerateResult {
  definitions: Record<string, SchemaNode>;
  /** Things that could not be mapped faithfully (patch-meta entries with no field, unknown type shapes). */
  warnings: string[];
}

export function generateDefinitions(options: GenerateOptions = {}): GenerateResult {
  const typesDir = options.typesDir
    ?? path.dirname(createRequire(import.meta.url).resolve('kubernetes-types/package.json'));
  const files = listDts(typesDir);
  const program = ts.createProgram(files, { noEmit: true, skipLibCheck: true, types: [] });
  const checker = program.getTypeChecker();
  const definitions: Record<string, SchemaNode> = {};
  const warnings: string[] = [];

  const nameOfFile = (fileName: string): string => {
    const rel = path.relative(typesDir, fileName).replace(/\\/g, '/').replace(/\.d\.ts$/, '');
    return packagePrefix(rel);
  };

  /** The definition name for a declaration reached through a type reference. */
  const definitionName = (node: ts.EntityName): string | undefined => {
    let sym = checker.getSymbolAtLocation(node);
    if (sym && sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
    const decl = sym?.declarations?.[0];
    if (!decl || !sym) return undefined;
    return nameOfFile(decl.getSourceFile().fileName) + '.' + sym.getName();
  };

  const docOf = (node: ts.Node): string | undefined => {
    const named = (node as ts.NamedDeclaration).name;
    const sym = named ? checker.getSymbolAtLocation(named) : undefined;
    const text = sym ? ts.displayPartsToString(sym.getDocumentationComment(checker)).trim() : '';
    return text || undefined;
  };

  const typeNode = (t: ts.TypeNode, where: string, numberFormat: () => SchemaNode): SchemaNode => {
    switch (t.kind) {
      case ts.SyntaxKind.StringKeyword: return { type: 'string' };
      case ts.SyntaxKind.BooleanKeyword: return { type: 'boolean' };
      case ts.SyntaxKind.NumberKeyword: return numberFormat();
      case ts.SyntaxKind.ParenthesizedType: return typeNode((t as ts.ParenthesizedTypeNode).type, where, numberFormat);
      case ts.SyntaxKind.LiteralType: {
        const lit = (t as ts.LiteralTypeNode).literal;
        if (ts.isStringLiteral(lit)) return { type: 'string' };
        break;
      }
      case ts.SyntaxKind.ArrayType:
        return { type: 'array', items: typeNode((t as ts.ArrayTypeNode).elementType, where + '[]', numberFormat) };
      case ts.SyntaxKind.UnionType: {
        const kinds = (t as ts.UnionTypeNode).types.map((u) => u.kind).sort();
        if (kinds.length === 2 && kinds.includes(ts.SyntaxKind.NumberKeyword) && kinds.includes(ts.SyntaxKind.StringKeyword)) {
          return { ref: INT_OR_STRING };
        }
        break;
      }
      case ts.SyntaxKind.TypeLiteral: {
        const members = (t as ts.TypeLiteralNode).members;
        const index = members.find(ts.isIndexSignatureDeclaration);
        if (index && members.length === 1) {
          return { type: 'object', additionalProperties: typeNode(index.type, where + '{}', numberFormat) };
        }
        break;
      }
      case ts.SyntaxKind.TypeReference: {
        const ref = t as ts.TypeReferenceNode;
        if (ts.isIdentifier(ref.typeName) && ref.typeName.text === 'Array' && ref.typeArguments?.length === 1) {
          return { type: 'array', items: typeNode(ref.typeArguments[0], where + '[]', numberFormat) };
        }
        const name = definitionName(ref.typeName);
        if (name) return { ref: name };
        break;
      }
    }
    warnings.push(`${where}: unmapped type ${ts.SyntaxKind[t.kind]}`);
    return { 'x-kubernetes-preserve-unknown-fields': true };
  };

  for (const file of files) {
    const sf = program.getSourceFile(file);
    if (!sf) continue;
    const prefix = nameOfFile(file);
    for (const stmt of sf.statements) {
      if (ts.isInterfaceDeclaration(stmt)) {
        const short = stmt.name.text;
        const defName = prefix + '.' + short;
        const node: SchemaNode = { type: 'object' };
        const description = docOf(stmt);
        if (description) node.description = description;
        const properties: Record<string, SchemaNode> = {};
        const required: string[] = [];
        let apiVersion: string | undefined;
        let kind: string | undefined;
        for (const m of stmt.members) {
          if (!ts.isPropertySignature(m) || !m.type) continue;
          const field = m.name.getText(sf).replace(/^["']|["']$/g, '');
          const numberFormat = (): SchemaNode => {
            const qualified = short + '.' + field;
            if (DOUBLE_FIELDS.has(qualified)) return { type: 'number', format: 'double' };
            const int64 = !INT32_OVERRIDES.has(qualified) && (INT64_FIELDS.has(qualified) || INT64_FIELDS.has(field));
            return { type: 'integer', format: int64 ? 'int64' : 'int32' };
          };
          const prop = typeNode(m.type, defName + '.' + field, numberFormat);
          const doc = docOf(m);
          properties[field] = doc ? { description: doc, ...prop } : prop;
          if (!m.questionToken) required.push(field);
          if (ts.isLiteralTypeNode(m.type) && ts.isStringLiteral(m.type.literal)) {
            if (field === 'apiVersion') apiVersion = m.type.literal.text;
            if (field === 'kind') kind = m.type.literal.text;
          }
        }
        if (Object.keys(properties).length) node.properties = properties;
        else node['x-kubernetes-preserve-unknown-fields'] = true; // RawExtension, FieldsV1, JSON, Patch
        if (required.length) node.required = required.sort();
        if (apiVersion && kind) {
          const slash = apiVersion.lastIndexOf('/');
          node['x-kubernetes-group-version-kind'] = [{
            group: slash < 0 ? '' : apiVersion.slice(0, slash),
            version: apiVersion.slice(slash + 1),
            kind,
          }];
        }
        definitions[defName] = node;
      } else if (ts.isTypeAliasDeclaration(stmt)) {
        const defName = prefix + '.' + stmt.name.text;
        const description = docOf(stmt);
        let node: SchemaNode;
        if (stmt.type.kind === ts.SyntaxKind.StringKeyword) {
          node = { type: 'string' };
          if (stmt.name.text === 'Time' || stmt.name.text === 'MicroTime') node.format = 'date-time';
        } else {
          // JSONSchemaPropsOrArray / OrBool / OrStringArray: a value of several JSON shapes.
          node = { 'x-kubernetes-preserve-unknown-fields': true };
        }
        definitions[defName] = description ? { description, ...node } : node;
      }
    }
  }

  // Types upstream has that kubernetes-types inlines.
  definitions[INT_OR_STRING] = {
    description: 'IntOrString holds either an integer or a string (for example a port number or a port name, '
      + 'or a replica count or a percentage such as "25%"). It is serialized as whichever of the two it holds.',
    type: 'string',
    format: 'int-or-string',
    'x-kubernetes-int-or-string': true,
  };
  for (const [name, gvks] of Object.entries(EXTRA_GVKS)) {
    if (definitions[name]) definitions[name]['x-kubernetes-group-version-kind'] = gvks;
  }

  // Kubernetes 1.32's fields, descriptions and formats over the 1.30 shapes.
  const modelDir = options.modelDir ?? defaultModelDir(path.dirname(fileURLToPath(import.meta.url)));
  if (!modelDir) throw new Error('schema generate: the 1.32 type model (dev dependency kubernetes-client-node-1.32) is not installed');
  const overlaid = overlay132(definitions, modelDir);
  warnings.push(...overlaid.warnings);
  for (const name of Object.keys(definitions)) delete definitions[name];
  Object.assign(definitions, overlaid.definitions);

  // Upstream's enum values, where the 1.33 model that has them describes the field as 1.32 does.
  const enumsDir = options.enumsDir ?? defaultEnumsDir(path.dirname(fileURLToPath(import.meta.url)));
  if (!enumsDir) throw new Error('schema generate: the enum source (dev dependency kubernetes-models-1.33) is not installed');
  addEnums(definitions, enumsDir);

  // Merge upstream's patch and list metadata.
  for (const [defName, fields] of Object.entries(patchMeta)) {
    const def = definitions[defName];
    if (!def) { warnings.push(`patch-meta: no definition ${defName}`); continue; }
    for (const [field, meta] of Object.entries(fields)) {
      if (field === '') { Object.assign(def, meta); continue; }
      const prop = def.properties?.[field];
      if (!prop) { warnings.push(`patch-meta: ${defName} has no field ${field} in this kubernetes-types version`); continue; }
      Object.assign(prop, meta);
    }
  }

  addJsonSchemaPropsExtensions(definitions);

  // Stable output: definitions sorted by name.
  const sorted: Record<string, SchemaNode> = {};
  for (const name of Object.keys(definitions).sort()) sorted[name] = definitions[name];
  return { definitions: sorted, warnings };
}

function listDts(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) { if (entry.name !== 'node_modules') out.push(...listDts(full)); }
    else if (entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out.sort();
}

/** Where the build writes the definitions: dist/schema/definitions.json (this file is dist/src/api/schema/). */
export function defaultOutputPath(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../schema/definitions.json');
}

function main(argv: string[]): void {
  const outIdx = argv.indexOf('--out');
  const out = outIdx >= 0 ? path.resolve(argv[outIdx + 1]) : defaultOutputPath();
  const { definitions, warnings } = generateDefinitions();
  for (const w of warnings) process.stderr.write(`schema generate: warning: ${w}\n`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(definitions) + '\n');
  process.stdout.write(`schema generate: ${Object.keys(definitions).length} definitions → ${out}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2));
}
