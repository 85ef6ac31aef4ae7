// Build step support: the enum values upstream's OpenAPI gives fields with a fixed set of values (imagePullPolicy,
// Service type, restartPolicy...), which `kubectl explain` shows under ENUM. Neither kubernetes-types nor
// client-node's models keep them; kubernetes-models 4.5.0 (generated from OpenAPI 1.33, installed as the dev
// dependency kubernetes-models-1.33) types those fields as unions of string literals, with upstream's description
// including its "Possible enum values" list. A field takes them only where its 1.33 description, less that list,
// is the 1.32 one (whitespace aside): a field whose text changed since 1.32 keeps no enum rather than a wrong one.
// Nothing here runs inside the server.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import type { SchemaNode } from './types.js';

/** The package's root (holding v1/, apps/...), or undefined when not installed. */
export function defaultEnumsDir(resolveFrom: string): string | undefined {
  for (let dir = resolveFrom; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', 'kubernetes-models-1.33');
    if (fs.existsSync(path.join(candidate, 'v1'))) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** "io.k8s.api.core.v1.Container" → "IoK8sApiCoreV1Container", the name kubernetes-models exports it as. */
function mangle(definition: string): string {
  return definition.split(/[.-]/).map((s) => s.charAt(0).toUpperCase() + s.slice(1)).join('');
}

const flat = (s: string | undefined): string => (s ?? '').replace(/\s+/g, ' ').trim();
const ENUM_SECTION = /\s*Possible enum values:[\s\S]*$/;

function listDts(dir: string, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) { if (entry.name !== '_schemas' && entry.name !== 'node_modules') listDts(full, out); }
    else if (entry.name.endsWith('.d.ts') && entry.name !== 'index.d.ts') out.push(full);
  }
  return out;
}

interface EnumField { values: string[]; description?: string; array: boolean }

/** Mangled definition name → field → its enum. */
function readEnums(root: string): Map<string, Map<string, EnumField>> {
  const out = new Map<string, Map<string, EnumField>>();
  for (const file of listDts(root)) {
    const text = fs.readFileSync(file, 'utf8');
    if (!text.includes('" | "')) continue;
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const exported = new Map<string, string>(); // local interface → mangled name
    for (const stmt of sf.statements) {
      if (ts.isExportDeclaration(stmt) && stmt.exportClause && ts.isNamedExports(stmt.exportClause)) {
        for (const el of stmt.exportClause.elements) {
          if (el.propertyName && el.name.text.startsWith('IIoK8s')) exported.set(el.propertyName.text, el.name.text.slice(1));
        }
      }
    }
    for (const stmt of sf.statements) {
      if (!ts.isInterfaceDeclaration(stmt)) continue;
      const mangled = exported.get(stmt.name.text);
      if (!mangled) continue;
      for (const m of stmt.members) {
        if (!ts.isPropertySignature(m) || !m.type) continue;
        let type: ts.TypeNode = m.type;
        let array = false;
        if (ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName) && type.typeName.text === 'Array' && type.typeArguments?.length === 1) {
          type = type.typeArguments[0];
          array = true;
        } else if (ts.isArrayTypeNode(type)) { type = type.elementType; array = true; }
        if (!ts.isUnionTypeNode(type)) continue;
        const values: string[] = [];
        for (const u of type.types) {
          if (ts.isLiteralTypeNode(u) && ts.isStringLiteral(u.literal)) values.push(u.literal.text);
        }
        if (values.length !== type.types.length || values.length === 0) continue;
        const docs = ts.getJSDocCommentsAndTags(m).filter(ts.isJSDoc);
        const description = docs.map((d) => (typeof d.comment === 'string' ? d.comment : '')).join('\n').trim() || undefined;
        const field = m.name.getText(sf).replace(/^["']|["']$/g, '');
        if (!out.has(mangled)) out.set(mangled, new Map());
        out.get(mangled)!.set(field, { values, description, array });
      }
    }
  }
  return out;
}

/**
 * Sets `enum` (and upstream's description with its "Possible enum values" list) on the fields of `definitions`
 * whose 1.33 description matches, in place. Returns how many fields got one.
 */
export function addEnums(definitions: Record<string, SchemaNode>, root: string): number {
  const enums = readEnums(root);
  let count = 0;
  for (const [name, def] of Object.entries(definitions)) {
    const fields = enums.get(mangle(name));
    if (!fields || !def.properties) continue;
    for (const [field, e] of fields) {
      const prop = def.properties[field];
      if (!prop) continue;
      const target = e.array ? prop.items : prop;
      if (!target || target.ref !== undefined || target.type !== 'string') continue;
      if (flat(e.description?.replace(ENUM_SECTION, '')) !== flat(prop.description)) continue;
      target.enum = [...e.values];
      if (e.description) prop.description = e.description;
      count++;
    }
  }
  return count;
}
