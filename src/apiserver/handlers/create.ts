import type { ApiResponse } from '../../api/transport.js';
import { badRequest } from '../../api/errors.js';
import { decodeBody } from '../negotiation.js';
import { objectResponse, type HandlerContext } from './context.js';
import { enforceFieldValidation, bodyDuplicateFields } from './field-validation.js';
import type { KubeObject } from '../../api/object.js';

export async function handleCreate(ctx: HandlerContext): Promise<ApiResponse> {
  const { value } = await decodeBody(ctx.req.body, ctx.req.headers['content-type']);
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw badRequest('the request body must be a JSON or YAML object');
  const obj = value as KubeObject;
  enforceFieldValidation(ctx, obj, undefined, 'body', undefined, bodyDuplicateFields(ctx));
  // The decoded body is this request's own: the store may keep it as the object it stores.
  const created = await ctx.store.create(ctx.info.namespace, obj, ctx.writeContext(), { owned: true });
  return objectResponse(ctx, 201, created);
}
