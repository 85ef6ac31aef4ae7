import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resources } from '../../api/resources.js';
import type { KubeObject } from '../../api/object.js';
import { discardLog } from '../../client/log.js';
import { FakeCluster, waitUntil } from '../shared/testing.js';
import { startNamespaceController, type DeletableResource } from './index.js';

const all = ['delete', 'deletecollection', 'list'];
const served: DeletableResource[] = [resources.pods, resources.configmaps, resources.deployments].map((r) => ({ ...r, verbs: all }));

function start(c: FakeCluster, t: { after(fn: () => void): void }) {
  const ac = new AbortController();
  const done = startNamespaceController({ client: c.client, informers: c.informers, clock: c.clock, signal: ac.signal, log: discardLog, resources: served });
  t.after(async () => { ac.abort(); await done; });
}

test('namespace controller: deleting a namespace deletes what is in it, then the namespace itself', async (t) => {
  const c = new FakeCluster();
  c.api.put('', 'namespaces', { metadata: { name: 'team' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
  c.api.put('', 'namespaces', { metadata: { name: 'other' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
  c.api.put('', 'pods', { metadata: { namespace: 'team', name: 'p' } });
  c.api.put('', 'configmaps', { metadata: { namespace: 'team', name: 'cm' } });
  c.api.put('apps', 'deployments', { metadata: { namespace: 'team', name: 'd' } });
  c.api.put('', 'configmaps', { metadata: { namespace: 'other', name: 'cm' } });
  start(c, t);
  const marked = await c.client.delete<KubeObject>(resources.namespaces, undefined, 'team');
  assert.equal(marked.status?.phase, 'Terminating');
  await waitUntil(() => !c.api.peek('', 'namespaces', undefined, 'team'), 'namespace removed', c.clock, 1000);
  assert.equal(c.api.peek('', 'pods', 'team', 'p'), undefined);
  assert.equal(c.api.peek('', 'configmaps', 'team', 'cm'), undefined);
  assert.equal(c.api.peek('apps', 'deployments', 'team', 'd'), undefined);
  assert.ok(c.api.peek('', 'configmaps', 'other', 'cm'), 'other namespaces are untouched');
  assert.ok(c.api.peek('', 'namespaces', undefined, 'other'));
  assert.ok(c.requests.some((r) => r.method === 'PUT' && r.path === '/api/v1/namespaces/team/finalize'), 'finalized through the finalize subresource');
});

test('namespace controller: a namespace whose content is held by a finalizer waits and says so in its conditions', async (t) => {
  const c = new FakeCluster();
  c.api.put('', 'namespaces', { metadata: { name: 'team' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
  c.api.put('', 'configmaps', { metadata: { namespace: 'team', name: 'held', finalizers: ['example.com/hold'] } });
  start(c, t);
  await c.client.delete(resources.namespaces, undefined, 'team');
  const remaining = () => c.api.peek('', 'namespaces', undefined, 'team')?.status?.conditions?.find((x: any) => x.type === 'NamespaceContentRemaining');
  await waitUntil(() => remaining()?.status === 'True', 'content remaining reported', c.clock, 1000);
  assert.equal(remaining().message, 'Some resources are remaining: configmaps. has 1 resource instances');
  const fin = c.api.peek('', 'namespaces', undefined, 'team')!.status.conditions.find((x: any) => x.type === 'NamespaceFinalizersRemaining');
  assert.equal(fin.message, 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances');
  assert.deepEqual(c.api.peek('', 'namespaces', undefined, 'team')!.spec.finalizers, ['kubernetes'], 'not finalized while content remains');

  // The finalizer's owner lets go: the controller notices on its timed retry and finishes.
  const held = c.api.peek('', 'configmaps', 'team', 'held')!;
  await c.client.update(resources.configmaps, { ...held, metadata: { ...held.metadata, finalizers: [] } });
  await waitUntil(() => !c.api.peek('', 'namespaces', undefined, 'team'), 'namespace removed', c.clock, 2000);
});
