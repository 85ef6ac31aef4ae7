// A container's environment as upstream's kubelet makes it (kubelet_pods.go makeEnvironmentVariables), plus the
// image's own env underneath, as the CRI runtime (containerd) merges it:
//   1. envFrom, in order: every key of the ConfigMap/Secret (with prefix) that is a valid env var name; invalid
//      ones are skipped and reported once per source (the InvalidEnvironmentVariableNames warning event);
//   2. env, in order: value with $(VAR) expansion against the variables defined so far and the service
//      variables, or valueFrom (fieldRef, resourceFieldRef, configMapKeyRef, secretKeyRef, honouring optional);
//      env overrides envFrom;
//   3. the service variables (enableServiceLinks, default true; always KUBERNETES_SERVICE_*), unless defined above.
// The image's env (OCI config Env) comes first and is overridden in place by any variable of the same name; it
// takes no part in $(VAR) expansion, as upstream's kubelet never sees it.
// Errors are ContainerConfigError(CreateContainerConfigError) with upstream's text; Secret values never appear
// in them.
import type { Container, EnvVar, Pod, Service } from 'kubernetes-types/core/v1.js';
import { isNotFound } from '../../api/errors.js';
import { isEnvVarName } from '../../api/validation/names.js';
import type { ImageRuntimeConfig } from '../../images/index.js';
import type { KeyValue } from '../runtime/runtime.js';
import { ContainerConfigError } from './errors.js';
import { expand, mappingFuncFor } from './expansion.js';
import { podFieldValue, type PodAddresses } from './field-path.js';
import { secretData, type ObjectSource } from './object-source.js';
import { containerResourceValue, type NodeAllocatable } from './resource-value.js';
import { serviceEnvVars } from './service-env.js';

export interface EnvironmentInput extends PodAddresses {
  pod: Pod;
  container: Container;
  /** The image's config; its env goes underneath the pod's. */
  image?: ImageRuntimeConfig;
  /** Secrets and ConfigMaps, read through the API. */
  objects: ObjectSource;
  /** Services the kubelet knows (any namespace; only the pod's and default/kubernetes are used). */
  services: readonly Service[];
  /** node.status.allocatable: resourceFieldRef's value for limits the container does not set. */
  nodeAllocatable?: NodeAllocatable;
  /** Event-worthy warnings (reason, message), e.g. InvalidEnvironmentVariableNames. Never holds Secret data. */
  warn?: (reason: string, message: string) => void;
}

const configError = (msg: string) => new ContainerConfigError('CreateContainerConfigError', msg);
const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * The container's env for CRI, in a stable order: the image's variables, then envFrom/env in declaration order,
 * then the service variables. Throws ContainerConfigError when a non-optional reference cannot be resolved.
 */
export async function makeEnvironmentVariables(input: EnvironmentInput): Promise<KeyValue[]> {
  const { pod, container, objects } = input;
  const namespace = pod.metadata?.namespace ?? 'default';
  const serviceEnv = serviceEnvVars(input.services, namespace, pod.spec?.enableServiceLinks ?? true);
  const configMaps = new Map<string, Record<string, string>>();
  const secrets = new Map<string, Map<string, Buffer>>();

  // undefined = optional and absent; other errors become CreateContainerConfigError with the source's text.
  const configMap = async (name: string, optional: boolean) => {
    if (configMaps.has(name)) return configMaps.get(name)!;
    try {
      const data = (await objects.getConfigMap(namespace, name)).data ?? {};
      configMaps.set(name, data);
      return data;
    } catch (e) {
      if (isNotFound(e) && optional) return undefined;
      throw configError(errText(e));
    }
  };
  const secret = async (name: string, optional: boolean) => {
    if (secrets.has(name)) return secrets.get(name)!;
    try {
      const data = secretData(await objects.getSecret(namespace, name));
      secrets.set(name, data);
      return data;
    } catch (e) {
      if (isNotFound(e) && optional) return undefined;
      throw configError(errText(e));
    }
  };

  const tmpEnv = new Map<string, string>();
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    let entries: [string, string][] | undefined;
    let what: string;
    if (from.configMapRef) {
      what = `configMap ${namespace}/${from.configMapRef.name}`;
      const data = await configMap(from.configMapRef.name ?? '', from.configMapRef.optional === true);
      entries = data && Object.entries(data);
    } else if (from.secretRef) {
      what = `secret ${namespace}/${from.secretRef.name}`;
      const data = await secret(from.secretRef.name ?? '', from.secretRef.optional === true);
      entries = data && [...data].map(([k, v]) => [k, v.toString('utf8')]);
    } else continue;
    if (!entries) continue;
    const invalid: string[] = [];
    for (const [key, v] of entries) {
      const k = prefix + key;
      if (isEnvVarName(k).length) { invalid.push(k); continue; }
      tmpEnv.set(k, v);
    }
    if (invalid.length) {
      input.warn?.('InvalidEnvironmentVariableNames',
        `Keys [${invalid.sort().join(', ')}] from the EnvFrom ${what} were skipped since they are considered invalid environment variable names.`);
    }
  }

  const mapping = mappingFuncFor(tmpEnv, serviceEnv);
  for (const env of container.env ?? []) {
    const v = await envValue(env);
    if (v !== undefined) tmpEnv.set(env.name, v);
  }

  async function envValue(env: EnvVar): Promise<string | undefined> {
    if (env.value) return expand(env.value, mapping);
    const from = env.valueFrom;
    if (!from) return '';
    if (from.fieldRef) {
      try { return podFieldValue(pod, from.fieldRef, input); } catch (e) { throw configError(errText(e)); }
    }
    if (from.resourceFieldRef) {
      try { return containerResourceValue(from.resourceFieldRef, container, input.nodeAllocatable); } catch (e) { throw configError(errText(e)); }
    }
    if (from.configMapKeyRef) {
      const { name = '', key, optional = false } = from.configMapKeyRef;
      const data = await configMap(name, optional);
      if (!data) return undefined;
      if (!(key in data)) {
        if (optional) return undefined;
        throw configError(`couldn't find key ${key} in ConfigMap ${namespace}/${name}`);
      }
      return data[key];
    }
    if (from.secretKeyRef) {
      const { name = '', key, optional = false } = from.secretKeyRef;
      const data = await secret(name, optional);
      if (!data) return undefined;
      const v = data.get(key);
      if (v === undefined) {
        if (optional) return undefined;
        throw configError(`couldn't find key ${key} in Secret ${namespace}/${name}`);
      }
      return v.toString('utf8');
    }
    return '';
  }

  const result = new Map<string, string>();
  for (const kv of input.image?.env ?? []) {
    const i = kv.indexOf('=');
    if (i > 0) result.set(kv.slice(0, i), kv.slice(i + 1));
    else if (i < 0 && kv) result.set(kv, '');
  }
  for (const [k, v] of tmpEnv) result.set(k, v);
  for (const [k, v] of serviceEnv) if (!tmpEnv.has(k)) result.set(k, v);
  return [...result].map(([key, value]) => ({ key, value }));
}
