// The autoscaler's arithmetic as upstream's replica_calculator_test and horizontal_test describe it.
import assert from 'node:assert/strict';
import test from 'node:test';
import { resourceReplicas, MetricError, type PodSample } from './replica-calculator.js';
import { ScalingHistory } from './normalize.js';
import type { Pod } from '../shared/types.js';

const now = Date.parse('2026-01-01T01:00:00Z');
const longAgo = '2026-01-01T00:00:00Z';
const pod = (name: string, cpu = '1', opts: { ready?: boolean; phase?: string; deleting?: boolean } = {}): Pod => ({
  metadata: { name, namespace: 'd', ...(opts.deleting ? { deletionTimestamp: longAgo } : {}) },
  spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu } } }] },
  status: { phase: opts.phase ?? 'Running', startTime: longAgo, conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True', lastTransitionTime: longAgo }] },
} as Pod);
const samples = (m: Record<string, number>) => new Map<string, PodSample>(Object.entries(m).map(([k, v]) => [k, { value: v, timestampMs: now, windowMs: 15_000 }]));
const cpu50 = { resource: 'cpu', utilization: 50 };

test('utilization: ceil(ratio × ready pods), nothing within the 10% tolerance', () => {
  assert.equal(resourceReplicas(3, cpu50, [pod('a'), pod('b'), pod('c')], samples({ a: 0.8, b: 0.8, c: 0.8 }), now).replicas, 5);
  const r = resourceReplicas(3, cpu50, [pod('a'), pod('b'), pod('c')], samples({ a: 0.54, b: 0.52, c: 0.53 }), now);
  assert.equal(r.replicas, 3);
  assert.equal(r.utilization, 53);
  assert.equal(resourceReplicas(4, cpu50, [pod('a'), pod('b'), pod('c'), pod('d')], samples({ a: 0.1, b: 0.1, c: 0.1, d: 0.1 }), now).replicas, 1);
});

test('missing pods count as 100% of the target when scaling down and 0 when scaling up; deleting and failed pods are ignored', () => {
  // Down: a, b at 10%; c missing at 50% → ratio (0.1+0.1+0.5)/1.5 → 3 × 0.467 = 1.4 → 2.
  assert.equal(resourceReplicas(3, cpu50, [pod('a'), pod('b'), pod('c')], samples({ a: 0.1, b: 0.1 }), now).replicas, 2);
  // Up: a, b at 100%; c missing at 0 → ratio (1+1+0)/3/0.5 = 1.33 → 4.
  assert.equal(resourceReplicas(3, cpu50, [pod('a'), pod('b'), pod('c')], samples({ a: 1, b: 1 }), now).replicas, 4);
  assert.equal(resourceReplicas(2, cpu50, [pod('a'), pod('b', '1', { deleting: true }), pod('c', '1', { phase: 'Failed' })], samples({ a: 1, b: 0, c: 0 }), now).replicas, 2);
});

test('unready CPU pods do not push a scale-up and a missing request is an error naming the container', () => {
  const r = resourceReplicas(2, cpu50, [pod('a'), pod('b', '1', { ready: false })], samples({ a: 0.6, b: 2 }), now);
  assert.equal(r.replicas, 2, 'a (60% vs 50%) rebalanced with b at 0: ratio 0.6 → within the direction flip, keeps 2');
  assert.throws(() => resourceReplicas(1, cpu50, [{ ...pod('a'), spec: { containers: [{ name: 'c', image: 'x' }] } } as Pod], samples({ a: 1 }), now),
    (e: unknown) => e instanceof MetricError && /missing request for cpu in container c of Pod a/.test((e as Error).message));
});

test('without behavior: scale-down waits for the highest recommendation in the window; scale-up at most max(2×current, 4)', () => {
  const h = new ScalingHistory();
  assert.equal(h.normalize('k', now, 2, 10, 1, 20, 300_000).replicas, 4);
  assert.equal(h.normalize('k', now, 2, 10, 1, 20, 300_000).limited.reason, 'ScaleUpLimit');
  const down = h.normalize('k', now + 1000, 10, 3, 1, 20, 300_000);
  assert.equal(down.replicas, 10, 'recent recommendations of 10 hold it');
  assert.equal(down.stabilized.reason, 'ScaleDownStabilized');
  assert.equal(h.normalize('k', now + 400_000, 10, 3, 1, 20, 300_000).replicas, 3);
});

test('with behavior: Pods and Percent policies per period, selectPolicy Max, and Disabled', () => {
  const h = new ScalingHistory();
  const behavior = { scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max' as const, policies: [{ type: 'Pods' as const, value: 4, periodSeconds: 15 }, { type: 'Percent' as const, value: 100, periodSeconds: 15 }] },
    scaleDown: { stabilizationWindowSeconds: 0, selectPolicy: 'Max' as const, policies: [{ type: 'Pods' as const, value: 1, periodSeconds: 60 }] } };
  assert.equal(h.normalizeWithBehavior('k', now, 10, 40, 1, 100, behavior).replicas, 20, '100% of 10 beats 4 pods');
  h.scaled('k', 10, 20, now);
  assert.equal(h.normalizeWithBehavior('k', now + 1000, 20, 40, 1, 100, behavior).replicas, 20, 'the period already used its 100%');
  assert.equal(h.normalizeWithBehavior('k', now + 20_000, 20, 40, 1, 100, behavior).replicas, 40);
  assert.equal(h.normalizeWithBehavior('d', now, 10, 2, 1, 100, behavior).replicas, 9, 'one pod per minute down');
  const off = { ...behavior, scaleDown: { ...behavior.scaleDown, selectPolicy: 'Disabled' as const } };
  assert.equal(h.normalizeWithBehavior('e', now, 10, 2, 1, 100, off).replicas, 10);
});
