import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseYamlBody, yamlMayExceedDepth, YamlDepthError, maxYamlDepth } from './yaml-body.js';

test('YAML bodies nested past the limit are refused before the parser recurses, in flow and block style', () => {
  const d = maxYamlDepth + 1;
  const bodies = [
    '['.repeat(100_000) + ']'.repeat(100_000),
    'a: ' + '{a: '.repeat(d) + '1' + '}'.repeat(d),
    'a:' + Array.from({ length: d }, (_, k) => `\n${' '.repeat(k + 1)}- `).join('') + 'x\n',
    Array.from({ length: d }, (_, k) => `${' '.repeat(k)}k:`).join('\n') + ' x\n',
    '- '.repeat(d) + 'x\n',
  ];
  for (const b of bodies) assert.throws(() => parseYamlBody(b), YamlDepthError, b.slice(0, 40));
});

test('ordinary manifests pass the depth scan, and YAML 1.1 tags stay plain strings', () => {
  const manifest = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  annotations:\n    x: \'{"a":{"b":[1,[2]]}}\'\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        args: ["-g", "daemon off;"]\n        env:\n        - - nested\n';
  assert.equal(yamlMayExceedDepth(manifest, 20), false);
  assert.deepEqual(parseYamlBody('a: !!binary aGVsbG8=\nb: !!timestamp 2001-12-14\nc: !!set {x}\n'), { a: 'aGVsbG8=', b: '2001-12-14', c: { x: null } });
});
