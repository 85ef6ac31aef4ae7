import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CompactedError } from './backend.js';
import { SqliteStore } from './sqlite/sqlite-store.js';

function tempStore(t: { after(fn: () => unknown): void }, opts: { intervalMs: number; retainRevisions: number }): SqliteStore {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanokube-compaction-'));
  const store = SqliteStore.open({ path: path.join(dir, 'state.db'), ...opts });
  t.after(async () => { await store.close(); fs.rmSync(dir, { recursive: true, force: true }); });
  return store;
}

test('periodic compaction keeps exactly the newest retainRevisions revisions readable', async (t) => {
  const store = tempStore(t, { intervalMs: 0, retainRevisions: 10 });
  let kv = await store.create('/registry/leases/ns/l', Buffer.from('0'));
  assert.equal(await store.runCompaction(), undefined, 'nothing to compact while history is shorter than the window');
  for (let i = 1; i < 30; i++) kv = await store.update(kv.key, Buffer.from(String(i)), kv.modRevision);
  const current = await store.currentRevision();
  assert.equal(await store.runCompaction(), current - 10);
  assert.equal(await store.compactedRevision(), current - 9);
  assert.equal((await store.get(kv.key, { revision: current - 9 }))?.value.toString(), String(current - 9 - 1));
  await assert.rejects(store.get(kv.key, { revision: current - 10 }), (err) => err instanceof CompactedError);
  assert.equal(await store.runCompaction(), undefined, 'a second run with no new writes changes nothing');
});

test('the compaction timer compacts without being asked', async (t) => {
  const store = tempStore(t, { intervalMs: 5, retainRevisions: 2 });
  let kv = await store.create('/registry/leases/ns/l', Buffer.from('0'));
  for (let i = 1; i < 10; i++) kv = await store.update(kv.key, Buffer.from(String(i)), kv.modRevision);
  while ((await store.compactedRevision()) === 1) await new Promise((r) => setTimeout(r, 5));
  assert.ok((await store.compactedRevision()) > 1);
});
