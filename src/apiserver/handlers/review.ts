// POST to a review API (selfsubjectaccessreviews, selfsubjectrulesreviews, selfsubjectreviews): the answer is
// computed from the body and the requesting user, returned with 201, and never stored (as upstream).
import type { ApiResponse } from '../../api/transport.js';
import { badRequest } from '../../api/errors.js';
import { decodeBody } from '../negotiation.js';
import { jsonResponse, type HandlerContext } from './context.js';
import { enforceFieldValidation } from './field-validation.js';
import type { KubeObject } from '../../api/object.js';

export async function handleReview(ctx: HandlerContext): Promise<ApiResponse> {
  const { value } = await decodeBody(ctx.req.body, ctx.req.headers['content-type']);
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw badRequest('the request body must be a JSON or YAML object');
  const def = ctx.store.def;
  const apiVersion = ctx.store.apiVersion;
  if (value.apiVersion !== undefined && value.apiVersion !== apiVersion) {
    throw badRequest(`the API version in the data (${value.apiVersion}) does not match the expected API version (${apiVersion})`);
  }
  if (value.kind !== undefined && value.kind !== def.kind) {
    throw badRequest(`the kind in the data (${value.kind}) does not match the expected kind (${def.kind})`);
  }
  enforceFieldValidation(ctx, value as KubeObject);
  const answer = await def.review!(value as KubeObject, ctx.req.user, { namespace: ctx.info.namespace, authorization: ctx.server.authorization });
  return jsonResponse(201, answer);
}
