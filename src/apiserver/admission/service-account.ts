// ServiceAccount admission (upstream plugin/pkg/admission/serviceaccount) on pod creation: spec.serviceAccountName
// defaults to "default", and unless automountServiceAccountToken is false on the pod (or, when the pod leaves it
// unset, on the ServiceAccount), the pod gets the kube-api-access-<random> projected volume (a bound token for
// 3607 s, the kube-root-ca.crt ConfigMap's ca.crt, the namespace) mounted read-only at
// /var/run/secrets/kubernetes.io/serviceaccount in every container and init container that has nothing there.
//
// Difference from upstream, on purpose: a missing "default" ServiceAccount does not fail the pod (upstream retries
// for about a second, then refuses): a namespace's default ServiceAccount comes from a controller that may not run
// (an API server alone); the kubelet's token request fails until it exists. A missing named one is refused as upstream.
import { forbidden } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import type { AdmissionPlugin } from './admission.js';

export const SERVICE_ACCOUNT_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
export const DEFAULT_SERVICE_ACCOUNT = 'default';
/** The kubelet rotates the token at 80 % of this; upstream's 3607 marks it as the admission-injected one. */
export const KUBE_API_ACCESS_EXPIRATION_SECONDS = 3607;
const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';
/** utilrand.String's alphabet (no vowels, no confusable digits). */
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

export interface ServiceAccountAdmissionOptions {
  getServiceAccount(namespace: string, name: string): Promise<KubeObject | undefined>;
  random?: () => number;
}

/** The projected volume upstream's admission adds (TokenVolumeSource), word for word. */
export function kubeApiAccessVolume(name: string): Record<string, unknown> {
  return {
    name,
    projected: {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: KUBE_API_ACCESS_EXPIRATION_SECONDS, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
}

export function serviceAccountAdmission(opts: ServiceAccountAdmissionOptions): AdmissionPlugin {
  const random = opts.random ?? Math.random;
  const suffix = () => Array.from({ length: 5 }, () => ALPHANUMS[Math.floor(random() * ALPHANUMS.length)]).join('');
  return {
    name: 'ServiceAccount',
    resources: ['/pods'],
    async admit(attrs) {
      if (attrs.operation !== 'CREATE' || attrs.def.group !== '' || attrs.def.resource !== 'pods' || attrs.subresource) return;
      const pod = attrs.object;
      if (pod.metadata.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return;
      const spec = pod.spec;
      if (!spec || typeof spec !== 'object') return;
      if (!spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount || DEFAULT_SERVICE_ACCOUNT;
      const ns = attrs.namespace ?? pod.metadata.namespace ?? 'default';
      const saName: string = spec.serviceAccountName;
      const sa = await opts.getServiceAccount(ns, saName);
      if (!sa && saName !== DEFAULT_SERVICE_ACCOUNT) {
        const err = forbidden(`pods "${pod.metadata.name ?? pod.metadata.generateName ?? ''}" is forbidden: error looking up service account ${ns}/${saName}: serviceaccount "${saName}" not found`);
        err.status.details = { name: pod.metadata.name, kind: 'pods' };
        throw err;
      }
      // Upstream copies the ServiceAccount's imagePullSecrets into a pod that names none (names only).
      if (!(Array.isArray(spec.imagePullSecrets) && spec.imagePullSecrets.length > 0) && Array.isArray(sa?.imagePullSecrets) && sa.imagePullSecrets.length > 0) {
        spec.imagePullSecrets = sa.imagePullSecrets.map((r: { name?: string }) => ({ name: r?.name }));
      }
      const automount = spec.automountServiceAccountToken ?? sa?.automountServiceAccountToken ?? true;
      if (automount === false) return;
      const containers = [...(Array.isArray(spec.initContainers) ? spec.initContainers : []), ...(Array.isArray(spec.containers) ? spec.containers : [])];
      const volumes: any[] = Array.isArray(spec.volumes) ? spec.volumes : [];
      const mountsHere = (c: any) => Array.isArray(c?.volumeMounts) && c.volumeMounts.some((m: any) => m?.mountPath === SERVICE_ACCOUNT_MOUNT_PATH);
      const needing = containers.filter((c) => c && typeof c === 'object' && !mountsHere(c));
      if (needing.length === 0) return;
      const taken = new Set(volumes.map((v) => v?.name));
      let name: string;
      do name = `kube-api-access-${suffix()}`; while (taken.has(name));
      spec.volumes = [...volumes, kubeApiAccessVolume(name)];
      for (const c of needing) c.volumeMounts = [...(Array.isArray(c.volumeMounts) ? c.volumeMounts : []), { name, readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH }];
    },
  };
}
