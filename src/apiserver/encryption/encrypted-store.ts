// The Store seam with encryption at rest in between: values under a configured resource's prefix are sealed on
// create/update and opened on get/list/watch; everything else passes through untouched. Only the API server holds
// it, so nothing else ever sees ciphertext or needs the keys.
import type { KeyValue, ListOptions, ListResult, Store, WatchCallbacks, Watcher } from '../../storage/backend.js';
import type { EncryptionRule } from './config.js';

/** Values opened with anything but the first provider: the registry rewrites them even when nothing changed. */
const staleValues = new WeakSet<KeyValue>();
export const isStale = (kv: KeyValue): boolean => staleValues.has(kv);

export function encryptedStore(store: Store, rules: EncryptionRule[]): Store {
  if (rules.length === 0) return store;
  const ruleFor = (key: string) => rules.find((r) => key.startsWith(r.prefix));
  const open = (kv: KeyValue | undefined): KeyValue | undefined => {
    if (!kv || kv.value.length === 0) return kv; // absent, or a deletion's empty value
    const rule = ruleFor(kv.key);
    if (!rule) return kv;
    const { value, stale } = rule.transformer.fromStorage(kv.value, kv.key);
    const out = { ...kv, value };
    if (stale) staleValues.add(out);
    return out;
  };
  const seal = (key: string, value: Buffer) => { const r = ruleFor(key); return r ? r.transformer.toStorage(value, key) : value; };
  // Write results carry the value as written: hand back the plain one.
  const plain = (kv: KeyValue, value: Buffer): KeyValue => (ruleFor(kv.key) ? { ...kv, value } : kv);
  return {
    get: async (key, opts) => open(await store.get(key, opts)),
    async list(prefix: string, opts?: ListOptions): Promise<ListResult> {
      const r = await store.list(prefix, opts);
      if (!rules.some((x) => x.prefix.startsWith(prefix) || prefix.startsWith(x.prefix))) return r;
      return { ...r, items: r.items.map((kv) => open(kv)!) };
    },
    count: (prefix) => store.count(prefix),
    create: async (key, value) => plain(await store.create(key, seal(key, value)), value),
    update: async (key, value, rev) => plain(await store.update(key, seal(key, value), rev), value),
    delete: async (key, rev) => open(await store.delete(key, rev))!,
    watch(prefix: string, fromRevision: number, cb: WatchCallbacks): Watcher {
      if (!rules.some((x) => x.prefix.startsWith(prefix) || prefix.startsWith(x.prefix))) return store.watch(prefix, fromRevision, cb);
      return store.watch(prefix, fromRevision, {
        onEvent: (ev) => {
          let opened;
          try { opened = { ...ev, kv: open(ev.kv)!, ...(ev.prevKv ? { prevKv: open(ev.prevKv) } : {}) }; }
          catch (e) { cb.onError(e as Error); return; }
          cb.onEvent(opened);
        },
        onError: (e) => cb.onError(e),
      });
    },
    compact: (rev) => store.compact(rev),
    currentRevision: () => store.currentRevision(),
    compactedRevision: () => store.compactedRevision(),
    close: () => store.close(),
  };
}
