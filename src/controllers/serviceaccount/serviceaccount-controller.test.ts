import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resources } from '../../api/resources.js';
import { discardLog } from '../../client/log.js';
import { FakeCluster, waitUntil } from '../shared/testing.js';
import { startServiceAccountController } from './index.js';

test('serviceaccount controller: every active namespace gets a default service account, made again when deleted', async (t) => {
  const c = new FakeCluster();
  c.api.put('', 'namespaces', { metadata: { name: 'a' }, status: { phase: 'Active' } });
  c.api.put('', 'namespaces', { metadata: { name: 'gone', deletionTimestamp: '2025-01-01T00:00:00Z' }, status: { phase: 'Terminating' } });
  const ac = new AbortController();
  const done = startServiceAccountController({ client: c.client, informers: c.informers, clock: c.clock, signal: ac.signal, log: discardLog });
  t.after(async () => { ac.abort(); await done; });

  await waitUntil(() => !!c.api.peek('', 'serviceaccounts', 'a', 'default'), 'default SA in a');
  await c.client.create(resources.namespaces, undefined, { metadata: { name: 'b' }, status: { phase: 'Active' } });
  await waitUntil(() => !!c.api.peek('', 'serviceaccounts', 'b', 'default'), 'default SA in a new namespace');
  const before = c.api.peek('', 'serviceaccounts', 'a', 'default')!.metadata.uid;
  await c.client.delete(resources.serviceaccounts, 'a', 'default');
  await waitUntil(() => !!c.api.peek('', 'serviceaccounts', 'a', 'default'), 'recreated');
  assert.notEqual(c.api.peek('', 'serviceaccounts', 'a', 'default')!.metadata.uid, before);
  assert.equal(c.api.peek('', 'serviceaccounts', 'gone', 'default'), undefined, 'a terminating namespace gets none');
});
