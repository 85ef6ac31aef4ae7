import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resources } from '../../api/resources.js';
import type { KubeObject } from '../../api/object.js';
import { ensureRevision, sortRevisions, truncateHistory, type ControllerRevision } from './history.js';
import { newTestCluster } from './testing.js';

const owner = (image: string): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'StatefulSet',
  metadata: { name: 'web', namespace: 'default', uid: 'set-uid', annotations: { 'kubernetes.io/change-cause': `image ${image}` } },
  spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } } },
});
const gvk = { apiVersion: 'apps/v1', kind: 'StatefulSet' };

test('a template gets one revision; going back to an older template renumbers its revision as the newest', async (t) => {
  const c = newTestCluster();
  t.after(() => c.stop());
  const list = async () => sortRevisions((await c.client.list<ControllerRevision>(resources.controllerrevisions, { namespace: 'default' })).items);
  const r1 = (await ensureRevision(c.client, owner('v1'), gvk, await list(), 0)).revision;
  assert.equal(r1.revision, 1);
  assert.match(r1.metadata.name!, /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.equal(r1.metadata.labels!.app, 'web');
  assert.equal(r1.metadata.annotations!['kubernetes.io/change-cause'], 'image v1');
  assert.deepEqual(r1.data, { spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'v1' }] }, $patch: 'replace' } } });
  assert.equal((await ensureRevision(c.client, owner('v1'), gvk, await list(), 0)).revision.metadata.name, r1.metadata.name, 'the same template reuses its revision');
  const r2 = (await ensureRevision(c.client, owner('v2'), gvk, await list(), 0)).revision;
  assert.equal(r2.revision, 2);
  const back = (await ensureRevision(c.client, owner('v1'), gvk, await list(), 0)).revision;
  assert.equal(back.metadata.name, r1.metadata.name);
  assert.equal(back.revision, 3);
  assert.deepEqual((await list()).map((r) => r.revision), [2, 3]);
  await truncateHistory(c.client, await list(), new Set([back.metadata.name!]), 0);
  assert.deepEqual((await list()).map((r) => r.metadata.name), [back.metadata.name]);
});
