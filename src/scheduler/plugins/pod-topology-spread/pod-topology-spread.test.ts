// Explicit topologySpreadConstraints on hand-built NodeInfos: where pods land when a user asks for zone spread,
// which nodes DoNotSchedule rejects and with what words, and that ScheduleAnyway only prefers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import { SchedulerCache } from '../../framework/cache.js';
import { FitError, fitErrorMessage } from '../../framework/fit-error.js';
import { Framework } from '../../framework/framework.js';
import { PodInfo } from '../../framework/pod-info.js';
import { CycleState } from '../../framework/types.js';
import { makeNode, makePod, type PodSpecOpts } from '../../testing.js';
import { defaultProfile, inTreeRegistry } from '../registry.js';

let uid = 0;
const ZONE = 'topology.kubernetes.io/zone';
const spread = (c: Partial<TopologySpreadConstraint> = {}): TopologySpreadConstraint => ({
  maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } }, ...c,
});
const pod = (name: string, constraints: TopologySpreadConstraint[], o: PodSpecOpts & { labels?: Record<string, string> } = {}) => {
  const p = makePod(name, o);
  (p.metadata as { uid?: string }).uid = `uid-${++uid}`;
  if (o.labels) p.metadata!.labels = o.labels;
  if (constraints.length) p.spec!.topologySpreadConstraints = constraints;
  return new PodInfo(p);
};
const framework = (cache: SchedulerCache) =>
  new Framework(defaultProfile(), inTreeRegistry(), { client: null as never, nodeInfos: cache, schedulerName: 'default-scheduler' });
/** Schedules and assumes, as the scheduler does, so pods placed back-to-back count each other. */
const place = (cache: SchedulerCache, fwk: Framework, p: PodInfo): string => {
  const { nodeName } = fwk.schedulePod(new CycleState(), p);
  cache.assumePod(p, nodeName);
  return nodeName;
};
/** The FitError message (without the preemption part, which the scheduler adds after PostFilter). */
const fitError = (fwk: Framework, p: PodInfo): string => {
  try { fwk.schedulePod(new CycleState(), p); } catch (e) { if (e instanceof FitError) return fitErrorMessage(e.diagnosis); throw e; }
  assert.fail('the pod was scheduled');
};

test('zone spread with maxSkew 1 over 3 zones places 6 pods 2/2/2, even when one zone has more room', () => {
  const cache = new SchedulerCache();
  // zone a has 3 large nodes, so resource scoring alone would pack it.
  for (const n of ['a1', 'a2', 'a3']) cache.addNode(makeNode(n, { cpu: '64', memory: '256Gi', labels: { [ZONE]: 'a' } }));
  cache.addNode(makeNode('b1', { cpu: '2', labels: { [ZONE]: 'b' } }));
  cache.addNode(makeNode('c1', { cpu: '2', labels: { [ZONE]: 'c' } }));
  const fwk = framework(cache);
  const perZone = new Map<string, number>();
  for (let i = 0; i < 6; i++) {
    const node = place(cache, fwk, pod(`web-${i}`, [spread()], { cpu: '100m' }));
    const zone = cache.get(node)!.labels[ZONE];
    perZone.set(zone, (perZone.get(zone) ?? 0) + 1);
  }
  assert.deepEqual([...perZone].sort(), [['a', 2], ['b', 2], ['c', 2]]);
});

test('DoNotSchedule rejects the zone full of matching pods; other namespaces, other labels and terminating pods do not count', () => {
  const cache = new SchedulerCache();
  cache.addNode(makeNode('a1', { labels: { [ZONE]: 'a' } }));
  cache.addNode(makeNode('b1', { labels: { [ZONE]: 'b' } }));
  cache.assumePod(pod('old-1', []), 'a1');
  cache.assumePod(pod('other-ns', [], { namespace: 'prod' }), 'b1');
  cache.assumePod(pod('other-app', [], { labels: { app: 'db' } }), 'b1');
  const dying = pod('dying', []);
  (dying.pod.metadata as { deletionTimestamp?: string }).deletionTimestamp = '2025-01-01T00:00:00Z';
  cache.assumePod(dying, 'b1');
  const fwk = framework(cache);
  for (let i = 0; i < 5; i++) assert.equal(fwk.schedulePod(new CycleState(), pod(`web-${i}`, [spread()])).nodeName, 'b1');
  // Once zone b holds more matching pods than zone a, zone a is the only one within maxSkew.
  cache.assumePod(pod('old-2', []), 'b1');
  cache.assumePod(pod('old-3', []), 'b1');
  assert.equal(fwk.schedulePod(new CycleState(), pod('web-x', [spread()])).nodeName, 'a1');
});

test('minDomains above the number of zones makes the global minimum 0, so no node fits', () => {
  const cache = new SchedulerCache();
  for (const z of ['a', 'b', 'c']) cache.addNode(makeNode(`${z}1`, { labels: { [ZONE]: z } }));
  for (const z of ['a', 'b', 'c']) cache.assumePod(pod(`old-${z}`, []), `${z}1`);
  const fwk = framework(cache);
  assert.equal(fitError(fwk, pod('p', [spread({ minDomains: 4 })])),
    "0/3 nodes are available: 3 node(s) didn't match pod topology spread constraints.");
  // With minDomains met, the same pod fits.
  assert.notEqual(fwk.schedulePod(new CycleState(), pod('q', [spread({ minDomains: 3 })])).nodeName, undefined);
});

test('nodeAffinityPolicy: Honor leaves zones the pod cannot reach out of the count, Ignore counts them', () => {
  const cache = new SchedulerCache();
  cache.addNode(makeNode('a1', { labels: { [ZONE]: 'a' } }));
  cache.addNode(makeNode('b1', { labels: { [ZONE]: 'b' } }));
  cache.addNode(makeNode('c1', { labels: { [ZONE]: 'c', pool: 'other' } }));
  cache.assumePod(pod('old-a', []), 'a1');
  cache.assumePod(pod('old-b', []), 'b1');
  const fwk = framework(cache);
  const notOther = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'pool', operator: 'DoesNotExist' }] }] } } };
  assert.notEqual(fwk.schedulePod(new CycleState(), pod('honor', [spread()], { affinity: notOther })).nodeName, 'c1');
  assert.match(fitError(fwk, pod('ignore', [spread({ nodeAffinityPolicy: 'Ignore' })], { affinity: notOther })),
    /^0\/3 nodes are available: 1 node\(s\) didn't match Pod's node affinity\/selector, 2 node\(s\) didn't match pod topology spread constraints\.$/);
});

test('nodeTaintsPolicy: Ignore (the default) counts a zone behind an untolerated taint, Honor does not', () => {
  const cache = new SchedulerCache();
  cache.addNode(makeNode('a1', { labels: { [ZONE]: 'a' } }));
  cache.addNode(makeNode('c1', { labels: { [ZONE]: 'c' }, taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }));
  cache.assumePod(pod('old-a', []), 'a1');
  const fwk = framework(cache);
  assert.match(fitError(fwk, pod('ignore', [spread()])), /1 node\(s\) didn't match pod topology spread constraints, 1 node\(s\) had untolerated taint \{dedicated: db\}/);
  assert.equal(fwk.schedulePod(new CycleState(), pod('honor', [spread({ nodeTaintsPolicy: 'Honor' })])).nodeName, 'a1');
});

test('nodes without the topology key are filtered with the missing-label reason', () => {
  const cache = new SchedulerCache();
  cache.addNode(makeNode('zoned', { cpu: '1', labels: { [ZONE]: 'a' } }));
  cache.addNode(makeNode('bare-1', { cpu: '64' }));
  cache.addNode(makeNode('bare-2', { cpu: '64' }));
  const fwk = framework(cache);
  for (let i = 0; i < 3; i++) assert.equal(place(cache, fwk, pod(`web-${i}`, [spread({ maxSkew: 5 })])), 'zoned');
  cache.removeNode('zoned');
  assert.equal(fitError(fwk, pod('p', [spread()])),
    "0/2 nodes are available: 2 node(s) didn't match pod topology spread constraints (missing required label).");
});

test('matchLabelKeys narrows the count to pods sharing the incoming pod\'s values', () => {
  const cache = new SchedulerCache();
  cache.addNode(makeNode('a1', { labels: { [ZONE]: 'a' } }));
  cache.addNode(makeNode('b1', { labels: { [ZONE]: 'b' } }));
  // Two pods of an older revision in zone b: they do not count for revision 2.
  for (const n of ['old-1', 'old-2']) cache.assumePod(pod(n, [], { labels: { app: 'web', rev: '1' } }), 'b1');
  cache.assumePod(pod('new-1', [], { labels: { app: 'web', rev: '2' } }), 'a1');
  const fwk = framework(cache);
  const c = spread({ matchLabelKeys: ['rev'] });
  assert.equal(fwk.schedulePod(new CycleState(), pod('new-2', [c], { labels: { app: 'web', rev: '2' } })).nodeName, 'b1');
  assert.equal(fwk.schedulePod(new CycleState(), pod('plain', [spread()], { labels: { app: 'web', rev: '2' } })).nodeName, 'a1');
});

test('ScheduleAnyway prefers the zone with fewer matching pods but still schedules when only the fuller zone fits', () => {
  const cache = new SchedulerCache();
  // The busy zone's node is far larger, so resource scores alone would choose it.
  cache.addNode(makeNode('busy', { cpu: '64', memory: '256Gi', labels: { [ZONE]: 'a' } }));
  cache.addNode(makeNode('empty', { cpu: '2', memory: '4Gi', labels: { [ZONE]: 'b' } }));
  for (let i = 0; i < 4; i++) cache.assumePod(pod(`old-${i}`, []), 'busy');
  const fwk = framework(cache);
  const soft = spread({ whenUnsatisfiable: 'ScheduleAnyway' });
  for (let i = 0; i < 5; i++) assert.equal(fwk.schedulePod(new CycleState(), pod(`web-${i}`, [soft], { cpu: '100m' })).nodeName, 'empty');
  // Only the busy zone has room for this one: the soft constraint does not stop it.
  assert.equal(fwk.schedulePod(new CycleState(), pod('large', [soft], { cpu: '8' })).nodeName, 'busy');
});

test('a pod with explicit constraints does not also get the owner-based default spreading', () => {
  const cache = new SchedulerCache();
  cache.addNode(makeNode('big', { cpu: '64', memory: '256Gi', labels: { [ZONE]: 'a' } }));
  cache.addNode(makeNode('small', { cpu: '4', memory: '8Gi', labels: { [ZONE]: 'a' } }));
  const owner = { kind: 'ReplicaSet', name: 'web-1', uid: 'rs-1' };
  for (let i = 0; i < 3; i++) cache.assumePod(pod(`old-${i}`, [], { owner }), 'big');
  const fwk = framework(cache);
  // Without constraints the owner's replicas spread onto the small node ...
  for (let i = 0; i < 3; i++) assert.equal(fwk.schedulePod(new CycleState(), pod(`d-${i}`, [], { owner })).nodeName, 'small');
  // ... with a (satisfied, single-zone) constraint only the resource scores decide.
  for (let i = 0; i < 3; i++) assert.equal(fwk.schedulePod(new CycleState(), pod(`e-${i}`, [spread({ maxSkew: 10 })], { owner })).nodeName, 'big');
});
