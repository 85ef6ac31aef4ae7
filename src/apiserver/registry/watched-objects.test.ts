import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { gone } from '../../api/errors.js';
import { inMemoryRegistry } from './testing.js';
import type { GenericStore, WatchEvent } from './generic-store.js';
import { WatchedObjects, watchedLister, type WatchedChange } from './watched-objects.js';

const cm = (name: string, namespace = 'default', rv = '1'): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, resourceVersion: rv } });

/** A store whose lists answer `contents` and whose watches the test drives, one at a time. */
function scriptedStore(contents: () => KubeObject[]) {
  const watches: { push(ev: WatchEvent): void; end(): void }[] = [];
  let listed = 0;
  let failLists = 0;
  const waiters: (() => void)[] = [];
  const store: Pick<GenericStore, 'list' | 'watch'> = {
    async list() {
      listed++;
      if (failLists > 0) { failLists--; throw new Error('storage unavailable'); }
      return { items: contents(), resourceVersion: String(10 + listed) };
    },
    watch(_ns, _q, signal) {
      const queue: (WatchEvent | null)[] = [];
      let wake: (() => void) | undefined;
      const w = { push(ev: WatchEvent) { queue.push(ev); wake?.(); }, end() { queue.push(null); wake?.(); } };
      watches.push(w);
      for (const f of waiters.splice(0)) f();
      return (async function* () {
        for (;;) {
          while (!queue.length) {
            if (signal.aborted) return;
            await new Promise<void>((r) => { wake = r; signal.addEventListener('abort', () => r(), { once: true }); });
          }
          const ev = queue.shift()!;
          if (ev === null) return;
          yield ev;
        }
      })();
    },
  };
  return {
    store, watches,
    get listed() { return listed; },
    failNextLists(n: number) { failLists = n; },
    /** Resolves once `n` watches have been opened. */
    async watchOpened(n: number) { while (watches.length < n) await new Promise<void>((r) => waiters.push(r)); },
  };
}

test('a watched cache holds what the store lists, follows the watch, and tells only of changes after the first list', async (t) => {
  const abort = new AbortController();
  t.after(() => abort.abort());
  const s = scriptedStore(() => [cm('a'), cm('b', 'other'), cm('c', '')]);
  const changes: WatchedChange[] = [];
  let heardTwo!: () => void;
  const heard = new Promise<void>((r) => { heardTwo = r; });
  const cache = new WatchedObjects((c) => { changes.push(c); if (changes.length === 2) heardTwo(); });
  await cache.start(s.store, abort.signal);
  assert.equal(cache.synced, true);
  assert.deepEqual([...cache.inNamespace('default')].map((o) => o.metadata.name), ['a']);
  assert.equal(cache.get('', 'c')?.metadata.name, 'c');
  assert.deepEqual([...cache.all()].map((o) => o.metadata.name).sort(), ['a', 'b', 'c']);
  assert.equal(changes.length, 0, 'the first list is announced by the promise, not as a change');

  await s.watchOpened(1);
  s.watches[0].push({ type: 'ADDED', object: cm('d', 'default', '12') });
  s.watches[0].push({ type: 'DELETED', object: cm('a', 'default', '13') });
  await heard;
  assert.deepEqual(changes.map((c) => c.type), ['ADDED', 'DELETED']);
  assert.deepEqual([...cache.inNamespace('default')].map((o) => o.metadata.name), ['d']);
});

test('after the watch ends with 410 Gone the cache relists: what changed meanwhile is seen, and the relist is told', async (t) => {
  const abort = new AbortController();
  t.after(() => abort.abort());
  let contents = [cm('a'), cm('b')];
  const s = scriptedStore(() => contents);
  let relisted!: () => void;
  const relist = new Promise<void>((r) => { relisted = r; });
  const cache = new WatchedObjects((c) => { if (c.type === 'RELISTED') relisted(); });
  await cache.start(s.store, abort.signal);
  await s.watchOpened(1);
  contents = [cm('b'), cm('e')];
  s.watches[0].push({ type: 'ERROR', object: { ...gone('too old resource version: 1 (5)').status } });
  await relist;
  assert.equal(s.listed, 2);
  assert.deepEqual([...cache.inNamespace('default')].map((o) => o.metadata.name), ['b', 'e']);
  await s.watchOpened(2);
});

test('a failed first list rejects start, and the cache keeps trying until a list succeeds', async (t) => {
  const abort = new AbortController();
  t.after(() => abort.abort());
  // The retry timer is unref'd (a cache never keeps a process alive): this keeps the loop alive while the test waits
  // for it, or Node 22 ends the loop and cancels the file's tests.
  const alive = setInterval(() => undefined, 1000);
  t.after(() => clearInterval(alive));
  const s = scriptedStore(() => [cm('a')]);
  s.failNextLists(1);
  const cache = new WatchedObjects();
  await assert.rejects(cache.start(s.store, abort.signal, { retryMs: 1 }), /storage unavailable/);
  assert.equal(cache.synced, false);
  await s.watchOpened(1);
  assert.equal(cache.synced, true);
  assert.equal(cache.get('default', 'a')?.metadata.name, 'a');
});

test('a watched lister sees what is created in a real registry', async (t) => {
  const registry = inMemoryRegistry(t);
  const configmaps = registry.forResource('', 'configmaps')!;
  const abort = new AbortController();
  t.after(() => abort.abort());
  const lister = watchedLister(configmaps, abort.signal);
  await configmaps.create('default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'one', namespace: 'default' } }, registry.writeContext());
  // The create is seen by the watch a moment later (or read live before the first list is in).
  while (!(await lister.get('default', 'one'))) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual((await lister.list('default')).map((o) => o.metadata.name), ['one']);
  assert.deepEqual(await lister.list('elsewhere'), []);
});
