// The Store seam with the flow tap on its writes: each committed create, update and delete is an API server → store
// edge in the architecture view. Reads and watches pass through untouched; unwatched, a write costs one field read.
import type { Store } from '../../storage/backend.js';
import type { FlowTap } from './tap.js';

export function flowStore(store: Store, tap: FlowTap): Store {
  return {
    get: (key, opts) => store.get(key, opts),
    list: (prefix, opts) => store.list(prefix, opts),
    count: (prefix) => store.count(prefix),
    create: (key, value) => !tap.active ? store.create(key, value)
      : store.create(key, value).then((kv) => { if (tap.active) tap.write('create', key, kv.modRevision); return kv; }),
    update: (key, value, rev) => !tap.active ? store.update(key, value, rev)
      : store.update(key, value, rev).then((kv) => { if (tap.active) tap.write('update', key, kv.modRevision); return kv; }),
    delete: (key, rev) => !tap.active ? store.delete(key, rev)
      : store.delete(key, rev).then((kv) => { if (tap.active) tap.write('delete', key, kv.modRevision); return kv; }),
    watch: (prefix, from, cb) => store.watch(prefix, from, cb),
    compact: (rev) => store.compact(rev),
    currentRevision: () => store.currentRevision(),
    compactedRevision: () => store.compactedRevision(),
    close: () => store.close(),
  };
}
