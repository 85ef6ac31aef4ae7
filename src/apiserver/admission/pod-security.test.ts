// PodSecurity's reading of namespace labels (upstream's PolicyToEvaluate).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { policyFromLabels } from './pod-security.js';

test('namespace labels: warn follows a stricter explicit enforce, bad labels fail closed for enforce and open for warn and audit', () => {
  const p = (labels: Record<string, string>) => policyFromLabels(labels);
  assert.deepEqual(p({}).policy.enforce, { level: 'privileged', version: 'latest' });
  const inherit = p({ 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/enforce-version': 'v1.30' }).policy;
  assert.deepEqual(inherit.warn, { level: 'baseline', version: 30 });
  assert.deepEqual(p({ 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/warn': 'privileged' }).policy.warn.level, 'privileged');
  const bad = p({ 'pod-security.kubernetes.io/enforce': 'strict', 'pod-security.kubernetes.io/warn': 'loud', 'pod-security.kubernetes.io/audit-version': '1.2' });
  assert.deepEqual([bad.policy.enforce.level, bad.policy.warn.level], ['restricted', 'privileged']);
  assert.deepEqual(bad.errors.map((e) => e.toString()), [
    'metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted',
    'metadata.labels[pod-security.kubernetes.io/audit-version]: Invalid value: "1.2": must be "latest" or "v1.x"',
    'metadata.labels[pod-security.kubernetes.io/warn]: Invalid value: "loud": must be one of privileged, baseline, restricted',
  ]);
});
