// A StrategyContext over an in-memory object list, for strategy unit tests.
import type { KubeObject } from '../../api/object.js';
import type { StrategyContext } from './types.js';

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
