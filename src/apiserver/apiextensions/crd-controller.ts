// The apiserver's own CustomResourceDefinition controllers, folded into one (upstream's naming, establishing and
// finalizing controllers of the apiextensions-apiserver, which run inside the apiserver too): it watches CRDs in
// storage, decides acceptedNames and the NamesAccepted / Established conditions, serves the custom resources of
// every Established CRD through the registry (so discovery and OpenAPI list them on the next request), and, when a
// CRD is deleted, deletes all its custom resources before letting the CRD go (the cleanup finalizer).
import type { KubeObject } from '../../api/object.js';
import { isConflict, isNotFound } from '../../api/errors.js';
import type { Registry } from '../registry/registry.js';
import type { GenericStore } from '../registry/generic-store.js';
import type { Logger } from '../logger.js';
import { deepEqual } from '../../api/json-equal.js';
import { customResourceDefinitions } from './custom-resource.js';
import { CLEANUP_FINALIZER, setCondition } from '../registry/apiextensions/customresourcedefinitions/strategy.js';

export interface CrdController {
  /** Resolves once the CRDs stored at start are served. */
  ready: Promise<void>;
  stop(): void;
}

export function startCrdController(opts: { registry: Registry; logger: Logger }): CrdController {
  const { registry, logger } = opts;
  const crds = registry.forResource('apiextensions.k8s.io', 'customresourcedefinitions');
  const abort = new AbortController();
  if (!crds) return { ready: Promise.resolve(), stop: () => undefined };
  const pending = new Set<string>();
  let running = false;
  const retry = new Map<string, NodeJS.Timeout>();

  const enqueue = (name: string) => { pending.add(name); void drain(); };
  async function drain(): Promise<void> {
    if (running) return;
    running = true;
    try {
      while (pending.size && !abort.signal.aborted) {
        const name = pending.values().next().value!;
        pending.delete(name);
        try {
          const again = await reconcile(registry, crds!, name);
          if (again) schedule(name, again);
        } catch (e) {
          if (abort.signal.aborted) break;
          if (isConflict(e)) { pending.add(name); continue; } // a newer CRD: look again at once
          logger.error('customresourcedefinition sync failed', { name, error: (e as Error)?.message ?? String(e) });
          schedule(name, 200);
        }
      }
    } finally { running = false; }
  }
  function schedule(name: string, ms: number) {
    if (abort.signal.aborted || retry.has(name)) return;
    const t = setTimeout(() => { retry.delete(name); enqueue(name); }, ms);
    t.unref?.();
    retry.set(name, t);
  }

  const ready = (async () => {
    const { items, resourceVersion } = await crds.list(undefined);
    for (const crd of items) pending.add(crd.metadata.name!);
    await drain();
    void (async () => {
      let rv = resourceVersion;
      while (!abort.signal.aborted) {
        try {
          for await (const ev of crds.watch(undefined, { resourceVersion: rv }, abort.signal)) {
            const o = ev.object as KubeObject;
            if (o?.metadata?.resourceVersion) rv = o.metadata.resourceVersion;
            if (ev.type === 'ERROR') { rv = (await crds.list(undefined)).resourceVersion; break; }
            if (ev.type === 'BOOKMARK') continue;
            // Names of other CRDs of the group may free up or clash: look at the whole group again.
            enqueue(o.metadata.name!);
            for (const other of (await crds.list(undefined)).items) if (other.spec?.group === o.spec?.group && other.metadata.name !== o.metadata.name && !isEstablished(other)) enqueue(other.metadata.name!);
          }
        } catch (e) {
          if (abort.signal.aborted) return;
          logger.error('customresourcedefinition watch failed', { error: (e as Error)?.message ?? String(e) });
          await new Promise((r) => setTimeout(r, 500));
          try { rv = (await crds.list(undefined)).resourceVersion; } catch { /* retried */ }
        }
      }
    })();
  })();
  ready.catch((e) => logger.error('customresourcedefinition controller failed to start', { error: String(e) }));
  return {
    ready,
    stop() { abort.abort(); for (const t of retry.values()) clearTimeout(t); retry.clear(); },
  };
}

const isEstablished = (crd: KubeObject) => (crd.status?.conditions ?? []).some((c: any) => c.type === 'Established' && c.status === 'True');

/** One pass over one CRD; returns a delay when it must look again (custom resources still being deleted). */
export async function reconcile(registry: Registry, crds: GenericStore, name: string): Promise<number | undefined> {
  const crd = await crds.tryGet(undefined, name);
  if (!crd) { registry.setDynamic(name, []); return undefined; }
  if (crd.metadata.deletionTimestamp) return finalize(registry, crds, crd);

  const others = (await crds.list(undefined)).items.filter((o) => o.metadata.name !== name && o.spec?.group === crd.spec?.group);
  const names = crd.spec.names;
  const conflict = nameConflict(names, others);
  const now = registry.clock();
  const status = structuredClone(crd.status ?? {});
  if (conflict) {
    status.conditions = setCondition(status.conditions, { type: 'NamesAccepted', status: 'False', reason: 'NameConflict', message: conflict }, now);
    if (!isEstablished(crd)) status.conditions = setCondition(status.conditions, { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' }, now);
  } else {
    status.acceptedNames = { ...names };
    status.conditions = setCondition(status.conditions, { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' }, now);
    status.conditions = setCondition(status.conditions, { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' }, now);
  }
  const established = (status.conditions ?? []).some((c: any) => c.type === 'Established' && c.status === 'True');
  // Serve first, then report Established: a client that waits for the condition finds the endpoint there.
  registry.setDynamic(name, established && status.acceptedNames?.plural ? customResourceDefinitions({ ...crd, status }) : []);
  if (!deepEqual(status, crd.status)) {
    await crds.guaranteedUpdate(undefined, name, (cur) => {
      cur = cur!;
      cur.status = status;
      cur.metadata.resourceVersion = crd.metadata.resourceVersion;
      return cur;
    }, { ...registry.writeContext({ fieldManager: 'kube-apiserver' }), subresource: 'status' });
  }
  return undefined;
}

/** Upstream's naming controller: plural, singular, short names and kinds must be unique within a group. */
function nameConflict(names: any, others: KubeObject[]): string | undefined {
  for (const o of others) {
    const taken = o.status?.acceptedNames;
    if (!taken?.plural) continue;
    const words = new Set([taken.plural, taken.singular, ...(taken.shortNames ?? [])].filter(Boolean));
    if (words.has(names.plural)) return `"${names.plural}" is already in use`;
    if (names.singular && words.has(names.singular)) return `"${names.singular}" is already in use`;
    for (const s of names.shortNames ?? []) if (words.has(s)) return `"${s}" is already in use`;
    if (taken.kind === names.kind) return `"${names.kind}" is already in use`;
    if (names.listKind && taken.listKind === names.listKind) return `"${names.listKind}" is already in use`;
  }
  return undefined;
}

/** Deletes every custom resource of a deleting CRD, then removes the cleanup finalizer so the CRD goes. */
async function finalize(registry: Registry, crds: GenericStore, crd: KubeObject): Promise<number | undefined> {
  const name = crd.metadata.name!;
  const defs = registry.resources.filter((d) => d.custom && d.group === crd.spec?.group && d.resource === (crd.status?.acceptedNames?.plural || crd.spec?.names?.plural));
  let remaining = 0;
  if ((crd.metadata.finalizers ?? []).includes(CLEANUP_FINALIZER)) {
    const store = defs.length ? registry.lookup(defs[0].group, defs[0].version, defs[0].resource) : undefined;
    if (store) {
      await store.deleteCollection(undefined, {}, {}, registry.writeContext());
      remaining = (await store.list(undefined)).items.length;
    }
    if (remaining) {
      await crds.guaranteedUpdate(undefined, name, (cur) => {
        cur!.status = { ...cur!.status, conditions: setCondition(cur!.status?.conditions, { type: 'Terminating', status: 'True', reason: 'InstanceDeletionCheck', message: `could not confirm zero CustomResources remaining: ${remaining} remaining` }, registry.clock()) };
        return cur!;
      }, { ...registry.writeContext({ fieldManager: 'kube-apiserver' }), subresource: 'status' }).catch((e) => { if (!isNotFound(e)) throw e; });
    } else {
      // Stop serving before the CRD disappears, so nothing is created behind the cleanup.
      registry.setDynamic(name, []);
      await crds.guaranteedUpdate(undefined, name, (cur) => {
        cur!.metadata.finalizers = (cur!.metadata.finalizers ?? []).filter((f: string) => f !== CLEANUP_FINALIZER);
        return cur!;
      }, registry.writeContext({ fieldManager: 'kube-apiserver' })).catch((e) => { if (!isNotFound(e)) throw e; });
    }
    if (remaining) return 1000;
  }
  if (!(crd.metadata.finalizers ?? []).filter((f: string) => f !== CLEANUP_FINALIZER).length && !remaining) registry.setDynamic(name, []);
  return undefined;
}
