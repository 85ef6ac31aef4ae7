// The root CA certificate publisher (upstream's pkg/controller/certificates/rootcacertpublisher): every active
// namespace holds a ConfigMap "kube-root-ca.crt" whose data is exactly { "ca.crt": <cluster CA PEM> }, with the
// kubernetes.io/description annotation. One deleted is made again, one edited is put back. Pods (and the projected
// service account volume) read it to verify the API server. Namespaces being deleted are left alone.
import { startController } from '../shared/start.js';
import type { ControllerOptions } from '../shared/options.js';
import { isAlreadyExists, isForbidden, isNotFound } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { resources as builtin } from '../../api/resources.js';
import { deletedObject } from '../../client/keys.js';

export const rootCACertConfigMapName = 'kube-root-ca.crt';
export const descriptionAnnotation = 'kubernetes.io/description';
/** Upstream's text, verbatim (clients and humans read it; kubectl describe shows it). */
export const rootCACertDescription = 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints '
  + 'such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

export interface RootCACertPublisherOptions extends ControllerOptions {
  /** The cluster CA bundle (PEM) published as data["ca.crt"]. */
  rootCA: string;
  /** Concurrent reconciles; upstream runs the publisher with 1 worker. */
  workers?: number;
}

type ConfigMap = KubeObject & { data?: Record<string, string> };

/** Runs the publisher until opts.signal aborts. The work-queue key is the namespace name. */
export function startRootCACertPublisher(opts: RootCACertPublisherOptions): Promise<void> {
  return startController(opts, { name: 'root-ca-cert-publisher', queue: 'root_ca_cert_publisher', component: 'root-ca-cert-publisher', defaultWorkers: 1 }, ({ client, informers, log, queue }) => {
    const namespaces = informers.informerFor(builtin.namespaces);
    // Only the one ConfigMap per namespace matters: a field-selected informer keeps every other ConfigMap out of memory.
    const configMaps = informers.informerFor<ConfigMap>(builtin.configmaps, { fieldSelector: `metadata.name=${rootCACertConfigMapName}` });
    const enqueueNamespaceOf = (cm: KubeObject) => {
      if (cm.metadata?.name === rootCACertConfigMapName && cm.metadata.namespace) queue.add(cm.metadata.namespace);
    };
    namespaces.addEventHandler({
      onAdd: (ns) => { if (ns.metadata?.name) queue.add(ns.metadata.name); },
      onUpdate: (_old, ns) => { if (ns.metadata?.name && isActive(ns)) queue.add(ns.metadata.name); },
    });
    configMaps.addEventHandler({
      onUpdate: (_old, cm) => enqueueNamespaceOf(cm),
      onDelete: (o) => enqueueNamespaceOf(deletedObject(o)),
    });
    const want = { 'ca.crt': opts.rootCA };
    return {
      informers: [namespaces, configMaps],
      async reconcile(namespace) {
        const ns = namespaces.get(namespace);
        if (!ns || !isActive(ns)) return;
        const cm = configMaps.getByName(namespace, rootCACertConfigMapName);
        if (!cm) {
          const fresh: ConfigMap = {
            apiVersion: 'v1', kind: 'ConfigMap',
            metadata: { name: rootCACertConfigMapName, namespace, annotations: { [descriptionAnnotation]: rootCACertDescription } },
            data: { ...want },
          };
          try {
            await client.create(builtin.configmaps, namespace, fresh);
            log({ level: 'info', msg: 'published root CA ConfigMap', controller: 'root-ca-cert-publisher', namespace });
          } catch (e) {
            // AlreadyExists: our cache lags; its add/update event brings the key back if it needs fixing.
            // NotFound / NamespaceTerminating (403): the namespace went away meanwhile; nothing to publish into.
            if (isAlreadyExists(e) || isNotFound(e) || isForbidden(e)) return;
            throw e;
          }
          return;
        }
        if (sameData(cm.data, want) && cm.metadata?.annotations?.[descriptionAnnotation]) return;
        const next = structuredClone(cm) as ConfigMap;
        next.data = { ...want };
        next.metadata = { ...next.metadata, annotations: { ...(next.metadata?.annotations ?? {}), [descriptionAnnotation]: rootCACertDescription } };
        try {
          await client.update(builtin.configmaps, next);
          log({ level: 'info', msg: 'restored root CA ConfigMap', controller: 'root-ca-cert-publisher', namespace });
        } catch (e) {
          // Deleted meanwhile: the delete event requeues the namespace and the next pass creates it.
          if (isNotFound(e)) return;
          throw e;
        }
      },
    };
  });
}

function isActive(ns: KubeObject): boolean {
  const phase = (ns as { status?: { phase?: string } }).status?.phase;
  return !ns.metadata?.deletionTimestamp && (!phase || phase === 'Active');
}

/** reflect.DeepEqual on map[string]string: same keys, same values. */
function sameData(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  const ka = Object.keys(a ?? {});
  return ka.length === Object.keys(b).length && ka.every((k) => a![k] === b[k]);
}
