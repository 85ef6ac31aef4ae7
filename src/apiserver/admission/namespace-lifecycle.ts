// NamespaceLifecycle (upstream plugin/pkg/admission/namespace/lifecycle): no new objects in a namespace that
// does not exist or is being terminated. Events about the namespace's teardown are still allowed, as upstream.
import { notFound, forbidden } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { admitted, type AdmissionAttributes, type AdmissionPlugin } from './admission.js';

export interface NamespaceLifecycleOptions {
  /** Reads a namespace; undefined when it does not exist. */
  getNamespace(name: string): Promise<KubeObject | undefined>;
  /** The namespace when a cache holds it (no wait); undefined sends the lookup to getNamespace. */
  cachedNamespace?(name: string): KubeObject | undefined;
}

export function namespaceLifecycle(opts: NamespaceLifecycleOptions): AdmissionPlugin {
  return {
    name: 'NamespaceLifecycle',
    // Not an async function: a namespace found in the cache is judged at once (the usual case on every create).
    admit(attrs) {
      if (attrs.operation !== 'CREATE' || !attrs.def.namespaced || !attrs.namespace) return admitted;
      const cached = opts.cachedNamespace?.(attrs.namespace);
      if (!cached) return opts.getNamespace(attrs.namespace).then((ns) => judge(attrs, ns));
      try { judge(attrs, cached); } catch (e) { return Promise.reject(e); }
      return admitted;
    },
  };
}

/** Throws unless a new object may be created in the namespace `ns` (undefined: it does not exist). */
function judge(attrs: AdmissionAttributes, ns: KubeObject | undefined): void {
  if (!ns) throw notFound({ resource: 'namespaces' }, attrs.namespace!);
  if (!ns.metadata.deletionTimestamp && ns.status?.phase !== 'Terminating') return;
  if (attrs.def.kind === 'Event') return;
  const obj = attrs.object;
  const group = attrs.def.group;
  const resource = group ? `${attrs.def.resource}.${group}` : attrs.def.resource;
  const err = forbidden(`${resource} "${obj.metadata.name ?? obj.metadata.generateName ?? ''}" is forbidden: unable to create new content in namespace ${attrs.namespace} because it is being terminated`);
  err.status.details = { name: obj.metadata.name, group: attrs.def.group || undefined, kind: attrs.def.resource, causes: [{ reason: 'NamespaceTerminating', message: `namespace ${attrs.namespace} is being terminated`, field: 'metadata.namespace' }] };
  throw err;
}
