// The resource quota controller (upstream pkg/controller/resourcequota): keeps status.hard equal to spec.hard and
// status.used to what the namespace uses of each listed resource (usage.ts). Pods are watched, so pod-based usage
// follows every change; other object counts are listed at each sync, and quotas that track them are synced again
// every `objectCountResyncMs` (upstream's monitors react to those objects too; its full resync is 5 minutes).
// Enforcement at admission is the ResourceQuota admission plugin's job, not this controller's.
// Work-queue keys are ResourceQuota keys (`namespace/name`).
import { startController } from '../shared/start.js';
import type { ControllerOptions } from '../shared/options.js';
import type { Pod } from '../shared/types.js';
import { isConflict, isNotFound } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { resources as builtin, type ApiResource } from '../../api/resources.js';
import { canonicalQuantity } from '../../api/quantity.js';
import { deletedObject, metaNamespaceKey } from '../../client/keys.js';
import { LEGACY_COUNT_NAMES, formatUsage, podUsage } from './usage.js';

export interface ResourceQuotaControllerOptions extends ControllerOptions {
  /** How often quotas that count objects other than pods are recomputed; default 30 s. */
  objectCountResyncMs?: number;
  workers?: number;
}

/** The resource a count name refers to: "services", "count/deployments.apps", "count/pods". */
function countedResource(name: string): { group: string; resource: string; filter?: (o: KubeObject) => boolean } | undefined {
  if (name === 'services.nodeports' || name === 'services.loadbalancers') {
    return { group: '', resource: 'services', filter: (s) => (name === 'services.loadbalancers' ? s.spec?.type === 'LoadBalancer' : s.spec?.type === 'NodePort' || s.spec?.type === 'LoadBalancer') };
  }
  if (LEGACY_COUNT_NAMES[name]) return LEGACY_COUNT_NAMES[name];
  if (!name.startsWith('count/') || name === 'count/pods') return undefined;
  const rest = name.slice('count/'.length);
  const dot = rest.indexOf('.');
  return dot < 0 ? { group: '', resource: rest } : { group: rest.slice(dot + 1), resource: rest.slice(0, dot) };
}

const canonical = (v: unknown) => { try { return canonicalQuantity(v); } catch { return String(v); } };

/** Runs the resource quota controller until opts.signal aborts. */
export function startResourceQuotaController(opts: ResourceQuotaControllerOptions): Promise<void> {
  return startController(opts, { name: 'resourcequota-controller', queue: 'resourcequota_primary', component: 'resourcequota-controller', defaultWorkers: 2 }, ({ client, informers, clock, queue }) => {
    const resync = opts.objectCountResyncMs ?? 30_000;
    const quotas = informers.informerFor(builtin.resourcequotas);
    const pods = informers.informerFor<Pod>(builtin.pods);
    const enqueueNamespace = (ns: string | undefined) => { for (const q of quotas.list(ns)) queue.add(metaNamespaceKey(q)); };
    quotas.addEventHandler({ onAdd: (q) => queue.add(metaNamespaceKey(q)), onUpdate: (_o, q) => queue.add(metaNamespaceKey(q)) });
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
        let countsObjects = false;
        if (!(quota.spec?.scopes?.length) && !(quota.spec?.scopeSelector?.matchExpressions?.length)) {
          for (const name of Object.keys(hard)) {
            if (usage.has(name)) continue;
            const target = countedResource(name);
            if (!target) continue;
            const def = Object.values(builtin as Record<string, ApiResource>).find((r) => r.group === target.group && r.resource === target.resource && r.namespaced);
            if (!def) continue;
            countsObjects = true;
            let items: KubeObject[];
            try { items = (await client.list(def, { namespace: ns })).items; } catch (e) { if (isNotFound(e)) continue; throw e; }
            usage.set(name, BigInt(items.filter((o) => !target.filter || target.filter(o)).length) * 1_000_000_000n);
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
          catch (e) { if (isNotFound(e)) return; if (isConflict(e)) { queue.add(key); return; } throw e; }
        }
        if (countsObjects) return { requeueAfter: resync };
      },
    };
  });
}
