// Kubernetes' CEL quantity library (upstream k8s.io/apiserver/pkg/cel/library/quantity.go), over api/quantity.ts:
//   quantity('1.5Gi').isLessThan(quantity('2Gi')), isQuantity('x'), q.add(q2) / q.add(1), q.sub(...),
//   q.compareTo(q2), q.isGreaterThan(q2), q.sign(), q.isInteger(), q.asInteger(), q.asApproximateFloat()
import type { Environment } from '@marcbachmann/cel-js';
import { parseQuantity, formatQuantity, type ParsedQuantity } from '../../api/quantity.js';

const NANO = 1_000_000_000n;
const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

export class CelQuantity {
  constructor(readonly q: ParsedQuantity) {}
  toString(): string { return formatQuantity(this.q); }
}

const cmp = (a: CelQuantity, b: CelQuantity) => (a.q.nanos < b.q.nanos ? -1n : a.q.nanos > b.q.nanos ? 1n : 0n);
const plus = (a: CelQuantity, nanos: bigint) => new CelQuantity({ nanos: a.q.nanos + nanos, format: a.q.format });

export function registerQuantity(env: Environment): Environment {
  const T = 'kubernetes.Quantity';
  return env
    .registerType(T, CelQuantity)
    .registerFunction(`quantity(string): ${T}`, (s: string) => new CelQuantity(parseQuantity(s)))
    .registerFunction('isQuantity(string): bool', (s: string) => { try { parseQuantity(s); return true; } catch { return false; } })
    .registerFunction(`${T}.sign(): int`, (a: CelQuantity) => (a.q.nanos < 0n ? -1n : a.q.nanos > 0n ? 1n : 0n))
    .registerFunction(`${T}.isInteger(): bool`, (a: CelQuantity) => a.q.nanos % NANO === 0n && a.q.nanos / NANO <= INT64_MAX && a.q.nanos / NANO >= INT64_MIN)
    .registerFunction(`${T}.asInteger(): int`, (a: CelQuantity) => {
      const v = a.q.nanos / NANO;
      if (a.q.nanos % NANO !== 0n || v > INT64_MAX || v < INT64_MIN) throw new Error('cannot convert value to integer');
      return v;
    })
    .registerFunction(`${T}.asApproximateFloat(): double`, (a: CelQuantity) => Number(a.q.nanos) / 1e9)
    .registerFunction(`${T}.add(${T}): ${T}`, (a: CelQuantity, b: CelQuantity) => plus(a, b.q.nanos))
    .registerFunction(`${T}.add(int): ${T}`, (a: CelQuantity, n: bigint) => plus(a, n * NANO))
    .registerFunction(`${T}.sub(${T}): ${T}`, (a: CelQuantity, b: CelQuantity) => plus(a, -b.q.nanos))
    .registerFunction(`${T}.sub(int): ${T}`, (a: CelQuantity, n: bigint) => plus(a, -n * NANO))
    .registerFunction(`${T}.isLessThan(${T}): bool`, (a: CelQuantity, b: CelQuantity) => cmp(a, b) < 0n)
    .registerFunction(`${T}.isGreaterThan(${T}): bool`, (a: CelQuantity, b: CelQuantity) => cmp(a, b) > 0n)
    .registerFunction(`${T}.compareTo(${T}): int`, (a: CelQuantity, b: CelQuantity) => cmp(a, b));
}
