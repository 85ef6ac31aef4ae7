// The cluster zone's records over a fake cluster, as CoreDNS's kubernetes plugin answers them.
import assert from 'node:assert/strict';
import test from 'node:test';
import type { Answer } from 'dns-packet';
import { ClusterRecords } from './records.js';
import { FakeClusterView, service, slice } from './testing.js';

function cluster() {
  const view = new FakeClusterView();
  view.services.push(
    service('default', 'db-service', { type: 'ClusterIP', clusterIP: '10.96.5.5', clusterIPs: ['10.96.5.5'], ports: [{ name: 'postgres', port: 5432, protocol: 'TCP' }, { port: 9000, protocol: 'UDP' }] }),
    service('default', 'web', { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }),
    service('default', 'bare', { clusterIP: 'None', clusterIPs: ['None'] }),
    service('default', 'ext', { type: 'ExternalName', externalName: 'db.example.org' }),
    service('default', 'alias', { type: 'ExternalName', externalName: 'db-service.default.svc.cluster.local' }),
  );
  view.slices.push(
    slice('default', 'web', [{ ip: '10.244.0.7', hostname: 'web-0' }, { ip: '10.244.0.8', hostname: 'web-1' }, { ip: '10.244.0.9', ready: false, hostname: 'web-2' }], [{ name: 'http', port: 8080 }]),
    slice('default', 'bare', [{ ip: '10.244.0.20' }]),
    slice('default', 'db-service', [{ ip: '10.244.0.30' }], [{ name: 'postgres', port: 5432 }]),
  );
  view.pods.push({ metadata: { namespace: 'default', name: 'p' }, status: { podIP: '10.244.0.40' } });
  return { view, records: new ClusterRecords(view) };
}

const data = (r: { answers: Answer[] }) => r.answers.map(dataOf);
const dataOf = (a: Answer) => (a as { data?: unknown }).data;

test('a ClusterIP service answers A with its ClusterIP, TTL 30, and NODATA for AAAA', async () => {
  const { records } = cluster();
  const a = await records.answer('db-service.default.svc.cluster.local', 'A');
  assert.equal(a.rcode, 'NOERROR');
  assert.deepEqual(a.answers, [{ type: 'A', name: 'db-service.default.svc.cluster.local', ttl: 30, data: '10.96.5.5' }]);
  const aaaa = await records.answer('db-service.default.svc.cluster.local', 'AAAA');
  assert.equal(aaaa.rcode, 'NOERROR');
  assert.deepEqual(aaaa.answers, []);
  assert.equal(aaaa.authorities[0]?.type, 'SOA', 'negative answers carry the SOA');
});

test('names are matched case-insensitively and answered with the name as asked', async () => {
  const { records } = cluster();
  const a = await records.answer('DB-Service.Default.SVC.cluster.local.', 'A');
  assert.deepEqual(data(a), ['10.96.5.5']);
  assert.equal(a.answers[0]!.name, 'DB-Service.Default.SVC.cluster.local.');
});

test('missing services and impossible names are NXDOMAIN with the SOA; svc, namespaces and the apex are NODATA', async () => {
  const { records } = cluster();
  for (const name of ['nope.default.svc.cluster.local', 'db-service.other.svc.cluster.local', 'x.cluster.local', 'a.b.c.d.default.svc.cluster.local', 'db-service.default.default.svc.cluster.local']) {
    const r = await records.answer(name, 'A');
    assert.equal(r.rcode, 'NXDOMAIN', name);
    assert.equal(r.authorities[0]?.type, 'SOA', name);
  }
  for (const name of ['svc.cluster.local', 'default.svc.cluster.local', 'cluster.local', 'pod.cluster.local']) {
    const r = await records.answer(name, 'A');
    assert.equal(r.rcode, 'NOERROR', name);
    assert.deepEqual(r.answers, [], name);
  }
  const soa = records.soa();
  assert.equal(soa.type, 'SOA');
  if (soa.type === 'SOA') {
    assert.equal(soa.name, 'cluster.local');
    assert.deepEqual({ ...soa.data, serial: 0 }, { mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 0, refresh: 7200, retry: 1800, expire: 86400, minimum: 30 });
  }
});

test('a headless service resolves to its ready endpoints, each hostname to its own address', async () => {
  const { records } = cluster();
  assert.deepEqual(data(await records.answer('web.default.svc.cluster.local', 'A')), ['10.244.0.7', '10.244.0.8']);
  assert.deepEqual(data(await records.answer('web-1.web.default.svc.cluster.local', 'A')), ['10.244.0.8']);
  assert.equal((await records.answer('web-2.web.default.svc.cluster.local', 'A')).rcode, 'NXDOMAIN', 'a not-ready endpoint has no record');
  // Without ports (CoreDNS's sentinel port), A records still exist; an endpoint without hostname is its dashed IP.
  assert.deepEqual(data(await records.answer('bare.default.svc.cluster.local', 'A')), ['10.244.0.20']);
  assert.deepEqual(data(await records.answer('10-244-0-20.bare.default.svc.cluster.local', 'A')), ['10.244.0.20']);
  assert.deepEqual((await records.answer('bare.default.svc.cluster.local', 'SRV')).answers, [], 'no SRV without ports');
});

test('SRV for a named port: the ClusterIP service by name, a headless one per endpoint with glue and split weights', async () => {
  const { records } = cluster();
  const s = await records.answer('_postgres._tcp.db-service.default.svc.cluster.local', 'SRV');
  assert.deepEqual(data(s), [{ priority: 0, weight: 100, port: 5432, target: 'db-service.default.svc.cluster.local' }]);
  assert.deepEqual(s.additionals, [{ type: 'A', name: 'db-service.default.svc.cluster.local', ttl: 30, data: '10.96.5.5' }]);
  assert.equal((await records.answer('_postgres._udp.db-service.default.svc.cluster.local', 'SRV')).rcode, 'NXDOMAIN', 'wrong protocol');
  assert.equal((await records.answer('_nope._tcp.db-service.default.svc.cluster.local', 'SRV')).rcode, 'NXDOMAIN', 'unknown port name');
  const h = await records.answer('_http._tcp.web.default.svc.cluster.local', 'SRV');
  assert.deepEqual(data(h), [
    { priority: 0, weight: 50, port: 8080, target: 'web-0.web.default.svc.cluster.local' },
    { priority: 0, weight: 50, port: 8080, target: 'web-1.web.default.svc.cluster.local' },
  ]);
  assert.deepEqual(h.additionals.map((a) => [a.name, dataOf(a)]), [['web-0.web.default.svc.cluster.local', '10.244.0.7'], ['web-1.web.default.svc.cluster.local', '10.244.0.8']]);
  // SRV on the service name lists every port, unnamed ones included.
  assert.deepEqual(data(await records.answer('db-service.default.svc.cluster.local', 'SRV')).map((d) => (d as { port: number }).port), [5432, 9000]);
});

test('ExternalName services are CNAMEs, followed inside the zone and through the lookup outside it', async () => {
  const { records } = cluster();
  assert.deepEqual((await records.answer('ext.default.svc.cluster.local', 'CNAME')).answers, [{ type: 'CNAME', name: 'ext.default.svc.cluster.local', ttl: 30, data: 'db.example.org' }]);
  const viaUpstream = await records.answer('ext.default.svc.cluster.local', 'A', async (name, type) => [{ type, name, ttl: 60, data: '192.0.2.10' }]);
  assert.deepEqual(viaUpstream.answers.map((a) => [a.type, dataOf(a)]), [['CNAME', 'db.example.org'], ['A', '192.0.2.10']]);
  const inside = await records.answer('alias.default.svc.cluster.local', 'A');
  assert.deepEqual(inside.answers.map((a) => [a.type, dataOf(a)]), [['CNAME', 'db-service.default.svc.cluster.local'], ['A', '10.96.5.5']]);
  assert.deepEqual((await records.answer('ext.default.svc.cluster.local', 'SRV')).answers, [], 'no SRV for ExternalName');
});

test('pod records: any dashed IP in insecure mode (the deployed Corefile), only existing pods in verified mode', async () => {
  const { view, records } = cluster();
  assert.deepEqual(data(await records.answer('10-244-0-99.default.pod.cluster.local', 'A')), ['10.244.0.99']);
  assert.equal((await records.answer('not-an-ip.default.pod.cluster.local', 'A')).rcode, 'NXDOMAIN');
  const verified = new ClusterRecords(view, { podMode: 'verified' });
  assert.deepEqual(data(await verified.answer('10-244-0-40.default.pod.cluster.local', 'A')), ['10.244.0.40']);
  assert.equal((await verified.answer('10-244-0-99.default.pod.cluster.local', 'A')).rcode, 'NXDOMAIN');
  assert.equal((await verified.answer('10-244-0-40.other.pod.cluster.local', 'A')).rcode, 'NXDOMAIN');
});

test('PTR: a ClusterIP names its service, an endpoint address its hostname; unknown addresses are not ours', async () => {
  const { records } = cluster();
  assert.equal(records.isAuthoritative('5.5.96.10.in-addr.arpa', 'PTR'), true);
  assert.deepEqual(data(await records.answer('5.5.96.10.in-addr.arpa', 'PTR')), ['db-service.default.svc.cluster.local']);
  assert.deepEqual(data(await records.answer('8.0.244.10.in-addr.arpa', 'PTR')), ['web-1.web.default.svc.cluster.local']);
  assert.deepEqual(data(await records.answer('20.0.244.10.in-addr.arpa', 'PTR')), ['10-244-0-20.bare.default.svc.cluster.local']);
  assert.equal(records.isAuthoritative('1.2.0.192.in-addr.arpa', 'PTR'), false, 'forwarded, as the Corefile falls through for reverse zones');
  assert.equal(records.isAuthoritative('example.org', 'A'), false);
});

test('the apex answers SOA and NS, ns.dns is the DNS service, dns-version says 1.1.0; zone transfers are refused', async () => {
  const { records } = cluster();
  assert.equal((await records.answer('cluster.local', 'SOA')).answers[0]!.type, 'SOA');
  const ns = await records.answer('cluster.local', 'NS');
  assert.deepEqual(data(ns), ['ns.dns.cluster.local']);
  assert.deepEqual(data({ answers: ns.additionals }), ['10.96.0.10']);
  assert.deepEqual(data(await records.answer('ns.dns.cluster.local', 'A')), ['10.96.0.10']);
  assert.deepEqual(data(await records.answer('dns-version.cluster.local', 'TXT')), ['1.1.0']);
  assert.equal((await records.answer('cluster.local', 'AXFR')).rcode, 'REFUSED');
  const mx = await records.answer('db-service.default.svc.cluster.local', 'MX');
  assert.equal(mx.rcode, 'NOERROR', 'other types of an existing name are NODATA');
  assert.equal((await records.answer('nope.default.svc.cluster.local', 'MX')).rcode, 'NXDOMAIN');
});
