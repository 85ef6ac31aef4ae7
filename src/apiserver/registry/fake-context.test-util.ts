// A StrategyContext over an in-memory object list, for strategy unit tests.
import type { KObject, StrategyContext } from './types.js';

export function fakeContext(objects: Record<string, KObject[]> = {}, now = new Date('2026-01-01T00:00:00Z')): StrategyContext {
  return {
    async list(r, namespace) {
      const all = objects[`${r.group}/${r.resource}`] ?? [];
      return structuredClone(namespace === undefined ? all : all.filter((o) => o.metadata.namespace === namespace));
    },
    now: () => now,
    dryRun: false,
  };
}
