// PATCH in its four flavours: JSON patch, JSON merge patch, strategic merge patch (kubectl apply's client side)
// and server-side apply. The patch is applied to the current object inside guaranteedUpdate, so a concurrent
// write just means a retry against the newer object.
import type { ApiResponse } from '../../api/transport.js';
import { badRequest, unsupportedMediaType } from '../../api/errors.js';
import { decodeBody } from '../negotiation.js';
import { objectResponse, type HandlerContext } from './context.js';
import { enforceFieldValidation } from './field-validation.js';
import { patchTypeFromContentType, applyJsonPatch, applyMergePatch, applyStrategicMergePatch, applyServerSide } from '../patch/index.js';
import { modelFor } from '../schema-model.js';
import { isTrue } from '../request-info.js';
import type { KubeObject } from '../../api/object.js';

const CUSTOM_PATCH_TYPES = 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml';

export async function handlePatch(ctx: HandlerContext): Promise<ApiResponse> {
  const ct = ctx.req.headers['content-type'];
  const type = patchTypeFromContentType(ct ?? '');
  if (!type) throw unsupportedMediaType(ct ?? '');
  const { value: patch } = await decodeBody(ctx.req.body, type === 'apply' ? 'application/apply-patch+yaml' : 'application/json', true);
  const def = ctx.store.def;
  // Custom resources have no patch strategies: upstream refuses strategic merge patches for them.
  if (type === 'strategic' && def.custom) throw unsupportedMediaType(ct ?? '', CUSTOM_PATCH_TYPES);
  const model = modelFor(def);
  const schema = model.forKind(def.group, def.version, def.kind);
  const wctx = ctx.writeContext();
  if (type === 'apply') {
    if (!wctx.fieldManager) throw badRequest('fieldManager is required for apply requests');
    wctx.apply = true;
    if (!patch || typeof patch !== 'object' || Array.isArray(patch)) throw badRequest('the apply configuration must be a YAML or JSON object');
    enforceFieldValidation(ctx, patch as KubeObject, undefined, 'apply');
  }
  const r = await ctx.store.guaranteedUpdate(ctx.info.namespace, ctx.info.name!, (current) => {
    if (type === 'apply') {
      const { result } = applyServerSide({
        live: current, applied: patch, manager: wctx.fieldManager!, force: isTrue(ctx.req.query.get('force')),
        schema, model, now: wctx.now, apiVersion: ctx.store.apiVersion, subresource: ctx.info.subresource,
        ignoredPaths: def.strategy.hasStatus && !ctx.info.subresource ? [['f:status']] : undefined,
      });
      const out = result as KubeObject;
      if (current) out.metadata = { ...out.metadata, resourceVersion: (patch as KubeObject).metadata?.resourceVersion };
      return out;
    }
    // Only apply may create (allowCreate below): for every other patch the store answers 404 itself before calling.
    const live = current!;
    const patchedRv = patchRv(patch);
    let out: KubeObject;
    switch (type) {
      // `live` is the store's private copy for this attempt (a failed patch fails the request).
      case 'json': out = applyJsonPatch(live, patch, { inPlace: true }) as KubeObject; break;
      case 'merge': out = applyMergePatch(live, patch) as KubeObject; break;
      case 'strategic': out = applyStrategicMergePatch(live, patch, schema!, model) as KubeObject; break;
      default: throw unsupportedMediaType(ct ?? '');
    }
    if (!out || typeof out !== 'object' || Array.isArray(out)) throw badRequest('the patch produced something that is not an object');
    enforceFieldValidation(ctx, out, undefined, 'patch', type === 'strategic' ? patch : undefined);
    // A resourceVersion in the patch is a precondition; otherwise the patch applies to whatever is current.
    out.metadata = out.metadata ?? {};
    if (patchedRv === undefined) delete out.metadata.resourceVersion;
    return out;
  }, { ...wctx, subresource: ctx.info.subresource, allowCreate: type === 'apply' && !ctx.info.subresource });
  return objectResponse(ctx, r.created ? 201 : 200, r.object);
}

function patchRv(patch: any): string | undefined {
  if (Array.isArray(patch)) {
    const op = patch.find((o) => o && (o.path === '/metadata/resourceVersion') && (o.op === 'replace' || o.op === 'add' || o.op === 'test'));
    return op?.value;
  }
  return patch?.metadata?.resourceVersion ?? undefined;
}
