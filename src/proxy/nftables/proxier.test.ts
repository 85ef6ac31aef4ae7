// The nftables proxier against the real kernel (root, nft): every Service shape's rules are accepted in one batch,
// a change is applied incrementally, a table left by a killed process is replaced, and stop removes the table.
// Each test uses a table of its own name; skipped without root or nft.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { NftablesProxier } from './proxier.js';
import { nftUnavailableReason } from './nft.js';
import { servicePorts, type Endpoint } from '../service-ports.js';
import type { ServicePortState } from '../proxier.js';

const why = nftUnavailableReason();
const skip = why ? `skipped: ${why}` : false;
const list = (table: string) => { try { return execFileSync('nft', ['list', 'table', 'ip', table], { stdio: ['ignore', 'pipe', 'ignore'] }).toString(); } catch { return undefined; } };
const ep = (ip: string, o: Partial<Endpoint> = {}): Endpoint => ({ ip, port: 5000, ready: true, serving: true, terminating: false, nodeName: 'nanokube', ...o });
const svc = (name: string, ip: string, spec: Record<string, unknown> = {}, status?: unknown) => ({ metadata: { namespace: 'default', name }, spec: { clusterIP: ip, clusterIPs: [ip], ports: [{ port: 80, targetPort: 5000 }], ...spec }, ...(status ? { status } : {}) }) as any;
const st = (s: any, eps: Endpoint[]): ServicePortState[] => servicePorts(s).map((sp) => ({ sp, endpoints: eps }));

function services(readyB = true): Map<string, ServicePortState[]> {
  return new Map([
    ['default/plain', st(svc('plain', '10.96.7.1'), [ep('10.250.0.2'), ep('10.250.0.3', { ready: readyB })])],
    ['default/node', st(svc('node', '10.96.7.2', { type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ port: 80, nodePort: 31999, targetPort: 5000 }] }), [ep('10.250.0.2'), ep('10.250.0.9', { nodeName: 'other' })])],
    ['default/lb', st(svc('lb', '10.96.7.3', { type: 'LoadBalancer', internalTrafficPolicy: 'Local', ports: [{ port: 81, nodePort: 31998, targetPort: 5000 }] }, { loadBalancer: { ingress: [{ ip: '192.0.2.250' }] } }), [ep('10.250.0.2')])],
    ['default/sticky', st(svc('sticky', '10.96.7.4', { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 30 } }, ports: [{ port: 53, protocol: 'UDP', targetPort: 9053 }] }), [ep('10.250.0.2'), ep('10.250.0.3')])],
    ['default/empty', st(svc('empty', '10.96.7.5'), [])],
  ]);
}

test('nftables proxier: every Service shape is accepted by the kernel; a change is applied incrementally; stop removes the table', { skip }, async (t) => {
  const table = `nkpx-test-${randomBytes(3).toString('hex')}`;
  t.after(() => { try { execFileSync('nft', ['-f', '-'], { input: `add table ip ${table}\ndelete table ip ${table}\n` }); } catch { /* gone */ } });
  // What a killed proxy left behind is replaced at the first sync.
  execFileSync('nft', ['-f', '-'], { input: `add table ip ${table}\nadd chain ip ${table} leftover-from-a-crash\n` });
  const p = new NftablesProxier({ table, nodeName: 'nanokube', clusterCIDR: '10.250.0.0/16', log: () => {} });
  const first = await p.sync({ full: true, services: services() });
  assert.equal(first.full, true);
  const text = list(table)!;
  assert.ok(!text.includes('leftover-from-a-crash'));
  assert.match(text, /10\.96\.7\.1 \. tcp \. 80 : goto service-/);
  assert.match(text, /tcp \. 31999 : goto external-/);
  assert.match(text, /192\.0\.2\.250 \. tcp \. 81 : goto external-/);
  assert.match(text, /10\.96\.7\.5 \. tcp \. 80 : goto reject-chain/);
  assert.match(text, /set affinity-.*\{\s+type ipv4_addr\s+size \d+\s+flags dynamic,timeout\s+timeout 30s/s);
  const again = await p.sync({ full: false, services: new Map([['default/plain', services(false).get('default/plain')!]]) });
  assert.equal(again.full, false);
  assert.ok(again.changes > 0 && again.changes <= 4, `a small batch (${again.changes} commands)`);
  assert.match(list(table)!, /dnat to 10\.250\.0\.2:5000/);
  const removed = await p.sync({ full: false, services: new Map([['default/plain', []]]) });
  assert.ok(removed.changes > 0);
  assert.doesNotMatch(list(table)!, /10\.96\.7\.1 \./);
  await p.stop();
  assert.equal(list(table), undefined, 'the table is gone');
});
