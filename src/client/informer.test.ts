import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiHandler } from '../api/transport.js';
import { Client } from './client.js';
import { resources } from '../api/resources.js';
import type { KubeObject } from '../api/object.js';
import { FakeClock, settle, FakeApiHandler } from './testing.js';
import { InformerFactory, SharedInformer } from './informer.js';
import { DeletedFinalStateUnknown } from './keys.js';
import { discardLog } from './log.js';
import { inProcessTransport } from './transport.js';

const pod = (ns: string, name: string, extra: Record<string, unknown> = {}) =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: ns, name, labels: { app: 'web' } }, spec: {}, ...extra });

/** Lets async work run until cond holds; fails (instead of hanging) if it never does. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (cond()) return;
    await settle(5);
  }
  assert.fail(`never happened: ${what}`);
}

function recorder() {
  const events: string[] = [];
  return {
    events,
    handler: {
      onAdd: (o: KubeObject, initial: boolean) => events.push(`add ${o.metadata?.name}${initial ? ' (initial)' : ''}`),
      onUpdate: (a: KubeObject, b: KubeObject) => events.push(`update ${b.metadata?.name} ${a.metadata?.resourceVersion}->${b.metadata?.resourceVersion}`),
      onDelete: (o: KubeObject | DeletedFinalStateUnknown) => events.push(o instanceof DeletedFinalStateUnknown ? `delete ${o.key} (tombstone)` : `delete ${o.metadata?.name}`),
    },
  };
}

function setup(wrap?: (h: ApiHandler) => ApiHandler) {
  const fake = new FakeApiHandler();
  const client = new Client(inProcessTransport(wrap ? wrap(fake.handler) : fake.handler));
  const ac = new AbortController();
  return { fake, client, ac, opts: { clock: new FakeClock(), log: discardLog } };
}

/** A pod informer with a recorder (of its events), synced and with its watch open. */
async function startWatching(fake: FakeApiHandler, client: Client, opts: ReturnType<typeof setup>['opts'], signal: AbortSignal) {
  const inf = new SharedInformer(client, resources.pods, opts);
  const rec = recorder();
  inf.addEventHandler(rec.handler);
  void inf.run(signal);
  await inf.waitForSync();
  await until(() => fake.openWatches === 1, 'watch open');
  return { inf, rec };
}

test('informer: paged list, then watch from the list resourceVersion misses nothing written in between', async (t) => {
  let injected = false;
  const { fake, client, ac, opts } = setup((h) => async (req) => {
    // Just before the first watch is opened, another client writes: that change must still reach the cache.
    if (req.query.get('watch') === 'true' && !injected) {
      injected = true;
      fake.put('', 'pods', pod('a', 'late'));
      fake.remove('', 'pods', 'a', 'p1');
    }
    return h(req);
  });
  t.after(() => ac.abort());
  for (let i = 1; i <= 5; i++) fake.put('', 'pods', pod('a', `p${i}`));
  const inf = new SharedInformer(client, resources.pods, { ...opts, pageSize: 2 });
  const rec = recorder();
  inf.addEventHandler(rec.handler);
  const run = inf.run(ac.signal);
  assert.equal(await inf.waitForSync(), true);
  assert.equal(inf.hasSynced(), true);
  assert.equal(fake.requests.filter((r) => r.method === 'GET' && !r.query.includes('watch')).length, 3, 'five pods in pages of two');
  await until(() => inf.getByName('a', 'late') !== undefined && inf.getByName('a', 'p1') === undefined, 'late writes applied');
  assert.deepEqual(inf.keys().sort(), ['a/late', 'a/p2', 'a/p3', 'a/p4', 'a/p5']);
  assert.deepEqual(rec.events, ['add p1 (initial)', 'add p2 (initial)', 'add p3 (initial)', 'add p4 (initial)', 'add p5 (initial)', 'add late', 'delete p1']);
  const watchReq = fake.requests.find((r) => r.query.includes('watch=true'))!;
  const q = new URLSearchParams(watchReq.query);
  assert.equal(q.get('resourceVersion'), '6', 'the watch starts at the list snapshot');
  assert.equal(q.get('allowWatchBookmarks'), 'true');
  ac.abort();
  await run;
});

test('informer: updates and deletes fire handlers with old and new objects and keep the cache exact', async (t) => {
  const { fake, client, ac, opts } = setup();
  t.after(() => ac.abort());
  fake.put('', 'pods', pod('a', 'p1'));
  const { inf, rec } = await startWatching(fake, client, opts, ac.signal);
  const p1 = await client.get(resources.pods, 'a', 'p1');
  p1.metadata!.labels = { app: 'db' };
  await client.update(resources.pods, p1);
  await client.create(resources.pods, 'b', pod('b', 'p2'));
  await client.delete(resources.pods, 'a', 'p1');
  await until(() => rec.events.length === 4, 'four events');
  assert.deepEqual(rec.events, ['add p1 (initial)', 'update p1 2->3', 'add p2', 'delete p1']);
  assert.deepEqual(inf.list().map((o) => o.metadata?.name), ['p2']);
  assert.deepEqual(inf.list('a'), []);
  assert.equal(inf.list('b').length, 1);
  assert.equal(inf.lastSyncResourceVersion, '5');
});

test('informer: after 410 Expired it relists; deletions missed meanwhile arrive as tombstones', async (t) => {
  let hold: Promise<void> | undefined;
  const { fake, client, ac, opts } = setup((h) => async (req) => {
    if (req.query.get('watch') === 'true' && hold) await hold;
    return h(req);
  });
  t.after(() => ac.abort());
  fake.put('', 'pods', pod('a', 'keep'));
  fake.put('', 'pods', pod('a', 'gone'));
  const { inf, rec } = await startWatching(fake, client, opts, ac.signal);

  // The watch connection drops; while the informer is reconnecting the server compacts past its resourceVersion.
  let release!: () => void;
  hold = new Promise((r) => { release = r; });
  fake.closeWatches();
  await until(() => fake.openWatches === 0, 'watch closed');
  fake.remove('', 'pods', 'a', 'gone');
  fake.put('', 'pods', pod('a', 'new'));
  fake.compact();
  hold = undefined;
  release();

  await until(() => inf.getByName('a', 'new') !== undefined, 'relisted');
  assert.deepEqual(inf.keys().sort(), ['a/keep', 'a/new']);
  const relists = fake.requests.filter((r) => r.method === 'GET' && !r.query.includes('watch')).length;
  assert.equal(relists, 2, 'one initial list and one relist');
  assert.ok(rec.events.includes('delete a/gone (tombstone)'), rec.events.join('; '));
  assert.ok(rec.events.includes('add new'));
  // A relist also reports every object still present as an update (client-go's Replaced), which is harmless for
  // level-triggered controllers.
  assert.ok(rec.events.some((e) => e.startsWith('update keep')));
  await until(() => fake.openWatches === 1, 'watching again');
});

test('informer: when the server ends a watch (timeout) it re-watches from the last resourceVersion without relisting', async (t) => {
  const { fake, client, ac, opts } = setup();
  t.after(() => ac.abort());
  const { inf } = await startWatching(fake, client, opts, ac.signal);
  await client.create(resources.pods, 'a', pod('a', 'p1'));
  await until(() => inf.keys().length === 1, 'p1 seen');
  fake.closeWatches();
  await client.create(resources.pods, 'a', pod('a', 'p2'));   // written while no watch is open
  await until(() => inf.keys().length === 2, 'p2 seen through the new watch');
  const watches = fake.requests.filter((r) => r.query.includes('watch=true')).map((r) => new URLSearchParams(r.query).get('resourceVersion'));
  assert.deepEqual(watches, ['1', '2']);
  assert.equal(fake.requests.filter((r) => r.method === 'GET' && !r.query.includes('watch')).length, 1, 'no relist');
});

test('informer: bookmarks advance the resourceVersion the next watch resumes from', async (t) => {
  const { fake, client, ac, opts } = setup();
  t.after(() => ac.abort());
  const { inf } = await startWatching(fake, client, opts, ac.signal);
  fake.put('', 'configmaps', { metadata: { namespace: 'a', name: 'other-resource' } });   // bumps the revision only
  fake.sendBookmarks();
  await until(() => inf.lastSyncResourceVersion === '2', 'bookmark applied');
  assert.equal(inf.keys().length, 0);
});

test('informer: custom indexes (pods by node), read-only cache objects, late handlers get a replay', async (t) => {
  const { fake, client, ac, opts } = setup();
  t.after(() => ac.abort());
  fake.put('', 'pods', pod('a', 'p1', { spec: { nodeName: 'n1' } }));
  fake.put('', 'pods', pod('a', 'p2', { spec: { nodeName: 'n2' } }));
  fake.put('', 'pods', pod('b', 'p3', { spec: { nodeName: 'n1' } }));
  const inf = new SharedInformer<KubeObject>(client, resources.pods, {
    ...opts, indexers: { byNode: (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []) },
  });
  void inf.run(ac.signal);
  await inf.waitForSync();
  await until(() => fake.openWatches === 1, 'watch open');
  assert.deepEqual(inf.byIndex('byNode', 'n1').map((p) => p.metadata?.name).sort(), ['p1', 'p3']);

  const p2 = inf.getByName('a', 'p2')!;
  assert.throws(() => { p2.spec.nodeName = 'n1'; }, TypeError, 'cached objects are frozen');
  const copy = structuredClone(p2);
  copy.spec.nodeName = 'n1';
  await client.update(resources.pods, copy);
  await until(() => inf.byIndex('byNode', 'n1').length === 3, 'index follows updates');
  assert.deepEqual(inf.byIndex('byNode', 'n2'), []);
  assert.throws(() => inf.byIndex('nope', 'x'));

  const late = recorder();
  inf.addEventHandler(late.handler);
  assert.deepEqual(late.events.sort(), ['add p1 (initial)', 'add p2 (initial)', 'add p3 (initial)']);
});

test('informer factory: controllers asking for the same resource share one informer and one watch', async (t) => {
  const { fake, client, ac, opts } = setup();
  t.after(() => ac.abort());
  const factory = new InformerFactory(client, opts);
  const a = factory.informerFor(resources.pods);
  const b = factory.informerFor(resources.pods, { indexers: { byNode: (p) => [p.spec?.nodeName ?? ''] } });
  const n = factory.informerFor(resources.nodes);
  assert.equal(a, b);
  assert.notEqual(a, n);
  factory.start(ac.signal);
  assert.equal(await factory.waitForCacheSync(ac.signal), true);
  await until(() => fake.openWatches === 2, 'two watches');
  assert.equal(fake.requests.filter((r) => r.path === '/api/v1/pods' && !r.query.includes('watch')).length, 1);
  ac.abort();
  await factory.stopped();
  await until(() => fake.openWatches === 0, 'stopping ends the watches');
});

test('informer: waitForSync resolves false when stopped before the first list succeeds', async () => {
  const { client, ac, opts } = setup((_h) => async () => ({ status: 503, headers: {}, body: 'down' }));
  const inf = new SharedInformer(client, resources.pods, opts);
  const run = inf.run(ac.signal);
  const synced = inf.waitForSync(ac.signal);
  await settle();
  ac.abort();
  assert.equal(await synced, false);
  await run;
  assert.equal(inf.hasSynced(), false);
});

test('informer: cached objects leave out managedFields, from the list and the watch, and keep the rest of their metadata', async (t) => {
  const { fake, client, ac, opts } = setup();
  t.after(() => ac.abort());
  const managed = [{ manager: 'kubectl', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': {} } }];
  fake.put('', 'pods', pod('a', 'listed', { metadata: { namespace: 'a', name: 'listed', labels: { app: 'web' }, managedFields: managed } }));
  const inf = new SharedInformer<KubeObject>(client, resources.pods, opts);
  const kept = new SharedInformer<KubeObject>(client, resources.pods, { ...opts, keepManagedFields: true });
  void inf.run(ac.signal);
  void kept.run(ac.signal);
  await inf.waitForSync();
  await kept.waitForSync();
  await until(() => fake.openWatches === 2, 'watches open');
  fake.put('', 'pods', pod('a', 'watched', { metadata: { namespace: 'a', name: 'watched', labels: { app: 'db' }, managedFields: managed } }));
  await until(() => inf.getByName('a', 'watched') !== undefined && kept.getByName('a', 'watched') !== undefined, 'watched pod cached');
  for (const [name, app] of [['listed', 'web'], ['watched', 'db']]) {
    const o = inf.getByName('a', name)!;
    assert.equal(o.metadata!.managedFields, undefined);
    assert.ok(!Object.prototype.hasOwnProperty.call(o.metadata, 'managedFields'));
    assert.deepEqual([o.metadata!.name, o.metadata!.namespace, o.metadata!.labels?.app], [name, 'a', app]);
    assert.ok(o.metadata!.resourceVersion && o.metadata!.uid);
    assert.ok(Object.isFrozen(o.metadata));
    assert.deepEqual(kept.getByName('a', name)!.metadata!.managedFields, managed, 'kept when asked for');
  }
});
