import type { ApiResponse } from '../../api/transport.js';
import { objectResponse, type HandlerContext } from './context.js';

export async function handleGet(ctx: HandlerContext): Promise<ApiResponse> {
  const obj = await ctx.store.get(ctx.info.namespace, ctx.info.name!);
  return objectResponse(ctx, 200, obj);
}
