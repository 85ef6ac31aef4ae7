import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PodIPAllocator } from './ip-allocator.js';

test('pod IPs come from the podCIDR, skip the network, gateway and broadcast addresses, and are never shared', () => {
  const a = new PodIPAllocator('10.128.5.0/24');
  const ips = new Set<string>();
  for (let i = 0; i < 253; i++) {
    const ip = a.allocate(`uid-${i}`);
    assert.ok(ip, `pod ${i} got an IP`);
    assert.match(ip, /^10\.128\.5\.(\d+)$/);
    const host = Number(ip.split('.')[3]);
    assert.ok(host >= 2 && host <= 254, `${ip} is a usable host address`);
    ips.add(ip);
  }
  assert.equal(ips.size, 253);
  assert.equal(a.allocate('one-too-many'), undefined, 'an exhausted range gives no IP');
  assert.equal(a.allocate('uid-7'), a.allocate('uid-7'), 'a pod keeps its IP');
  const freed = a.allocate('uid-7')!;
  a.release('uid-7');
  assert.equal(a.allocate('newcomer'), freed, 'a released IP is reused');
});

test('claim() re-registers IPs pods already hold, so a restarted kubelet does not hand them out again', () => {
  const a = new PodIPAllocator('10.130.0.0/24');
  assert.equal(a.claim('old', '10.130.0.2'), true);
  assert.equal(a.claim('other', '10.130.0.2'), false, 'an IP already held is not claimed twice');
  assert.equal(a.claim('outside', '10.131.0.2'), false, 'an IP outside the range is not claimed');
  assert.notEqual(a.allocate('new'), '10.130.0.2');
  assert.equal(a.allocate('old'), '10.130.0.2');
});
