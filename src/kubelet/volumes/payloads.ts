// The file payloads of configMap, secret, downwardAPI and projected volumes, as upstream's MakePayload /
// CollectData build them (pkg/volume/{configmap,secret,downwardapi,projected}). Modes: an item's mode, else the
// volume's defaultMode, else 0644 (the API's default of 420). Error texts are upstream's; none holds Secret data.
import type {
  ConfigMap, DownwardAPIVolumeFile, KeyToPath, Pod, Secret, ServiceAccountTokenProjection, VolumeProjection,
} from 'kubernetes-types/core/v1.js';
import { isNotFound } from '../../api/errors.js';
import { configMapData, secretData, type ObjectSource } from '../envvars/object-source.js';
import { podMetadataFieldValue } from '../envvars/field-path.js';
import { containerResourceValue, type NodeAllocatable } from '../envvars/resource-value.js';
import type { Payload } from './atomic-writer.js';

export const DEFAULT_MODE = 0o644;

function keyPayload(data: Map<string, Buffer>, items: readonly KeyToPath[] | undefined, defaultMode: number, optional: boolean, missing: (key: string) => string): Payload {
  const payload: Payload = new Map();
  if (!items?.length) {
    for (const [k, v] of data) payload.set(k, { data: v, mode: defaultMode });
    return payload;
  }
  for (const it of items) {
    const v = data.get(it.key);
    if (v === undefined) {
      if (optional) continue;
      throw new Error(missing(it.key));
    }
    payload.set(it.path, { data: v, mode: it.mode ?? defaultMode });
  }
  return payload;
}

export function configMapPayload(cm: ConfigMap, items: readonly KeyToPath[] | undefined, defaultMode: number, optional: boolean): Payload {
  return keyPayload(configMapData(cm), items, defaultMode, optional, (k) => `configmap references non-existent config key: ${k}`);
}

export function secretPayload(secret: Secret, items: readonly KeyToPath[] | undefined, defaultMode: number, optional: boolean): Payload {
  return keyPayload(secretData(secret), items, defaultMode, optional, (k) => `references non-existent secret key: ${k}`);
}

/** An object that may be missing: undefined when optional and absent (the volume is then empty). */
async function optionalGet<T>(get: () => Promise<T>, optional: boolean): Promise<T | undefined> {
  try { return await get(); } catch (e) {
    if (optional && isNotFound(e)) return undefined;
    throw e;
  }
}

export async function configMapVolumePayload(objects: ObjectSource, namespace: string, name: string, items: readonly KeyToPath[] | undefined, defaultMode: number, optional: boolean): Promise<Payload> {
  const cm = await optionalGet(() => objects.getConfigMap(namespace, name), optional);
  return cm ? configMapPayload(cm, items, defaultMode, optional) : new Map();
}

export async function secretVolumePayload(objects: ObjectSource, namespace: string, name: string, items: readonly KeyToPath[] | undefined, defaultMode: number, optional: boolean): Promise<Payload> {
  const s = await optionalGet(() => objects.getSecret(namespace, name), optional);
  return s ? secretPayload(s, items, defaultMode, optional) : new Map();
}

/** downwardAPI items: metadata fields (labels/annotations follow the pod) and containers' resources. */
export function downwardAPIPayload(pod: Pod, items: readonly DownwardAPIVolumeFile[], defaultMode: number, allocatable: NodeAllocatable): Payload {
  const payload: Payload = new Map();
  const errors: string[] = [];
  for (const it of items) {
    const path = it.path.split('/').filter((s) => s && s !== '.').join('/');
    let text = '';
    try {
      if (it.fieldRef) text = podMetadataFieldValue(pod, it.fieldRef.fieldPath);
      else if (it.resourceFieldRef) {
        const cname = it.resourceFieldRef.containerName;
        const c = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((x) => x.name === cname);
        if (!c) throw new Error(`failed to find container with name ${cname ?? ''} in pod`);
        text = containerResourceValue(it.resourceFieldRef, c, allocatable);
      }
    } catch (e) {
      errors.push((e as Error).message);
      continue;
    }
    payload.set(path, { data: Buffer.from(text), mode: it.mode ?? defaultMode });
  }
  if (errors.length) throw new Error(aggregate(errors));
  return payload;
}

/** A service account token for a pod (the TokenRequest API, bound to the pod). */
export interface ServiceAccountToken { token: string; expirationTimestamp?: string }
export interface TokenRequestInput {
  namespace: string; serviceAccountName: string; audiences: string[]; expirationSeconds: number;
  pod: { name: string; uid: string };
}
/** Resolves a token, or null when the cluster cannot issue tokens (the token file is then skipped with a note). */
export type ServiceAccountTokenSource = (req: TokenRequestInput) => Promise<ServiceAccountToken | null>;

export interface ProjectedContext {
  pod: Pod;
  objects: ObjectSource;
  allocatable: NodeAllocatable;
  tokens?: ServiceAccountTokenSource;
  /** A note about something left out (e.g. no token source), once per setup. */
  note?: (message: string) => void;
}

/** A projected volume's payload: every source merged, errors gathered as upstream's aggregate. */
export async function projectedPayload(ctx: ProjectedContext, sources: readonly VolumeProjection[], defaultMode: number): Promise<Payload> {
  const namespace = ctx.pod.metadata?.namespace ?? 'default';
  const payload: Payload = new Map();
  const errors: string[] = [];
  const merge = (p: Payload) => { for (const [k, v] of p) payload.set(k, v); };
  for (const src of sources) {
    try {
      if (src.configMap) {
        merge(await configMapVolumePayload(ctx.objects, namespace, src.configMap.name ?? '', src.configMap.items, defaultMode, src.configMap.optional === true));
      } else if (src.secret) {
        merge(await secretVolumePayload(ctx.objects, namespace, src.secret.name ?? '', src.secret.items, defaultMode, src.secret.optional === true));
      } else if (src.downwardAPI) {
        merge(downwardAPIPayload(ctx.pod, src.downwardAPI.items ?? [], defaultMode, ctx.allocatable));
      } else if (src.serviceAccountToken) {
        const tok = await tokenFile(ctx, src.serviceAccountToken);
        if (tok !== undefined) payload.set(src.serviceAccountToken.path, { data: Buffer.from(tok), mode: defaultMode });
      } else if (src.clusterTrustBundle) {
        ctx.note?.('clusterTrustBundle projections are not supported by nanokube yet; the source was skipped');
      }
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  if (errors.length) throw new Error(aggregate(errors));
  return payload;
}

async function tokenFile(ctx: ProjectedContext, p: ServiceAccountTokenProjection): Promise<string | undefined> {
  const sa = ctx.pod.spec?.serviceAccountName || 'default';
  if (!ctx.tokens) {
    ctx.note?.(`no service account token source: ${p.path} was left out of the projected volume (TokenRequest is not served yet)`);
    return undefined;
  }
  const tok = await ctx.tokens({
    namespace: ctx.pod.metadata?.namespace ?? 'default', serviceAccountName: sa,
    audiences: p.audience ? [p.audience] : [], expirationSeconds: p.expirationSeconds ?? 3600,
    pod: { name: ctx.pod.metadata?.name ?? '', uid: ctx.pod.metadata?.uid ?? '' },
  });
  if (!tok) {
    ctx.note?.(`the API server cannot issue service account tokens: ${p.path} was left out of the projected volume`);
    return undefined;
  }
  return tok.token;
}

/** utilerrors.NewAggregate's text: one error as is, several as "[a, b]". */
export function aggregate(errors: readonly string[]): string {
  return errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`;
}
