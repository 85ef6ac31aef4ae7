// The Store contract (backend.ts) as tests: every backend runs this same suite
// (sqlite/sqlite-store.test.ts, etcd/etcd-store.test.ts). Each test gets a fresh, empty store.
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import {
  CompactedError, ConflictError, FutureRevisionError, KeyExistsError, NotFoundError,
  type Store, type WatchEvent, type Watcher,
} from './backend.js';

export type NewStore = () => Promise<{ store: Store; cleanup(): Promise<void> }>;

const b = (s: string) => Buffer.from(s);
/** A guard against a hung test, not a timing assertion: a correct store answers in milliseconds. */
const guardMs = 15_000;

interface Collector { watcher: Watcher; events: WatchEvent[]; done: Promise<WatchEvent[]> }

/** Watches and resolves once n events arrived; rejects on onError (or a hung watch). */
function collect(store: Store, prefix: string, fromRevision: number, n: number): Collector {
  const events: WatchEvent[] = [];
  let resolve!: (evs: WatchEvent[]) => void;
  let reject!: (err: Error) => void;
  const done = new Promise<WatchEvent[]>((res, rej) => { resolve = res; reject = rej; });
  const timer = setTimeout(() => reject(new Error(`watch gave ${events.length} of ${n} events: ${JSON.stringify(events.map(summary))}`)), guardMs);
  const inner = store.watch(prefix, fromRevision, {
    onEvent(ev) {
      events.push(ev);
      if (events.length === n) { clearTimeout(timer); resolve(events); }
    },
    onError(err) { clearTimeout(timer); reject(err); },
  });
  done.catch(() => {}).finally(() => clearTimeout(timer));
  const watcher: Watcher = { stop() { clearTimeout(timer); inner.stop(); } };
  return { watcher, events, done };
}

/** Resolves with the error a watch reports (thrown by watch() or passed to onError); rejects if an event comes first. */
function watchError(store: Store, prefix: string, fromRevision: number): Promise<Error> {
  return new Promise<Error>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('watch neither failed nor delivered')), guardMs);
    try {
      const w = store.watch(prefix, fromRevision, {
        onEvent(ev) { clearTimeout(timer); w.stop(); reject(new Error(`expected an error, got event ${JSON.stringify(summary(ev))}`)); },
        onError(err) { clearTimeout(timer); resolve(err); },
      });
    } catch (err) {
      clearTimeout(timer);
      resolve(err as Error);
    }
  });
}

function summary(ev: WatchEvent) {
  return { type: ev.type, key: ev.kv.key, rev: ev.kv.modRevision, value: ev.kv.value.toString(), prev: ev.prevKv?.value.toString() };
}

const isA = (cls: new (...args: never[]) => Error) => (err: unknown) => {
  assert.ok(err instanceof cls, `expected ${cls.name}, got ${String(err)}`);
  return true;
};

export function runStoreConformance(name: string, newStore: NewStore): void {
  async function open(t: TestContext): Promise<Store> {
    const { store, cleanup } = await newStore();
    t.after(cleanup);
    return store;
  }

  describe(`${name} store conformance`, () => {
    test('create stores a key at a new revision; get reads back the exact bytes', async (t) => {
      const store = await open(t);
      const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      const kv = await store.create('/registry/pods/default/a', bytes);
      assert.equal(kv.key, '/registry/pods/default/a');
      assert.equal(kv.createRevision, kv.modRevision);
      assert.ok(kv.modRevision > 0);
      const got = await store.get('/registry/pods/default/a');
      assert.ok(got);
      assert.deepEqual(got.value, bytes);
      assert.equal(got.modRevision, kv.modRevision);
      assert.equal(got.createRevision, kv.createRevision);
      assert.equal(await store.get('/registry/pods/default/missing'), undefined);
    });

    test('create of an existing key fails with KeyExistsError and changes nothing', async (t) => {
      const store = await open(t);
      const kv = await store.create('/registry/pods/default/a', b('v1'));
      await assert.rejects(store.create('/registry/pods/default/a', b('v2')), isA(KeyExistsError));
      const got = await store.get('/registry/pods/default/a');
      assert.equal(got?.value.toString(), 'v1');
      assert.equal(await store.currentRevision(), kv.modRevision);
    });

    test('update is a compare-and-swap on modRevision', async (t) => {
      const store = await open(t);
      const v1 = await store.create('/registry/pods/default/a', b('v1'));
      const v2 = await store.update('/registry/pods/default/a', b('v2'), v1.modRevision);
      assert.ok(v2.modRevision > v1.modRevision);
      assert.equal(v2.createRevision, v1.createRevision);
      assert.equal(v2.value.toString(), 'v2');
      await assert.rejects(store.update('/registry/pods/default/a', b('stale'), v1.modRevision), (err) => {
        assert.ok(err instanceof ConflictError);
        assert.equal(err.actualRevision, v2.modRevision);
        return true;
      });
      assert.equal((await store.get('/registry/pods/default/a'))?.value.toString(), 'v2');
      await assert.rejects(store.update('/registry/pods/default/missing', b('x'), v2.modRevision), isA(NotFoundError));
      await assert.rejects(store.update('/registry/pods/default/missing', b('x'), 0), isA(NotFoundError));
    });

    test('delete honours expectedRevision, returns the last value at the delete revision', async (t) => {
      const store = await open(t);
      const v1 = await store.create('/registry/pods/default/a', b('v1'));
      const v2 = await store.update('/registry/pods/default/a', b('v2'), v1.modRevision);
      await assert.rejects(store.delete('/registry/pods/default/a', v1.modRevision), isA(ConflictError));
      assert.ok(await store.get('/registry/pods/default/a'), 'a failed conditional delete must not delete');
      const del = await store.delete('/registry/pods/default/a', v2.modRevision);
      assert.equal(del.value.toString(), 'v2');
      assert.equal(del.createRevision, v1.createRevision);
      assert.ok(del.modRevision > v2.modRevision);
      assert.equal(await store.currentRevision(), del.modRevision);
      assert.equal(await store.get('/registry/pods/default/a'), undefined);
      await assert.rejects(store.delete('/registry/pods/default/a'), isA(NotFoundError));
      await assert.rejects(store.update('/registry/pods/default/a', b('x'), del.modRevision), isA(NotFoundError));

      // Unconditional delete (no revision, or 0), and re-creation after a delete starts a new life.
      const c1 = await store.create('/registry/pods/default/a', b('again'));
      assert.ok(c1.createRevision > del.modRevision);
      assert.equal((await store.delete('/registry/pods/default/a')).value.toString(), 'again');
      await store.create('/registry/pods/default/a', b('third'));
      assert.equal((await store.delete('/registry/pods/default/a', 0)).value.toString(), 'third');
    });

    test('revisions strictly increase across all keys and currentRevision is the last write', async (t) => {
      const store = await open(t);
      const start = await store.currentRevision();
      const revs = [
        (await store.create('/registry/pods/ns/a', b('1'))).modRevision,
        (await store.create('/registry/services/ns/b', b('1'))).modRevision,
      ];
      revs.push((await store.update('/registry/pods/ns/a', b('2'), revs[0])).modRevision);
      revs.push((await store.delete('/registry/services/ns/b')).modRevision);
      assert.ok(revs[0] > start);
      for (let i = 1; i < revs.length; i++) assert.ok(revs[i] > revs[i - 1], `revisions ${revs.join(',')} must increase`);
      assert.equal(await store.currentRevision(), revs[revs.length - 1]);
      // A failed write does not consume a revision.
      await assert.rejects(store.create('/registry/pods/ns/a', b('x')), isA(KeyExistsError));
      assert.equal(await store.currentRevision(), revs[revs.length - 1]);
    });

    test('list returns exactly the keys under the prefix, sorted, at the current revision', async (t) => {
      const store = await open(t);
      await store.create('/registry/pods/ns/b', b('b'));
      await store.create('/registry/podsx/ns/c', b('c'));
      await store.create('/registry/pods/ns/a', b('a'));
      await store.create('/registry/pod', b('p'));
      const last = await store.create('/registry/pods/other/z', b('z'));
      await store.delete('/registry/pods/other/z');
      await store.create('/registry/pods/', b('the prefix itself is a key too'));
      const res = await store.list('/registry/pods/');
      assert.deepEqual(res.items.map((kv) => kv.key), ['/registry/pods/', '/registry/pods/ns/a', '/registry/pods/ns/b']);
      assert.equal(res.items[1].value.toString(), 'a');
      assert.equal(res.revision, await store.currentRevision());
      assert.equal(res.continueKey, undefined);
      assert.deepEqual((await store.list('/registry/pods/ns/')).items.map((kv) => kv.key), ['/registry/pods/ns/a', '/registry/pods/ns/b']);
      assert.deepEqual((await store.list('/registry/nothing/')).items, []);
      assert.ok(last.modRevision < res.revision);
    });

    test('get and list read the past at an older revision', async (t) => {
      const store = await open(t);
      const a1 = await store.create('/registry/cm/ns/a', b('a1'));
      const r = (await store.create('/registry/cm/ns/b', b('b1'))).modRevision;
      const a2 = await store.update('/registry/cm/ns/a', b('a2'), a1.modRevision);
      await store.delete('/registry/cm/ns/b');
      await store.create('/registry/cm/ns/c', b('c1'));
      const past = await store.list('/registry/cm/', { revision: r });
      assert.equal(past.revision, r);
      assert.deepEqual(past.items.map((kv) => `${kv.key}=${kv.value}`), ['/registry/cm/ns/a=a1', '/registry/cm/ns/b=b1']);
      const now = await store.list('/registry/cm/');
      assert.deepEqual(now.items.map((kv) => `${kv.key}=${kv.value}`), ['/registry/cm/ns/a=a2', '/registry/cm/ns/c=c1']);
      assert.equal((await store.get('/registry/cm/ns/a', { revision: r }))?.value.toString(), 'a1');
      assert.equal((await store.get('/registry/cm/ns/b', { revision: r }))?.value.toString(), 'b1');
      assert.equal(await store.get('/registry/cm/ns/c', { revision: r }), undefined);
      assert.equal((await store.get('/registry/cm/ns/a', { revision: a2.modRevision }))?.value.toString(), 'a2');
    });

    test('pagination with limit and continueKey reads one consistent snapshot', async (t) => {
      const store = await open(t);
      for (const k of ['k1', 'k2', 'k3', 'k4', 'k5']) await store.create(`/registry/pg/${k}`, b(`${k}-old`));
      await store.create('/registry/pgx/other', b('x'));
      const p1 = await store.list('/registry/pg/', { limit: 2 });
      assert.deepEqual(p1.items.map((kv) => kv.key), ['/registry/pg/k1', '/registry/pg/k2']);
      assert.equal(p1.continueKey, '/registry/pg/k2');
      assert.equal(p1.remaining, 3);
      // Writes between pages must not show up in later pages of the same list.
      await store.create('/registry/pg/k0', b('new'));
      await store.create('/registry/pg/k6', b('new'));
      await store.delete('/registry/pg/k3');
      await store.update('/registry/pg/k4', b('k4-new'), (await store.get('/registry/pg/k4'))!.modRevision);
      const p2 = await store.list('/registry/pg/', { limit: 2, revision: p1.revision, continueKey: p1.continueKey });
      assert.equal(p2.revision, p1.revision);
      assert.deepEqual(p2.items.map((kv) => `${kv.key}=${kv.value}`), ['/registry/pg/k3=k3-old', '/registry/pg/k4=k4-old']);
      assert.equal(p2.continueKey, '/registry/pg/k4');
      assert.equal(p2.remaining, 1);
      const p3 = await store.list('/registry/pg/', { limit: 2, revision: p1.revision, continueKey: p2.continueKey });
      assert.deepEqual(p3.items.map((kv) => `${kv.key}=${kv.value}`), ['/registry/pg/k5=k5-old']);
      assert.equal(p3.continueKey, undefined);
      // A limit that exactly fits returns no continueKey.
      const all = await store.list('/registry/pg/', { limit: 6 });
      assert.equal(all.items.length, 6);
      assert.equal(all.continueKey, undefined);
    });

    test('count counts the live keys under a prefix only', async (t) => {
      const store = await open(t);
      await store.create('/registry/pods/ns/a', b('a'));
      await store.create('/registry/pods/ns/b', b('b'));
      await store.create('/registry/pods/ns/c', b('c'));
      await store.create('/registry/podsx/ns/d', b('d'));
      await store.delete('/registry/pods/ns/b');
      assert.equal(await store.count('/registry/pods/'), 2);
      assert.equal(await store.count('/registry/podsx/'), 1);
      assert.equal(await store.count('/registry/none/'), 0);
    });

    test('a watch from the current revision sees later writes in order, DELETE carrying the last value', async (t) => {
      const store = await open(t);
      await store.create('/registry/pods/ns/before', b('old'));
      const from = await store.currentRevision();
      const c = collect(store, '/registry/pods/', from, 3);
      t.after(() => c.watcher.stop());
      const v1 = await store.create('/registry/pods/ns/a', b('v1'));
      const v2 = await store.update('/registry/pods/ns/a', b('v2'), v1.modRevision);
      const del = await store.delete('/registry/pods/ns/a');
      const evs = await c.done;
      assert.deepEqual(evs.map((e) => e.type), ['PUT', 'PUT', 'DELETE']);
      assert.deepEqual(evs.map((e) => e.kv.modRevision), [v1.modRevision, v2.modRevision, del.modRevision]);
      assert.equal(evs[0].kv.value.toString(), 'v1');
      assert.equal(evs[0].prevKv, undefined, 'a create has no previous value');
      assert.equal(evs[0].kv.createRevision, v1.modRevision);
      assert.equal(evs[1].kv.value.toString(), 'v2');
      assert.equal(evs[1].prevKv?.value.toString(), 'v1');
      assert.equal(evs[1].prevKv?.modRevision, v1.modRevision);
      assert.equal(evs[2].kv.key, '/registry/pods/ns/a');
      assert.equal(evs[2].kv.value.toString(), 'v2', 'DELETE carries the last value');
      assert.equal(evs[2].kv.createRevision, v1.modRevision);
    });

    test('a watch from an older revision replays history, then continues live without gap or duplicate', async (t) => {
      const store = await open(t);
      const from = await store.currentRevision();
      const history = [
        await store.create('/registry/pods/ns/a', b('a1')),
        await store.create('/registry/pods/ns/b', b('b1')),
      ];
      history.push(await store.update('/registry/pods/ns/a', b('a2'), history[0].modRevision));
      history.push(await store.delete('/registry/pods/ns/b'));
      const c = collect(store, '/registry/pods/', from, 10);
      t.after(() => c.watcher.stop());
      // Live writes race the replay on purpose: they start before any replayed event could be handled.
      const live = [];
      for (let i = 0; i < 6; i++) live.push(await store.create(`/registry/pods/ns/live${i}`, b(`l${i}`)));
      const evs = await c.done;
      assert.deepEqual(evs.map((e) => e.kv.modRevision), [...history, ...live].map((kv) => kv.modRevision));
      assert.deepEqual(evs.slice(0, 4).map((e) => `${e.type} ${e.kv.key}=${e.kv.value}`), [
        'PUT /registry/pods/ns/a=a1', 'PUT /registry/pods/ns/b=b1', 'PUT /registry/pods/ns/a=a2', 'DELETE /registry/pods/ns/b=b1',
      ]);
      assert.equal(evs[2].prevKv?.value.toString(), 'a1', 'replayed updates carry the previous value');
      assert.equal(evs[0].prevKv, undefined);
      // Starting in the middle of history delivers strictly newer events only.
      const mid = collect(store, '/registry/pods/', history[1].modRevision, 1);
      t.after(() => mid.watcher.stop());
      assert.equal((await mid.done)[0].kv.modRevision, history[2].modRevision);
    });

    test('a watch only sees keys under its prefix', async (t) => {
      const store = await open(t);
      const from = await store.currentRevision();
      const pods = collect(store, '/registry/pods/', from, 1);
      const one = collect(store, '/registry/pods/ns/a', from, 1);
      t.after(() => { pods.watcher.stop(); one.watcher.stop(); });
      await store.create('/registry/podsx/ns/a', b('not a pod'));
      await store.create('/registry/services/ns/a', b('not a pod'));
      await store.create('/registry/pods/ns/b', b('other pod'));
      await store.create('/registry/pods/ns/a', b('pod'));
      assert.equal((await pods.done)[0].kv.key, '/registry/pods/ns/b');
      assert.equal((await one.done)[0].kv.key, '/registry/pods/ns/a');
      // Replay filters by prefix too.
      const replay = collect(store, '/registry/pods/', from, 2);
      t.after(() => replay.watcher.stop());
      assert.deepEqual((await replay.done).map((e) => e.kv.key), ['/registry/pods/ns/b', '/registry/pods/ns/a']);
    });

    test('a stopped watch delivers nothing more', async (t) => {
      const store = await open(t);
      const from = await store.currentRevision();
      const stopped = collect(store, '/registry/pods/', from, 1);
      stopped.watcher.stop();
      const other = collect(store, '/registry/pods/', from, 2);
      t.after(() => other.watcher.stop());
      await store.create('/registry/pods/ns/a', b('a'));
      await store.create('/registry/pods/ns/b', b('b'));
      await other.done;
      assert.equal(stopped.events.length, 0);
    });

    test('compaction forgets old revisions but keeps the latest values', async (t) => {
      const store = await open(t);
      const a1 = await store.create('/registry/pods/ns/a', b('a1'));
      const a2 = await store.update('/registry/pods/ns/a', b('a2'), a1.modRevision);
      await store.create('/registry/pods/ns/b', b('b1'));
      const bDel = await store.delete('/registry/pods/ns/b');
      const keep = await store.create('/registry/pods/ns/keep', b('k1'));
      const compacted = bDel.modRevision;
      await store.compact(compacted);
      assert.equal(await store.compactedRevision(), compacted + 1);

      await assert.rejects(store.get('/registry/pods/ns/a', { revision: a1.modRevision }), isA(CompactedError));
      await assert.rejects(store.get('/registry/pods/ns/a', { revision: compacted }), isA(CompactedError));
      await assert.rejects(store.list('/registry/pods/', { revision: a2.modRevision }), isA(CompactedError));
      const err = await watchError(store, '/registry/pods/', a1.modRevision);
      assert.ok(err instanceof CompactedError, `watch from a compacted revision: ${String(err)}`);

      assert.equal((await store.get('/registry/pods/ns/a'))?.value.toString(), 'a2');
      assert.equal((await store.get('/registry/pods/ns/a'))?.modRevision, a2.modRevision);
      assert.deepEqual((await store.list('/registry/pods/')).items.map((kv) => `${kv.key}=${kv.value}`),
        ['/registry/pods/ns/a=a2', '/registry/pods/ns/keep=k1']);
      assert.deepEqual((await store.list('/registry/pods/', { revision: compacted + 1 })).items.map((kv) => kv.key),
        ['/registry/pods/ns/a', '/registry/pods/ns/keep']);
      assert.equal(await store.count('/registry/pods/'), 2);
      // Writes and CAS keep working on compacted keys.
      await store.update('/registry/pods/ns/a', b('a3'), a2.modRevision);
      // A watch from the compacted revision itself only needs newer events, which are kept.
      const c = collect(store, '/registry/pods/', compacted, 2);
      t.after(() => c.watcher.stop());
      assert.deepEqual((await c.done).map((e) => e.kv.value.toString()), ['k1', 'a3']);
      assert.equal(c.events[0].kv.modRevision, keep.modRevision);
      // Compacting again at or below is a no-op; compacting the future is refused.
      await store.compact(compacted - 1);
      assert.equal(await store.compactedRevision(), compacted + 1);
      await assert.rejects(store.compact((await store.currentRevision()) + 100), isA(FutureRevisionError));
    });

    test('reads and watches beyond the current revision fail with FutureRevisionError', async (t) => {
      const store = await open(t);
      await store.create('/registry/pods/ns/a', b('a'));
      const future = (await store.currentRevision()) + 100;
      await assert.rejects(store.get('/registry/pods/ns/a', { revision: future }), isA(FutureRevisionError));
      await assert.rejects(store.list('/registry/pods/', { revision: future }), isA(FutureRevisionError));
      const err = await watchError(store, '/registry/pods/', future);
      assert.ok(err instanceof FutureRevisionError, `watch from the future: ${String(err)}`);
    });

    test('closing the store ends open watches with an error', async (t) => {
      const { store, cleanup } = await newStore();
      t.after(cleanup);
      const from = await store.currentRevision();
      const c = collect(store, '/registry/pods/', from, 1);
      await store.create('/registry/pods/ns/x', b('x'));
      await c.done;
      const ended = new Promise<Error>((resolve) => {
        store.watch('/registry/pods/', from, { onEvent() {}, onError: resolve });
      });
      await store.close();
      assert.ok((await ended) instanceof Error);
    });
  });
}
