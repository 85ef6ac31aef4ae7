// A pod's resolv.conf settings for each dnsPolicy and dnsConfig, as upstream's kubelet forms them.
import assert from 'node:assert/strict';
import test from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { parseResolvConf, podDNSConfig, type ClusterDNSSettings } from './dns-config.js';
import { resolvConf } from './runtime/sandbox/streams.js';

const host = parseResolvConf('# host\nnameserver 192.0.2.53\nnameserver 192.0.2.54\nsearch corp.example. lab.example .\noptions edns0 timeout:2\n');
const settings: ClusterDNSSettings = { clusterDNS: ['10.96.0.10'], clusterDomain: 'cluster.local', host };
const pod = (spec: Partial<NonNullable<Pod['spec']>>, ns = 'shop'): Pod => ({ metadata: { name: 'p', namespace: ns }, spec: { containers: [], ...spec } });

test('the host resolv.conf is read as upstream: every nameserver, search without dots, options', () => {
  assert.deepEqual(host, { servers: ['192.0.2.53', '192.0.2.54'], searches: ['corp.example', 'lab.example'], options: ['edns0', 'timeout:2'] });
});

test('ClusterFirst: the cluster DNS only, the namespace search path then the host\'s, ndots:5; as resolv.conf', () => {
  const { config } = podDNSConfig(pod({ dnsPolicy: 'ClusterFirst' }), settings);
  assert.deepEqual(config, { servers: ['10.96.0.10'], searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example', 'lab.example'], options: ['ndots:5'] });
  assert.equal(resolvConf(config), 'search shop.svc.cluster.local svc.cluster.local cluster.local corp.example lab.example\nnameserver 10.96.0.10\noptions ndots:5\n');
});

test('hostNetwork pods: ClusterFirst means the host\'s settings, ClusterFirstWithHostNet the cluster\'s', () => {
  assert.deepEqual(podDNSConfig(pod({ dnsPolicy: 'ClusterFirst', hostNetwork: true }), settings).config, host);
  assert.deepEqual(podDNSConfig(pod({ dnsPolicy: 'ClusterFirstWithHostNet', hostNetwork: true }), settings).config.servers, ['10.96.0.10']);
  assert.deepEqual(podDNSConfig(pod({ dnsPolicy: 'Default' }), settings).config, host);
});

test('None: only the pod\'s dnsConfig; an empty one gives an empty resolv.conf', () => {
  const { config } = podDNSConfig(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['a.example'], options: [{ name: 'ndots', value: '2' }, { name: 'rotate' }] } }), settings);
  assert.deepEqual(config, { servers: ['1.1.1.1'], searches: ['a.example'], options: ['ndots:2', 'rotate'] });
  const empty = podDNSConfig(pod({ dnsPolicy: 'None' }), settings).config;
  assert.equal(resolvConf(empty), '');
});

test('dnsConfig is appended without duplicates and its options win by name', () => {
  const { config } = podDNSConfig(pod({ dnsPolicy: 'ClusterFirst', dnsConfig: { nameservers: ['10.96.0.10', '192.0.2.1'], searches: ['cluster.local', 'extra.example'], options: [{ name: 'ndots', value: '1' }, { name: 'edns0' }] } }), settings);
  assert.deepEqual(config.servers, ['10.96.0.10', '192.0.2.1']);
  assert.deepEqual(config.searches, ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example', 'lab.example', 'extra.example']);
  assert.deepEqual(config.options, ['ndots:1', 'edns0']);
});

test('limits: at most 3 nameservers and 32 search domains, each cut reported', () => {
  const searches = Array.from({ length: 40 }, (_, i) => `s${i}.example`);
  const r = podDNSConfig(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4'], searches } }), settings);
  assert.deepEqual(r.config.servers, ['192.0.2.1', '192.0.2.2', '192.0.2.3']);
  assert.equal(r.config.searches.length, 32);
  assert.deepEqual(r.warnings.map((w) => w.reason), ['DNSConfigForming', 'DNSConfigForming']);
});

test('ClusterFirst without a cluster DNS address falls back to the host\'s settings with a MissingClusterDNS warning', () => {
  const r = podDNSConfig(pod({ dnsPolicy: 'ClusterFirst' }), { ...settings, clusterDNS: [] });
  assert.deepEqual(r.config, host);
  assert.equal(r.warnings[0]?.reason, 'MissingClusterDNS');
});
