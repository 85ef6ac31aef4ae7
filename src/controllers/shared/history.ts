// ControllerRevision history (upstream pkg/controller/history), shared by the StatefulSet and DaemonSet controllers:
// a revision is an immutable snapshot of the owner's pod template, stored as the strategic merge patch that puts
// that template back (`{"spec":{"template":{...,"$patch":"replace"}}}`), which is exactly what `kubectl rollout undo`
// sends back to the owner. Revisions are named <owner>-<hash>, labelled with the template's labels (so kubectl finds
// them with the owner's selector) and controller.kubernetes.io/hash, and numbered; the highest number is the newest.
import { isAlreadyExists, isNotFound } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { resources } from '../../api/resources.js';
import type { Client } from '../../client/client.js';
import { semanticEqual } from '../../api/validation/index.js';
import { canonicalJson, fnv32a, safeEncodeString } from './hash.js';
import { newControllerRef } from './controller-ref.js';

export const controllerRevisionHashLabel = 'controller.kubernetes.io/hash';

export interface ControllerRevision extends KubeObject {
  data?: any;
  revision?: number;
}

/** history.HashControllerRevision: FNV-32a over the data (and the collision count), safe-encoded. */
export function hashControllerRevision(data: unknown, collisionCount?: number | null): string {
  let h = fnv32a(Buffer.from(canonicalJson(data), 'utf8'));
  if (collisionCount != null) {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(collisionCount >>> 0, 0);
    h = fnv32a(b, h);
  }
  return safeEncodeString(String(h));
}

/** The patch a revision stores: the owner's template, replacing whatever template the owner has when applied. */
export function templatePatch(owner: KubeObject): { spec: { template: any } } {
  return { spec: { template: { ...structuredClone(owner.spec?.template ?? {}), $patch: 'replace' } } };
}

/**
 * history.NewControllerRevision for an owner at `revision`, with the owner's annotations (so a
 * kubernetes.io/change-cause shows in `kubectl rollout history`). `hashLabel` names the label carrying the hash:
 * controller.kubernetes.io/hash for StatefulSets, controller-revision-hash for DaemonSets.
 */
export function newControllerRevision(owner: KubeObject, gvk: { apiVersion: string; kind: string }, revision: number, collisionCount?: number | null,
  hashLabel = controllerRevisionHashLabel): ControllerRevision {
  const data = templatePatch(owner);
  const hash = hashControllerRevision(data, collisionCount);
  const annotations = owner.metadata.annotations;
  return {
    apiVersion: 'apps/v1', kind: 'ControllerRevision',
    metadata: {
      name: `${owner.metadata.name}-${hash}`, namespace: owner.metadata.namespace,
      labels: { ...(owner.spec?.template?.metadata?.labels ?? {}), [hashLabel]: hash },
      ...(annotations && Object.keys(annotations).length ? { annotations: { ...annotations } } : {}),
      ownerReferences: [newControllerRef(owner, gvk)],
    },
    data, revision,
  };
}

/** The hash a revision was named with (the suffix after the owner's name). */
export const revisionHash = (rev: ControllerRevision, owner: KubeObject): string => (rev.metadata.name ?? '').slice((owner.metadata.name ?? '').length + 1);

/** Revisions hold the same template (history.EqualRevision compares the data). */
export const equalRevision = (a: ControllerRevision, b: ControllerRevision): boolean => semanticEqual(a.data, b.data);

/** Oldest first, by revision number, then name (history.SortControllerRevisions). */
export function sortRevisions(revs: ControllerRevision[]): ControllerRevision[] {
  return [...revs].sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
}

export const nextRevision = (revs: ControllerRevision[]): number => (revs.length ? Math.max(...revs.map((r) => r.revision ?? 0)) + 1 : 1);

/**
 * The owner's revision for its current template: an existing equal revision (renumbered to be the newest when it is
 * not already, as after a rollback), else a new one. A name taken by a different template bumps the collision
 * count (the caller persists it in the owner's status) and the creation is retried under the next name.
 */
export async function ensureRevision(client: Client, owner: KubeObject, gvk: { apiVersion: string; kind: string }, revisions: ControllerRevision[],
  collisionCount: number, hashLabel = controllerRevisionHashLabel): Promise<{ revision: ControllerRevision; collisionCount: number }> {
  const sorted = sortRevisions(revisions);
  const next = nextRevision(sorted);
  const candidate = newControllerRevision(owner, gvk, next, collisionCount, hashLabel);
  const equal = sorted.filter((r) => equalRevision(r, candidate));
  if (equal.length) {
    const latest = equal[equal.length - 1];
    if (latest === sorted[sorted.length - 1]) return { revision: latest, collisionCount };
    const updated = await client.patch<ControllerRevision>(resources.controllerrevisions, latest.metadata.namespace, latest.metadata.name ?? '', 'merge',
      { revision: next, metadata: { resourceVersion: latest.metadata.resourceVersion } });
    return { revision: updated, collisionCount };
  }
  for (let count = collisionCount; ; count++) {
    const rev = newControllerRevision(owner, gvk, next, count, hashLabel);
    try {
      return { revision: await client.create<ControllerRevision>(resources.controllerrevisions, owner.metadata.namespace, rev), collisionCount: count };
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      const existing = await client.get<ControllerRevision>(resources.controllerrevisions, owner.metadata.namespace, rev.metadata.name ?? '');
      const ours = existing.metadata.ownerReferences?.some((r) => r.uid === owner.metadata.uid && r.controller);
      if (ours && equalRevision(existing, rev)) return { revision: existing, collisionCount: count };
    }
  }
}

/** Deletes the oldest revisions beyond `limit` that no live object uses (truncateHistory). */
export async function truncateHistory(client: Client, revisions: ControllerRevision[], live: Set<string>, limit: number): Promise<void> {
  const old = sortRevisions(revisions).filter((r) => !live.has(r.metadata.name ?? ''));
  const excess = old.length - limit;
  for (let i = 0; i < excess; i++) {
    try { await client.delete(resources.controllerrevisions, old[i].metadata.namespace, old[i].metadata.name ?? ''); }
    catch (e) { if (!isNotFound(e)) throw e; }
  }
}
