// The one CEL environment of the apiserver (upstream k8s.io/apiserver/pkg/cel/environment): CustomResourceDefinition
// x-kubernetes-validations and ValidatingAdmissionPolicy expressions compile here. The library is
// @marcbachmann/cel-js (zero dependencies; the standard macros, has(), optional types, the string functions
// lowerAscii/upperAscii/split/trim/join/matches...). This file adds the Kubernetes CEL libraries' functions that
// policies use most (lists: isSorted/sum/min/max/indexOf/lastIndexOf; regex: find/findAll; strings: replace, charAt,
// reverse; quantity(), quantity-library.ts). Not provided: url(), ip()/cidr(), semver(), format and sets libraries.
import { Environment, type ParseResult } from '@marcbachmann/cel-js';
import { registerQuantity } from './quantity-library.js';

type Dyn = unknown;

/** CEL ordering of two scalars of one kind (int/uint as BigInt, double as number, string, bool). */
function less(a: Dyn, b: Dyn): boolean {
  if (typeof a === typeof b && (typeof a === 'bigint' || typeof a === 'number' || typeof a === 'string' || typeof a === 'boolean')) return (a as never) < (b as never);
  throw new Error(`no such overload: comparing ${typeof a} and ${typeof b}`);
}

function regex(re: string): RegExp {
  try { return new RegExp(re, 'u'); } catch { throw new Error(`invalid regex string: ${re}`); }
}

const base = new Environment({ unlistedVariablesAreDyn: true, enableOptionalTypes: true })
  .registerFunction('list<dyn>.isSorted(): bool', (l: Dyn[]) => l.every((x, i) => i === 0 || !less(x, l[i - 1])))
  .registerFunction('list<dyn>.sum(): dyn', (l: Dyn[]) => l.reduce((a: any, b: any) => a + b, l.length && typeof l[0] === 'number' ? 0 : 0n))
  .registerFunction('list<dyn>.min(): dyn', (l: Dyn[]) => {
    if (!l.length) throw new Error('min called on empty list');
    return l.reduce((a, b) => (less(b, a) ? b : a));
  })
  .registerFunction('list<dyn>.max(): dyn', (l: Dyn[]) => {
    if (!l.length) throw new Error('max called on empty list');
    return l.reduce((a, b) => (less(a, b) ? b : a));
  })
  .registerFunction('list<dyn>.indexOf(dyn): int', (l: Dyn[], x: Dyn) => BigInt(l.findIndex((y) => celEqual(x, y))))
  .registerFunction('list<dyn>.lastIndexOf(dyn): int', (l: Dyn[], x: Dyn) => {
    for (let i = l.length - 1; i >= 0; i--) if (celEqual(x, l[i])) return BigInt(i);
    return -1n;
  })
  .registerFunction('string.find(string): string', (s: string, re: string) => regex(re).exec(s)?.[0] ?? '')
  .registerFunction('string.findAll(string): list<string>', (s: string, re: string) => [...s.matchAll(new RegExp(regex(re).source, 'gu'))].map((m) => m[0]))
  .registerFunction('string.findAll(string, int): list<string>', (s: string, re: string, n: bigint) => {
    const all = [...s.matchAll(new RegExp(regex(re).source, 'gu'))].map((m) => m[0]);
    return n < 0n ? all : all.slice(0, Number(n));
  })
  .registerFunction('string.replace(string, string): string', (s: string, a: string, b: string) => s.split(a).join(b))
  .registerFunction('string.replace(string, string, int): string', (s: string, a: string, b: string, n: bigint) => {
    if (n < 0n) return s.split(a).join(b);
    let out = s;
    let from = 0;
    for (let i = 0n; i < n; i++) {
      const at = out.indexOf(a, from);
      if (at < 0) break;
      out = out.slice(0, at) + b + out.slice(at + a.length);
      from = at + b.length;
    }
    return out;
  })
  .registerFunction('string.charAt(int): string', (s: string, i: bigint) => {
    const cps = [...s];
    if (i < 0n || i > BigInt(cps.length)) throw new Error(`index out of range: ${i}`);
    return cps[Number(i)] ?? '';
  })
  .registerFunction('string.reverse(): string', (s: string) => [...s].reverse().join(''));
registerQuantity(base);

function celEqual(a: Dyn, b: Dyn): boolean {
  if (typeof a === 'bigint' && typeof b === 'number') return Number(a) === b;
  if (typeof a === 'number' && typeof b === 'bigint') return a === Number(b);
  return JSON.stringify(a, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) === JSON.stringify(b, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
}

/** A child environment with the Kubernetes functions: callers register their own variables and types on it. */
export function kubernetesEnvironment(opts?: { unlistedVariablesAreDyn?: boolean }): Environment { return base.clone(opts); }

export type CelProgram = ParseResult;

/** The compiled expression, or upstream's compile error text (`ERROR: <input>:1:4: Unexpected token: EOF`). */
export interface Compiled { program?: CelProgram; error?: string; type?: string }

const defaultEnv = kubernetesEnvironment();
const caches = new WeakMap<Environment, Map<string, Compiled>>();

/** Parses and type-checks `expr` in `env` (default: variables are dyn). Results are cached per environment. */
export function compile(expr: string, env: Environment = defaultEnv): Compiled {
  let cache = caches.get(env);
  if (!cache) caches.set(env, cache = new Map());
  let c = cache.get(expr);
  if (c) return c;
  try {
    let program = env.parse(expr);
    let checked = program.check();
    if (!checked.valid && (checked.error as { code?: string })?.code === 'incompatible_ternary_branches') {
      // cel-go accepts `cond ? 'text' : null` (upstream's documented auditAnnotations example); cel-js wants both
      // branches of one type, so the non-null branch is made dyn.
      const rewritten = nullableTernaries(expr, program.ast);
      if (rewritten !== expr) {
        const again = env.parse(rewritten);
        const c2 = again.check();
        if (c2.valid) { program = again; checked = c2; }
      }
    }
    c = checked.valid ? { program, type: checked.type } : { error: errorText(expr, checked.error) };
  } catch (e) {
    c = { error: errorText(expr, e) };
  }
  if (cache.size > 10_000) cache.clear();
  cache.set(expr, c);
  return c;
}

/** `expr` with the other branch of every ternary that has a null branch wrapped in dyn(). */
function nullableTernaries(expr: string, ast: unknown): string {
  const edits: { start: number; end: number }[] = [];
  const isNull = (n: any) => n?.op === 'value' && n.args === null;
  const walk = (n: any) => {
    if (!n || typeof n !== 'object') return;
    if (n.op === '?:' && Array.isArray(n.args)) {
      const [, a, b] = n.args;
      if (isNull(b) && !isNull(a) && a?.range) edits.push(a.range);
      if (isNull(a) && !isNull(b) && b?.range) edits.push(b.range);
    }
    const args = n.args;
    if (Array.isArray(args)) for (const x of args.flat(2)) walk(x);
    else if (args && typeof args === 'object') walk(args);
  };
  walk(ast);
  // Insertions applied from the end; at one position 'dyn(' goes in before ')' so that ')' ends up first.
  const inserts = edits.flatMap((r) => [{ at: r.start, text: 'dyn(', order: 0 }, { at: r.end, text: ')', order: 1 }])
    .sort((x, y) => y.at - x.at || x.order - y.order);
  let out = expr;
  for (const i of inserts) out = out.slice(0, i.at) + i.text + out.slice(i.at);
  return out;
}

/** cel-go's error form: `ERROR: <input>:line:column: message`. */
function errorText(expr: string, e: unknown): string {
  const err = e as { summary?: string; message?: string; range?: { start: number } };
  let summary = err?.summary ?? String(err?.message ?? e).split('\n')[0];
  // cel-go's words for an undeclared identifier
  summary = summary.replace(/^Unknown variable: (\S+)$/, "undeclared reference to '$1' (in container '')");
  const at = err?.range?.start ?? 0;
  const before = expr.slice(0, at).split('\n');
  return `ERROR: <input>:${before.length}:${before[before.length - 1].length + 1}: ${summary}`;
}

/** A JSON value as CEL sees it without a schema: integral numbers as int (BigInt), the rest as is. */
export function toCel(v: unknown): unknown {
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(toCel);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = toCel(x);
    return out;
  }
  return v;
}

/** The first line of an evaluation error. */
export const evalErrorText = (e: unknown) => String((e as Error)?.message ?? e).split('\n')[0];
