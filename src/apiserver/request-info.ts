// Parses a request path into what it addresses, as upstream's RequestInfoFactory does.

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

/** Returns undefined for non-resource paths (discovery, health, openapi...). */
export function parseResourcePath(method: string, path: string, query: URLSearchParams): ResourceRequestInfo | undefined {
  const parts = path.split('/').filter((p) => p !== '').map(decodeURIComponent);
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
  if (m === 'GET' || m === 'HEAD') verb = name ? 'get' : (watchPath || isTrue(query.get('watch')) ? 'watch' : 'list');
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
