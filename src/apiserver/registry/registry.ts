// The set of served resources: one GenericStore per ResourceDefinition, plus the hooks that need a view across
// resources (the strategy context).
import type { Store } from '../../storage/backend.js';
import type { FieldError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import type { ResourceDefinition, StrategyContext } from './types.js';
import { GenericStore, type StoreHooks, type WriteContext } from './generic-store.js';

export interface RegistryOptions {
  store: Store;
  resources: ResourceDefinition[];
  clock?: () => Date;
  validateObjectMeta: (obj: KubeObject, def: ResourceDefinition, old?: KubeObject) => FieldError[];
  updateManagedFields?: StoreHooks['updateManagedFields'];
}

export class Registry {
  private readonly byGVR = new Map<string, GenericStore>();
  private readonly byGR = new Map<string, GenericStore>();
  readonly clock: () => Date;

  constructor(private readonly opts: RegistryOptions) {
    this.clock = opts.clock ?? (() => new Date());
    const hooks: StoreHooks = {
      strategyContext: (dryRun) => this.strategyContext(dryRun),
      validateObjectMeta: opts.validateObjectMeta,
      updateManagedFields: opts.updateManagedFields,
    };
    for (const def of opts.resources) {
      const s = new GenericStore(def, opts.store, hooks);
      this.byGVR.set(`${def.group}/${def.version}/${def.resource}`, s);
      if (!this.byGR.has(`${def.group}/${def.resource}`)) this.byGR.set(`${def.group}/${def.resource}`, s);
    }
  }

  get resources(): ResourceDefinition[] { return this.opts.resources; }

  lookup(group: string, version: string, resource: string): GenericStore | undefined {
    return this.byGVR.get(`${group}/${version}/${resource}`);
  }
  forResource(group: string, resource: string): GenericStore | undefined { return this.byGR.get(`${group}/${resource}`); }

  strategyContext(dryRun: boolean): StrategyContext {
    return {
      dryRun,
      now: this.clock,
      list: async (r, namespace) => {
        const s = this.forResource(r.group, r.resource);
        if (!s) return [];
        return (await s.list(namespace)).items;
      },
    };
  }

  writeContext(partial: Partial<WriteContext> = {}): WriteContext {
    return { now: this.clock(), dryRun: false, ...partial };
  }
}
