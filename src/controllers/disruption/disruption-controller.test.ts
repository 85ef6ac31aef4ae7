// The disruption controller against the fake API: PDB status from the matching pods and their controllers' scale.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../../client/client.js';
import { FakeApiHandler } from '../../client/testing.js';
import { InformerFactory } from '../../client/informer.js';
import { discardLog } from '../../client/log.js';
import { inProcessTransport } from '../../client/transport.js';
import { startDisruptionController, scaledValue } from './disruption-controller.js';

async function start(t: { after(fn: () => unknown): void }) {
  const api = new FakeApiHandler();
  const client = new Client(inProcessTransport(api.handler));
  const ac = new AbortController();
  const informers = new InformerFactory(client, { log: discardLog });
  const done = startDisruptionController({ client, informers, signal: ac.signal, log: discardLog });
  t.after(async () => { ac.abort(); await done; await informers.stopped(); });
  return api;
}

const owner = (kind: string, name: string, uid: string) => [{ apiVersion: 'apps/v1', kind, name, uid, controller: true }];
const readyPod = (name: string, ownerReferences?: any[], ready = true) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: { app: 'web' }, ...(ownerReferences ? { ownerReferences } : {}) },
  spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'i' }] },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});
const pdb = (name: string, spec: any) => ({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name, namespace: 'default', generation: 1 }, spec: { selector: { matchLabels: { app: 'web' } }, ...spec } });

async function statusOf(api: FakeApiHandler, name: string, want: (s: any) => boolean): Promise<any> {
  for (let i = 0; i < 500; i++) {
    const s = api.peek('policy', 'poddisruptionbudgets', 'default', name)?.status;
    if (s && want(s)) return s;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`status of ${name}: ${JSON.stringify(api.peek('policy', 'poddisruptionbudgets', 'default', name)?.status)}`);
}

test('a percentage budget counts the Deployment\'s scale through its ReplicaSet; unready pods are not healthy', async (t) => {
  const api = await start(t);
  api.put('apps', 'deployments', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default', uid: 'd1' }, spec: { replicas: 4 } } as any);
  api.put('apps', 'replicasets', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-1', namespace: 'default', uid: 'r1', ownerReferences: owner('Deployment', 'web', 'd1') }, spec: { replicas: 4 } } as any);
  for (const n of ['a', 'b', 'c']) api.put('', 'pods', readyPod(n, owner('ReplicaSet', 'web-1', 'r1')) as any);
  api.put('', 'pods', readyPod('d', owner('ReplicaSet', 'web-1', 'r1'), false) as any);
  api.put('policy', 'poddisruptionbudgets', pdb('half', { maxUnavailable: '50%' }) as any);
  const s = await statusOf(api, 'half', (x) => x.observedGeneration === 1);
  assert.deepEqual([s.expectedPods, s.desiredHealthy, s.currentHealthy, s.disruptionsAllowed], [4, 2, 3, 1]);
  assert.deepEqual(s.conditions.map((c: any) => [c.type, c.status, c.reason, c.observedGeneration]), [['DisruptionAllowed', 'True', 'SufficientPods', 1]]);
});

test('an integer minAvailable counts the matching pods; a percentage over pods with no controller fails safe', async (t) => {
  const api = await start(t);
  for (const n of ['a', 'b']) api.put('', 'pods', readyPod(n) as any);
  api.put('policy', 'poddisruptionbudgets', pdb('two', { minAvailable: 2 }) as any);
  const s = await statusOf(api, 'two', (x) => x.observedGeneration === 1);
  assert.deepEqual([s.expectedPods, s.desiredHealthy, s.currentHealthy, s.disruptionsAllowed], [2, 2, 2, 0]);
  assert.equal(s.conditions[0].reason, 'InsufficientPods');
  api.put('', 'pods', { ...readyPod('orphan'), metadata: { ...readyPod('orphan').metadata, ownerReferences: owner('ReplicaSet', 'gone', 'x') } } as any);
  api.put('policy', 'poddisruptionbudgets', pdb('pct', { minAvailable: '50%' }) as any);
  const f = await statusOf(api, 'pct', (x) => x.conditions?.length);
  assert.deepEqual([f.disruptionsAllowed, f.conditions[0].status, f.conditions[0].reason, f.conditions[0].message], [0, 'False', 'SyncFailed', 'found no controllers for pod "orphan"']);
});

test('percentages scale rounding up, as intstr.GetScaledValueFromIntOrPercent', () => {
  assert.deepEqual([scaledValue('50%', 3), scaledValue('10%', 4), scaledValue(2, 10)], [2, 1, 2]);
});
