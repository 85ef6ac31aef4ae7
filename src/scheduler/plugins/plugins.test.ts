// The filters and scores on hand-built NodeInfos: the rules a pod author relies on (selectors, affinity
// operators, tolerations, resource fit with assumed pods) and upstream's arithmetic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SchedulerCache } from '../framework/cache.js';
import { fitErrorMessage } from '../framework/fit-error.js';
import { Framework, numFeasibleNodesToFind } from '../framework/framework.js';
import { PodInfo } from '../framework/pod-info.js';
import { Status } from '../framework/status.js';
import { CycleState } from '../framework/types.js';
import { milliValue, value } from '../../api/quantity.js';
import { makeNode, makePod } from '../testing.js';
import { defaultProfile, inTreeRegistry } from './registry.js';
import { newNodeAffinity } from './node-affinity/node-affinity.js';
import { newNodeResourcesFit } from './node-resources-fit/node-resources-fit.js';
import { newTaintToleration } from './taint-toleration/taint-toleration.js';

let uid = 0;
const pod = (...a: Parameters<typeof makePod>) => { const p = makePod(...a); (p.metadata as { uid?: string }).uid = `uid-${++uid}`; return new PodInfo(p); };

test('quantities parse as upstream rounds them', () => {
  assert.equal(milliValue('100m'), 100);
  assert.equal(milliValue('1.5'), 1500);
  assert.equal(milliValue('0.1'), 100);
  assert.equal(milliValue('1u'), 1); // rounded up to a whole millicore
  assert.equal(value('128Mi'), 128 * 1024 * 1024);
  assert.equal(value('1G'), 1e9);
  assert.equal(value('2e3'), 2000);
  assert.equal(value('bogus'), 0);
});

test('pod requests: containers sum, init containers take the max, sidecars add up, overhead is added', () => {
  const p = makePod('p');
  p.spec!.containers = [
    { name: 'a', image: 'x', resources: { requests: { cpu: '100m', memory: '100Mi' } } },
    { name: 'b', image: 'x', resources: { requests: { cpu: '200m' } } },
  ];
  p.spec!.initContainers = [
    { name: 'init', image: 'x', resources: { requests: { cpu: '1', memory: '50Mi' } } },
    { name: 'sidecar', image: 'x', restartPolicy: 'Always', resources: { requests: { cpu: '50m' } } },
  ];
  p.spec!.overhead = { cpu: '10m' };
  const info = new PodInfo(p);
  assert.equal(info.requests.milliCPU, 1010); // max(100+200+50, 1000) + 10
  assert.equal(info.requests.memory, 100 * 1024 * 1024);
  assert.equal(info.nonZeroMilliCPU, 1000); // no overhead in non-zero; the sidecar counts
});

test('NodeResourcesFit reports every missing resource, counting assumed pods', () => {
  const cache = new SchedulerCache();
  const ni = cache.addNode(makeNode('n', { cpu: '1', memory: '1Gi', pods: '2' }));
  const fit = newNodeResourcesFit();
  const state = new CycleState();
  assert.equal(fit.filter(state, pod('a', { cpu: '600m' }), ni), null);
  cache.assumePod(pod('a', { cpu: '600m', memory: '900Mi' }), 'n');
  assert.deepEqual(fit.filter(state, pod('b', { cpu: '600m', memory: '200Mi' }), ni)?.reasons, ['Insufficient cpu', 'Insufficient memory']);
  cache.assumePod(pod('c'), 'n');
  assert.deepEqual(fit.filter(state, pod('d'), ni)?.reasons, ['Too many pods']);
});

test('NodeResourcesFit and its score follow pods leaving a node and the node growing', () => {
  const cache = new SchedulerCache();
  const ni = cache.addNode(makeNode('n', { cpu: '1', memory: '1Gi', pods: '10' }));
  const fit = newNodeResourcesFit();
  const state = new CycleState();
  const big = pod('a', { cpu: '800m', memory: '512Mi' });
  const small = pod('b', { cpu: '300m', memory: '100Mi' });
  const emptyScore = fit.score(state, small, ni);
  cache.assumePod(big, 'n');
  assert.deepEqual(fit.filter(state, small, ni)?.reasons, ['Insufficient cpu']);
  assert.ok(fit.score(state, small, ni) < emptyScore, 'a fuller node scores lower');
  cache.forgetPod(big);
  assert.equal(fit.filter(state, small, ni), null, 'the room a forgotten pod took is free again');
  assert.equal(fit.score(state, small, ni), emptyScore);
  cache.assumePod(pod('c', { cpu: '800m' }), 'n');
  assert.deepEqual(fit.filter(state, small, ni)?.reasons, ['Insufficient cpu']);
  cache.updateNode(makeNode('n', { cpu: '2', memory: '1Gi', pods: '10' }));
  assert.equal(fit.filter(state, small, ni), null, 'a node whose allocatable grew takes the pod');
});

test('NodeAffinity: nodeSelector and the In/NotIn/Exists/DoesNotExist/Gt/Lt operators and matchFields', () => {
  const cache = new SchedulerCache();
  const ni = cache.addNode(makeNode('node-a', { labels: { zone: 'z1', cores: '16' } }));
  const fits = (spec: Parameters<typeof makePod>[1]) => {
    const pl = newNodeAffinity();
    const state = new CycleState();
    const p = pod('p', spec);
    const pre = pl.preFilter(state, p);
    return pre?.code === 'Skip' || pl.filter(state, p, ni) === null;
  };
  const req = (...matchExpressions: any[]) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions }] } } });
  assert.equal(fits({}), true);
  assert.equal(fits({ nodeSelector: { zone: 'z1' } }), true);
  assert.equal(fits({ nodeSelector: { zone: 'z2' } }), false);
  assert.equal(fits({ affinity: req({ key: 'zone', operator: 'In', values: ['z1', 'z3'] }) }), true);
  assert.equal(fits({ affinity: req({ key: 'zone', operator: 'NotIn', values: ['z1'] }) }), false);
  assert.equal(fits({ affinity: req({ key: 'gpu', operator: 'NotIn', values: ['x'] }) }), true);
  assert.equal(fits({ affinity: req({ key: 'zone', operator: 'Exists' }) }), true);
  assert.equal(fits({ affinity: req({ key: 'zone', operator: 'DoesNotExist' }) }), false);
  assert.equal(fits({ affinity: req({ key: 'cores', operator: 'Gt', values: ['8'] }) }), true);
  assert.equal(fits({ affinity: req({ key: 'cores', operator: 'Lt', values: ['8'] }) }), false);
  assert.equal(fits({ affinity: req({ key: 'zone', operator: 'Gt', values: ['1'] }) }), false); // not an integer
  const byName = (op: string) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: op, values: ['node-a'] }] }] } } });
  assert.equal(fits({ affinity: byName('In') }), true);
  assert.equal(fits({ affinity: byName('NotIn') }), false);
  // Terms are ORed; an empty term matches nothing.
  assert.equal(fits({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{}, { matchExpressions: [{ key: 'zone', operator: 'Exists' }] }] } } } }), true);
  assert.equal(fits({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{}] } } } }), false);
});

test('TaintToleration: Equal needs the value, Exists any value, an empty key with Exists tolerates everything', () => {
  const cache = new SchedulerCache();
  const ni = cache.addNode(makeNode('n', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }, { key: 'soft', effect: 'PreferNoSchedule' }] }));
  const tt = newTaintToleration();
  const state = new CycleState();
  const check = (tolerations: any[] | undefined) => tt.filter(state, pod('p', { tolerations }), ni);
  assert.deepEqual(check(undefined)?.reasons, ['node(s) had untolerated taint {dedicated: db}']);
  assert.equal(check([{ key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' }])?.code, 'UnschedulableAndUnresolvable');
  assert.equal(check([{ key: 'dedicated', operator: 'Equal', value: 'db' }]), null);
  assert.equal(check([{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }]), null);
  assert.equal(check([{ operator: 'Exists' }]), null);
  assert.equal(check([{ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }])?.code, 'UnschedulableAndUnresolvable');
});

test('the FitError message counts reasons per node and sorts them as strings', () => {
  const taint = Status.unresolvable('node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }');
  const cpu = Status.unschedulable('Insufficient cpu');
  const both = Status.unschedulable('Insufficient cpu', 'Insufficient memory');
  const msg = fitErrorMessage({ numAllNodes: 4, nodeToStatus: new Map([['a', taint], ['b', cpu], ['c', cpu], ['d', both]]) });
  assert.equal(msg, '0/4 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 Insufficient cpu.');
});

test('large clusters search upstream\'s share of nodes, and every node gets its turn', () => {
  assert.equal(numFeasibleNodesToFind(50), 50);
  assert.equal(numFeasibleNodesToFind(150), 100);
  assert.equal(numFeasibleNodesToFind(1000), 420);
  assert.equal(numFeasibleNodesToFind(5000), 500);
  assert.equal(numFeasibleNodesToFind(100_000), 5000);
  const cache = new SchedulerCache();
  for (let i = 0; i < 1000; i++) cache.addNode(makeNode(`n-${i}`));
  const fwk = new Framework(defaultProfile(), inTreeRegistry(), { client: null as never, nodeInfos: cache, schedulerName: 'default-scheduler' });
  const r1 = fwk.schedulePod(new CycleState(), pod('a'));
  const r2 = fwk.schedulePod(new CycleState(), pod('b'));
  assert.equal(r1.evaluatedNodes, 420);
  assert.equal(r2.evaluatedNodes, 420);
  const idx = (n: string) => Number(n.slice(2));
  assert.ok(idx(r1.nodeName) < 420 && idx(r2.nodeName) >= 420 && idx(r2.nodeName) < 840, `${r1.nodeName} then ${r2.nodeName}`);
});

test('LeastAllocated prefers the emptier node', () => {
  const cache = new SchedulerCache();
  cache.addNode(makeNode('busy', { cpu: '4', memory: '8Gi' }));
  cache.addNode(makeNode('idle', { cpu: '4', memory: '8Gi' }));
  cache.assumePod(pod('x', { cpu: '3', memory: '6Gi' }), 'busy');
  const fwk = new Framework(defaultProfile(), inTreeRegistry(), { client: null as never, nodeInfos: cache, schedulerName: 'default-scheduler' });
  for (let i = 0; i < 5; i++) assert.equal(fwk.schedulePod(new CycleState(), pod(`p${i}`, { cpu: '100m', memory: '100Mi' })).nodeName, 'idle');
});
