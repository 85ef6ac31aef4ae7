import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runStoreConformance } from '../conformance.js';
import { EtcdStore } from './etcd-store.js';
import { KeyExistsError } from '../backend.js';
import { findEtcd, startTestEtcd, startDroppingProxy, type TestEtcd } from '../../../test/helpers/etcd.js';

if (!findEtcd()) {
  test('etcd store conformance', { skip: 'skipped: etcd not found' }, () => {});
} else {
  let etcd: TestEtcd | undefined;
  before(async () => { etcd = await startTestEtcd(); });
  after(async () => { await etcd?.stop(); });

  // One etcd for the file; each store gets its own key prefix, so tests see only their own keys
  // (revisions and compaction are etcd-wide, which the suite allows for).
  let n = 0;
  runStoreConformance('etcd', async () => {
    const store = await EtcdStore.connect({ endpoints: [etcd!.endpoint], keyPrefix: `/t${++n}`, intervalMs: 0 });
    return { store, cleanup: () => store.close() };
  });

  test('etcd: keys are stored under the key prefix and read back without it', async (t) => {
    const a = await EtcdStore.connect({ endpoints: [etcd!.endpoint], keyPrefix: '/tenant-a', intervalMs: 0 });
    const bare = await EtcdStore.connect({ endpoints: [etcd!.endpoint], intervalMs: 0 });
    t.after(async () => { await a.close(); await bare.close(); });
    await a.create('/registry/pods/ns/p', Buffer.from('x'));
    assert.equal((await bare.get('/tenant-a/registry/pods/ns/p'))?.value.toString(), 'x');
    assert.deepEqual((await a.list('/registry/')).items.map((kv) => kv.key), ['/registry/pods/ns/p']);
    assert.equal(await bare.get('/registry/pods/ns/p'), undefined);
  });

  test('etcd: a write whose answer is lost reports what happened, never its own write as a conflict', async (t) => {
    const proxy = await startDroppingProxy(etcd!.endpoint);
    const store = await EtcdStore.connect({ endpoints: [proxy.endpoint], keyPrefix: '/ambiguous', intervalMs: 0 });
    t.after(async () => { await store.close(); await proxy.close(); });
    const key = '/registry/pods/ns/p';

    proxy.dropNextResponse();
    const created = await store.create(key, Buffer.from('{"uid":"1"}'));
    assert.equal(proxy.dropped, 1, 'the create was applied by etcd and its answer lost');
    const afterCreate = await store.get(key);
    assert.equal(afterCreate?.value.toString(), '{"uid":"1"}');
    assert.equal(created.modRevision, afterCreate?.modRevision);
    assert.equal(created.createRevision, afterCreate?.createRevision);

    proxy.dropNextResponse();
    const updated = await store.update(key, Buffer.from('{"uid":"1","v":2}'), created.modRevision);
    assert.equal(proxy.dropped, 2);
    const afterUpdate = await store.get(key);
    assert.equal(afterUpdate?.value.toString(), '{"uid":"1","v":2}');
    assert.equal(updated.modRevision, afterUpdate?.modRevision);

    proxy.dropNextResponse();
    const deleted = await store.delete(key, updated.modRevision);
    assert.equal(proxy.dropped, 3);
    assert.equal(deleted.value.toString(), '{"uid":"1","v":2}');
    assert.ok(deleted.modRevision > updated.modRevision);
    assert.equal(await store.get(key), undefined);

    // A write that etcd refuses is still refused: the read-back does not invent success.
    await store.create(key, Buffer.from('{"uid":"2"}'));
    proxy.dropNextResponse();
    await assert.rejects(store.create(key, Buffer.from('{"uid":"3"}')), (e) => e instanceof KeyExistsError);
  });

  test('etcd: connecting to an unreachable endpoint fails quickly with an error naming it', async () => {
    await assert.rejects(
      EtcdStore.connect({ endpoints: ['http://127.0.0.1:1'], connectTimeoutMs: 2000, intervalMs: 0 }),
      /cannot reach etcd at http:\/\/127\.0\.0\.1:1/,
    );
  });
}
