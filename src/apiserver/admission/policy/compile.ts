// A ValidatingAdmissionPolicy's CEL expressions compiled once per policy version (upstream
// plugin/policy/validating's compiler): validations, messageExpressions, matchConditions, variables and
// auditAnnotations, each in the environment upstream declares for it (`params` only with a paramKind, `authorizer`
// everywhere but in messageExpression). The same compile reports type errors when a policy is created.
import type { Environment } from '@marcbachmann/cel-js';
import { FieldError } from '../../../api/errors.js';
import { compile, kubernetesEnvironment, type Compiled } from '../../cel/environment.js';
import { registerAuthorizer } from '../../cel/authz-library.js';

export interface Validation { expression?: string; message?: string; messageExpression?: string; reason?: string }
export interface PolicySpec {
  failurePolicy?: string;
  paramKind?: { apiVersion?: string; kind?: string };
  matchConstraints?: import('./matching.js').MatchResources;
  validations?: Validation[];
  matchConditions?: { name?: string; expression?: string }[];
  variables?: { name?: string; expression?: string }[];
  auditAnnotations?: { key?: string; valueExpression?: string }[];
}

const envs = new Map<string, Environment>();
/** The environment for one kind of expression: what it may reference. */
function environment(params: boolean, authorizer: boolean): Environment {
  const key = `${params}/${authorizer}`;
  let env = envs.get(key);
  if (!env) {
    env = kubernetesEnvironment({ unlistedVariablesAreDyn: false });
    for (const v of ['object', 'oldObject', 'request', 'namespaceObject', 'variables']) env.registerVariable(v, 'dyn');
    if (params) env.registerVariable('params', 'dyn');
    if (authorizer) registerAuthorizer(env);
    envs.set(key, env);
  }
  return env;
}

export interface CompiledExpression extends Compiled { expression: string }

export interface CompiledPolicy {
  validations: { validation: Validation; compiled: CompiledExpression; message?: CompiledExpression }[];
  matchConditions: { name: string; compiled: CompiledExpression }[];
  variables: { name: string; compiled: CompiledExpression }[];
  auditAnnotations: { key: string; compiled: CompiledExpression }[];
}

/** What an expression must evaluate to, in upstream's words when it does not. */
const wants: Record<string, { types: string[]; message: string }> = {
  bool: { types: ['bool', 'dyn'], message: 'cel expression must evaluate to a bool' },
  string: { types: ['string', 'dyn'], message: 'must evaluate to string' },
  stringOrNull: { types: ['string', 'null', 'dyn'], message: 'must evaluate to one of [string null_type]' },
  any: { types: [], message: '' },
};

function compileOne(expression: string, env: Environment, want: keyof typeof wants): CompiledExpression {
  const c = compile(expression, env);
  if (c.error) return { expression, error: `compilation failed: ${c.error}` };
  const w = wants[want];
  if (w.types.length && c.type && !w.types.includes(c.type)) return { expression, error: w.message };
  return { expression, ...c };
}

export function compilePolicy(spec: PolicySpec): CompiledPolicy {
  const params = spec.paramKind != null;
  const full = environment(params, true);
  const noAuthz = environment(params, false);
  return {
    validations: (spec.validations ?? []).map((v) => ({
      validation: v,
      compiled: compileOne(v.expression ?? '', full, 'bool'),
      message: v.messageExpression?.trim() ? compileOne(v.messageExpression, noAuthz, 'string') : undefined,
    })),
    matchConditions: (spec.matchConditions ?? []).map((m) => ({ name: m.name ?? '', compiled: compileOne(m.expression ?? '', full, 'bool') })),
    variables: (spec.variables ?? []).map((v) => ({ name: v.name ?? '', compiled: compileOne(v.expression ?? '', full, 'any') })),
    auditAnnotations: (spec.auditAnnotations ?? []).map((a) => ({ key: a.key ?? '', compiled: compileOne(a.valueExpression?.trim() ?? '', full, 'stringOrNull') })),
  };
}

/** Compile errors as field errors at upstream's paths (spec.validations[0].expression: Invalid value: ...). */
export function compileErrors(spec: PolicySpec): FieldError[] {
  const c = compilePolicy(spec);
  const errs: FieldError[] = [];
  const add = (path: string, e: CompiledExpression | undefined) => { if (e?.error && e.expression.trim()) errs.push(FieldError.invalid(path, e.expression, e.error)); };
  c.matchConditions.forEach((m, i) => add(`spec.matchConditions[${i}].expression`, m.compiled));
  c.variables.forEach((v, i) => add(`spec.variables[${i}].expression`, v.compiled));
  c.validations.forEach((v, i) => { add(`spec.validations[${i}].expression`, v.compiled); add(`spec.validations[${i}].messageExpression`, v.message); });
  c.auditAnnotations.forEach((a, i) => add(`spec.auditAnnotations[${i}].valueExpression`, a.compiled));
  return errs;
}
