import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalQuantity, milliValue, quantityNumber, QUANTITY_FORMAT_ERROR, QUANTITY_SUFFIX_ERROR, value } from './quantity.js';

test('quantities take upstream\'s canonical form', () => {
  const cases: [string | number, string][] = [
    ['0.5', '500m'], ['1024Mi', '1Gi'], ['1000m', '1'], ['1e3', '1e3'], ['1e4', '10e3'], ['1.5e3', '1500'],
    ['2000000000', '2G'], ['1000M', '1G'], ['1Ki', '1Ki'], ['1536Mi', '1536Mi'], ['1.5Ki', '1536'], ['0.5Gi', '512Mi'],
    ['.001Ki', '1024m'], ['.000001Ki', '1024u'], ['.000000001Ki', '1024n'], ['.000000000001Ki', '2n'],
    ['0', '0'], ['0Mi', '0'], ['0.000', '0'], ['100m', '100m'], ['128Mi', '128Mi'], ['250m', '250m'], ['1', '1'],
    ['-1', '-1'], ['-0.5', '-500m'], ['+2', '2'], ['1.', '1'], ['.5', '500m'], ['0.0000000001', '1n'],
    ['1100k', '1100k'], ['12e6', '12e6'], ['1E3', '1e3'], ['1e-3', '1e-3'], ['100Gi', '100Gi'], ['1024', '1024'],
    ['1024Ki', '1Mi'], ['5Gi', '5Gi'], ['0.1', '100m'], [0.5, '500m'], [2, '2'], [1e21, '1e21'],
  ];
  for (const [input, want] of cases) assert.equal(canonicalQuantity(input), want, `${input}`);
});

test('invalid quantities get upstream\'s messages', () => {
  for (const bad of ['', 'abc', '1.2.3', '1Gb', '--1', '1 Gi', true, null, {}]) {
    assert.throws(() => canonicalQuantity(bad), (e: Error) => e.message === QUANTITY_FORMAT_ERROR || e.message === QUANTITY_SUFFIX_ERROR, String(bad));
  }
  assert.throws(() => canonicalQuantity('abc'), { message: QUANTITY_FORMAT_ERROR });
  assert.throws(() => canonicalQuantity('1K'), { message: QUANTITY_SUFFIX_ERROR });
  assert.throws(() => canonicalQuantity('1Gb'), { message: QUANTITY_FORMAT_ERROR });
});

test('arithmetic on stored quantities rounds as Value() and MilliValue() do, and answers 0 or NaN for what is not a quantity', () => {
  assert.equal(milliValue('100m'), 100);
  assert.equal(milliValue('2'), 2000);
  assert.equal(milliValue('0.1m'), 1, 'MilliValue rounds up');
  assert.equal(milliValue(0.5), 500);
  assert.equal(value('128Mi'), 134217728);
  assert.equal(value('1500m'), 2, 'Value rounds up');
  assert.equal(value('1e3'), 1000);
  assert.equal(quantityNumber('500m'), 0.5);
  assert.equal(quantityNumber('1Gi'), 2 ** 30);
  assert.ok(Number.isNaN(quantityNumber('abc')));
  assert.ok(Number.isNaN(quantityNumber(undefined)));
  assert.equal(milliValue('abc'), 0);
  assert.equal(value(undefined), 0);
  assert.equal(milliValue('-100m'), -100);
});
