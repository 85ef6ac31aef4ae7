// The DNS server over real UDP and TCP on 127.0.0.1, with dns-packet as the client: cluster names answered
// authoritatively, other names forwarded to a fake upstream on 127.0.0.1 and cached (positive and negative, within
// their TTLs), truncation to TCP, and SERVFAIL when the upstream is silent.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import * as dnsPacket from 'dns-packet';
import { ResponseCache } from './cache.js';
import { DnsHandler } from './handler.js';
import { ClusterRecords } from './records.js';
import { DnsServer } from './server.js';
import { FakeClusterView, FakeUpstream, query, service, slice } from './testing.js';
import { UpstreamClient, hostUpstreams } from './upstream.js';

async function setUp(t: test.TestContext, opts: { silentUpstream?: boolean; now?: () => number } = {}) {
  const view = new FakeClusterView();
  view.services.push(service('default', 'db-service', { clusterIP: '10.96.5.5', clusterIPs: ['10.96.5.5'], ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] }));
  // A headless service with many endpoints: its answer does not fit in 512 bytes.
  view.services.push(service('default', 'big', { clusterIP: 'None', clusterIPs: ['None'] }));
  view.slices.push(slice('default', 'big', Array.from({ length: 60 }, (_, i) => ({ ip: `10.244.1.${i + 1}` }))));
  const upstream = await new FakeUpstream(new Map([
    ['example.org', [{ type: 'A', name: 'example.org', ttl: 120, data: '192.0.2.80' }]],
    ['short.example.org', [{ type: 'A', name: 'short.example.org', ttl: 1, data: '192.0.2.81' }]],
  ]), { negativeTTL: 60, silent: opts.silentUpstream }).start();
  t.after(() => upstream.stop());
  const client = new UpstreamClient({ timeoutMs: 300 });
  t.after(() => client.close());
  const cache = new ResponseCache({ now: opts.now });
  const handler = new DnsHandler({ records: new ClusterRecords(view), upstreams: () => [{ host: '127.0.0.1', port: upstream.port }], client, cache });
  const server = new DnsServer({ host: '127.0.0.1', port: 0, handler: (q) => handler.handle(q) });
  await server.start();
  t.after(() => server.stop());
  return { server, upstream, cache, addr: server.address };
}

test('cluster names are answered authoritatively over UDP and TCP', async (t) => {
  const { addr } = await setUp(t);
  for (const tcp of [false, true]) {
    const r = await query(addr, 'db-service.default.svc.cluster.local', 'A', { tcp });
    assert.equal(r.rcode, 'NOERROR');
    assert.ok((r.flags! & dnsPacket.AUTHORITATIVE_ANSWER) !== 0, 'AA set');
    assert.deepEqual(r.answers!.map((a) => [a.type, (a as { data: unknown }).data, (a as { ttl: number }).ttl]), [['A', '10.96.5.5', 30]]);
  }
  const nx = await query(addr, 'nope.default.svc.cluster.local', 'A');
  assert.equal(nx.rcode, 'NXDOMAIN');
  assert.equal(nx.authorities![0]!.type, 'SOA');
  const srv = await query(addr, '_pg._tcp.db-service.default.svc.cluster.local', 'SRV');
  assert.deepEqual(srv.answers!.map((a) => (a as { data: unknown }).data), [{ priority: 0, weight: 100, port: 5432, target: 'db-service.default.svc.cluster.local' }]);
});

test('an answer too large for UDP comes back truncated (TC), and whole over TCP', async (t) => {
  const { addr } = await setUp(t);
  const udp = await query(addr, 'big.default.svc.cluster.local', 'A');
  assert.ok((udp.flags! & dnsPacket.TRUNCATED_RESPONSE) !== 0, 'TC set');
  assert.ok(udp.answers!.length < 60);
  const edns = await query(addr, 'big.default.svc.cluster.local', 'A', { edns: 4096 });
  assert.equal(edns.answers!.length, 60, 'an EDNS0 client offering 4096 bytes gets all of it over UDP');
  const tcp = await query(addr, 'big.default.svc.cluster.local', 'A', { tcp: true });
  assert.equal(tcp.answers!.length, 60);
  assert.equal(tcp.flags! & dnsPacket.TRUNCATED_RESPONSE, 0);
});

test('other names are forwarded to the upstream and cached within their TTL, NXDOMAIN too (negative caching)', async (t) => {
  let now = 1_000_000;
  const { addr, upstream } = await setUp(t, { now: () => now });
  const a1 = await query(addr, 'example.org', 'A');
  assert.deepEqual(a1.answers!.map((a) => (a as { data: unknown }).data), ['192.0.2.80']);
  assert.equal(a1.flags! & dnsPacket.AUTHORITATIVE_ANSWER, 0, 'forwarded answers are not authoritative');
  now += 10_000;
  const a2 = await query(addr, 'example.org', 'A', { tcp: true });
  assert.deepEqual(a2.answers!.map((a) => (a as { data: unknown }).data), ['192.0.2.80']);
  assert.equal((a2.answers![0] as { ttl: number }).ttl, 20, 'capped at 30 s (cache 30), minus the 10 s spent in the cache');
  assert.deepEqual(upstream.asked.filter((q) => q === 'example.org A'), ['example.org A'], 'the second answer came from the cache');
  now += 25_000;
  await query(addr, 'example.org', 'A');
  assert.equal(upstream.asked.filter((q) => q === 'example.org A').length, 2, 'expired after 30 s, asked again');

  const n1 = await query(addr, 'missing.example.org', 'A');
  assert.equal(n1.rcode, 'NXDOMAIN');
  const n2 = await query(addr, 'missing.example.org', 'A');
  assert.equal(n2.rcode, 'NXDOMAIN');
  assert.equal(upstream.asked.filter((q) => q === 'missing.example.org A').length, 1, 'the NXDOMAIN was cached');

  // A 1 s TTL is kept 1 s only.
  await query(addr, 'short.example.org', 'A');
  now += 1_000;
  await query(addr, 'short.example.org', 'A');
  assert.equal(upstream.asked.filter((q) => q === 'short.example.org A').length, 2);
});

test('reverse names of unknown addresses are forwarded; a silent upstream gives SERVFAIL', async (t) => {
  const { addr, upstream } = await setUp(t, { silentUpstream: true });
  const r = await query(addr, '80.2.0.192.in-addr.arpa', 'PTR');
  assert.equal(r.rcode, 'SERVFAIL');
  assert.ok(upstream.asked.includes('80.2.0.192.in-addr.arpa PTR'));
  const local = await query(addr, '5.5.96.10.in-addr.arpa', 'PTR');
  assert.deepEqual(local.answers!.map((a) => (a as { data: unknown }).data), ['db-service.default.svc.cluster.local']);
});

test('upstreams are the host resolv.conf nameservers (loopback stubs kept: the server runs in the host network), without our own addresses', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nk-dns-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'resolv.conf');
  fs.writeFileSync(file, '# comment\nnameserver 127.0.0.53\nnameserver 10.96.0.10\nnameserver fe80::1%eth0\nnameserver 10.244.0.1\nsearch example\noptions edns0\n');
  assert.deepEqual(hostUpstreams({ resolvConf: file, exclude: ['10.96.0.10', '10.244.0.1'] }), [{ host: '127.0.0.53', port: 53 }, { host: 'fe80::1%eth0', port: 53 }]);
  assert.deepEqual(hostUpstreams({ resolvConf: path.join(dir, 'missing') }), []);
});
