// POST .../serviceaccounts/<name>/token (authentication.k8s.io/v1 TokenRequest, `kubectl create token`): a signed
// token for the ServiceAccount, for the audiences asked (default: the API server's), valid expirationSeconds
// (default 3600, at least 600), optionally bound to a Pod, Secret or Node of the same namespace, as upstream's
// pkg/registry/core/serviceaccount/storage/token.go. Nothing is stored.
import type { ApiResponse } from '../../api/transport.js';
import { FieldError, badRequest, conflict, invalid } from '../../api/errors.js';
import { decodeBody } from '../negotiation.js';
import { jsonResponse, type HandlerContext } from './context.js';
import type { BoundObject, ServiceAccountTokens } from '../authn/service-account-tokens.js';
import type { KubeObject } from '../../api/object.js';

/** Upstream's bounds for spec.expirationSeconds. */
export const MIN_TOKEN_SECONDS = 600;
const MAX_TOKEN_SECONDS = 2 ** 32;

export async function handleTokenRequest(ctx: HandlerContext, tokens: ServiceAccountTokens): Promise<ApiResponse> {
  const { info, registry } = ctx;
  const ns = info.namespace!, name = info.name!;
  const { value } = await decodeBody(ctx.req.body, ctx.req.headers['content-type']);
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw badRequest('the request body must be a TokenRequest object');
  const req = value as KubeObject & { spec?: any };
  if (req.apiVersion !== undefined && req.apiVersion !== 'authentication.k8s.io/v1') {
    throw badRequest(`the API version in the data (${req.apiVersion}) does not match the expected API version (authentication.k8s.io/v1)`);
  }
  const errs: FieldError[] = [];
  if (req.metadata?.name && req.metadata.name !== name) errs.push(FieldError.invalid('metadata.name', req.metadata.name, 'must match the service account name if specified'));
  if (req.metadata?.namespace && req.metadata.namespace !== ns) errs.push(FieldError.invalid('metadata.namespace', req.metadata.namespace, 'must match the service account namespace if specified'));
  const spec = req.spec ?? {};
  const expirationSeconds = spec.expirationSeconds ?? 3600;
  if (!Number.isInteger(expirationSeconds)) errs.push(FieldError.invalid('spec.expirationSeconds', expirationSeconds, 'must be an integer'));
  else if (expirationSeconds < MIN_TOKEN_SECONDS) errs.push(FieldError.invalid('spec.expirationSeconds', expirationSeconds, 'may not specify a duration less than 10 minutes'));
  else if (expirationSeconds > MAX_TOKEN_SECONDS) errs.push(FieldError.invalid('spec.expirationSeconds', expirationSeconds, 'may not specify a duration larger than 2^32 seconds'));
  if (errs.length) throw invalid('TokenRequest', 'authentication.k8s.io', name, errs);

  const sa = await registry.forResource('', 'serviceaccounts')!.get(ns, name);
  const audiences: string[] = Array.isArray(spec.audiences) && spec.audiences.length ? spec.audiences.map(String) : tokens.apiAudiences;

  let bound: BoundObject | undefined;
  let node: { name: string; uid: string } | undefined;
  const ref = spec.boundObjectRef;
  if (ref) {
    const [group] = String(ref.apiVersion ?? '').includes('/') ? String(ref.apiVersion).split('/') : [''];
    const kind = ref.kind;
    let obj: KubeObject;
    if (group === '' && kind === 'Pod') {
      obj = await registry.forResource('', 'pods')!.get(ns, ref.name);
      if ((obj.spec?.serviceAccountName || 'default') !== name) {
        throw badRequest(`cannot bind token for serviceaccount "${name}" to pod running with different serviceaccount name.`);
      }
      const nodeName = obj.spec?.nodeName;
      if (nodeName) {
        const n = await registry.forResource('', 'nodes')!.tryGet(undefined, nodeName);
        if (n) node = { name: nodeName, uid: n.metadata.uid! };
      }
    } else if (group === '' && kind === 'Secret') {
      obj = await registry.forResource('', 'secrets')!.get(ns, ref.name);
    } else if (group === '' && kind === 'Node') {
      obj = await registry.forResource('', 'nodes')!.get(undefined, ref.name);
    } else {
      throw badRequest(`cannot bind token to object of type ${group ? `${group}/` : ''}${String(ref.apiVersion ?? '').split('/').pop()}, Kind=${kind}`);
    }
    if (ref.uid && ref.uid !== obj.metadata.uid) {
      throw conflict({ group, resource: kind }, ref.name, `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
    }
    bound = { kind, name: ref.name, uid: obj.metadata.uid! };
  }
  const issued = await tokens.issue({ serviceAccount: sa, audiences, expirationSeconds, bound, node });
  return jsonResponse(201, {
    kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1',
    metadata: { name, namespace: ns, creationTimestamp: null },
    spec: { audiences, expirationSeconds, boundObjectRef: ref ? { kind: ref.kind, apiVersion: ref.apiVersion, name: ref.name, uid: bound!.uid } : null },
    status: { token: issued.token, expirationTimestamp: issued.expirationTimestamp.toISOString().replace(/\.\d{3}Z$/, 'Z') },
  });
}
