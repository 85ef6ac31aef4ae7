// The authorization stage of the request pipeline (DESIGN.md §3): impersonation (upstream's WithImpersonation
// filter: Impersonate-User/-Group/-Uid/-Extra-* honoured for those allowed the `impersonate` verb), then one
// decision for the request (WithAuthorization), answered with upstream's Forbidden wording. HTTP and in-process
// requests both pass here (api-handler.ts), and so do the exec/attach/port-forward upgrades (index.ts).
import type { UserInfo } from '../../api/transport.js';
import { badRequest, forbidden, forbiddenResource, internal } from '../../api/errors.js';
import { parseFieldSelector } from '../../api/labels.js';
import type { ResourceRequestInfo } from '../request-info.js';
import { forbiddenMessage, type AuthorizationAttributes, type Authorizer, type RuleResolver } from './authorizer.js';

export interface Authorization { authorizer: Authorizer; rules: RuleResolver }

export const ANONYMOUS: UserInfo = Object.freeze({ username: 'system:anonymous', groups: ['system:unauthenticated'] }) as UserInfo;

/**
 * Attributes of a resource request (upstream's GetAuthorizerAttributes). A list or watch whose fieldSelector asks
 * for exactly one metadata.name is about that object, as upstream's RequestInfo names it: what lets a kubelet
 * watch the one Secret or ConfigMap its pods use (the node authorizer allows reads of named objects only).
 */
export function resourceAttributes(user: UserInfo, info: ResourceRequestInfo, query?: URLSearchParams): AuthorizationAttributes {
  const name = info.name ?? ((info.verb === 'list' || info.verb === 'watch') && query ? exactName(query.get('fieldSelector')) : undefined);
  return {
    user, verb: info.verb, resourceRequest: true, namespace: info.namespace, apiGroup: info.group, apiVersion: info.version,
    resource: info.resource, subresource: info.subresource, name,
  };
}

/** The name a field selector requires exactly (metadata.name=x or ==x), if it does. */
function exactName(fieldSelector: string | null): string | undefined {
  if (!fieldSelector || !fieldSelector.includes('metadata.name')) return undefined;
  let name: string | undefined;
  try {
    for (const r of parseFieldSelector(fieldSelector)) if (r.field === 'metadata.name' && r.op === '=') name = r.value;
  } catch { return undefined; /* the list handler answers the bad selector */ }
  return name || undefined;
}

/** Throws upstream's Forbidden unless the chain allows `a`. */
export function authorize(authorizer: Authorizer, a: AuthorizationAttributes): void {
  const r = authorizer.authorize(a);
  if (r.decision === 'Allow') return;
  const why = forbiddenMessage(a) + (r.reason ? `: ${r.reason}` : '');
  if (!a.resourceRequest) throw forbidden(`forbidden: ${why}`);
  throw forbiddenResource({ group: a.apiGroup, resource: a.resource ?? '' }, a.name, why);
}

const SA_PREFIX = 'system:serviceaccount:';

/**
 * The user a request acts as: `user`, or the one its Impersonate-* headers name once `user` may impersonate each
 * part (users, groups, uids, userextras/<key>, or serviceaccounts for a service account's username).
 */
export function impersonate(authorizer: Authorizer | undefined, user: UserInfo, headers: Record<string, string | undefined>): UserInfo {
  // Nearly every request impersonates nobody: answered without allocating anything.
  if (headers['impersonate-user'] === undefined && headers['impersonate-group'] === undefined && headers['impersonate-uid'] === undefined
    && !hasExtraHeader(headers)) return user;
  const asUser = headers['impersonate-user'];
  const groups = splitHeader(headers['impersonate-group']);
  const uid = headers['impersonate-uid'];
  const extra: Record<string, string[]> = {};
  for (const k in headers) {
    const v = headers[k];
    if (v === undefined || !k.startsWith('impersonate-extra-')) continue;
    extra[unescapeExtraKey(k.slice('impersonate-extra-'.length)).toLowerCase()] = splitHeader(v);
  }
  if (asUser === undefined) {
    if (groups.length || uid !== undefined || Object.keys(extra).length) {
      const requested = [...groups.map((g) => `groups=${g}`), ...(uid !== undefined ? [`uid=${uid}`] : []), ...Object.entries(extra).flatMap(([k, vs]) => vs.map((v) => `extra.${k}=${v}`))];
      throw badRequest(`requested [${requested.join(' ')}] without impersonating a user`);
    }
    return user;
  }
  if (!authorizer) throw internal('impersonation needs an authorizer');
  const check = (a: Omit<AuthorizationAttributes, 'user' | 'verb' | 'resourceRequest'>) => authorize(authorizer, { user, verb: 'impersonate', resourceRequest: true, ...a });
  let impersonatedGroups = [...groups];
  if (asUser.startsWith(SA_PREFIX) && asUser.split(':').length === 4) {
    const [, , ns, name] = asUser.split(':');
    check({ apiGroup: '', resource: 'serviceaccounts', namespace: ns, name });
    if (!groups.length) impersonatedGroups = ['system:serviceaccounts', `system:serviceaccounts:${ns}`];
  } else {
    check({ apiGroup: '', resource: 'users', name: asUser });
  }
  for (const g of groups) check({ apiGroup: '', resource: 'groups', name: g });
  if (uid !== undefined) check({ apiGroup: 'authentication.k8s.io', resource: 'uids', name: uid });
  for (const [k, vs] of Object.entries(extra)) for (const v of vs) check({ apiGroup: 'authentication.k8s.io', resource: 'userextras', subresource: k, name: v });
  // upstream adds system:authenticated to every impersonated user but system:anonymous.
  if (asUser === 'system:anonymous') { if (!impersonatedGroups.includes('system:unauthenticated')) impersonatedGroups.push('system:unauthenticated'); }
  else if (!impersonatedGroups.includes('system:authenticated')) impersonatedGroups.push('system:authenticated');
  const out: UserInfo = { username: asUser, groups: impersonatedGroups };
  if (uid !== undefined) out.uid = uid;
  if (Object.keys(extra).length) out.extra = extra;
  return out;
}

function hasExtraHeader(headers: Record<string, string | undefined>): boolean {
  for (const k in headers) if (headers[k] !== undefined && k.startsWith('impersonate-extra-')) return true;
  return false;
}

function splitHeader(v: string | undefined): string[] {
  if (v === undefined) return [];
  return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** An Impersonate-Extra-<key> header's key, %-decoded; a malformed one is kept as sent (upstream's unescapeExtraKey). */
function unescapeExtraKey(encoded: string): string {
  try { return decodeURIComponent(encoded); } catch { return encoded; }
}
