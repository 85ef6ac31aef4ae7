// The resource quota controller (upstream pkg/controller/resourcequota): keeps status.hard equal to spec.hard and
// status.used to what the namespace uses of each listed resource (src/api/quota-usage.ts). Pods are watched, so
// pod-based usage follows every change; other object counts are listed at each sync. Every quota is synced again
// every `objectCountResyncMs` (upstream's monitors react to those objects too; its full resync is 5 minutes): the
// ResourceQuota admission plugin charges usage before the object is stored, so a write that failed after it was
// charged is given back here.
// Work-queue keys are ResourceQuota keys (`namespace/name`).
import { startController } from '../shared/start.js';
import type { ControllerOptions } from '../shared/options.js';
import type { Pod } from '../shared/types.js';
import { isConflict, isNotFound } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { resources as builtin, type ApiResource } from '../../api/resources.js';
import { canonicalQuantity } from '../../api/quantity.js';
import { deletedObject, metaNamespaceKey } from '../../client/keys.js';
import { claimUsage, countedResource, formatUsage, objectUsage, podUsage } from '../../api/quota-usage.js';

export interface ResourceQuotaControllerOptions extends ControllerOptions {
  /** How often every quota is recomputed from scratch; default 30 s. */
  objectCountResyncMs?: number;
  workers?: number;
}

const canonical = (v: unknown) => { try { return canonicalQuantity(v); } catch { return String(v); } };

/** Runs the resource quota controller until opts.signal aborts. */
export function startResourceQuotaController(opts: ResourceQuotaControllerOptions): Promise<void> {
  return startController(opts, { name: 'resourcequota-controller', queue: 'resourcequota_primary', component: 'resourcequota-controller', defaultWorkers: 2 }, ({ client, informers, clock, queue }) => {
    const resync = opts.objectCountResyncMs ?? 30_000;
    const quotas = informers.informerFor(builtin.resourcequotas);
    const pods = informers.informerFor<Pod>(builtin.pods);
    const enqueueNamespace = (ns: string | undefined) => { for (const q of quotas.list(ns)) queue.add(metaNamespaceKey(q)); };
    // Only a change of spec.hard re-syncs a quota, as upstream: status writes (this controller's, and the charges the
    // ResourceQuota admission plugin makes before the object is stored) must not trigger a recount that cannot see
    // the object yet and would give the charge back while a burst of creates is still being admitted.
    const hardChanged = (o: KubeObject, q: KubeObject) => JSON.stringify(o.spec?.hard ?? {}) !== JSON.stringify(q.spec?.hard ?? {});
    quotas.addEventHandler({ onAdd: (q) => queue.add(metaNamespaceKey(q)), onUpdate: (o, q) => { if (hardChanged(o, q)) queue.add(metaNamespaceKey(q)); } });
    pods.addEventHandler({
      onAdd: (p) => enqueueNamespace(p.metadata?.namespace),
      onUpdate: (o, p) => { if (o.status?.phase !== p.status?.phase || !!o.metadata?.deletionTimestamp !== !!p.metadata?.deletionTimestamp) enqueueNamespace(p.metadata?.namespace); },
      onDelete: (o) => enqueueNamespace(deletedObject(o).metadata?.namespace),
    });

    return {
      informers: [quotas, pods],
      async reconcile(key) {
        const quota = quotas.get(key);
        if (!quota) return;
        const ns = quota.metadata.namespace!;
        const hard: Record<string, unknown> = quota.spec?.hard ?? {};
        const usage = podUsage(quota, pods.list(ns) as KubeObject[], clock.now());
        if (!(quota.spec?.scopes?.length) && !(quota.spec?.scopeSelector?.matchExpressions?.length)) {
          for (const name of Object.keys(hard)) {
            if (usage.has(name)) continue;
            const claims = claimUsage(name, []) !== undefined;
            const target = claims ? { group: '', resource: 'persistentvolumeclaims' } : countedResource(name);
            if (!target) continue;
            const def = Object.values(builtin as Record<string, ApiResource>).find((r) => r.group === target.group && r.resource === target.resource && r.namespaced);
            if (!def) continue;
            let items: KubeObject[];
            try { items = (await client.list(def, { namespace: ns })).items; } catch (e) { if (isNotFound(e)) continue; throw e; }
            if (claims) { usage.set(name, claimUsage(name, items)!); continue; }
            // What each object charges, as admission charged it (services.nodeports counts ports).
            usage.set(name, items.reduce((sum, o) => sum + (objectUsage(target.group, target.resource, o).get(name) ?? 0n), 0n));
          }
        }
        const status = {
          hard: Object.fromEntries(Object.entries(hard).map(([k, v]) => [k, canonical(v)])),
          used: Object.fromEntries(Object.keys(hard).filter((k) => usage.has(k)).map((k) => [k, formatUsage(usage.get(k)!, hard[k])])),
        };
        if (JSON.stringify(status) !== JSON.stringify({ hard: quota.status?.hard ?? {}, used: quota.status?.used ?? {} })) {
          const next = structuredClone(quota);
          next.status = status;
          try { await client.updateStatus(builtin.resourcequotas, next); }
          // A conflict: the cache has not seen the newer quota yet; its watch event brings it before the retry.
          catch (e) { if (isNotFound(e)) return; if (isConflict(e)) return { requeueAfter: 100 }; throw e; }
        }
        return { requeueAfter: resync };
      },
    };
  });
}
