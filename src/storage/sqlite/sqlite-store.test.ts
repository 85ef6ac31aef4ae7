import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runStoreConformance } from '../conformance.js';
import { SqliteStore } from './sqlite-store.js';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'nanokube-sqlite-'));
}

runStoreConformance('sqlite', async () => {
  const dir = tempDir();
  const store = SqliteStore.open({ path: path.join(dir, 'state.db'), intervalMs: 0 });
  return { store, cleanup: async () => { await store.close(); fs.rmSync(dir, { recursive: true, force: true }); } };
});

test('sqlite: data, revisions and compaction survive closing and reopening the file', async (t) => {
  const dir = tempDir();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'state.db');
  let store = SqliteStore.open({ path: file, intervalMs: 0 });
  const a = await store.create('/registry/pods/ns/a', Buffer.from('a'));
  const del = await store.create('/registry/pods/ns/b', Buffer.from('b')).then((kv) => store.delete(kv.key));
  await store.compact(del.modRevision);
  await store.close();

  store = SqliteStore.open({ path: file, intervalMs: 0 });
  t.after(() => store.close());
  assert.equal(await store.currentRevision(), del.modRevision, 'the revision counter does not go back, even when the newest row was compacted away');
  assert.equal(await store.compactedRevision(), del.modRevision + 1);
  assert.equal((await store.get('/registry/pods/ns/a'))?.modRevision, a.modRevision);
  const next = await store.create('/registry/pods/ns/b', Buffer.from('b2'));
  assert.equal(next.modRevision, del.modRevision + 1);
});

test('sqlite: a second store cannot open a database another store holds', async (t) => {
  const dir = tempDir();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'state.db');
  const store = SqliteStore.open({ path: file, intervalMs: 0 });
  t.after(() => store.close());
  await store.create('/registry/pods/ns/a', Buffer.from('a'));
  assert.throws(() => SqliteStore.open({ path: file, intervalMs: 0, busyTimeoutMs: 50 }), /in use/);
});

test('sqlite: churning the same keys with periodic compaction keeps the files bounded', async (t) => {
  const dir = tempDir();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'state.db');
  // Five minutes pass between compactions: each forgets what was written before the previous one.
  let clock = 0;
  const store = SqliteStore.open({ path: file, intervalMs: 0, now: () => clock });
  t.after(() => store.close());
  const value = Buffer.alloc(1024, 'x'); // 20k writes of 1 KiB = 20 MiB written in total
  const revs = new Map<string, number>();
  for (let i = 0; i < 10; i++) revs.set(`/registry/leases/ns/l${i}`, (await store.create(`/registry/leases/ns/l${i}`, value)).modRevision);
  for (let n = 0; n < 20_000; n++) {
    const key = `/registry/leases/ns/l${n % 10}`;
    revs.set(key, (await store.update(key, value, revs.get(key)!)).modRevision);
    if (n % 2000 === 1999) { await store.runCompaction(); clock += 5 * 60_000; }
  }
  await store.runCompaction(); clock += 5 * 60_000;
  await store.runCompaction();
  const size = (f: string) => (fs.existsSync(f) ? fs.statSync(f).size : 0);
  const total = size(file) + size(`${file}-wal`);
  if (process.env.NANOKUBE_DEBUG_STORAGE) console.log({ db: size(file), wal: size(`${file}-wal`) });
  // Live data is ~10 KiB; without compaction the log would be > 20 MiB,
  // and without giving freed pages back (incremental_vacuum) the file would keep its ~2 MiB high-water mark.
  assert.ok(total < 1024 * 1024, `database files are ${total} bytes after churn + compaction`);
  assert.equal(await store.count('/registry/leases/'), 10);
  assert.equal((await store.list('/registry/leases/')).items.length, 10);
});

test('sqlite: a watch from a list\'s revision gets every later write once, also while commits wait for the disk', async (t) => {
  // A commit is readable before its fdatasync returns and it is published; a list may so report a revision
  // whose events are still to come. A watch from that revision must get neither those again nor miss later ones.
  const dir = tempDir();
  const store = SqliteStore.open({ path: path.join(dir, 'state.db'), intervalMs: 0 });
  t.after(async () => { await store.close(); fs.rmSync(dir, { recursive: true, force: true }); });
  for (let round = 0; round < 30; round++) {
    const prefix = `/registry/configmaps/r${round}/`;
    const writes = Array.from({ length: 5 }, (_, i) => store.create(`${prefix}a${i}`, Buffer.from('x')));
    for (let i = round % 4; i > 0; i--) await new Promise((r) => setImmediate(r)); // list at varying moments of the commit
    const { revision } = await store.list(prefix);
    const seen: number[] = [];
    const w = store.watch(prefix, revision, { onEvent: (ev) => seen.push(ev.kv.modRevision), onError: () => undefined });
    const revs = (await Promise.all([...writes, store.create(`${prefix}b`, Buffer.from('y'))])).map((kv) => kv.modRevision);
    await new Promise((r) => setImmediate(r));
    w.stop();
    assert.deepEqual(seen, revs.filter((r) => r > revision), `round ${round}: listed at ${revision}`);
  }
});

test('sqlite: closing acknowledges the writes already committed before the file closes', async (t) => {
  const dir = tempDir();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'state.db');
  let store = SqliteStore.open({ path: file, intervalMs: 0 });
  const writes = Array.from({ length: 20 }, (_, i) => store.create(`/registry/configmaps/ns/c${i}`, Buffer.from('x')));
  await store.close();
  assert.equal((await Promise.all(writes)).length, 20);
  store = SqliteStore.open({ path: file, intervalMs: 0 });
  t.after(() => store.close());
  assert.equal((await store.list('/registry/configmaps/ns/')).items.length, 20);
});
