import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../../client/client.js';
import { resources } from '../../api/resources.js';
import { settle } from '../../client/testing.js';
import { discardLog } from '../../client/log.js';
import { inProcessTransport } from '../../client/transport.js';
import { FakeCluster, waitUntil } from '../shared/testing.js';
import { startPodGCController, type PodGCControllerOptions } from './index.js';

/** A FakeCluster whose controller client records each request with its body. */
function cluster() {
  const c = new FakeCluster();
  const sent: { method: string; path: string; query: string; body: any }[] = [];
  const client = new Client(inProcessTransport(async (req) => {
    sent.push({ method: req.method, path: req.path, query: req.query.toString(), body: req.body?.length ? JSON.parse(req.body.toString('utf8')) : undefined });
    return c.handler(req);
  }));
  return { c, client, sent };
}

function start(t: { after(fn: () => unknown): void }, c: FakeCluster, client: Client, extra: Partial<PodGCControllerOptions> = {}) {
  const ac = new AbortController();
  const done = startPodGCController({ client, informers: c.informers, clock: c.clock, signal: ac.signal, log: discardLog, ...extra });
  t.after(async () => { ac.abort(); await done; });
}

const pod = (name: string, extra: { nodeName?: string; phase?: string; created?: string; deletionTimestamp?: string } = {}) => ({
  metadata: { name, namespace: 'default', ...(extra.created ? { creationTimestamp: extra.created } : {}), ...(extra.deletionTimestamp ? { deletionTimestamp: extra.deletionTimestamp } : {}) },
  spec: { containers: [{ name: 'c', image: 'x' }], ...(extra.nodeName ? { nodeName: extra.nodeName } : {}) },
  status: { phase: extra.phase ?? 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
});
const exists = (c: FakeCluster, name: string) => !!c.api.peek('', 'pods', 'default', name);

test('pod GC: a pod whose node was deleted is marked Failed with DisruptionTarget and force-deleted, only after the 40 s quarantine', async (t) => {
  const { c, client, sent } = cluster();
  c.api.put('', 'nodes', { metadata: { name: 'n1' } });
  c.api.put('', 'nodes', { metadata: { name: 'n2' } });
  c.api.put('', 'pods', pod('on-n1', { nodeName: 'n1' }));
  c.api.put('', 'pods', pod('on-n2', { nodeName: 'n2' }));
  start(t, c, client);
  await settle();

  await c.client.delete(resources.nodes, undefined, 'n1');
  await settle();
  await c.clock.stepAsync(39_000);
  assert.ok(exists(c, 'on-n1'), 'still there within the quarantine');
  assert.ok(!sent.some((r) => r.method === 'DELETE' || r.method === 'PATCH'), 'nothing written during the quarantine');

  await c.clock.stepAsync(2_000);
  await waitUntil(() => !exists(c, 'on-n1'), 'orphaned pod deleted after the quarantine');
  assert.ok(exists(c, 'on-n2'), 'a pod on a live node stays');

  assert.ok(sent.some((r) => r.method === 'GET' && r.path === '/api/v1/nodes/n1'), 'the node was confirmed gone with a live GET');
  const patch = sent.find((r) => r.method === 'PATCH' && r.path === '/api/v1/namespaces/default/pods/on-n1/status');
  assert.ok(patch, 'status patched before deletion');
  assert.equal(patch.body.status.phase, 'Failed');
  const cond = patch.body.status.conditions.find((x: any) => x.type === 'DisruptionTarget');
  assert.deepEqual({ ...cond, lastTransitionTime: undefined }, { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists', lastTransitionTime: undefined });
  assert.ok(patch.body.status.conditions.some((x: any) => x.type === 'Ready'), 'other conditions are kept');
  const del = sent.find((r) => r.method === 'DELETE' && r.path === '/api/v1/namespaces/default/pods/on-n1');
  assert.equal(del?.body?.gracePeriodSeconds, 0, 'force deletion');
  assert.ok(sent.indexOf(patch) < sent.indexOf(del!), 'marked Failed first, then deleted');
});

test('pod GC: a node that comes back within the quarantine keeps its pods', async (t) => {
  const { c, client, sent } = cluster();
  c.api.put('', 'pods', pod('waiting', { nodeName: 'late' }));
  start(t, c, client, { quarantineMs: 10_000 });
  await settle();
  await c.clock.stepAsync(5_000);
  c.api.put('', 'nodes', { metadata: { name: 'late' } });
  await settle();
  await c.clock.stepAsync(60_000);
  assert.ok(exists(c, 'waiting'));
  assert.ok(!sent.some((r) => r.method === 'DELETE' || r.method === 'PATCH'));
});

test('pod GC: an unscheduled pod being deleted is force-deleted', async (t) => {
  const { c, client, sent } = cluster();
  c.api.put('', 'pods', pod('stuck', { phase: 'Pending', deletionTimestamp: '2025-01-01T00:00:00Z' }));
  c.api.put('', 'pods', pod('pending', { phase: 'Pending' }));
  start(t, c, client);
  await waitUntil(() => !exists(c, 'stuck'), 'unscheduled terminating pod deleted');
  await settle();
  assert.ok(exists(c, 'pending'), 'an unscheduled pod not being deleted stays');
  assert.ok(!sent.some((r) => r.path.endsWith('/pending') || r.path.endsWith('/pending/status')));
});

test('pod GC: beyond terminatedPodThreshold the oldest terminated pods are deleted and the newest kept', async (t) => {
  const { c, client } = cluster();
  c.api.put('', 'nodes', { metadata: { name: 'n1' } });
  const at = (s: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, s)).toISOString().replace(/\.\d+Z$/, 'Z');
  // Created out of order, with a tie at second 3 broken by name.
  c.api.put('', 'pods', pod('t4', { nodeName: 'n1', phase: 'Succeeded', created: at(4) }));
  c.api.put('', 'pods', pod('t1', { nodeName: 'n1', phase: 'Failed', created: at(1) }));
  c.api.put('', 'pods', pod('t3b', { nodeName: 'n1', phase: 'Succeeded', created: at(3) }));
  c.api.put('', 'pods', pod('t3a', { nodeName: 'n1', phase: 'Succeeded', created: at(3) }));
  c.api.put('', 'pods', pod('t2', { nodeName: 'n1', phase: 'Failed', created: at(2) }));
  c.api.put('', 'pods', pod('old-running', { nodeName: 'n1', phase: 'Running', created: at(0) }));
  start(t, c, client, { terminatedPodThreshold: 2 });
  await waitUntil(() => !exists(c, 't3a'), 'oldest terminated pods deleted');
  await settle();
  assert.deepEqual(['t1', 't2', 't3a', 't3b', 't4', 'old-running'].filter((n) => exists(c, n)), ['t3b', 't4', 'old-running']);

  // One more finished pod: the threshold holds as pods finish.
  const running = c.api.peek('', 'pods', 'default', 'old-running')!;
  c.api.put('', 'pods', { ...running, status: { phase: 'Succeeded' } });
  await waitUntil(() => !exists(c, 'old-running'), 'the oldest again (now the one just finished, created first)');
  await settle();
  assert.deepEqual(['t3b', 't4'].filter((n) => exists(c, n)), ['t3b', 't4']);
});
