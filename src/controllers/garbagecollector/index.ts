// The garbage collector controller: deletes objects whose owners are gone, and carries out foreground and orphan
// deletion (upstream's garbagecollector). It watches every resource that can have owners: by default all
// resources the server lists in discovery with list, watch and delete verbs except events (upstream's
// DefaultIgnoredResources), or a fixed list given in `resources`.
import { startController } from '../shared/start.js';
import type { ControllerOptions } from '../shared/options.js';
import type { ResourceId } from '../../api/resources.js';
import { resources as builtin } from '../../api/resources.js';
import { sleep } from '../../client/clock.js';
import type { SharedInformer } from '../../client/informer.js';
import { deletedObject } from '../../client/keys.js';
import { errorText } from '../../client/log.js';
import { discoverResources, supports } from '../../client/discovery.js';
import { GarbageCollector } from './garbage-collector.js';
import { graphIndexers, OwnershipGraph } from './graph.js';

export { GarbageCollector, isDeletingDependents, orphanFinalizer, foregroundFinalizer } from './garbage-collector.js';
export { OwnershipGraph, nodeKey } from './graph.js';

export interface GarbageCollectorOptions extends ControllerOptions {
  /** Concurrent reconciles; upstream's --concurrent-gc-syncs defaults to 20. */
  workers?: number;
  /** The resources to monitor; default: discovered (retrying discovery until it succeeds). */
  resources?: ResourceId[];
  /** Resources never monitored (group/resource); default core and events.k8s.io events. */
  ignoredResources?: string[];
  /**
   * How often discovery is read again to monitor resources served later (custom resources); upstream's
   * garbage collector resyncs its monitors every 30 s. Only when `resources` is not given.
   */
  discoveryResyncMs?: number;
}

const defaultIgnored = ['/events', 'events.k8s.io/events'];

/** Runs the garbage collector until opts.signal aborts. The informers it asks for are started here. */
export function startGarbageCollectorController(opts: GarbageCollectorOptions): Promise<void> {
  const names = { name: 'garbage-collector', queue: 'garbage_collector_attempt_to_delete', component: 'garbage-collector-controller', defaultWorkers: 20 };
  return startController(opts, names, async ({ client, informers, clock, log, signal, queue, recorder }) => {
    const ignored = new Set(opts.ignoredResources ?? defaultIgnored);
    let monitored = opts.resources;
    let allKinds: ResourceId[] = Object.values(builtin);
    if (!monitored) {
      for (let delay = 1000; !monitored && !signal.aborted; delay = Math.min(delay * 2, 30_000)) {
        try {
          const found = await discoverResources(client, signal);
          allKinds = found;
          monitored = found.filter((r) => supports(r, 'list', 'watch', 'delete'));
        } catch (e) {
          if (signal.aborted) return undefined;
          log({ level: 'warn', msg: 'discovery failed', controller: 'garbage-collector', error: errorText(e) });
          try { await sleep(clock, delay, signal); } catch { return undefined; }
        }
      }
      if (!monitored) return undefined;
    }
    monitored = monitored.filter((r) => !ignored.has(`${r.group}/${r.resource}`));

    const monitors = monitored.map((resource) => ({
      resource,
      informer: informers.informerFor(resource, { indexers: graphIndexers }) as SharedInformer,
    }));
    const graph = new OwnershipGraph(monitors, allKinds);
    const gc = new GarbageCollector({ client, graph, queue, log, recorder });
    const watchResource = ({ resource, informer }: { resource: ResourceId; informer: SharedInformer }) => {
      informer.addEventHandler({
        onAdd: (o) => gc.onAdd(resource, o),
        onUpdate: (old, o) => gc.onUpdate(resource, old, o),
        onDelete: (o) => gc.onDelete(deletedObject(o)),
      });
    };
    for (const m of monitors) watchResource(m);
    if (!opts.resources) {
      // Resources served later (custom resources of a new CRD) join the graph at the next discovery resync.
      const resync = async () => {
        for (;;) {
          try { await sleep(clock, opts.discoveryResyncMs ?? 30_000, signal); } catch { return; }
          try {
            const found = await discoverResources(client, signal);
            graph.addKinds(found);
            for (const resource of found) {
              if (!supports(resource, 'list', 'watch', 'delete') || ignored.has(`${resource.group}/${resource.resource}`) || graph.monitors.some((m) => m.resource.group === resource.group && m.resource.resource === resource.resource)) continue;
              const m = { resource, informer: informers.informerFor(resource, { indexers: graphIndexers }) as SharedInformer };
              graph.addMonitor(m);
              watchResource(m);
              log({ level: 'info', msg: 'monitoring a newly discovered resource', controller: 'garbage-collector', resource: `${resource.group}/${resource.resource}` });
            }
            informers.start(signal);
          } catch (e) {
            if (signal.aborted) return;
            log({ level: 'warn', msg: 'discovery failed', controller: 'garbage-collector', error: errorText(e) });
          }
        }
      };
      void resync();
    }
    return { informers: monitors.map((m) => m.informer), reconcile: (key) => gc.reconcile(key) };
  });
}
