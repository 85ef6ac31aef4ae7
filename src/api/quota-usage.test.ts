// ResourceQuota usage: which pods count, how their requests and limits add up, and how usage is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from './object.js';
import { formatUsage, podUsage, quotaSelectsPod } from './quota-usage.js';

const pod = (name: string, spec: any, status: any = { phase: 'Running' }, meta: any = {}): KubeObject => ({ metadata: { name, namespace: 'default', ...meta }, spec, status });
const c = (requests: any, limits: any = {}) => ({ name: 'c', image: 'x', resources: { requests, limits } });

test('running and pending pods count with their requests and limits (init containers by their maximum); finished pods do not', () => {
  const quota: KubeObject = { metadata: { name: 'q' }, spec: { hard: { pods: '10', 'requests.cpu': '4', cpu: '4', 'limits.memory': '2Gi', 'requests.memory': '1Gi' } } };
  const pods = [
    pod('a', { containers: [c({ cpu: '250m', memory: '64Mi' }, { memory: '128Mi' }), c({ cpu: '250m' })] }),
    pod('b', { containers: [c({ cpu: '100m' })], initContainers: [c({ cpu: '1' })] }, { phase: 'Pending' }),
    pod('done', { containers: [c({ cpu: '3' })] }, { phase: 'Succeeded' }),
    pod('gone', { containers: [c({ cpu: '3' })] }, { phase: 'Running' }, { deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 30 }),
  ];
  const used = podUsage(quota, pods, Date.parse('2026-01-01T00:01:00Z'));
  const hard = quota.spec.hard;
  assert.deepEqual(Object.fromEntries([...used].map(([k, v]) => [k, formatUsage(v, hard[k])])),
    { pods: '2', 'requests.cpu': '1500m', cpu: '1500m', 'limits.memory': '128Mi', 'requests.memory': '64Mi' });
});

test('scopes select pods: Terminating, BestEffort, and PriorityClass through scopeSelector', () => {
  const be = pod('be', { containers: [c({})] });
  const burst = pod('burst', { containers: [c({ cpu: '1' })], activeDeadlineSeconds: 10, priorityClassName: 'high' });
  const q = (spec: any): KubeObject => ({ metadata: { name: 'q' }, spec });
  assert.deepEqual([be, burst].map((p) => quotaSelectsPod(q({ scopes: ['BestEffort'] }), p)), [true, false]);
  assert.deepEqual([be, burst].map((p) => quotaSelectsPod(q({ scopes: ['Terminating', 'NotBestEffort'] }), p)), [false, true]);
  const byClass = q({ scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }] } });
  assert.deepEqual([be, burst].map((p) => quotaSelectsPod(byClass, p)), [false, true]);
});
