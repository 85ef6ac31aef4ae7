// DefaultPreemption against the fake API: which pods are preempted for a higher-priority pod, and when none are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeNode, makePod, startFakeCluster, until } from '../../testing.js';
import { PodInfo } from '../../framework/pod-info.js';
import { pickCandidate, selectVictimsOnNode, splitByBudgetViolation } from './default-preemption.js';
import { SchedulerCache } from '../../framework/cache.js';
import { Framework } from '../../framework/framework.js';
import { FitError } from '../../framework/fit-error.js';
import { Nominator } from '../../framework/nominator.js';
import { CycleState } from '../../framework/types.js';
import { defaultProfile, inTreeRegistry } from '../registry.js';

const bound = (p: ReturnType<typeof makePod>, node: string) => ({ ...p, spec: { ...p.spec!, nodeName: node }, status: { phase: 'Running', startTime: '2026-01-01T00:00:00Z' } });

test('a high-priority pod that fits nowhere preempts the lower-priority pod, is nominated to its node and lands there', async (t) => {
  const c = await startFakeCluster(t);
  c.addNode(makeNode('node-1', { cpu: '4' }));
  c.addPod(bound(makePod('low', { cpu: '3', priority: 0 }), 'node-1'));
  c.addPod(bound(makePod('mid', { cpu: '500m', priority: 500 }), 'node-1'));
  await until(() => c.scheduler.cache.nodeCount === 1, 'the scheduler knows the node');
  c.addPod(makePod('high', { cpu: '3', priority: 1000 }));
  await until(() => c.pod('low') === undefined, 'the lower-priority pod is deleted');
  assert.ok(c.pod('mid'), 'a pod whose removal is not needed stays');
  await until(() => c.pod('high')?.spec?.nodeName === 'node-1', 'the preemptor is bound where room was made');
  assert.equal(c.pod('high')!.status!.nominatedNodeName, 'node-1');
  await c.scheduler.stop();
  const ev = await c.events('low');
  assert.ok(ev.some((e) => e.reason === 'Preempted' && /^Preempted by pod \S+ on node node-1$/.test(e.message)), JSON.stringify(ev));
});

test('preemptionPolicy Never and pods of equal priority preempt nothing, and say why', async (t) => {
  const c = await startFakeCluster(t);
  c.addNode(makeNode('node-1', { cpu: '4' }));
  c.addPod(bound(makePod('low', { cpu: '3', priority: 0 }), 'node-1'));
  await until(() => c.scheduler.cache.nodeCount === 1, 'the scheduler knows the node');
  const never = makePod('never', { cpu: '3', priority: 1000 });
  never.spec!.preemptionPolicy = 'Never';
  c.addPod(never);
  c.addPod(makePod('same', { cpu: '3', priority: 0 }));
  const msg = (n: string) => c.pod(n)?.status?.conditions?.find((x) => x.type === 'PodScheduled')?.message;
  await until(() => msg('never') !== undefined && msg('same') !== undefined, 'both failures are reported');
  assert.equal(msg('never'), '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never..');
  assert.equal(msg('same'), '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod..');
  assert.ok(c.pod('low'));
});

test('victims a PodDisruptionBudget protects count as violations; the node with fewer violations, then lower victims, wins', () => {
  const pi = (name: string, priority: number, labels: Record<string, string> = {}) => {
    const p = makePod(name, { priority });
    p.metadata!.labels = labels;
    return new PodInfo(p);
  };
  const pdb = { metadata: { name: 'b', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'db' } } }, status: { disruptionsAllowed: 1 } };
  const pods = [pi('db-0', 5, { app: 'db' }), pi('db-1', 5, { app: 'db' }), pi('web', 5, { app: 'web' })];
  const split = splitByBudgetViolation(pods, [pdb]);
  assert.deepEqual(split.violating.map((p) => p.name), ['db-1']);
  assert.deepEqual(split.nonViolating.map((p) => p.name), ['db-0', 'web']);
  const picked = pickCandidate([
    { node: 'a', victims: [pi('x', 1)], numPDBViolations: 1 },
    { node: 'b', victims: [pi('y', 10), pi('z', 1)], numPDBViolations: 0 },
    { node: 'c', victims: [pi('w', 5)], numPDBViolations: 0 },
  ]);
  assert.equal(picked?.node, 'c');
});

test('a pod nominated to a node keeps its room from pods of lower or equal priority, not from higher ones', () => {
  const cache = new SchedulerCache();
  cache.addNode(makeNode('node-1', { cpu: '4' }));
  const nominator = new Nominator();
  const fwk = new Framework(defaultProfile(), inTreeRegistry(), { client: null as never, nodeInfos: cache, schedulerName: 'default-scheduler', nominator });
  const info = (name: string, cpu: string, priority: number) => { const p = makePod(name, { cpu, priority }); (p.metadata as { uid?: string }).uid = name; return new PodInfo(p); };
  nominator.set(info('preemptor', '3', 1000), 'node-1');
  assert.throws(() => fwk.schedulePod(new CycleState(), info('sneaky', '3', 0)), FitError);
  assert.equal(fwk.schedulePod(new CycleState(), info('small', '1', 0)).nodeName, 'node-1', 'what the nominated pod leaves is free');
  assert.equal(fwk.schedulePod(new CycleState(), info('vip', '3', 2000)).nodeName, 'node-1');
  assert.equal(fwk.schedulePod(new CycleState(), info('preemptor', '3', 1000)).nodeName, 'node-1', 'its own nomination does not block it');
});

test('victims are the fewest lower-priority pods, most important reprieved first', () => {
  const cache = new SchedulerCache();
  const ni = cache.addNode(makeNode('node-1', { cpu: '5' }));
  const fwk = new Framework(defaultProfile(), inTreeRegistry(), { client: null as never, nodeInfos: cache, schedulerName: 'default-scheduler' });
  const running = (name: string, cpu: string, priority: number) => { const p = bound(makePod(name, { cpu, priority }), 'node-1'); (p.metadata as { uid?: string }).uid = name; return p; };
  for (const p of [running('a', '1', 10), running('b', '1', 20), running('c', '2', 5), running('keep', '500m', 5000)]) cache.addPod(p as any);
  const pre = makePod('pre', { cpu: '2', priority: 100 }); (pre.metadata as { uid?: string }).uid = "pre";
  const r = selectVictimsOnNode(fwk.handle, new CycleState(), new PodInfo(pre), ni, []);
  assert.deepEqual(r.candidate?.victims.map((v) => v.name), ['c'], 'the 2-cpu pod alone makes room; a and b are reprieved');
});
