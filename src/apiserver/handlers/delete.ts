import type { ApiResponse } from '../../api/transport.js';
import { badRequest } from '../../api/errors.js';
import { decodeBody } from '../negotiation.js';
import { jsonResponse, objectResponse, type HandlerContext } from './context.js';
import type { DeleteOptions } from '../registry/generic-store.js';
import { listQuery } from './list.js';
import { loadSchemaModel } from '../../api/schema/index.js';
import { typeErrorsForDefinition } from '../../api/schema/field-validation.js';

/** DeleteOptions from the body (kubectl sends {"propagationPolicy":"Background"}) and/or query parameters. */
export async function deleteOptions(ctx: HandlerContext): Promise<DeleteOptions> {
  let opts: DeleteOptions = {};
  if (ctx.req.body && ctx.req.body.length > 0) {
    const { value } = await decodeBody(ctx.req.body, ctx.req.headers['content-type']);
    if (value && typeof value === 'object' && !Array.isArray(value)) opts = value as DeleteOptions;
    else throw badRequest('the DeleteOptions body must be an object');
    const typeErrs = typeErrorsForDefinition(loadSchemaModel(), 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions', value);
    if (typeErrs.length) throw badRequest(typeErrs[0]);
  }
  const q = ctx.req.query;
  if (q.has('gracePeriodSeconds')) opts.gracePeriodSeconds = Number(q.get('gracePeriodSeconds'));
  if (q.has('propagationPolicy')) opts.propagationPolicy = q.get('propagationPolicy') as DeleteOptions['propagationPolicy'];
  if (q.has('orphanDependents')) opts.orphanDependents = q.get('orphanDependents') === 'true';
  if (opts.propagationPolicy && !['Orphan', 'Background', 'Foreground'].includes(opts.propagationPolicy)) {
    throw badRequest(`propagationPolicy: Unsupported value: "${opts.propagationPolicy}": supported values: "Foreground", "Background", "Orphan"`);
  }
  if (opts.gracePeriodSeconds !== undefined && !Number.isFinite(opts.gracePeriodSeconds)) throw badRequest('gracePeriodSeconds must be an integer');
  return opts;
}

export async function handleDelete(ctx: HandlerContext): Promise<ApiResponse> {
  const opts = await deleteOptions(ctx);
  const wctx = ctx.writeContext();
  if (opts.dryRun?.includes('All')) wctx.dryRun = true;
  const { object, deleted } = await ctx.store.delete(ctx.info.namespace, ctx.info.name!, opts, wctx);
  if (!deleted) return objectResponse(ctx, 202, object);
  if (ctx.store.def.strategy.returnDeletedObject) return objectResponse(ctx, 200, object);
  const def = ctx.store.def;
  return jsonResponse(200, {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success',
    details: { name: object.metadata.name, group: def.group || undefined, kind: def.resource, uid: object.metadata.uid },
  });
}

export async function handleDeleteCollection(ctx: HandlerContext): Promise<ApiResponse> {
  const opts = await deleteOptions(ctx);
  const wctx = ctx.writeContext();
  if (opts.dryRun?.includes('All')) wctx.dryRun = true;
  const items = await ctx.store.deleteCollection(ctx.info.namespace, listQuery(ctx.req.query), opts, wctx);
  const def = ctx.store.def;
  return jsonResponse(200, { kind: def.listKind ?? `${def.kind}List`, apiVersion: ctx.store.apiVersion, metadata: {}, items });
}
