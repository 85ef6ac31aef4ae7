import type { ApiResponse } from '../../api/transport.js';
import { badRequest } from '../../api/errors.js';
import { jsonResponse, includeObject, type HandlerContext } from './context.js';
import { toTable, partialObjectMetadata } from '../table.js';

/** A query parameter of Go type int64, rejected with the message upstream's parameter conversion gives (a 400). */
function parseInt64(raw: string): number {
  if (!/^[+-]?[0-9]+$/.test(raw)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(raw)}: invalid syntax`);
  const n = BigInt(raw);
  if (n > 9223372036854775807n || n < -9223372036854775808n) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(raw)}: value out of range`);
  return Number(n);
}

const maxListLimit = 2 ** 31 - 1;

export function listQuery(q: URLSearchParams) {
  const limitRaw = q.get('limit');
  let limit = limitRaw ? Number(limitRaw) : undefined;
  if (limitRaw && (!Number.isInteger(limit) || limit! < 0)) throw badRequest(`invalid limit: ${limitRaw}`);
  // An int64 upstream; past 2^31 it can only mean "all of them" (and the store takes no larger number).
  if (limitRaw && limit !== undefined) limit = Math.min(parseInt64(limitRaw), maxListLimit);
  const timeoutRaw = q.get('timeoutSeconds');
  return {
    timeoutSeconds: timeoutRaw === null ? undefined : parseInt64(timeoutRaw),
    labelSelector: q.get('labelSelector'), fieldSelector: q.get('fieldSelector'), limit,
    continue: q.get('continue'), resourceVersion: q.get('resourceVersion'), resourceVersionMatch: q.get('resourceVersionMatch'),
  };
}

export async function handleList(ctx: HandlerContext): Promise<ApiResponse> {
  const r = await ctx.store.list(ctx.info.namespace, listQuery(ctx.req.query));
  const meta: Record<string, unknown> = { resourceVersion: r.resourceVersion };
  if (r.continue) meta.continue = r.continue;
  if (r.remainingItemCount !== undefined) meta.remainingItemCount = r.remainingItemCount;
  if (ctx.accept === 'table') {
    return jsonResponse(200, toTable(ctx.store.def, r.items, r, ctx.registry.clock(), true, includeObject(ctx)), { 'content-type': 'application/json;as=Table;v=v1;g=meta.k8s.io' });
  }
  const def = ctx.store.def;
  if (ctx.accept === 'partial') {
    return jsonResponse(200, { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: meta, items: r.items.map(partialObjectMetadata) },
      { 'content-type': 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io' });
  }
  // Items in a list carry no kind/apiVersion upstream; the list carries them.
  const items = r.items.map((o) => { const { apiVersion: _a, kind: _k, ...rest } = o; return rest; });
  return jsonResponse(200, { kind: def.listKind ?? `${def.kind}List`, apiVersion: ctx.store.apiVersion, metadata: meta, items });
}
