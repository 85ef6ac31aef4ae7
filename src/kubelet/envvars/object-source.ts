// How the kubelet's env and volume code reads Secrets and ConfigMaps: only through the API (DESIGN.md §1).
// Upstream's kubelet reads them through its secret/configMap managers, whose NotFound errors name the resource in
// the singular (`secret "db-secret" not found`); the kubelet shows that text in CreateContainerConfigError and
// FailedMount, so every ObjectSource throws exactly that error for a missing object.
import type { ConfigMap, Secret } from 'kubernetes-types/core/v1.js';
import { isNotFound, notFound } from '../../api/errors.js';
import type { Client } from '../../client/client.js';
import { resources } from '../../api/resources.js';
import type { KubeObject } from '../../api/object.js';

export interface ObjectSource {
  /** The Secret, or a NotFound StatusError reading `secret "<name>" not found`. */
  getSecret(namespace: string, name: string): Promise<Secret>;
  /** The ConfigMap, or a NotFound StatusError reading `configmap "<name>" not found`. */
  getConfigMap(namespace: string, name: string): Promise<ConfigMap>;
  /** The claim, or a NotFound reading `persistentvolumeclaim "<name>" not found` (persistentVolumeClaim volumes). */
  getPersistentVolumeClaim?(namespace: string, name: string): Promise<KubeObject>;
  /** The volume, or a NotFound reading `persistentvolume "<name>" not found`. */
  getPersistentVolume?(name: string): Promise<KubeObject>;
}

/** Direct GETs (always current: env is read once per container start, volumes on each resync). */
export function apiObjectSource(client: Client): ObjectSource {
  const get = async <T>(res: typeof resources.secrets, singular: string, namespace: string | undefined, name: string): Promise<T> => {
    try {
      return await client.get(res, namespace, name) as T;
    } catch (e) {
      if (isNotFound(e)) throw notFound({ resource: singular }, name);
      throw e;
    }
  };
  return {
    getSecret: (ns, name) => get<Secret>(resources.secrets, 'secret', ns, name),
    getConfigMap: (ns, name) => get<ConfigMap>(resources.configmaps, 'configmap', ns, name),
    getPersistentVolumeClaim: (ns, name) => get<KubeObject>(resources.persistentvolumeclaims, 'persistentvolumeclaim', ns, name),
    getPersistentVolume: (name) => get<KubeObject>(resources.persistentvolumes, 'persistentvolume', undefined, name),
  };
}

/** A Secret's data as bytes (the API carries it base64-encoded). */
export function secretData(secret: Secret): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(secret.data ?? {})) out.set(k, Buffer.from(v, 'base64'));
  return out;
}

/** A ConfigMap's data and binaryData as bytes (what configMap volumes write). */
export function configMapData(cm: ConfigMap): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(cm.data ?? {})) out.set(k, Buffer.from(v, 'utf8'));
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) out.set(k, Buffer.from(v, 'base64'));
  return out;
}
