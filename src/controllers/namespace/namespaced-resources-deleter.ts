// Empties a terminating namespace, as upstream's pkg/controller/namespace/deletion: delete every namespaced
// resource in it (deletecollection where served), count what remains, report that in status.conditions, and
// only when nothing remains take the "kubernetes" finalizer off spec.finalizers through the finalize subresource
// (the apiserver then removes the namespace).
import { isConflict, isMethodNotAllowed, isNotFound } from '../../api/errors.js';
import type { Client } from '../../client/client.js';
import type { ResourceId } from '../../api/resources.js';
import type { KubeObject } from '../../api/object.js';
import { resources as builtin } from '../../api/resources.js';
import type { Clock } from '../../client/clock.js';
import type { ReconcileResult } from '../../client/controller.js';
import { errorText, type LogFn } from '../../client/log.js';

export const kubernetesFinalizer = 'kubernetes';

export interface NamespaceCondition { type: string; status: 'True' | 'False'; lastTransitionTime?: string; reason: string; message: string }

/** A namespaced resource and the verbs the server allows on it. */
export interface DeletableResource extends ResourceId { verbs: string[] }

export interface DeleterDeps {
  client: Client;
  clock: Clock;
  log: LogFn;
  /** The namespaced resources to empty; rediscovered for every namespace (a failure is reported and retried). */
  discover(): Promise<DeletableResource[]>;
}

interface Tally { remaining: Map<string, number>; finalizers: Map<string, number>; errors: string[]; estimateSeconds: number }

/** What an empty namespace must wait for before the "kubernetes" finalizer comes off. */
export class NamespacedResourcesDeleter {
  constructor(private readonly d: DeleterDeps) {}

  async sync(ns: KubeObject): Promise<ReconcileResult> {
    const name = ns.metadata!.name!;
    if (!ns.metadata?.deletionTimestamp) return;
    if (!(ns.spec?.finalizers ?? []).includes(kubernetesFinalizer)) return;

    let resources: DeletableResource[];
    try {
      resources = await this.d.discover();
    } catch (e) {
      await this.updateConditions(ns, [cond('NamespaceDeletionDiscoveryFailure', 'True', 'DiscoveryFailed', `Discovery failed for some groups: ${errorText(e)}`)]);
      throw e;
    }
    const tally: Tally = { remaining: new Map(), finalizers: new Map(), errors: [], estimateSeconds: 0 };
    for (const r of resources) await this.deleteAll(name, r, tally);

    const remainingText = [...tally.remaining].map(([gr, n]) => `${gr} has ${n} resource instances`);
    const finalizerText = [...tally.finalizers].map(([f, n]) => `${f} in ${n} resource instances`);
    const conditions = [
      cond('NamespaceDeletionDiscoveryFailure', 'False', 'ResourcesDiscovered', 'All resources successfully discovered'),
      cond('NamespaceDeletionGroupVersionParsingFailure', 'False', 'ParsedGroupVersions', 'All legacy kube types successfully parsed'),
      tally.errors.length
        ? cond('NamespaceDeletionContentFailure', 'True', 'ContentDeletionFailed', `Failed to delete all resource types, ${tally.errors.length} remaining: ${tally.errors.join(', ')}`)
        : cond('NamespaceDeletionContentFailure', 'False', 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization'),
      remainingText.length
        ? cond('NamespaceContentRemaining', 'True', 'SomeResourcesRemain', `Some resources are remaining: ${remainingText.join(', ')}`)
        : cond('NamespaceContentRemaining', 'False', 'ContentRemoved', 'All content successfully removed'),
      finalizerText.length
        ? cond('NamespaceFinalizersRemaining', 'True', 'SomeFinalizersRemain', `Some content in the namespace has finalizers remaining: ${finalizerText.join(', ')}`)
        : cond('NamespaceFinalizersRemaining', 'False', 'ContentHasNoFinalizers', 'All content-preserving finalizers finished'),
    ];
    const stillThere = await this.updateConditions(ns, conditions);
    if (!stillThere) return;
    if (tally.errors.length) throw new Error(`namespace ${name}: ${tally.errors.join('; ')}`);
    if (tally.remaining.size) {
      // As upstream: look again after about half of the longest wait we know of (pod grace periods; finalizers).
      const estimate = Math.max(tally.estimateSeconds, tally.finalizers.size ? 15 : 2);
      return { requeueAfter: (Math.floor(estimate / 2) + 1) * 1000 };
    }
    await this.finalize(name);
  }

  private async deleteAll(namespace: string, r: DeletableResource, tally: Tally): Promise<void> {
    const gr = `${r.resource}.${r.group}`;
    try {
      if (r.verbs.includes('deletecollection')) {
        await this.d.client.deleteCollection(r, { namespace, propagationPolicy: 'Background' });
      } else if (r.verbs.includes('delete')) {
        for (const o of (await this.d.client.list(r, { namespace })).items) {
          if (o.metadata?.deletionTimestamp) continue;
          try { await this.d.client.delete(r, namespace, o.metadata!.name!, { propagationPolicy: 'Background' }); } catch (e) { if (!isNotFound(e)) throw e; }
        }
      }
    } catch (e) {
      if (isNotFound(e) || isMethodNotAllowed(e)) return; // not served here after all
      tally.errors.push(`${gr}: ${errorText(e)}`);
      return;
    }
    try {
      const left = (await this.d.client.list(r, { namespace })).items;
      if (left.length === 0) return;
      tally.remaining.set(gr, left.length);
      for (const o of left) {
        for (const f of o.metadata?.finalizers ?? []) tally.finalizers.set(f, (tally.finalizers.get(f) ?? 0) + 1);
        if (r.group === '' && r.resource === 'pods') {
          tally.estimateSeconds = Math.max(tally.estimateSeconds, o.metadata?.deletionGracePeriodSeconds ?? o.spec?.terminationGracePeriodSeconds ?? 30);
        }
      }
    } catch (e) {
      tally.errors.push(`${gr}: ${errorText(e)}`);
    }
  }

  /** Writes conditions that changed (keeping lastTransitionTime of unchanged ones). False if the namespace is gone. */
  private async updateConditions(ns: KubeObject, wanted: NamespaceCondition[]): Promise<boolean> {
    const current: NamespaceCondition[] = ns.status?.conditions ?? [];
    const now = new Date(this.d.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z');
    let changed = false;
    const next = current.filter((c) => !wanted.some((w) => w.type === c.type));
    for (const w of wanted) {
      const old = current.find((c) => c.type === w.type);
      if (old && old.status === w.status && old.reason === w.reason && old.message === w.message) { next.push(old); continue; }
      changed = true;
      next.push({ ...w, lastTransitionTime: old && old.status === w.status ? old.lastTransitionTime : now });
    }
    if (!changed) return true;
    const updated = structuredClone(ns);
    updated.status = { ...(updated.status ?? {}), conditions: next };
    try {
      await this.d.client.updateStatus(builtin.namespaces, updated);
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e; // a Conflict means our view is stale: retry with the fresh one
    }
  }

  /** Removes "kubernetes" from spec.finalizers through PUT /api/v1/namespaces/<name>/finalize. */
  private async finalize(name: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      let ns: KubeObject;
      try { ns = await this.d.client.get(builtin.namespaces, undefined, name); } catch (e) { if (isNotFound(e)) return; throw e; }
      const fins: string[] = ns.spec?.finalizers ?? [];
      if (!fins.includes(kubernetesFinalizer)) return;
      ns.spec = { ...ns.spec, finalizers: fins.filter((f) => f !== kubernetesFinalizer) };
      try {
        await this.d.client.requestJson({ method: 'PUT', path: `/api/v1/namespaces/${encodeURIComponent(name)}/finalize`, body: ns });
        this.d.log({ level: 'info', msg: 'namespace finalized', controller: 'namespace-controller', namespace: name });
        return;
      } catch (e) {
        if (isNotFound(e)) return;
        if (isConflict(e) && attempt < 3) continue;
        throw e;
      }
    }
  }
}

function cond(type: string, status: 'True' | 'False', reason: string, message: string): NamespaceCondition {
  return { type, status, reason, message };
}
