// NodeInfos sharing one array of fit numbers (a scheduler cache's) answer the resource filter exactly as a NodeInfo
// with its own: through the array's growth, and after a node leaves and its place is taken by another.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeNode, makePod } from '../testing.js';
import { CycleState } from './types.js';
import { FitSlots, NodeInfo } from './node-info.js';
import { PodInfo } from './pod-info.js';
import { newNodeResourcesFit } from '../plugins/node-resources-fit/node-resources-fit.js';

let uid = 0;
const pod = (cpu: string) => { const p = makePod(`p${++uid}`, { cpu, memory: '64Mi' }); (p.metadata as { uid?: string }).uid = `u${uid}`; return new PodInfo(p); };

test('nodes sharing fit slots answer as nodes with their own, across growth and a freed slot taken again', () => {
  const fit = newNodeResourcesFit();
  const state = new CycleState();
  const slots = new FitSlots(2);
  const pairs: [NodeInfo, NodeInfo][] = [];
  const add = (name: string, cpu: string) => {
    const pair: [NodeInfo, NodeInfo] = [new NodeInfo(name, slots), new NodeInfo(name)];
    for (const ni of pair) ni.setNode(makeNode(name, { cpu, memory: '1Gi', pods: '3' }));
    pairs.push(pair);
    return pair;
  };
  const place = (pair: [NodeInfo, NodeInfo], p: PodInfo) => { for (const ni of pair) ni.addPod(p); };
  const same = (why: string) => {
    for (const probe of [pod('100m'), pod('900m'), pod('1500m')]) {
      for (const [shared, own] of pairs) {
        assert.deepEqual(fit.filter(state, probe, shared)?.reasons, fit.filter(state, probe, own)?.reasons, `${why}: ${shared.name}`);
        assert.equal(fit.score(state, probe, shared), fit.score(state, probe, own), `${why}: ${shared.name} score`);
      }
    }
  };
  const a = add('a', '1'); add('b', '2');
  place(a, pod('600m'));
  same('two nodes');
  const c = add('c', '4'); add('d', '1'); // the array grows
  place(c, pod('3'));
  place(a, pod('100m'));
  same('after growth');
  const [gone] = pairs.splice(1, 1)[0];
  slots.release(gone);
  assert.equal(fit.filter(state, pod('1500m'), gone), null, 'a released node keeps its own numbers');
  const e = add('e', '1'); // takes the freed slot
  place(e, pod('500m'));
  same('freed slot taken again');
  place(e, pod('100m')); place(e, pod('100m'));
  assert.deepEqual(fit.filter(state, pod('100m'), e[0])?.reasons, ['Too many pods']);
});
