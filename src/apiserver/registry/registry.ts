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
  /** Resources served for an owner at run time (custom resources, by CustomResourceDefinition name). */
  private readonly dynamic = new Map<string, GenericStore[]>();
  private served: ResourceDefinition[];
  private readonly hooks: StoreHooks;
  readonly clock: () => Date;

  constructor(private readonly opts: RegistryOptions) {
    this.clock = opts.clock ?? (() => new Date());
    const hooks: StoreHooks = this.hooks = {
      strategyContext: (dryRun) => this.strategyContext(dryRun),
      validateObjectMeta: opts.validateObjectMeta,
      updateManagedFields: opts.updateManagedFields,
    };
    for (const def of opts.resources) this.add(new GenericStore(def, opts.store, hooks));
    this.served = [...opts.resources];
  }

  private add(s: GenericStore): void {
    const def = s.def;
    this.byGVR.set(`${def.group}/${def.version}/${def.resource}`, s);
    if (!this.byGR.has(`${def.group}/${def.resource}`)) this.byGR.set(`${def.group}/${def.resource}`, s);
  }

  /** Every served resource, built-in then dynamic; discovery and OpenAPI read it on every request. */
  get resources(): ResourceDefinition[] { return this.served; }

  /**
   * Serves `defs` on behalf of `owner` from now on, replacing what the owner served before ([] stops serving).
   * A group/version/resource another owner or a built-in already serves is left to it. The first def is the one
   * forResource finds (the storage version's view, for strategy lookups).
   */
  setDynamic(owner: string, defs: ResourceDefinition[]): void {
    for (const s of this.dynamic.get(owner) ?? []) {
      const d = s.def;
      if (this.byGVR.get(`${d.group}/${d.version}/${d.resource}`) === s) this.byGVR.delete(`${d.group}/${d.version}/${d.resource}`);
      if (this.byGR.get(`${d.group}/${d.resource}`) === s) this.byGR.delete(`${d.group}/${d.resource}`);
    }
    this.dynamic.delete(owner);
    const stores: GenericStore[] = [];
    for (const def of defs) {
      if (this.byGVR.has(`${def.group}/${def.version}/${def.resource}`)) continue;
      const s = new GenericStore(def, this.opts.store, this.hooks);
      this.add(s);
      stores.push(s);
    }
    if (stores.length) this.dynamic.set(owner, stores);
    this.served = [...this.opts.resources, ...[...this.dynamic.values()].flat().map((s) => s.def)];
  }

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
