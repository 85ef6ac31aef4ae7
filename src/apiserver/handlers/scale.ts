// The scale subresource (autoscaling/v1 Scale) for deployments, replicasets, statefulsets and replicationcontrollers:
// what `kubectl scale` PATCHes.
import type { ApiResponse } from '../../api/transport.js';
import { badRequest, unsupportedMediaType, conflict } from '../../api/errors.js';
import { decodeBody } from '../negotiation.js';
import { jsonResponse, type HandlerContext } from './context.js';
import { enforceFieldValidation } from './field-validation.js';
import { formatLabelSelector } from '../../api/labels.js';
import { patchTypeFromContentType, applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from '../patch/index.js';
import { loadSchemaModel } from '../../api/schema/index.js';
import type { KubeObject } from '../../api/object.js';
import type { CustomResourceInfo } from '../registry/types.js';

export function scaleOf(obj: KubeObject, custom?: CustomResourceInfo['scale']) {
  const metadata = { name: obj.metadata.name, namespace: obj.metadata.namespace, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion, creationTimestamp: obj.metadata.creationTimestamp };
  if (custom) {
    // A custom resource's scale reads the paths its CustomResourceDefinition declares (upstream scaleFromCustomResource).
    const spec = getPath(obj, custom.specReplicasPath), status = getPath(obj, custom.statusReplicasPath);
    const sel = custom.labelSelectorPath ? getPath(obj, custom.labelSelectorPath) : undefined;
    return {
      kind: 'Scale', apiVersion: 'autoscaling/v1', metadata,
      spec: { replicas: typeof spec === 'number' ? spec : 0 },
      status: { replicas: typeof status === 'number' ? status : 0, ...(typeof sel === 'string' && sel ? { selector: sel } : {}) },
    };
  }
  // A ReplicationController's selector is a plain label map (labels.SelectorFromSet), the others' a LabelSelector.
  const sel = obj.kind === 'ReplicationController' ? { matchLabels: obj.spec?.selector ?? {} } : obj.spec?.selector;
  return {
    kind: 'Scale', apiVersion: 'autoscaling/v1', metadata,
    spec: { replicas: obj.spec?.replicas ?? 0 },
    status: { replicas: obj.status?.replicas ?? 0, selector: sel ? formatLabelSelector(sel).replace(/^<none>$/, '') : '' },
  };
}

/** ".spec.replicas" → obj.spec.replicas. */
function getPath(obj: unknown, path: string): unknown {
  let cur: any = obj;
  for (const k of path.split('.').filter(Boolean)) { if (cur === null || typeof cur !== 'object') return undefined; cur = cur[k]; }
  return cur;
}
function setPath(obj: any, path: string, value: unknown): void {
  const keys = path.split('.').filter(Boolean);
  let cur = obj;
  for (const k of keys.slice(0, -1)) { if (cur[k] === null || typeof cur[k] !== 'object') cur[k] = {}; cur = cur[k]; }
  cur[keys[keys.length - 1]] = value;
}

const scaleKind = { group: 'autoscaling', version: 'v1', kind: 'Scale' };

export async function handleScale(ctx: HandlerContext): Promise<ApiResponse> {
  const { store, info } = ctx;
  const custom = store.def.custom?.scale;
  if (info.verb === 'get') return jsonResponse(200, scaleOf(await store.get(info.namespace, info.name!), custom));
  let patchType: ReturnType<typeof patchTypeFromContentType>;
  if (info.verb === 'patch') {
    patchType = patchTypeFromContentType(ctx.req.headers['content-type'] ?? '');
    if (!patchType || patchType === 'apply') throw unsupportedMediaType(ctx.req.headers['content-type'] ?? '');
  }
  const { value } = await decodeBody(ctx.req.body, info.verb === 'patch' ? 'application/json' : ctx.req.headers['content-type'], info.verb === 'patch');
  const model = loadSchemaModel();
  const r = await store.guaranteedUpdate(info.namespace, info.name!, (current) => {
    const cur = current!;
    const scale = scaleOf(cur, custom);
    let desired: any;
    if (info.verb === 'update') desired = value;
    else if (patchType === 'json') desired = applyJsonPatch(scale, value);
    else if (patchType === 'merge') desired = applyMergePatch(scale, value);
    else desired = applyStrategicMergePatch(scale, value, model.forKind('autoscaling', 'v1', 'Scale')!, model);
    if (!desired || typeof desired !== 'object') throw badRequest('the request body must be a Scale object');
    enforceFieldValidation(ctx, desired, scaleKind, info.verb === 'patch' ? 'patch' : 'body');
    const replicas = desired.spec?.replicas;
    if (replicas !== undefined && (!Number.isInteger(replicas))) throw badRequest('spec.replicas must be an integer');
    const rv = desired.metadata?.resourceVersion;
    if (info.verb === 'update' && rv && rv !== cur.metadata.resourceVersion) {
      throw conflict(store.ref, info.name!, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    if (custom) setPath(cur, custom.specReplicasPath, replicas ?? 0);
    else cur.spec = { ...cur.spec, replicas: replicas ?? 0 };
    delete cur.metadata.resourceVersion;
    return cur;
  }, { ...ctx.writeContext(), subresource: 'scale' });
  return jsonResponse(200, scaleOf(r.object, custom));
}
