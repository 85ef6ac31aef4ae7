// The in-process watch fan-out: a committed write reaches exactly the watchers whose prefix its key starts with,
// whether a prefix is alone of its length or shares it with others, and stopped watchers hear nothing more.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WatchHub } from './watch-hub.js';
import type { WatchEvent } from './backend.js';

test('a write reaches the watchers whose prefix its key starts with, and no stopped one', async () => {
  const hub = new WatchHub();
  const seen: Record<string, string[]> = {};
  const watch = (name: string, prefix: string) => hub.add(prefix, { onEvent: (ev) => (seen[name] ??= []).push(ev.kv.key), onError: () => undefined });
  const all = watch('all', '/registry/');
  watch('pods', '/registry/pods/');
  watch('pods-a', '/registry/pods/a/'); // shares its length with pods-b
  const podsB = watch('pods-b', '/registry/pods/b/');
  watch('exact', '/registry/pods/a/x');
  watch('cms', '/registry/configmaps/');
  let rev = 0;
  const put = (key: string) => hub.publish({ type: 'PUT', kv: { key, value: Buffer.alloc(0), createRevision: ++rev, modRevision: rev } } satisfies WatchEvent);
  for (const k of ['/registry/pods/a/x', '/registry/pods/b/y', '/registry/configmaps/a/c', '/registry/pod', '/other']) put(k);
  await new Promise((r) => setImmediate(r)); // delivered (events still queued when a watcher stops are dropped)
  podsB.stop();
  all.stop();
  put('/registry/pods/b/z');
  put('/registry/configmaps/b/d');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(seen, {
    all: ['/registry/pods/a/x', '/registry/pods/b/y', '/registry/configmaps/a/c', '/registry/pod'],
    pods: ['/registry/pods/a/x', '/registry/pods/b/y', '/registry/pods/b/z'],
    'pods-a': ['/registry/pods/a/x'],
    'pods-b': ['/registry/pods/b/y'],
    exact: ['/registry/pods/a/x'],
    cms: ['/registry/configmaps/a/c', '/registry/configmaps/b/d'],
  });
  assert.equal(hub.size, 4);
});
