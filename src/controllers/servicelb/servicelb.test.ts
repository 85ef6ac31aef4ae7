import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../../client/client.js';
import { discardLog } from '../../client/log.js';
import { inProcessTransport } from '../../client/transport.js';
import { FakeCluster, waitUntil } from '../shared/testing.js';
import { ingressAddresses, startServiceLBController } from './index.js';

const node = (name: string, ip: string, simulated = false) => ({ metadata: { name, ...(simulated ? { labels: { type: 'simulated' } } : {}) }, status: { addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }] } });
const svc = (name: string, spec: Record<string, unknown>, status?: unknown) => ({ metadata: { name, namespace: 'default' }, spec: { ports: [{ port: 80 }], ...spec }, ...(status ? { status } : {}) });
const ingress = (c: FakeCluster, name: string) => (c.api.peek('', 'services', 'default', name) as any)?.status?.loadBalancer?.ingress;

test('servicelb: ingress addresses are the real nodes\' InternalIPs; simulated nodes only when there is no real one', () => {
  assert.deepEqual(ingressAddresses([node('nanokube', '192.0.2.2') as any, node('sim-1', '10.64.0.1', true) as any]), ['192.0.2.2']);
  assert.deepEqual(ingressAddresses([node('sim-1', '10.64.0.1', true) as any]), ['10.64.0.1']);
});

test('servicelb: a LoadBalancer Service gets the node\'s address as ingress at once; one with a loadBalancerClass is left alone; one that stops being a LoadBalancer loses it', { timeout: 15_000 }, async (t) => {
  const c = new FakeCluster();
  const client = new Client(inProcessTransport(c.handler));
  c.api.put('', 'nodes', node('nanokube', '192.0.2.2'));
  c.api.put('', 'nodes', node('sim-1', '10.64.0.1', true));
  c.api.put('', 'services', svc('lb', { type: 'LoadBalancer' }));
  c.api.put('', 'services', svc('other', { type: 'LoadBalancer', loadBalancerClass: 'example.com/lb' }));
  c.api.put('', 'services', svc('was-lb', { type: 'ClusterIP' }, { loadBalancer: { ingress: [{ ip: '192.0.2.2', ipMode: 'VIP' }] } }));
  const ac = new AbortController();
  const done = startServiceLBController({ client, informers: c.informers, clock: c.clock, signal: ac.signal, log: discardLog });
  t.after(async () => { ac.abort(); await done; });
  await waitUntil(() => ingress(c, 'lb')?.length === 1, 'lb ingress', c.clock);
  assert.deepEqual(ingress(c, 'lb'), [{ ip: '192.0.2.2', ipMode: 'VIP' }]);
  await waitUntil(() => !ingress(c, 'was-lb'), 'was-lb ingress cleared', c.clock);
  assert.equal(ingress(c, 'other'), undefined);
});
