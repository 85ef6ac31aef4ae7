// What the nftables rules say for the Service shapes users write, and that an update changes only what it must.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRuleset, diffRuleset, emptyRuleset } from './ruleset.js';
import { servicePorts, endpointsFor, type Endpoint } from '../service-ports.js';
import type { ServicePortState } from '../proxier.js';

const opts = { nodeName: 'nanokube', clusterCIDR: '10.244.0.0/16' };
const ep = (ip: string, o: Partial<Endpoint> = {}): Endpoint => ({ ip, port: 5000, ready: true, serving: true, terminating: false, nodeName: 'nanokube', ...o });
const svc = (spec: Record<string, unknown>, status?: unknown) => ({ metadata: { namespace: 'default', name: 'web' }, spec: { clusterIP: '10.96.0.50', clusterIPs: ['10.96.0.50'], ports: [{ port: 80, targetPort: 5000 }], ...spec }, ...(status ? { status } : {}) }) as any;
const state = (s: any, eps: Endpoint[]): ServicePortState[] => servicePorts(s).map((sp) => ({ sp, endpoints: eps }));
const rulesOf = (rs: ReturnType<typeof buildRuleset>, prefix: string) => [...rs.chains].filter(([n]) => n.startsWith(prefix)).map(([, r]) => r);

test('ruleset: a ClusterIP with two ready endpoints DNATs through a numgen map, and masquerades traffic from outside the pod network', () => {
  const rs = buildRuleset(state(svc({}), [ep('10.244.0.2'), ep('10.244.0.3')]), opts);
  assert.match(rs.maps['service-ips'].get('10.96.0.50 . tcp . 80')!, /^goto service-[0-9a-f]{8}-default\/web\/tcp\/$/);
  assert.deepEqual(rulesOf(rs, 'service-')[0], [
    'ip daddr 10.96.0.50 ip saddr != 10.244.0.0/16 jump mark-for-masquerade',
    'meta l4proto tcp dnat ip addr . port to numgen random mod 2 map { 0 : 10.244.0.2 . 5000 , 1 : 10.244.0.3 . 5000 }',
  ]);
  assert.deepEqual([...rs.hairpin].sort(), ['10.244.0.2', '10.244.0.3']);
  assert.equal(rs.maps['service-nodeports'].size, 0);
});

test('ruleset: terminating and not-ready endpoints get no traffic; serving terminating ones only when nothing is ready', () => {
  const rs = buildRuleset(state(svc({}), [ep('10.244.0.2'), ep('10.244.0.3', { ready: false, serving: true, terminating: true }), ep('10.244.0.4', { ready: false, serving: false })]), opts);
  assert.equal(rulesOf(rs, 'service-')[0]!.at(-1), 'meta l4proto tcp dnat to 10.244.0.2:5000');
  const fallback = buildRuleset(state(svc({}), [ep('10.244.0.3', { ready: false, serving: true, terminating: true })]), opts);
  assert.equal(rulesOf(fallback, 'service-')[0]!.at(-1), 'meta l4proto tcp dnat to 10.244.0.3:5000');
  const none = buildRuleset(state(svc({}), [ep('10.244.0.4', { ready: false, serving: false, terminating: true })]), opts);
  assert.equal(none.maps['service-ips'].size, 0);
  assert.equal(none.maps['no-endpoint-services'].get('10.96.0.50 . tcp . 80'), 'goto reject-chain', 'no endpoint at all: connections are refused at once');
});

test('ruleset: headless and ExternalName Services get no rules', () => {
  assert.deepEqual(servicePorts(svc({ clusterIP: 'None', clusterIPs: ['None'] })), []);
  assert.deepEqual(servicePorts(svc({ type: 'ExternalName', externalName: 'example.com' })), []);
});

test('ruleset: NodePort and LoadBalancer ingress go through an external chain that masquerades; externalTrafficPolicy Local keeps only this node\'s endpoints', () => {
  const lb = svc({ type: 'LoadBalancer', ports: [{ port: 80, targetPort: 5000, nodePort: 30080 }] }, { loadBalancer: { ingress: [{ ip: '192.0.2.2' }] } });
  const rs = buildRuleset(state(lb, [ep('10.244.0.2'), ep('10.64.0.9', { nodeName: 'other' })]), opts);
  assert.match(rs.maps['service-nodeports'].get('tcp . 30080')!, /^goto external-/);
  assert.match(rs.maps['service-ips'].get('192.0.2.2 . tcp . 80')!, /^goto external-/);
  assert.deepEqual(rulesOf(rs, 'external-')[0]![0], 'jump mark-for-masquerade');
  const local = buildRuleset(state(svc({ ...lb.spec, externalTrafficPolicy: 'Local' }, ), [ep('10.244.0.2'), ep('10.64.0.9', { nodeName: 'other' })]), opts);
  const ext = rulesOf(local, 'external-')[0]!;
  assert.deepEqual(ext.slice(0, 1), ['fib saddr type local jump mark-for-masquerade']);
  assert.match(ext.at(-1)!, /^goto local-/);
  assert.equal(rulesOf(local, 'local-')[0]!.at(-1), 'meta l4proto tcp dnat to 10.244.0.2:5000', 'only the endpoint on this node');
  assert.equal(rulesOf(local, 'service-')[0]!.at(-1), 'meta l4proto tcp dnat ip addr . port to numgen random mod 2 map { 0 : 10.244.0.2 . 5000 , 1 : 10.64.0.9 . 5000 }', 'the ClusterIP still reaches every endpoint');
});

test('ruleset: internalTrafficPolicy Local with no endpoint on this node drops ClusterIP traffic', () => {
  const rs = buildRuleset(state(svc({ internalTrafficPolicy: 'Local' }), [ep('10.64.0.9', { nodeName: 'other' })]), opts);
  assert.equal(rs.maps['service-ips'].size, 0);
  assert.equal(rs.maps['no-endpoint-services'].get('10.96.0.50 . tcp . 80'), 'drop');
});

test('ruleset: sessionAffinity ClientIP sends a client back to its endpoint through per-endpoint affinity sets with the timeout', () => {
  const rs = buildRuleset(state(svc({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } }), [ep('10.244.0.2'), ep('10.244.0.3')]), opts);
  assert.deepEqual([...rs.sets.values()], [60, 60]);
  const chain = rulesOf(rs, 'service-')[0]!;
  assert.match(chain[1]!, /^ip saddr @affinity-[0-9a-f]{8}-default\/web\/tcp\/__10\.244\.0\.2\/5000 goto endpoint-/);
  assert.match(chain.at(-1)!, /^numgen random mod 2 vmap \{ 0 : goto endpoint-.* , 1 : goto endpoint-/);
  const eps = rulesOf(rs, 'endpoint-');
  assert.match(eps[0]![0]!, /^update @affinity-.* \{ ip saddr \}$/);
  assert.equal(eps[0]![1], 'meta l4proto tcp dnat to 10.244.0.2:5000');
});

test('ruleset: named ports and UDP: each Service port takes its endpoints\' port from the slice port of the same name and protocol', () => {
  const s = svc({ ports: [{ name: 'http', port: 80, targetPort: 'web' }, { name: 'dns', port: 53, protocol: 'UDP', targetPort: 'dns' }] });
  const slice = { addressType: 'IPv4', ports: [{ name: 'http', port: 8088, protocol: 'TCP' }, { name: 'dns', port: 9053, protocol: 'UDP' }], endpoints: [{ addresses: ['10.244.0.7'], conditions: { ready: true } }] } as any;
  const ports = servicePorts(s).map((sp) => ({ sp, endpoints: endpointsFor(sp, [slice]) }));
  const rs = buildRuleset(ports, opts);
  const chains = [...rs.chains].filter(([n]) => n.startsWith('service-'));
  assert.equal(chains.find(([n]) => n.endsWith('/tcp/http'))![1].at(-1), 'meta l4proto tcp dnat to 10.244.0.7:8088');
  assert.equal(chains.find(([n]) => n.endsWith('/udp/dns'))![1].at(-1), 'meta l4proto udp dnat to 10.244.0.7:9053');
  assert.ok(rs.maps['service-ips'].has('10.96.0.50 . udp . 53'));
});

test('ruleset: an endpoint leaving rewrites one chain; a Service removed loses its map elements before its chains go', () => {
  const a = buildRuleset(state(svc({}), [ep('10.244.0.2'), ep('10.244.0.3')]), opts);
  const b = buildRuleset(state(svc({}), [ep('10.244.0.2')]), opts);
  const diff = diffRuleset('t', a, b);
  assert.equal(diff.length, 4);
  assert.match(diff[0]!, /^flush chain ip t service-/);
  assert.ok(diff.includes('delete element ip t hairpin { 10.244.0.3 . 10.244.0.3 }'));
  assert.deepEqual(diffRuleset('t', b, b), [], 'nothing changed: no command');
  const gone = diffRuleset('t', b, emptyRuleset());
  assert.match(gone[0]!, /^delete element ip t service-ips \{ 10\.96\.0\.50 \. tcp \. 80 \}$/);
  assert.match(gone.at(-1)!, /^delete chain ip t service-/);
});
