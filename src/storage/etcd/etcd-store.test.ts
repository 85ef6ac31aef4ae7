import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runStoreConformance } from '../conformance.js';
import { EtcdStore } from './etcd-store.js';
import { findEtcd, startTestEtcd, type TestEtcd } from '../../../test/helpers/etcd.js';

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

  test('etcd: connecting to an unreachable endpoint fails quickly with an error naming it', async () => {
    await assert.rejects(
      EtcdStore.connect({ endpoints: ['http://127.0.0.1:1'], connectTimeoutMs: 2000, intervalMs: 0 }),
      /cannot reach etcd at http:\/\/127\.0\.0\.1:1/,
    );
  });
}
