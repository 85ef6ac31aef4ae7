import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dealHand } from './shuffle-sharding.js';
import { QueueSet, type Seat } from './queue-set.js';
import { classify, compileFlowSchema, matchingOrder, type RequestDigest } from './matching.js';
import { mandatoryFlowSchemas, suggestedFlowSchemas, AUTOUPDATE_ANNOTATION, FLOWCONTROL_GROUP } from './bootstrap.js';
import { ensureFlowControlBootstrap } from './ensurer.js';
import { DroppedRequests } from './dropped-requests.js';
import { SqliteStore } from '../../storage/sqlite/sqlite-store.js';
import { createRegistry } from '../index.js';
import { validateFlowSchema, validatePriorityLevel } from '../registry/flowcontrol/validation.js';

test('shuffle sharding deals distinct queues of the deck, the same hand for the same flow', () => {
  for (let h = 0; h < 20000; h += 7) {
    const hand = dealHand(h * 104729, 128, 6);
    assert.equal(new Set(hand).size, 6);
    for (const c of hand) assert.ok(c >= 0 && c < 128);
    assert.deepEqual(dealHand(h * 104729, 128, 6), hand);
  }
});

test('fair queuing: a flow flooding its queue does not keep another flow\'s request waiting behind it', async () => {
  let now = 0;
  const qs = new QueueSet({ name: 'l', concurrencyLimit: 1, queues: 8, handSize: 1, queueLengthLimit: 50 }, () => now);
  // handSize 1 of 8 queues: hash h goes to queue h % 8.
  const first = qs.acquire(0, 60_000) as Seat;
  assert.equal(typeof first.finish, 'function');
  const order: string[] = [];
  const wait = (name: string, hash: number) => (qs.acquire(hash, 60_000) as Promise<Seat | string>).then((s) => { order.push(name); return s as Seat; });
  const flood = [wait('x1', 0), wait('x2', 0), wait('x3', 0)];
  const other = wait('y1', 1);
  assert.deepEqual(qs.dump().waiting, 4);
  now = 1;
  first.finish();
  (await Promise.race([other, ...flood])).finish();
  now = 2;
  for (const p of flood) (await p).finish();
  assert.equal(order[0], 'y1');
  assert.deepEqual(order.slice(1), ['x1', 'x2', 'x3']);
  assert.equal(qs.isIdle(), true);
});

test('a request is rejected when the seats are taken and its queue is full, or at once with LimitResponse Reject', () => {
  const qs = new QueueSet({ name: 'l', concurrencyLimit: 1, queues: 1, handSize: 1, queueLengthLimit: 1 });
  const seat = qs.acquire(5, 60_000) as Seat;
  const queued = qs.acquire(5, 60_000);
  assert.ok(queued instanceof Promise);
  assert.equal(qs.acquire(5, 60_000), 'queue-full');
  seat.finish();
  const reject = new QueueSet({ name: 'r', concurrencyLimit: 2, queues: 0, handSize: 0, queueLengthLimit: 0 });
  const a = reject.acquire(0, 0) as Seat, b = reject.acquire(0, 0) as Seat;
  assert.equal(reject.acquire(0, 0), 'concurrency-limit');
  a.finish(); b.finish();
  assert.equal(reject.dump().rejected, 1);
  return (queued as Promise<Seat>).then((s) => s.finish());
});

test('a queued request that waits past the limit is rejected as timed out', async () => {
  const qs = new QueueSet({ name: 'l', concurrencyLimit: 1, queues: 4, handSize: 2, queueLengthLimit: 10 });
  const seat = qs.acquire(1, 60_000) as Seat;
  // The wait-limit timer is unref'd (in the server a request's socket keeps the process alive): so does this one.
  const alive = setInterval(() => undefined, 1000);
  try { assert.equal(await qs.acquire(1, 1), 'time-out'); } finally { clearInterval(alive); }
  assert.equal(qs.dump().timedOut, 1);
  seat.finish();
});

test('Retry-After starts at 1 second and doubles while a level keeps dropping requests', () => {
  let ms = 1_000_000;
  const d = new DroppedRequests(() => ms);
  assert.equal(d.retryAfter('global-default'), 1);
  for (let s = 0; s < 4; s++) { for (let i = 0; i < 10; i++) d.record('global-default'); ms += 1000; }
  assert.ok(d.retryAfter('global-default') >= 2);
  assert.equal(d.retryAfter('workload-high'), 1);
});

const schemas = [...mandatoryFlowSchemas, ...suggestedFlowSchemas].map((o) => ({ ...structuredClone(o), metadata: { ...o.metadata, uid: o.metadata.name } }))
  .sort(matchingOrder).map(compileFlowSchema);
const user = (username: string, ...groups: string[]) => ({ username, groups: [...groups, 'system:authenticated'] });
const res = (verb: string, resource: string, namespace?: string, group = '', subresource?: string) => ({ verb, group, resource, namespace, subresource });
const fsOf = (d: RequestDigest) => classify(d, schemas)?.name;

test('requests are classified to upstream\'s FlowSchemas: components keep their own priority levels', () => {
  assert.equal(fsOf({ user: user('admin', 'system:masters'), resource: res('delete', 'pods', 'default') }), 'exempt');
  assert.equal(fsOf({ user: user('system:node:n1', 'system:nodes'), resource: res('update', 'leases', 'kube-node-lease', 'coordination.k8s.io') }), 'system-node-high');
  assert.equal(fsOf({ user: user('system:node:n1', 'system:nodes'), resource: res('patch', 'nodes', undefined, '', 'status') }), 'system-node-high');
  assert.equal(fsOf({ user: user('system:node:n1', 'system:nodes'), resource: res('get', 'pods', 'default') }), 'system-nodes');
  assert.equal(fsOf({ user: user('system:kube-controller-manager'), resource: res('update', 'leases', 'kube-system', 'coordination.k8s.io') }), 'system-leader-election');
  assert.equal(fsOf({ user: user('system:kube-controller-manager'), resource: res('update', 'endpoints', 'default') }), 'endpoint-controller');
  assert.equal(fsOf({ user: user('system:kube-controller-manager'), resource: res('create', 'pods', 'default') }), 'kube-controller-manager');
  assert.equal(fsOf({ user: user('system:kube-scheduler'), resource: res('create', 'pods', 'default', '', 'binding') }), 'kube-scheduler');
  assert.equal(fsOf({ user: user('system:serviceaccount:kube-system:persistent-volume-binder', 'system:serviceaccounts'), resource: res('update', 'persistentvolumes') }), 'kube-system-service-accounts');
  assert.equal(fsOf({ user: user('system:serviceaccount:team-a:ci', 'system:serviceaccounts'), resource: res('list', 'pods', 'team-a') }), 'service-accounts');
  assert.equal(fsOf({ user: user('jane', 'devs'), resource: res('get', 'configmaps', 'default') }), 'global-default');
  assert.equal(fsOf({ user: { username: 'system:anonymous', groups: ['system:unauthenticated'] }, nonResource: { verb: 'get', path: '/readyz' } }), 'probes');
  assert.equal(fsOf({ user: user('jane'), nonResource: { verb: 'get', path: '/version' } }), 'global-default');
});

test('the mandatory objects may not change; a priority level\'s shuffle sharding needs no more than 60 bits of hash', () => {
  const exempt = structuredClone(mandatoryFlowSchemas.find((o) => o.metadata.name === 'exempt')!);
  exempt.spec.matchingPrecedence = 2;
  assert.match(validateFlowSchema(exempt).map((e) => e.detail).join(), /spec of 'exempt' must equal the fixed value/);
  const pl = { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: { name: 'wide' },
    spec: { type: 'Limited', limited: { nominalConcurrencyShares: 1, lendablePercent: 0, limitResponse: { type: 'Queue', queuing: { queues: 1000, handSize: 10, queueLengthLimit: 5 } } } } };
  assert.match(validatePriorityLevel(pl).map((e) => e.detail).join(), /required entropy bits of deckSize 1000 and handSize 10 should not be greater than 60/);
});

test('the bootstrap producer restores the mandatory objects and suggested ones, but not those a user took over', async (t) => {
  const store = SqliteStore.open({ path: ':memory:', intervalMs: 0 });
  t.after(() => store.close());
  const registry = createRegistry(store);
  await ensureFlowControlBootstrap(registry);
  const pls = registry.forResource(FLOWCONTROL_GROUP, 'prioritylevelconfigurations')!;
  const fss = registry.forResource(FLOWCONTROL_GROUP, 'flowschemas')!;
  assert.equal((await pls.list(undefined)).items.length, 8);
  assert.equal((await fss.list(undefined)).items.length, 13);
  const w = registry.writeContext();
  // A user edits two suggested levels, taking one over; deletes a suggested and a mandatory schema; adds one of
  // their own marked as auto-updated.
  for (const [name, takeOver] of [['workload-low', true], ['global-default', false]] as const) {
    const pl = structuredClone(await pls.get(undefined, name));
    pl.spec.limited.nominalConcurrencyShares = 7;
    if (takeOver) pl.metadata.annotations = { ...pl.metadata.annotations, [AUTOUPDATE_ANNOTATION]: 'false' };
    await pls.update(undefined, name, pl, w);
  }
  await fss.delete(undefined, 'probes', {}, w);
  await fss.delete(undefined, 'catch-all', {}, w);
  await fss.create(undefined, { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', metadata: { name: 'retired', annotations: { [AUTOUPDATE_ANNOTATION]: 'true' } },
    spec: { priorityLevelConfiguration: { name: 'global-default' }, matchingPrecedence: 5000, rules: [{ subjects: [{ kind: 'User', user: { name: 'x' } }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }] }] } }, w);
  await ensureFlowControlBootstrap(registry);
  assert.equal((await pls.get(undefined, 'workload-low')).spec.limited.nominalConcurrencyShares, 7);
  assert.equal((await pls.get(undefined, 'global-default')).spec.limited.nominalConcurrencyShares, 20);
  assert.ok(await fss.tryGet(undefined, 'probes'));
  assert.ok(await fss.tryGet(undefined, 'catch-all'));
  assert.equal(await fss.tryGet(undefined, 'retired'), undefined);
});
