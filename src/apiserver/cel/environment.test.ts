// The apiserver's CEL environment: the Kubernetes library functions policies and CRD rules call, and cel-go's
// error form for expressions that do not compile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile } from './environment.js';

const run = (expr: string, vars: Record<string, unknown> = {}) => {
  const c = compile(expr);
  if (!c.program) throw new Error(c.error);
  return c.program(vars);
};

test('Kubernetes CEL libraries: lists, regex, strings and quantities', () => {
  assert.equal(run('[1, 2, 2].isSorted() && ![2, 1].isSorted()'), true);
  assert.deepEqual([run('[1, 2, 3].sum()'), run('[3, 1, 2].min()'), run("['b', 'c', 'a'].max()"), run('[1, 2, 1].lastIndexOf(1)')], [6n, 1n, 'c', 2n]);
  assert.deepEqual([run("'abc 123 def 456'.find('[0-9]+')"), run("'abc 123 def 456'.findAll('[0-9]+')"), run("'a1b2c3'.findAll('[0-9]', 2)")], ['123', ['123', '456'], ['1', '2']]);
  assert.deepEqual([run("'aaa'.replace('a', 'b', 2)"), run("'hello'.charAt(1)"), run("'abc'.reverse()"), run("'Hi'.lowerAscii()")], ['bba', 'e', 'cba', 'hi']);
  assert.equal(run("quantity(limit).isLessThan(quantity('2Gi')) && quantity('1').add(quantity('500m')).compareTo(quantity('1.5')) == 0", { limit: '1536Mi' }), true);
  assert.deepEqual([run("quantity('2k').asInteger()"), run("quantity('500m').isInteger()"), run("isQuantity('1e3') && !isQuantity('1x')"), run("quantity('-1').sign()")], [2000n, false, true, -1n]);
  assert.throws(() => run("quantity('1.5').asInteger()"), /cannot convert value to integer/);
});

test('a ternary with a null branch compiles, as in cel-go (upstream\'s documented auditAnnotations valueExpression)', () => {
  const expr = "object.spec.replicas > 50 ? 'Deployment spec.replicas set to ' + string(object.spec.replicas) : null";
  assert.equal(run(expr, { object: { spec: { replicas: 51n } } }), 'Deployment spec.replicas set to 51');
  assert.equal(run(expr, { object: { spec: { replicas: 5n } } }), null);
  assert.equal(run("x > 50 ? null : (x > 10 ? 'mid' : null)", { x: 11n }), 'mid');
});

test('expressions that do not compile report cel-go\'s ERROR: <input>:line:column form', () => {
  assert.equal(compile('self.a >').error, 'ERROR: <input>:1:9: Unexpected token: EOF');
  assert.match(compile("1 +\n  'a'").error!, /^ERROR: <input>:1:1: no such overload: int \+ string/);
});
