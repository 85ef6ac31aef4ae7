import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resources } from '../../api/resources.js';
import { discardLog } from '../../client/log.js';
import { FakeCluster, waitUntil } from '../shared/testing.js';
import { CIDRSet } from './cidr-set.js';
import { startNodeIpamController } from './index.js';

const podCIDR = (c: FakeCluster, name: string) => c.api.peek('', 'nodes', undefined, name)?.spec?.podCIDR as string | undefined;

test('node IPAM: each Node without a podCIDR gets its own /24 of the cluster CIDR, held ones are never handed out twice, a deleted Node gives its back', async (t) => {
  const c = new FakeCluster();
  c.api.put('', 'nodes', { metadata: { name: 'held' }, spec: { podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'] } });
  c.api.put('', 'nodes', { metadata: { name: 'sim-node-0' }, spec: { podCIDR: '10.128.0.0/24', podCIDRs: ['10.128.0.0/24'] } });
  c.api.put('', 'nodes', { metadata: { name: 'nanokube' }, spec: {} });
  const ac = new AbortController();
  const done = startNodeIpamController({ client: c.client, informers: c.informers, clock: c.clock, signal: ac.signal, log: discardLog });
  t.after(async () => { ac.abort(); await done; });

  await waitUntil(() => podCIDR(c, 'nanokube') !== undefined, 'nanokube gets a podCIDR');
  assert.equal(podCIDR(c, 'nanokube'), '10.244.1.0/24', 'the subnet another Node holds is skipped');
  assert.deepEqual(c.api.peek('', 'nodes', undefined, 'nanokube')!.spec.podCIDRs, ['10.244.1.0/24']);
  assert.equal(podCIDR(c, 'sim-node-0'), '10.128.0.0/24', 'a podCIDR outside the cluster CIDR is left alone');

  await c.client.create(resources.nodes, undefined, { metadata: { name: 'second' }, spec: {} });
  await waitUntil(() => podCIDR(c, 'second') !== undefined, 'a new Node gets a podCIDR');
  assert.equal(podCIDR(c, 'second'), '10.244.2.0/24');

  await c.client.delete(resources.nodes, undefined, 'held');
  await c.client.create(resources.nodes, undefined, { metadata: { name: 'third' }, spec: {} });
  await waitUntil(() => podCIDR(c, 'third') !== undefined, 'a third Node gets a podCIDR');
  const all = ['nanokube', 'second', 'third'].map((n) => podCIDR(c, n));
  assert.equal(new Set(all).size, 3, `no subnet given twice: ${all.join(', ')}`);
});

test('CIDR set: a /16 holds 256 /24s; when all are taken there is none to give', () => {
  const s = new CIDRSet('10.244.0.0/16', 24);
  assert.equal(s.size, 256);
  const got = new Set<string>();
  for (let i = 0; i < 256; i++) got.add(s.allocateNext()!);
  assert.equal(got.size, 256);
  assert.equal(s.allocateNext(), undefined);
  s.release('10.244.7.0/24');
  assert.equal(s.allocateNext(), '10.244.7.0/24');
  assert.equal(s.occupy('10.245.0.0/24'), false, 'outside the range');
  assert.throws(() => new CIDRSet('10.244.0.0/16', 8), /mask size/);
});
