// Parses a request path into what it addresses, as upstream's RequestInfoFactory does.
import { badRequest } from '../api/errors.js';

export interface ResourceRequestInfo {
  group: string;               // '' for core (/api/v1)
  version: string;
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
  /** get, list, watch, create, update, patch, delete, deletecollection */
  verb: string;
}

/**
 * The path and query of an HTTP request target, as sent: dot segments are NOT resolved (a WHATWG URL would turn
 * `configmaps/..` into the namespace itself, so a DELETE of a ConfigMap named ".." deleted the namespace); the
 * registry refuses such names instead, as upstream does. The absolute form (`GET https://host/path`) is accepted
 * as Go's server accepts it; anything else that does not start with "/" is a 400.
 */
export function requestTarget(rawUrl: string | undefined): { path: string; query: URLSearchParams } {
  let target = rawUrl || '/';
  const absolute = /^https?:\/\/[^/?#]*/i.exec(target);
  if (absolute) target = target.slice(absolute[0].length) || '/';
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  if (!path.startsWith('/')) throw badRequest(`invalid request target ${JSON.stringify(target.slice(0, 100))}`);
  return { path, query: new URLSearchParams(q < 0 ? '' : target.slice(q + 1)) };
}

/** One path segment, percent-decoded; a malformed escape is a 400 (Go's URL parser refuses it too). */
function decodeSegment(segment: string): string {
  if (!segment.includes('%')) return segment; // nothing to decode (most paths): decodeURIComponent would return it as is
  try { return decodeURIComponent(segment); }
  catch { throw badRequest(`invalid URL escape in ${JSON.stringify(segment.slice(0, 100))}`); }
}

/**
 * The last answer, frozen: the audit and then the handler parse the same request one after the other, and the
 * answer depends only on the method, the path and the watch parameter.
 */
let lastMethod = '', lastPath = '', lastWatch: string | null = null;
let lastInfo: ResourceRequestInfo | undefined;

/** Returns undefined for non-resource paths (discovery, health, openapi...). The answer is frozen (it is shared). */
export function parseResourcePath(method: string, path: string, query: URLSearchParams): ResourceRequestInfo | undefined {
  const watch = query.get('watch');
  if (path === lastPath && method === lastMethod && watch === lastWatch && lastPath !== '') return lastInfo;
  const info = parse(method, path, watch);
  lastMethod = method; lastPath = path; lastWatch = watch; lastInfo = info && Object.freeze(info);
  return info;
}

function parse(method: string, path: string, watchParam: string | null): ResourceRequestInfo | undefined {
  const parts = path.split('/').filter((p) => p !== '').map(decodeSegment);
  let group: string, version: string, rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) { group = ''; version = parts[1]; rest = parts.slice(2); }
  else if (parts[0] === 'apis' && parts.length >= 4) { group = parts[1]; version = parts[2]; rest = parts.slice(3); }
  else return undefined;
  let watchPath = false;
  if (rest[0] === 'watch') { watchPath = true; rest = rest.slice(1); }
  let namespace: string | undefined;
  // /namespaces/{ns}/{resource}... but /namespaces/{name} and /namespaces/{name}/{status|finalize} address namespaces.
  if (rest[0] === 'namespaces' && rest.length >= 3 && !(rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize'))) {
    namespace = rest[1]; rest = rest.slice(2);
  }
  const [resource, name, subresource, ...extra] = rest;
  if (!resource || extra.length > 0 && subresource !== 'proxy') return undefined;
  let verb: string;
  const m = method.toUpperCase();
  if (m === 'GET' || m === 'HEAD') verb = name ? 'get' : (watchPath || isTrue(watchParam) ? 'watch' : 'list');
  else if (m === 'POST') verb = 'create';
  else if (m === 'PUT') verb = 'update';
  else if (m === 'PATCH') verb = 'patch';
  else if (m === 'DELETE') verb = name ? 'delete' : 'deletecollection';
  else verb = m.toLowerCase();
  if (name && watchPath) verb = 'watch';
  return { group, version, namespace, resource, name, subresource, verb };
}

/**
 * A boolean query parameter as upstream converts it (runtime.Convert_Slice_string_To_bool): absent is false; "0" and
 * "false" in any case are false; anything else, even empty (`?watch`), is true. Python's client sends "True".
 */
export function isTrue(v: string | null | undefined): boolean {
  if (v === null || v === undefined) return false;
  return v !== '0' && v.toLowerCase() !== 'false';
}
