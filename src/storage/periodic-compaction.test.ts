import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CompactedError } from './backend.js';
import { SqliteStore } from './sqlite/sqlite-store.js';

function tempStore(t: { after(fn: () => unknown): void }, opts: { intervalMs: number; now?: () => number; retainMs?: number }): SqliteStore {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanokube-compaction-'));
  const store = SqliteStore.open({ path: path.join(dir, 'state.db'), ...opts });
  t.after(async () => { await store.close(); fs.rmSync(dir, { recursive: true, force: true }); });
  return store;
}

test('compaction keeps at least five minutes of history, however many revisions that is', async (t) => {
  let clock = 1_000_000;
  const store = tempStore(t, { intervalMs: 0, now: () => clock });
  let kv = await store.create('/registry/leases/ns/l', Buffer.from('0'));
  const write = async (n: number) => { for (let i = 0; i < n; i++) kv = await store.update(kv.key, Buffer.from(String(kv.modRevision)), kv.modRevision); };
  await write(1500); // more than the 1,000 revisions kine keeps, within one second
  assert.equal(await store.runCompaction(), undefined, 'nothing is compacted while all history is younger than 5 minutes');
  const noted = await store.currentRevision();
  clock += 4 * 60_000;
  await write(1500);
  assert.equal(await store.runCompaction(), undefined, 'four minutes later still nothing');
  assert.equal(await store.compactedRevision(), 1, 'a watcher may resume from the very first revision');
  clock += 60_000;
  await write(10);
  assert.equal(await store.runCompaction(), noted, 'five minutes after a revision was noted, what came before it goes');
  assert.equal(await store.compactedRevision(), noted + 1);
  await assert.rejects(store.get(kv.key, { revision: noted }), (err) => err instanceof CompactedError);
  assert.ok(await store.get(kv.key, { revision: noted + 1 }), 'everything written in the last five minutes is readable');
  assert.equal(await store.runCompaction(), undefined, 'a second run at the same time changes nothing');
});

test('the compaction timer compacts without being asked', async (t) => {
  const store = tempStore(t, { intervalMs: 5, retainMs: 0 });
  let kv = await store.create('/registry/leases/ns/l', Buffer.from('0'));
  for (let i = 1; i < 10; i++) kv = await store.update(kv.key, Buffer.from(String(i)), kv.modRevision);
  while ((await store.compactedRevision()) === 1) await new Promise((r) => setTimeout(r, 5));
  assert.ok((await store.compactedRevision()) > 1);
});
