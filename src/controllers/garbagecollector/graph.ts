// The garbage collector's view of ownership, built from informers (upstream's GraphBuilder keeps its own uid
// graph; we get the same answers from two informer indexes): objects by uid, and dependents by owner uid.
import type { ResourceId } from '../../api/resources.js';
import type { KubeObject } from '../../api/object.js';
import type { SharedInformer } from '../../client/informer.js';

type OwnerReference = NonNullable<NonNullable<KubeObject['metadata']>['ownerReferences']>[number];

// Module-level functions, so a second collector on the same shared informers reuses the same indexes.
export const uidIndex = 'garbagecollector/uid';
export const ownerUidIndex = 'garbagecollector/owner-uid';
const byUid = (o: KubeObject) => (o.metadata?.uid ? [o.metadata.uid] : []);
const byOwnerUid = (o: KubeObject) => (o.metadata?.ownerReferences ?? []).map((r) => r.uid);
export const graphIndexers = { [uidIndex]: byUid, [ownerUidIndex]: byOwnerUid };

/** An object in the graph: its resource and cache state. */
export interface Node { resource: ResourceId; object: KubeObject }

/** `group/resource|namespace|name`: the work-queue key of one object. */
export function nodeKey(resource: ResourceId, obj: { metadata?: { namespace?: string; name?: string } }): string {
  return `${resource.group}/${resource.resource}|${obj.metadata?.namespace ?? ''}|${obj.metadata?.name ?? ''}`;
}
export function parseNodeKey(key: string): { gr: string; namespace?: string; name: string } {
  const [gr, namespace, name] = key.split('|');
  return { gr, namespace: namespace || undefined, name };
}

export class OwnershipGraph {
  private byGr = new Map<string, { resource: ResourceId; informer: SharedInformer }>();
  /** `group/Kind` → resource, for resolving ownerReferences (their apiVersion names the group). */
  private byKind = new Map<string, ResourceId>();

  constructor(monitors: { resource: ResourceId; informer: SharedInformer }[], extraKinds: ResourceId[] = []) {
    for (const m of monitors) {
      this.byGr.set(`${m.resource.group}/${m.resource.resource}`, m);
      if (m.resource.kind) this.byKind.set(`${m.resource.group}/${m.resource.kind}`, m.resource);
    }
    for (const r of extraKinds) if (r.kind && !this.byKind.has(`${r.group}/${r.kind}`)) this.byKind.set(`${r.group}/${r.kind}`, r);
  }

  get monitors() { return [...this.byGr.values()]; }

  /** Monitors one more resource (served after the collector started, e.g. a custom resource). */
  addMonitor(m: { resource: ResourceId; informer: SharedInformer }): void {
    this.byGr.set(`${m.resource.group}/${m.resource.resource}`, m);
    if (m.resource.kind) this.byKind.set(`${m.resource.group}/${m.resource.kind}`, m.resource);
  }

  /** Kinds that ownerReferences may name, learnt from a later discovery. */
  addKinds(kinds: ResourceId[]): void {
    for (const r of kinds) if (r.kind && !this.byKind.has(`${r.group}/${r.kind}`)) this.byKind.set(`${r.group}/${r.kind}`, r);
  }

  lookup(key: string): Node | undefined {
    const { gr, namespace, name } = parseNodeKey(key);
    const m = this.byGr.get(gr);
    const object = m?.informer.getByName(namespace, name);
    return m && object ? { resource: m.resource, object } : undefined;
  }

  /** The cached object with this uid, if any informer holds it. */
  byUid(uid: string): Node | undefined {
    for (const m of this.byGr.values()) {
      const [object] = m.informer.byIndex(uidIndex, uid);
      if (object) return { resource: m.resource, object };
    }
    return undefined;
  }

  /** Cached objects with an ownerReference to uid. */
  dependentsOf(uid: string): Node[] {
    const out: Node[] = [];
    for (const m of this.byGr.values()) for (const object of m.informer.byIndex(ownerUidIndex, uid)) out.push({ resource: m.resource, object });
    return out;
  }

  /** The resource an ownerReference points at, or undefined when its kind is not known to this server. */
  resourceFor(ref: Pick<OwnerReference, 'apiVersion' | 'kind'>): ResourceId | undefined {
    const slash = ref.apiVersion.indexOf('/');
    const group = slash < 0 ? '' : ref.apiVersion.slice(0, slash);
    const version = slash < 0 ? ref.apiVersion : ref.apiVersion.slice(slash + 1);
    const r = this.byKind.get(`${group}/${ref.kind}`);
    return r && { ...r, version };
  }
}
