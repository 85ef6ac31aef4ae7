import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration, translateTimestampSince } from './age.js';

const s = 1000, m = 60 * s, h = 60 * m, d = 24 * h;

test('ages print like kubectl\'s AGE column', () => {
  const cases: [number, string][] = [
    [0, '0s'], [-1500, '0s'], [-3 * s, '<invalid>'], [5 * s, '5s'], [119 * s, '119s'], [2 * m, '2m'], [3 * m + 2 * s, '3m2s'],
    [10 * m + 30 * s, '10m'], [179 * m, '179m'], [3 * h, '3h'], [5 * h + 7 * m, '5h7m'], [47 * h, '47h'], [3 * d + 5 * h, '3d5h'],
    [8 * d, '8d'], [400 * d, '400d'], [2 * 365 * d, '2y'], [3 * 365 * d + 20 * d, '3y20d'], [9 * 365 * d, '9y'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `${ms}ms`);
});

test('a missing creationTimestamp prints <unknown>', () => {
  assert.equal(translateTimestampSince(undefined, new Date()), '<unknown>');
  assert.equal(translateTimestampSince('2024-01-01T00:00:00Z', new Date('2024-01-01T00:00:06Z')), '6s');
});
