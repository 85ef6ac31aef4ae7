// The APF configuration consumer (upstream's apf_controller): follows the FlowSchema and PriorityLevelConfiguration
// objects through a watch on the registry and turns them into what the filter uses: the schemas in matching order,
// compiled, without those whose priority level is missing (their status says Dangling True), with the mandatory
// exempt and catch-all ones imagined when deleted; and per priority level its seats and queues. The server's
// concurrency limit is shared among the Limited levels in proportion to their nominalConcurrencyShares:
// NominalCL(l) = ceil(serverCL × NCS(l) / ΣNCS). (Upstream's borrowing between levels, lendablePercent and
// borrowingLimitPercent, is not done: each level uses its nominal limit.)
import type { KubeObject } from '../../api/object.js';
import type { Registry } from '../registry/registry.js';
import { WatchedObjects } from '../registry/watched-objects.js';
import type { Logger } from '../logger.js';
import { FLOWCONTROL_GROUP, mandatoryFlowSchemas, mandatoryPriorityLevels } from './bootstrap.js';
import { compileFlowSchema, matchingOrder, type CompiledFlowSchema } from './matching.js';
import { QueueSet, type QueueSetConfig } from './queue-set.js';

export interface PriorityLevelState {
  name: string;
  uid: string;
  exempt: boolean;
  /** Limited levels only. */
  queueSet?: QueueSet;
  nominalCL: number;
  /** Exempt levels: requests executing now and served so far (for the dump; kept across configuration changes). */
  exemptStats: { executing: number; dispatched: number };
}

export interface FlowControlConfig {
  flowSchemas: CompiledFlowSchema[];
  priorityLevels: Map<string, PriorityLevelState>;
}

const kinds = ['flowschemas', 'prioritylevelconfigurations'] as const;
type Kind = typeof kinds[number];

export class ConfigController {
  private readonly objects: Record<Kind, WatchedObjects> = { flowschemas: new WatchedObjects(() => this.recompute()), prioritylevelconfigurations: new WatchedObjects(() => this.recompute()) };
  private levels = new Map<string, PriorityLevelState>();
  config: FlowControlConfig = { flowSchemas: [], priorityLevels: this.levels };
  /** Status writes under way, by FlowSchema name and wanted Dangling status (so a write is not repeated). */
  private readonly statusInFlight = new Map<string, string>();

  constructor(private readonly registry: Registry, private readonly serverConcurrencyLimit: number, private readonly logger: Logger,
    private readonly now: () => Date = () => new Date()) {
    this.recompute();
  }

  /** Lists both kinds, builds the configuration, then follows their watches until `signal` aborts. */
  async start(signal: AbortSignal): Promise<void> {
    await Promise.all(kinds.map(async (kind) => {
      const store = this.registry.forResource(FLOWCONTROL_GROUP, kind);
      if (store) await this.objects[kind].start(store, signal);
    }));
    this.recompute();
  }

  /** Puts or removes an object and rebuilds the configuration (the watch calls it; unit tests too). */
  apply(kind: Kind, type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject): void { this.objects[kind].apply(type, obj); }

  private recompute(): void {
    const plObjects = byName(this.objects.prioritylevelconfigurations.all());
    for (const m of mandatoryPriorityLevels) if (!plObjects.has(m.metadata.name!)) plObjects.set(m.metadata.name!, m);
    let shareSum = 0;
    for (const pl of plObjects.values()) shareSum += shares(pl);
    const levels = new Map<string, PriorityLevelState>();
    for (const [name, pl] of plObjects) {
      const exempt = pl.spec?.type === 'Exempt';
      const nominalCL = exempt || shareSum === 0 ? 0 : Math.ceil(this.serverConcurrencyLimit * shares(pl) / shareSum);
      const old = this.levels.get(name);
      const state: PriorityLevelState = { name, uid: pl.metadata.uid ?? '', exempt, nominalCL, exemptStats: old?.exemptStats ?? { executing: 0, dispatched: 0 } };
      if (!exempt) {
        const q = pl.spec?.limited?.limitResponse?.type === 'Queue' ? pl.spec.limited.limitResponse.queuing ?? {} : undefined;
        const cfg: QueueSetConfig = { name, concurrencyLimit: nominalCL, queues: q ? q.queues ?? 64 : 0, handSize: q ? q.handSize ?? 8 : 0, queueLengthLimit: q ? q.queueLengthLimit ?? 50 : 0 };
        // Requests already queued or executing stay with the QueueSet they entered; a level whose queues change
        // shape gets a new one for new requests.
        if (old?.queueSet && old.queueSet.sameShape(cfg)) {
          if (old.queueSet.config.concurrencyLimit !== nominalCL) old.queueSet.setConcurrencyLimit(nominalCL);
          state.queueSet = old.queueSet;
        } else state.queueSet = new QueueSet(cfg);
      }
      levels.set(name, state);
    }
    const fsObjects = byName(this.objects.flowschemas.all());
    const present = new Set(fsObjects.keys());
    for (const m of mandatoryFlowSchemas) if (!fsObjects.has(m.metadata.name!)) fsObjects.set(m.metadata.name!, m);
    const usable: KubeObject[] = [];
    for (const [name, fs] of fsObjects) {
      const plName = fs.spec?.priorityLevelConfiguration?.name;
      const found = levels.has(plName);
      if (present.has(name)) this.syncDanglingStatus(fs, !found, plName);
      if (found) usable.push(fs);
    }
    usable.sort(matchingOrder);
    this.levels = levels;
    this.config = { flowSchemas: usable.map(compileFlowSchema), priorityLevels: levels };
  }

  /** Writes the FlowSchema's Dangling condition when it does not say what is true now (upstream's presyncFlowSchemaStatus). */
  private syncDanglingStatus(fs: KubeObject, dangling: boolean, plName: string): void {
    const want = dangling
      ? { status: 'True', reason: 'NotFound', message: `This FlowSchema references the PriorityLevelConfiguration object named ${JSON.stringify(plName)} but there is no such object` }
      : { status: 'False', reason: 'Found', message: `This FlowSchema references the PriorityLevelConfiguration object named ${JSON.stringify(plName)} and it exists` };
    const cur = (fs.status?.conditions ?? []).find((c: any) => c?.type === 'Dangling');
    if (cur && cur.status === want.status && cur.reason === want.reason && cur.message === want.message) return;
    const name = fs.metadata.name!;
    const key = `${want.status}/${want.message}`;
    if (this.statusInFlight.get(name) === key) return;
    this.statusInFlight.set(name, key);
    const store = this.registry.forResource(FLOWCONTROL_GROUP, 'flowschemas');
    if (!store) return;
    const condition = { type: 'Dangling', ...want, lastTransitionTime: this.now().toISOString().replace(/\.\d+Z$/, 'Z') };
    void store.guaranteedUpdate(undefined, name, (current) => {
      if (!current) throw new Error('gone');
      const conditions = (current.status?.conditions ?? []).filter((c: any) => c?.type !== 'Dangling');
      const had = (current.status?.conditions ?? []).find((c: any) => c?.type === 'Dangling');
      if (had && had.status === want.status && had.reason === want.reason && had.message === want.message) return current;
      return { ...current, status: { ...current.status, conditions: [...conditions, condition] } };
    }, { ...this.registry.writeContext({ fieldManager: 'api-priority-and-fairness-config-consumer-v1' }), subresource: 'status' })
      .catch((e) => { if ((e as Error)?.message !== 'gone') this.logger.info('flowschema status not written', { name, error: String((e as Error)?.message ?? e) }); })
      .finally(() => { if (this.statusInFlight.get(name) === key) this.statusInFlight.delete(name); });
  }
}

function shares(pl: KubeObject): number {
  const s = pl.spec?.type === 'Exempt' ? pl.spec?.exempt?.nominalConcurrencyShares : pl.spec?.limited?.nominalConcurrencyShares;
  return typeof s === 'number' && s > 0 ? s : 0;
}

const byName = (objects: Iterable<KubeObject>) => new Map([...objects].map((o) => [o.metadata.name!, o]));
