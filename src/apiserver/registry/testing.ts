// Test doubles for the registry: a StrategyContext over an in-memory object list (strategy unit tests), and a
// real registry over an in-memory SQLite store.
import type { KubeObject } from '../../api/object.js';
import type { StrategyContext } from './types.js';
import { SqliteStore } from '../../storage/sqlite/sqlite-store.js';
import { createRegistry } from '../index.js';

/** A registry over an in-memory SQLite store, closed after the test. */
export function inMemoryRegistry(t: { after(fn: () => unknown): void }): ReturnType<typeof createRegistry> {
  const store = SqliteStore.open({ path: ':memory:', intervalMs: 0 });
  t.after(() => store.close());
  return createRegistry(store);
}

export function fakeContext(objects: Record<string, KubeObject[]> = {}, now = new Date('2026-01-01T00:00:00Z')): StrategyContext {
  return {
    async list(r, namespace) {
      const all = objects[`${r.group}/${r.resource}`] ?? [];
      return structuredClone(namespace === undefined ? all : all.filter((o) => o.metadata.namespace === namespace));
    },
    now: () => now,
    dryRun: false,
  };
}
