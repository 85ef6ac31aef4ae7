import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeHash } from '../shared/hash.js';
import type { Deployment, ReplicaSet } from '../shared/types.js';
import { equalIgnoreHash, getProportion, maxSurge, maxUnavailable, resolveFenceposts, setNewReplicaSetAnnotations } from './util.js';

const d = (replicas: number, maxSurge: number | string, maxUnavailable: number | string): Deployment => ({
  metadata: { name: 'web' },
  spec: { replicas, selector: {}, template: {}, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable } } },
});

test('maxSurge rounds percentages up and maxUnavailable rounds them down; both 0 means 1 unavailable', () => {
  assert.deepEqual(resolveFenceposts('25%', '25%', 3), [1, 0]);
  assert.deepEqual(resolveFenceposts('25%', '25%', 10), [3, 2]);
  assert.deepEqual(resolveFenceposts(1, 0, 3), [1, 0]);
  assert.deepEqual(resolveFenceposts('0%', '0%', 3), [0, 1]);
  assert.deepEqual(resolveFenceposts(0, 0, 5), [0, 1]);
  assert.equal(maxUnavailable(d(2, 0, 5)), 2, 'never more than replicas');
  assert.equal(maxUnavailable(d(0, 1, 1)), 0);
  assert.equal(maxSurge(d(4, '50%', 0)), 2);
  assert.equal(maxSurge({ metadata: {}, spec: { selector: {}, template: {}, replicas: 3, strategy: { type: 'Recreate' } } }), 0);
  assert.throws(() => resolveFenceposts('5', 0, 3), /not a percentage/);
});

test('pod-template-hash has the upstream format and changes with the template and the collision count', () => {
  const t = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'app:v1' }] } };
  const h = computeHash(t);
  assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  assert.equal(computeHash(structuredClone(t)), h, 'stable');
  assert.equal(computeHash({ spec: t.spec, metadata: t.metadata }), h, 'key order does not matter');
  assert.notEqual(computeHash({ ...t, spec: { containers: [{ name: 'c', image: 'app:v2' }] } }), h);
  assert.notEqual(computeHash(t, 1), h);
  assert.notEqual(computeHash(t, 0), h, 'a zero collisionCount is hashed, as upstream');
});

test('proportions follow the max-replicas annotation, as upstream (8 old + 5 new, 10 → 15 replicas, surge 3)', () => {
  const rs = (replicas: number): ReplicaSet => ({ metadata: { annotations: { 'deployment.kubernetes.io/max-replicas': '13' } }, spec: { replicas, selector: {} } });
  const dep = d(15, 3, 2);
  assert.equal(getProportion(rs(8), dep, 5, 0), 3);
  assert.equal(getProportion(rs(5), dep, 5, 3), 2);
  assert.equal(getProportion(rs(5), dep, 5, 5), 0, 'nothing left to add');
  assert.equal(getProportion(rs(8), d(0, 3, 2), -13, 0), -8, 'scaling to zero takes everything');
});

test('re-using a ReplicaSet for a rollback gives it the new revision and records the old one in revision-history', () => {
  const dep: Deployment = { metadata: { name: 'web', annotations: { 'kubernetes.io/change-cause': 'undo', 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'deployment.kubernetes.io/revision': '2' } }, spec: { replicas: 1, selector: {}, template: {} } };
  const rs: ReplicaSet = { metadata: { annotations: { 'deployment.kubernetes.io/revision': '1' } } };
  assert.equal(setNewReplicaSetAnnotations(dep, rs, '3', true), true);
  assert.deepEqual(rs.metadata!.annotations, {
    'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/revision-history': '1', 'kubernetes.io/change-cause': 'undo',
  });
  assert.equal(setNewReplicaSetAnnotations(dep, rs, '3', true), false, 'idempotent');
});

test('templates compare equal ignoring the pod-template-hash label and null timestamps, as kubectl rollout undo sends them', () => {
  const rsTemplate = { metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' }, creationTimestamp: null }, spec: { containers: [{ name: 'c', image: 'v1' }] } } as any;
  const undone = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'v1' }] } };
  assert.equal(equalIgnoreHash(rsTemplate, undone), true);
  assert.equal(equalIgnoreHash(undone, rsTemplate), true);
  assert.equal(equalIgnoreHash(undone, { ...undone, spec: { containers: [{ name: 'c', image: 'v2' }] } }), false);
});
