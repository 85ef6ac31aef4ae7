// Type checking of a ValidatingAdmissionPolicy's expressions against the schemas of the kinds it matches (upstream
// plugin/policy/validating/typechecking.go), as far as nanokube's schema-less CEL allows: every field selection on
// `object`, `oldObject` and `params` (`object.spec.replicas`, `has(object.spec.x)`, `object.?spec`) must name a
// field the kind's OpenAPI schema has. Each miss is a warning in upstream's form:
//   fieldRef spec.validations[0].expression, warning "apps/v1, Kind=Deployment: ERROR: <input>:1:12: undefined field 'replicase'\n | ...".
// Kinds are taken from resourceRules naming exact groups, versions and resources of built-in kinds; wildcards and
// custom resources are not checked (upstream checks those it can resolve, up to a limit).
import { parse } from '@marcbachmann/cel-js';
import type { KubeObject } from '../../api/object.js';
import { resources } from '../../api/resources.js';
import type { SchemaModel, SchemaNode } from '../../api/schema/index.js';

export interface ExpressionWarning { fieldRef: string; warning: string }

interface Gvk { group: string; version: string; kind: string }

const gvkText = (g: Gvk) => `${g.group ? `${g.group}/` : ''}${g.version}, Kind=${g.kind}`;

/** The built-in kinds the policy's resourceRules name exactly (at most 10, as upstream's limit). */
function matchedKinds(policy: KubeObject): Gvk[] {
  const out: Gvk[] = [];
  for (const rule of policy.spec?.matchConstraints?.resourceRules ?? []) {
    for (const group of rule.apiGroups ?? []) for (const version of rule.apiVersions ?? []) for (const resource of rule.resources ?? []) {
      if ([group, version, resource].includes('*') || resource.includes('/')) continue;
      const r = Object.values(resources).find((x) => x.group === group && x.version === version && x.resource === resource);
      if (r && !out.some((g) => g.group === r.group && g.version === r.version && g.kind === r.kind)) out.push({ group: r.group, version: r.version, kind: r.kind });
    }
  }
  return out.slice(0, 10);
}

/** A chain of field selections rooted at a variable: the variable, then each field with where its '.' is. */
interface Selection { root: string; fields: { name: string; at: number }[] }

function selections(ast: any, out: Selection[] = []): Selection[] {
  if (!ast || typeof ast !== 'object') return out;
  if ((ast.op === '.' || ast.op === '.?') && Array.isArray(ast.args)) {
    const fields: { name: string; at: number }[] = [];
    let n = ast;
    while ((n.op === '.' || n.op === '.?') && Array.isArray(n.args)) {
      const target = n.args[0];
      // the '.' sits right after the selected expression
      fields.unshift({ name: n.args[1], at: target?.range?.end ?? n.range?.start ?? 0 });
      n = target;
    }
    if (n.op === 'id' && typeof n.args === 'string') out.push({ root: n.args, fields });
    else selections(n, out);
    return out;
  }
  const args = ast.args;
  if (Array.isArray(args)) for (const a of args.flat(2)) selections(a, out);
  else if (args && typeof args === 'object') selections(args, out);
  return out;
}

/** cel-go's snippet under an error: the line, then dots up to the column and a caret. */
function snippet(expr: string, at: number): { line: number; column: number; text: string } {
  const before = expr.slice(0, at).split('\n');
  const line = before.length;
  const column = before[before.length - 1].length;
  const source = expr.split('\n')[line - 1] ?? '';
  return { line, column: column + 1, text: `\n | ${source}\n | ${'.'.repeat(column)}^` };
}

/** The first field of `s` the schema does not have, or undefined. */
function undefinedField(model: SchemaModel, root: SchemaNode, s: Selection): { name: string; at: number } | undefined {
  let node: SchemaNode | undefined = root;
  for (const f of s.fields) {
    if (!node) return undefined;
    node = model.resolve(node);
    if (node['x-kubernetes-preserve-unknown-fields'] || node['x-kubernetes-int-or-string']) return undefined;
    if (node.properties && f.name in node.properties) { node = node.properties[f.name]; continue; }
    if (typeof node.additionalProperties === 'object') { node = node.additionalProperties; continue; }
    if (node.additionalProperties === true || node.type === undefined) return undefined;
    return f;
  }
  return undefined;
}

function expressions(policy: KubeObject): { fieldRef: string; expression: string }[] {
  const spec = policy.spec ?? {};
  const out: { fieldRef: string; expression: string }[] = [];
  (spec.matchConditions ?? []).forEach((m: any, i: number) => out.push({ fieldRef: `spec.matchConditions[${i}].expression`, expression: m?.expression ?? '' }));
  (spec.variables ?? []).forEach((v: any, i: number) => out.push({ fieldRef: `spec.variables[${i}].expression`, expression: v?.expression ?? '' }));
  (spec.validations ?? []).forEach((v: any, i: number) => {
    out.push({ fieldRef: `spec.validations[${i}].expression`, expression: v?.expression ?? '' });
    if (v?.messageExpression) out.push({ fieldRef: `spec.validations[${i}].messageExpression`, expression: v.messageExpression });
  });
  (spec.auditAnnotations ?? []).forEach((a: any, i: number) => out.push({ fieldRef: `spec.auditAnnotations[${i}].valueExpression`, expression: a?.valueExpression ?? '' }));
  return out;
}

/** The policy's typeChecking.expressionWarnings. */
export function typeCheck(policy: KubeObject, model: SchemaModel): ExpressionWarning[] {
  const kinds = matchedKinds(policy);
  const pk = policy.spec?.paramKind;
  const [pg, pv] = typeof pk?.apiVersion === 'string' && pk.apiVersion.includes('/') ? pk.apiVersion.split('/') : ['', pk?.apiVersion];
  const paramSchema = pk ? model.forKind(pg, pv ?? '', pk.kind ?? '') : undefined;
  if (!kinds.length && !paramSchema) return [];
  const warnings: ExpressionWarning[] = [];
  for (const { fieldRef, expression } of expressions(policy)) {
    let ast: unknown;
    try { ast = parse(expression).ast; } catch { continue; }
    const sels = selections(ast);
    const found: string[] = [];
    for (const gvk of kinds.length ? kinds : [undefined]) {
      const schema = gvk && model.forKind(gvk.group, gvk.version, gvk.kind);
      for (const s of sels) {
        const root = s.root === 'params' ? paramSchema : s.root === 'object' || s.root === 'oldObject' ? schema : undefined;
        if (!root) continue;
        const miss = undefinedField(model, root, s);
        if (!miss) continue;
        const { line, column, text } = snippet(expression, miss.at);
        const where = s.root === 'params' && pk ? `${pk.apiVersion}, Kind=${pk.kind}` : gvkText(gvk!);
        found.push(`${where}: ERROR: <input>:${line}:${column}: undefined field '${miss.name}'${text}`);
        break;
      }
    }
    if (found.length) warnings.push({ fieldRef, warning: [...new Set(found)].join('\n') });
  }
  return warnings;
}
