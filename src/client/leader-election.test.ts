import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiHandler } from '../api/transport.js';
import { Client } from './client.js';
import { resources } from '../api/resources.js';
import { FakeClock, FakeApiHandler } from './testing.js';
import { formatMicroTime, LeaderElector, type Lease } from './leader-election.js';
import { discardLog } from './log.js';
import { inProcessTransport } from './transport.js';

function candidate(identity: string, handler: ApiHandler, clock: FakeClock) {
  const state = { leading: false, stopped: false, wasLeader: false, leaders: [] as string[] };
  const elector = new LeaderElector({
    client: new Client(inProcessTransport(handler)),
    lease: { namespace: 'kube-system', name: 'kube-scheduler' },
    identity, clock, log: discardLog, random: () => 0.5,
    callbacks: {
      onStartedLeading: (signal) => { state.leading = true; signal.addEventListener('abort', () => { state.leading = false; }); },
      onStoppedLeading: ({ wasLeader }) => { state.stopped = true; state.wasLeader = wasLeader; },
      onNewLeader: (id) => state.leaders.push(id),
    },
  });
  const ac = new AbortController();
  const done = elector.run(ac.signal);
  return { elector, state, ac, done };
}

test('MicroTime is RFC 3339 UTC with six fractional digits', () => {
  assert.equal(formatMicroTime(Date.UTC(2025, 0, 2, 3, 4, 5, 678)), '2025-01-02T03:04:05.678000Z');
});

test('two candidates: exactly one leads; the other takes over only after the lease expires', async (t) => {
  const fake = new FakeApiHandler();
  const clock = new FakeClock();
  const a = candidate('a', fake.handler, clock);
  await clock.stepAsync(0);
  const b = candidate('b', fake.handler, clock);
  t.after(() => { a.ac.abort(); b.ac.abort(); });
  await clock.stepAsync(0);
  assert.equal(a.state.leading, true);
  assert.equal(b.state.leading, false);
  assert.equal(b.elector.getLeader(), 'a');
  assert.deepEqual(b.state.leaders, ['a']);

  // A minute of renewals: a keeps the lease, b never gets it.
  for (let i = 0; i < 30; i++) {
    await clock.stepAsync(2000);
    assert.equal(a.state.leading && !b.state.leading, true, `at ${i * 2}s exactly one leader`);
  }
  let lease = fake.peek('coordination.k8s.io', 'leases', 'kube-system', 'kube-scheduler') as Lease;
  assert.equal(lease.spec?.holderIdentity, 'a');
  assert.equal(lease.spec?.leaseDurationSeconds, 15);
  assert.equal(lease.spec?.leaseTransitions, 0);
  assert.match(lease.spec!.renewTime!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  const acquiredAt = lease.spec!.acquireTime;
  assert.notEqual(lease.spec!.renewTime, acquiredAt, 'renewals move renewTime, not acquireTime');

  // a dies without releasing. b must wait out leaseDuration (15 s) from when it last saw the lease change.
  a.ac.abort();
  await a.done;
  assert.equal(a.state.stopped && a.state.wasLeader, true);
  await clock.stepAsync(10_000);
  assert.equal(b.state.leading, false, 'the lease has not expired yet');
  await clock.stepAsync(10_000);
  assert.equal(b.state.leading, true, 'b took over the expired lease');
  lease = fake.peek('coordination.k8s.io', 'leases', 'kube-system', 'kube-scheduler') as Lease;
  assert.equal(lease.spec?.holderIdentity, 'b');
  assert.equal(lease.spec?.leaseTransitions, 1);
  assert.notEqual(lease.spec?.acquireTime, acquiredAt);
  assert.deepEqual(b.state.leaders, ['a', 'b']);
});

test('a leader that cannot renew within renewDeadline stops leading', async (t) => {
  const fake = new FakeApiHandler();
  let failWrites = false;
  const flaky: ApiHandler = async (req) => {
    if (failWrites && req.method !== 'GET') return { status: 500, headers: {}, body: JSON.stringify({ kind: 'Status', code: 500, reason: 'InternalError' }) };
    return fake.handler(req);
  };
  const clock = new FakeClock();
  const a = candidate('a', flaky, clock);
  t.after(() => a.ac.abort());
  await clock.stepAsync(0);
  assert.equal(a.state.leading, true);
  failWrites = true;
  await clock.stepAsync(8000);
  assert.equal(a.state.stopped, false, 'still inside renewDeadline');
  await clock.stepAsync(6000);
  assert.equal(a.state.leading, false);
  assert.equal(a.state.stopped, true);
  await a.done;
});

test('releaseOnCancel frees the lease so a successor need not wait for expiry', async (t) => {
  const fake = new FakeApiHandler();
  const clock = new FakeClock();
  const client = new Client(inProcessTransport(fake.handler));
  const ac = new AbortController();
  const el = new LeaderElector({
    client, lease: { namespace: 'kube-system', name: 'ctrl' }, identity: 'a', clock, log: discardLog, releaseOnCancel: true,
    callbacks: { onStartedLeading: () => undefined, onStoppedLeading: () => undefined },
  });
  const done = el.run(ac.signal);
  t.after(() => ac.abort());
  await clock.stepAsync(0);
  assert.equal(el.isLeader(), true);
  ac.abort();
  await done;
  const lease = await client.get<Lease>(resources.leases, 'kube-system', 'ctrl');
  assert.equal(lease.spec?.holderIdentity ?? '', '');
  assert.equal(lease.spec?.leaseDurationSeconds, 1);
});
