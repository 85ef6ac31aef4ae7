// Requests whose URL, query, headers or verb are hostile: selectors, names, query parameters, content types,
// unknown verbs and paths, patches of every type, header abuse and WebSocket upgrades that go nowhere.
import type { FuzzCase } from './case.js';
import type { Prng } from './prng.js';
import { FUZZ_DC_NS, fixtures } from './fixtures.js';
import { clone, hostileValue, toJsonText, trickyKeys } from './values.js';

const fx = fixtures();
const collections = [
  '/api/v1/pods', '/api/v1/namespaces/fuzz/pods', '/api/v1/namespaces/fuzz/configmaps', '/api/v1/namespaces/fuzz/services',
  '/apis/apps/v1/namespaces/fuzz/deployments', '/apis/apps/v1/deployments', '/api/v1/events', '/api/v1/namespaces/fuzz/secrets',
  '/api/v1/nodes', '/api/v1/namespaces', '/apis/events.k8s.io/v1/namespaces/fuzz/events',
];
const objects = [...fx.map((f) => `${f.path}/${f.name}`), '/api/v1/namespaces/fuzz', '/api/v1/namespaces/default/services/kubernetes'];

// ---- selectors -------------------------------------------------------------------------------------------------

const labelKeys = ['app', 'tier', 'a.b/c', 'example.com/x', '-bad', 'bad-', 'x'.repeat(64), `${'d'.repeat(254)}/k`, '/k', 'p/', 'a/b/c', '', 'ключ', 'a b', '*', 'a!', '!', '(', 'in', 'notin'];
const labelOps = ['=', '==', '!=', ' in ', ' notin ', '', '!', '>', '<', '~', '=~', '===', ' in', 'in ', ')', '(', ','];
const labelValues = ['web', '', 'x'.repeat(64), '-x', 'x-', 'a b', '(a,b)', '(a, b', 'a,b)', '()', '(,)', '(', ')', '1', '(web)', '\\', '"q"', 'ä', '\u202e', '*', '%', '\u0000'];
const fieldKeys = ['metadata.name', 'metadata.namespace', 'spec.nodeName', 'status.phase', 'spec.unknown', 'metadata', '', 'metadata.labels.app', 'type', 'involvedObject.name', 'x'.repeat(300), 'spec.restartPolicy', 'status.podIP', '.'];
const fieldOps = ['=', '==', '!=', ' in ', '', '>', '=!', '=='];
const fieldValues = ['fx-pod', '', 'a\\,b', 'a\\=b', 'a\\', '\\\\', '\\x', 'Running', ',', '=', '!', 'x'.repeat(2000), '\u0000', 'ü'];

function labelSelector(r: Prng): string {
  const parts: string[] = [];
  for (let k = r.range(1, 3); k > 0; k--) parts.push(r.pick(labelKeys) + r.pick(labelOps) + r.pick(labelValues));
  return parts.join(r.pick([',', ', ', ',,', ' ', ';', '&']));
}
function fieldSelector(r: Prng): string {
  const parts: string[] = [];
  for (let k = r.range(1, 3); k > 0; k--) parts.push(r.pick(fieldKeys) + r.pick(fieldOps) + r.pick(fieldValues));
  return parts.join(r.pick([',', ',,', ' ', ';']));
}

export function selectors(r: Prng, n: number): FuzzCase[] {
  const out: FuzzCase[] = [];
  for (let i = 0; i < n; i++) {
    const q = new URLSearchParams();
    if (r.chance(0.6)) q.append('labelSelector', labelSelector(r));
    if (r.chance(0.6) || !q.size) q.append('fieldSelector', fieldSelector(r));
    if (r.chance(0.1)) q.append('labelSelector', labelSelector(r));
    const roll = r.int(10);
    if (roll < 6) out.push({ category: 'selectors', method: 'GET', path: `${r.pick(collections)}?${q}` });
    else if (roll < 8) { q.set('watch', 'true'); q.set('timeoutSeconds', '1'); out.push({ category: 'selectors', method: 'GET', path: `${r.pick(collections)}?${q}`, mayStream: true }); }
    else if (roll < 9) out.push({ category: 'selectors', method: 'DELETE', path: `/api/v1/namespaces/${FUZZ_DC_NS}/configmaps?${q}` });
    else out.push({ category: 'selectors', method: 'GET', path: `/api/v1/namespaces/fuzz/pods?${q}`, headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } });
  }
  return out;
}

// ---- names -----------------------------------------------------------------------------------------------------

/** Names as they appear in a URL path segment (already encoded) and, where it has one, the decoded name for a body. */
const hostileNames: { segment: string; name: string }[] = [
  ['..', '..'], ['.', '.'], ['%2e%2e', '..'], ['%2E%2E', '..'], ['%2e', '.'], ['..%2f..%2fsecrets', '../../secrets'], ['%2f', '/'], ['a%2fb', 'a/b'],
  ['a%5cb', 'a\\b'], ['%00', '\u0000'], ['a%00b', 'a\u0000b'], ['%0d%0aX-Injected:%201', '\r\nX-Injected: 1'], ['%20', ' '], ['a%20b', 'a b'],
  ['x'.repeat(253), 'x'.repeat(253)], ['x'.repeat(254), 'x'.repeat(254)], ['x'.repeat(5000), 'x'.repeat(5000)],
  ['%D1%80od', 'рod'], ['%EF%BD%90od', 'ｐod'], ['%E2%80%AEdop', '\u202edop'], ['a%E2%80%8Bb', 'a\u200bb'], ['%F0%9F%92%A9', '💩'],
  ['A', 'A'], ['-a', '-a'], ['a-', 'a-'], ['a_b', 'a_b'], ['a.b', 'a.b'], ['a..b', 'a..b'], ['%', '%'], ['%zz', '%zz'], ['%E0%A4%A', '%E0%A4%A'],
  ['%C0%AE%C0%AE', '\ufffd\ufffd'], ['%ED%A0%80', '\ud800'], ['%FF', '\ufffd'], ['~', '~'], ['%3F', '?'], ['%23', '#'], ['%3B', ';'],
  ['%24(id)', '$(id)'], ['__proto__', '__proto__'], ['constructor', 'constructor'], ['fx-pod%2Fstatus', 'fx-pod/status'],
].map(([segment, name]) => ({ segment, name }));

const nameTemplates = [
  (s: string) => ({ method: 'GET', path: `/api/v1/namespaces/fuzz/configmaps/${s}` }),
  (s: string) => ({ method: 'DELETE', path: `/api/v1/namespaces/fuzz/configmaps/${s}` }),
  (s: string) => ({ method: 'GET', path: `/api/v1/namespaces/${s}/pods` }),
  (s: string) => ({ method: 'GET', path: `/api/v1/namespaces/${s}` }),
  (s: string) => ({ method: 'GET', path: `/api/v1/namespaces/fuzz/pods/${s}/status` }),
  (s: string) => ({ method: 'GET', path: `/api/v1/namespaces/fuzz/pods/${s}/log` }),
  (s: string) => ({ method: 'GET', path: `/api/v1/namespaces/fuzz/pods/fx-pod/${s}` }),
  (s: string) => ({ method: 'GET', path: `/apis/${s}/v1/namespaces/fuzz/things` }),
  (s: string) => ({ method: 'GET', path: `/api/v1/watch/namespaces/fuzz/configmaps/${s}?timeoutSeconds=1`, mayStream: true }),
  (s: string) => ({ method: 'PATCH', path: `/api/v1/namespaces/fuzz/configmaps/${s}`, headers: { 'content-type': 'application/merge-patch+json' }, body: '{"data":{"a":"1"}}' }),
  (s: string) => ({ method: 'PUT', path: `/api/v1/namespaces/fuzz/configmaps/${s}`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: decodeURIComponentSafe(s) } }) }),
  (s: string) => ({ method: 'GET', path: `/api/v1/nodes/${s}/proxy/healthz` }),
  (s: string) => ({ method: 'POST', path: `/api/v1/namespaces/fuzz/serviceaccounts/${s}/token`, headers: { 'content-type': 'application/json' }, body: '{"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{}}' }),
];

function decodeURIComponentSafe(s: string): string { try { return decodeURIComponent(s); } catch { return s; } }

export function names(r: Prng, n: number): FuzzCase[] {
  const out: FuzzCase[] = [];
  for (let i = 0; i < n; i++) {
    const h = hostileNames[i % hostileNames.length];
    if (r.chance(0.3)) {
      // The name in the body: metadata.name, generateName, or a namespace that differs from the URL's.
      const f = r.pick(fx);
      const obj = clone(f.object);
      const field = r.pick(['name', 'generateName', 'namespace']);
      if (field === 'generateName') delete obj.metadata.name;
      obj.metadata[field] = h.name;
      out.push({ category: 'names', method: 'POST', path: `${f.path}?dryRun=All`, headers: { 'content-type': 'application/json' }, body: JSON.stringify(obj) });
    } else {
      const t = r.pick(nameTemplates)(h.segment);
      out.push({ category: 'names', ...t });
    }
  }
  // Bytes no HTTP client library writes: a raw NUL, space, CR or non-ASCII byte in the request target.
  for (const seg of ['a\u0000b', 'a b', '..\\..', 'a\rb', 'рod', '\u202e', '%', 'a\tb', '"', '<script>']) {
    out.push({ category: 'names', method: 'GET', path: `/api/v1/namespaces/fuzz/configmaps/${seg}`, mayReset: false,
      raw: Buffer.from(`GET /api/v1/namespaces/fuzz/configmaps/${seg} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, 'utf8') });
  }
  return out;
}

// ---- query parameters ------------------------------------------------------------------------------------------

const b64 = (s: string) => Buffer.from(s).toString('base64');
const b64url = (s: string) => Buffer.from(s).toString('base64url');
const queryValues: Record<string, string[]> = {
  watch: ['true', '1', 'yes', '', 'garbage', 'True', 'false', '0'],
  resourceVersion: ['-1', 'abc', '1e3', '99999999999999999999', '0x10', ' 1', '0', '', '1.5', '18446744073709551616', '9007199254740993', '-0', '+1', '１'],
  resourceVersionMatch: ['NotOlderThan', 'Exact', 'garbage', '', 'exact'],
  limit: ['-1', '0', 'abc', '1e3', '99999999999999999999', '', '1.5', '0x10', '-9223372036854775809', 'NaN', 'Infinity'],
  continue: ['garbage', '', '%', b64('{}'), b64('{"v":"meta.k8s.io/v1","rv":-1,"start":"../../"}'), b64('{"v":"meta.k8s.io/v1","rv":"x","start":null}'),
    b64('{"v":"meta.k8s.io/v1","rv":1e400,"start":{}}'), b64('null'), b64('[]'), b64('"str"'), b64url('{"v":"meta.k8s.io/v1","rv":1,"start":"\u0000"}'),
    b64('{"v":"meta.k8s.io/v1","rv":99999999999,"start":"fx"}'), b64('{"v":"other","rv":1,"start":"a"}'), 'AAAA====', '====', b64('{"__proto__":{"polluted":1}}'),
    b64('{"v":"meta.k8s.io/v1","rv":1,"start":"' + 'a'.repeat(5000) + '"}')],
  timeoutSeconds: ['-1', '-9999999999', '0', 'abc', '1.5', '99999999999999999999', '', '1e3', ' 1', 'NaN'],
  allowWatchBookmarks: ['true', 'garbage', ''],
  sendInitialEvents: ['true', 'false', 'garbage', ''],
  dryRun: ['All', 'all', 'garbage', '', 'All,All', 'None'],
  fieldManager: ['', 'x'.repeat(129), 'a\u0000b', 'kubectl', '\u202e', 'a\nb'],
  fieldValidation: ['Strict', 'Warn', 'Ignore', 'garbage', '', 'strict'],
  propagationPolicy: ['Foreground', 'Background', 'Orphan', 'garbage', ''],
  gracePeriodSeconds: ['-1', '-99999999999', 'abc', '0', '99999999999999999999', ''],
  orphanDependents: ['true', 'garbage'],
  pretty: ['true', 'garbage', ''],
  container: ['', '..', 'x'.repeat(300), 'nope'],
  follow: ['true', 'garbage'], previous: ['true', 'garbage'], tailLines: ['-1', 'abc', '99999999999999999999'], limitBytes: ['-1', '0', 'abc'],
  sinceSeconds: ['-1', '0', 'abc'], sinceTime: ['garbage', '2024-13-45T99:99:99Z', ''], timestamps: ['garbage'],
  force: ['true', 'garbage', ''], includeUninitialized: ['true'], export: ['true'], '': ['x'], '%zz': ['1'], 'a\u0000': ['b'],
};

/** Percent-encodes every byte of s's UTF-8 (lone surrogates included, which encodeURIComponent refuses). */
function pct(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) out += /[A-Za-z0-9._~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

export function queryParams(r: Prng, n: number): FuzzCase[] {
  const out: FuzzCase[] = [];
  const keys = Object.keys(queryValues);
  for (let i = 0; i < n; i++) {
    const parts: string[] = [];
    for (let k = r.range(1, 4); k > 0; k--) {
      const key = k === 1 ? keys[i % keys.length] : r.pick(keys);
      const v = r.chance(0.1) ? String(hostileValue(r)) : r.pick(queryValues[key]);
      parts.push(`${pct(key)}=${pct(v)}`);
    }
    const watching = parts.some((p) => p.startsWith('watch=') || p.startsWith('follow='));
    if (watching && !parts.some((p) => p.startsWith('timeoutSeconds='))) parts.push('timeoutSeconds=1');
    const qs = parts.join(r.chance(0.05) ? '&&' : '&');
    const roll = r.int(10);
    if (roll < 5) out.push({ category: 'query-params', method: 'GET', path: `${r.pick(collections)}?${qs}`, mayStream: true });
    else if (roll < 7) out.push({ category: 'query-params', method: 'GET', path: `${r.pick(objects)}?${qs}`, mayStream: true });
    else if (roll < 8) out.push({ category: 'query-params', method: 'GET', path: `/api/v1/namespaces/fuzz/pods/fx-pod/log?${qs}`, mayStream: true });
    else if (roll < 9) out.push({ category: 'query-params', method: 'DELETE', path: `/api/v1/namespaces/${FUZZ_DC_NS}/configmaps/victim?${qs}`, headers: { 'content-type': 'application/json' }, body: r.chance(0.5) ? toJsonText({ kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: hostileValue(r), preconditions: { uid: hostileValue(r), resourceVersion: hostileValue(r) }, propagationPolicy: hostileValue(r), dryRun: hostileValue(r) }) : undefined });
    else {
      const f = r.pick(fx);
      out.push({ category: 'query-params', method: 'POST', path: `${f.path}?${qs}&dryRun=All`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...f.object, metadata: { ...f.object.metadata, name: `q-${i}` } }) });
    }
  }
  return out;
}

// ---- content types and Accept ----------------------------------------------------------------------------------

const contentTypes = ['application/json; charset=utf-16', 'text/html', 'multipart/form-data; boundary=x', '', ';;;', 'application/json, application/yaml',
  'application/vnd.kubernetes.protobuf;stream=watch', 'application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml',
  'application/x-www-form-urlencoded', 'APPLICATION/JSON', 'application/json;;', 'application/json; charset="', 'application/*', '*/*', 'text/plain',
  'application/cbor', 'application/json\u00ff', 'x'.repeat(5000), 'application/yaml; q=0', 'application/json;as=Table;v=v1;g=meta.k8s.io'];
const accepts = ['text/html', 'application/json;as=Table;g=meta.k8s.io;v=v1', 'application/json;as=Table;v=v1beta1;g=meta.k8s.io',
  'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1', 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1',
  'application/vnd.kubernetes.protobuf', 'application/yaml', '*/*;q=0', 'application/json;q=abc', ';;;', '', 'image/png', 'application/json;as=Garbage;g=x;v=y',
  'application/json;stream=watch', 'application/vnd.kubernetes.protobuf;stream=watch', 'x'.repeat(5000), 'application/json, text/html;q=0.5, */*;q=0.1',
  'application/json;as=Table;g=meta.k8s.io;v=v1;includeObject=Garbage', 'application/json;as=Table;g=meta.k8s.io;v=v1;includeObject=Object'];

export function contentNegotiation(r: Prng, n: number): FuzzCase[] {
  const out: FuzzCase[] = [];
  for (let i = 0; i < n; i++) {
    const f = r.pick(fx);
    const headers: Record<string, string> = {};
    if (r.chance(0.5)) headers.accept = r.pick(accepts);
    const roll = r.int(6);
    if (roll < 2) {
      headers['content-type'] = r.pick(contentTypes);
      out.push({ category: 'content-types', method: 'POST', path: `${f.path}?dryRun=All`, headers, body: JSON.stringify({ ...f.object, metadata: { ...f.object.metadata, name: `ct-${i}` } }) });
    } else if (roll < 3) {
      headers['content-type'] = r.pick(contentTypes);
      out.push({ category: 'content-types', method: 'PATCH', path: `${f.path}/${f.name}?dryRun=All`, headers, body: '{"metadata":{"labels":{"x":"y"}}}' });
    } else if (roll < 4) {
      headers.accept = r.pick(accepts);
      out.push({ category: 'content-types', method: 'GET', path: `${f.path}?watch=true&timeoutSeconds=1`, headers, mayStream: true });
    } else {
      headers.accept = r.pick(accepts);
      out.push({ category: 'content-types', method: 'GET', path: r.pick([f.path, `${f.path}/${f.name}`, `${f.path}/nope`, '/api', '/apis', '/version', '/openapi/v2', '/openapi/v3', '/api/v1']), headers });
    }
  }
  return out;
}

// ---- unknown verbs and paths -----------------------------------------------------------------------------------

const methods = ['PROPFIND', 'TRACE', 'OPTIONS', 'LINK', 'PURGE', 'MKCOL', 'SEARCH', 'QUERY', 'COPY', 'LOCK', 'REPORT', 'SUBSCRIBE', 'M-SEARCH', 'ACL', 'BIND', 'MOVE'];
const weirdPaths = ['/', '/api', '/api/v2', '/apis/x/y/z/w/v/u', '/api/v1/namespaces/fuzz/pods/fx-pod/exec/extra', '//api//v1//pods', '/api/v1/../v1/pods',
  '/%2e%2e/etc/passwd', '/api/v1/namespaces/%2e%2e/pods', '/metrics', '/debug/pprof/', '/logs/', '/openapi/v3/%zz', '/apis/%00/v1', '/api/v1/watch',
  '/api/v1/watch/namespaces/fuzz/pods/x/y', '/api/v1/namespaces/fuzz/pods/fx-pod/status/extra', '/apis/apps', '/apis/apps/v1beta1/deployments',
  '/api/v1/namespaces/fuzz/pods/fx-pod/binding', '/api/v1/namespaces/fuzz/pods/fx-pod/eviction', '/api/v1/namespaces/fuzz/deployments',
  '/apis/apps/v1/namespaces/fuzz/deployments/fx-deploy/scale', '/api/v1/namespaces/fuzz/serviceaccounts/default/token', '/healthz/ping', '/readyz/x',
  '/livez?verbose', '/version/', '/.well-known/openid-configuration', '/openid/v1/jwks', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
  '/apis/authentication.k8s.io/v1/tokenreviews', '/api/v1/componentstatuses', '/api/v1/namespaces/fuzz/pods/fx-pod/proxy/x', '/api/v1/nodes/n/proxy/../../x',
  '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', '/api/v1/namespaces/fuzz/pods?watch=1&timeoutSeconds=0', '/api/%76%31/pods', '/API/V1/PODS',
  '/api/v1/namespaces/fuzz/pods/fx-pod/ephemeralcontainers', '/api/v1/namespaces/fuzz/services/fx-svc/proxy/', '/apis/metrics.k8s.io/v1beta1/pods'];

export function verbsAndPaths(r: Prng, n: number): FuzzCase[] {
  const out: FuzzCase[] = [];
  for (let i = 0; i < n; i++) {
    const path = weirdPaths[i % weirdPaths.length];
    const method = r.chance(0.4) ? r.pick(methods) : r.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']);
    const body = ['POST', 'PUT', 'PATCH'].includes(method) || r.chance(0.1) ? toJsonText(r.chance(0.5) ? hostileValue(r) : { apiVersion: 'v1', kind: r.pick(['Pod', 'Binding', 'Eviction', 'Scale', 'Nope']), metadata: { name: 'fx-pod' } }) : undefined;
    out.push({ category: 'verbs-paths', method, path, headers: body ? { 'content-type': r.pick(['application/json', 'application/merge-patch+json']) } : {}, body, mayStream: true });
  }
  // Methods the HTTP parser itself refuses, and request lines that are not HTTP/1.1.
  for (const line of ['FOO / HTTP/1.1', 'GET / HTTP/2.0', 'GET / HTTP/0.9', 'GET /', 'GET https://evil.example/api/v1/pods HTTP/1.1', 'OPTIONS * HTTP/1.1',
    'CONNECT evil.example:443 HTTP/1.1', 'get /version HTTP/1.1', 'GET  /version  HTTP/1.1', 'GET /version HTTP/1.1 extra', 'PRI * HTTP/2.0', '\u0016\u0003\u0001', 'GET /version?\u0000 HTTP/1.1']) {
    out.push({ category: 'verbs-paths', method: 'RAW', path: line, raw: Buffer.from(`${line}\r\nHost: x\r\nConnection: close\r\n\r\n`, 'latin1'), mayReset: true });
  }
  return out;
}

// ---- patches ---------------------------------------------------------------------------------------------------

const patchPaths = ['', '/', '/~2', '/a~', '/-/x', '/spec/containers/99999999999', '/metadata/__proto__/polluted', '/spec/containers/-1', '/spec/containers/1e21',
  '/metadata/labels/a~1b', '/data/a', '/metadata/name', '/metadata', '/spec/containers/0/image', '/spec/containers/-', '/spec/replicas', '/spec/ports/0/port',
  'metadata/labels', '/metadata/annotations/x', '/status', '/spec/containers/0/ports/0/containerPort', '/constructor/prototype/polluted', '/data/__proto__'];
const patchOps = ['add', 'remove', 'replace', 'move', 'copy', 'test', 'garbage', '', 'ADD', null, 1];

function jsonPatch(r: Prng): string {
  if (r.chance(0.1)) return toJsonText(r.pick([{}, 'str', 1, null, [null], [[]], { op: 'add' }, [{}]]));
  const ops: unknown[] = [];
  for (let k = r.range(1, 4); k > 0; k--) {
    const op: Record<string, unknown> = { op: r.pick(patchOps), path: r.pick(patchPaths) };
    if (r.chance(0.7)) op.value = hostileValue(r);
    if (r.chance(0.3)) op.from = r.pick(patchPaths);
    if (r.chance(0.05)) op[r.pick(trickyKeys)] = hostileValue(r);
    ops.push(op);
  }
  return toJsonText(ops);
}
function mergePatch(r: Prng, f: { object: Record<string, any> }): string {
  const roll = r.int(6);
  if (roll === 0) return toJsonText(hostileValue(r));
  if (roll === 1) return r.pick(['null', '{"metadata":null}', '{"spec":null}', '{"metadata":{"name":"other"}}', '{"metadata":{"namespace":"other"}}', '{"kind":"Secret"}', '{"apiVersion":"v9"}', '{"metadata":{"resourceVersion":"abc"}}', '{"metadata":{"uid":"x"}}', '{"spec":{"containers":null}}', '{"metadata":{"managedFields":[{"manager":1}]}}']);
  const patch: Record<string, any> = {};
  const top = r.pick(Object.keys(f.object));
  patch[top] = r.chance(0.5) ? hostileValue(r) : { [r.pick([...Object.keys(f.object[top] ?? {}), ...trickyKeys])]: hostileValue(r) };
  return toJsonText(patch);
}
function strategicPatch(r: Prng, f: { kind: string; object: Record<string, any> }): string {
  const directives = [
    { $patch: r.pick(['replace', 'delete', 'merge', 'garbage', null, 1]) },
    { spec: { containers: [{ $patch: r.pick(['delete', 'replace', 'garbage']) }] } },
    { spec: { containers: [{ name: hostileValue(r), image: hostileValue(r) }] } },
    { spec: { 'containers': { name: 'x' } } },
    { spec: { '$setElementOrder/containers': r.pick([[{ name: 'web' }, { name: 'nope' }], 'x', [1], [{}], null]) } },
    { spec: { $retainKeys: r.pick([['a'], 'x', [1], null]) } },
    { spec: { containers: [{ name: 'web', '$deleteFromPrimitiveList/args': r.pick([['-g'], 'x', [{}], null]) }] } },
    { spec: { ports: [{ port: hostileValue(r), $patch: 'delete' }] } },
    { data: { $patch: 'delete' } },
    { metadata: { labels: { $patch: r.pick(['replace', 'delete']) }, finalizers: [hostileValue(r)] } },
    { spec: { template: { spec: { containers: [{ name: 'web', env: [{ name: hostileValue(r), $patch: 'delete' }] }] } } } },
    { spec: { tolerations: [{ $patch: 'replace' }, hostileValue(r)] } },
    { metadata: { ownerReferences: [{ uid: hostileValue(r), $patch: 'delete' }] } },
    { spec: { [`$setElementOrder/${r.pick(['ports', 'volumes', 'env', 'x'])}`]: [{ name: hostileValue(r) }] } },
  ];
  const body = r.chance(0.15) ? mergePatch(r, f) : toJsonText(r.pick(directives));
  return body;
}
function applyPatch(r: Prng, f: { kind: string; name: string; object: Record<string, any> }): { body: string; query: string } {
  const obj = clone(f.object);
  switch (r.int(8)) {
    case 0: delete obj.apiVersion; break;
    case 1: obj.kind = r.pick(['Secret', '', 'Nope']); break;
    case 2: obj.metadata.name = r.pick(['other', '', '..']); break;
    case 3: obj.metadata.managedFields = [{ manager: hostileValue(r), operation: 'Apply', fieldsV1: hostileValue(r) }]; break;
    case 4: obj.metadata.resourceVersion = String(hostileValue(r)); break;
    case 5: obj.spec = hostileValue(r); obj.data = hostileValue(r); break;
    default: break;
  }
  const fm = r.pick(['', 'fuzz', 'x'.repeat(129), '\u0000', 'a\u202eb', '%zz', 'kubectl-client-side-apply', 'before-first-apply']);
  const parts = [fm || r.chance(0.5) ? `fieldManager=${pct(fm)}` : '', `force=${r.pick(['true', 'false', 'garbage', ''])}`, r.chance(0.5) ? 'dryRun=All' : ''].filter(Boolean);
  return { body: r.chance(0.3) ? `apiVersion: ${obj.apiVersion}\nkind: ${obj.kind}\nmetadata: ${r.pick(['[', '{name: x', '!!binary x', '*a'])}\n` : toJsonText(obj), query: parts.join('&') };
}

export function patches(r: Prng, n: number): FuzzCase[] {
  const out: FuzzCase[] = [];
  for (let i = 0; i < n; i++) {
    const f = r.pick(fx);
    const sub = r.pick(['', '', '', '', '/status', f.kind === 'Deployment' ? '/scale' : '']);
    const path = `${f.path}/${r.chance(0.05) ? 'missing' : f.name}${sub}`;
    const kind = i % 5;
    const dry = r.chance(0.6) ? '?dryRun=All' : '';
    if (kind === 0) out.push({ category: 'patch-json', method: 'PATCH', path: path + dry, headers: { 'content-type': 'application/json-patch+json' }, body: jsonPatch(r) });
    else if (kind === 1) out.push({ category: 'patch-merge', method: 'PATCH', path: path + dry, headers: { 'content-type': 'application/merge-patch+json' }, body: mergePatch(r, f) });
    else if (kind === 2) out.push({ category: 'patch-strategic', method: 'PATCH', path: path + dry, headers: { 'content-type': 'application/strategic-merge-patch+json' }, body: strategicPatch(r, f) });
    else if (kind === 3) { const a = applyPatch(r, f); out.push({ category: 'patch-apply', method: 'PATCH', path: `${path}?${a.query}`, headers: { 'content-type': 'application/apply-patch+yaml' }, body: a.body }); }
    else out.push({ category: 'patch-other', method: 'PATCH', path: path + dry, headers: { 'content-type': r.pick(['application/x-patch', 'application/json', 'text/plain', 'application/apply-patch+json', 'application/strategic-merge-patch+json; charset=latin1', '']) }, body: r.chance(0.5) ? jsonPatch(r) : mergePatch(r, f) });
  }
  return out;
}

// ---- header abuse ----------------------------------------------------------------------------------------------

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const jwt = (h: object, p: object, s = '') => `${b64url(JSON.stringify(h))}.${b64url(JSON.stringify(p))}.${s}`;

/** Headers a client library still writes: impersonation and credentials. */
export function headerAbuse(r: Prng, n: number): FuzzCase[] {
  const out: FuzzCase[] = [];
  const auths = [bearer(''), bearer('a b'), { authorization: 'Basic YWRtaW46YWRtaW4=' }, bearer('x'.repeat(8000)), { authorization: 'Negotiate xyz' },
    bearer(jwt({ alg: 'none', typ: 'JWT' }, { sub: 'system:admin', iss: 'kubernetes/serviceaccount', 'kubernetes.io/serviceaccount/namespace': 'kube-system' })),
    bearer(jwt({ alg: 'RS256', kid: '../../etc/passwd' }, { sub: 'x', exp: 1e400 }, 'sig')), bearer(jwt({ alg: 'HS256' }, { aud: ['x'], exp: 'never' }, 'AAAA')),
    bearer('eyJ.eyJ.'), bearer('...'), bearer('%zz'), { authorization: 'Bearer' }, { authorization: 'bearer lower' }, { authorization: '' }];
  const impersonations: Record<string, string>[] = [
    { 'impersonate-user': '' }, { 'impersonate-user': 'system:admin' }, { 'impersonate-user': 'x'.repeat(5000) }, { 'impersonate-group': 'system:masters' },
    { 'impersonate-uid': '1234' }, { 'impersonate-user': 'jane', 'impersonate-group': '' }, { 'impersonate-user': 'jane', 'impersonate-extra-%zz': 'x' },
    { 'impersonate-user': 'jane', 'impersonate-extra-': 'x' }, { 'impersonate-user': 'jane', 'impersonate-extra-scopes': '' },
    { 'impersonate-user': 'system:serviceaccount:fuzz:nope' }, { 'impersonate-user': 'system:serviceaccount:' }, { 'impersonate-user': 'system:node:' },
    { 'impersonate-user': 'system:anonymous' }, { 'impersonate-user': 'jane', 'impersonate-uid': '' }, { 'impersonate-user': '\u00e9' },
  ];
  for (let i = 0; i < n; i++) {
    const headers: Record<string, string> = {};
    const roll = r.int(4);
    if (roll === 0) Object.assign(headers, r.pick(auths));
    else if (roll === 1) Object.assign(headers, r.pick(impersonations));
    else if (roll === 2) { Object.assign(headers, r.pick(auths), r.pick(impersonations)); }
    else for (let k = r.range(1, 5); k > 0; k--) headers[r.pick(['x-forwarded-for', 'x-remote-user', 'x-remote-group', 'audit-id', 'user-agent', 'accept-encoding', 'if-none-match', 'range', 'cookie', 'expect', 'origin', 'accept-language', 'x-http-method-override', 'content-encoding'])] = r.pick(['', 'x'.repeat(4000), 'system:masters', '100-continue', 'gzip', 'bytes=0-1', 'admin', '*', 'DELETE', '..', '%zz']);
    const anonymous = r.chance(0.5);
    const target = r.chance(0.5) ? { method: 'GET', path: r.pick([...collections, ...objects, '/version', '/readyz', '/api']) }
      : { method: 'POST', path: '/api/v1/namespaces/fuzz/configmaps?dryRun=All', body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `h-${i}` } }) };
    if (target.body) headers['content-type'] = 'application/json';
    out.push({ category: 'headers', ...target, headers, anonymous });
  }
  return out;
}

/** Header bytes no client library writes: sent as whole requests on their own connections. */
export function rawHeaderAbuse(): FuzzCase[] {
  const req = (head: string, body = '') => Buffer.from(`${head}\r\n\r\n${body}`, 'latin1');
  const get = 'GET /api/v1/namespaces/fuzz/configmaps HTTP/1.1\r\nHost: x\r\nConnection: close';
  const post = 'POST /api/v1/namespaces/fuzz/configmaps?dryRun=All HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json';
  const cm = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"raw"}}';
  const many = Array.from({ length: 3000 }, (_, i) => `X-H${i}: v`).join('\r\n');
  const cases: Buffer[] = [
    req(`${get}\r\nX-Big: ${'x'.repeat(20_000)}`),
    req(`${get}\r\n${many}`),
    req(`${post}\r\nContent-Length: ${cm.length}\r\nContent-Length: 5`, cm),
    req(`${post}\r\nContent-Length: ${cm.length}\r\nContent-Length: ${cm.length}`, cm),
    req(`${post}\r\nContent-Length: ${cm.length}, ${cm.length}`, cm),
    req(`${post}\r\nContent-Length: ${cm.length}\r\nTransfer-Encoding: chunked`, `${cm.length.toString(16)}\r\n${cm}\r\n0\r\n\r\n`),
    req(`${post}\r\nTransfer-Encoding: gzip`, cm),
    req(`${post}\r\nTransfer-Encoding: chunked, identity`, cm),
    req(`${post}\r\nTransfer-Encoding: identity, chunked`, `${cm.length.toString(16)}\r\n${cm}\r\n0\r\n\r\n`),
    req(`${post}\r\nTransfer-Encoding: chunked`, `zz\r\n${cm}\r\n0\r\n\r\n`),
    req(`${post}\r\nTransfer-Encoding: chunked`, `${cm.length.toString(16)};${'e'.repeat(20_000)}\r\n${cm}\r\n0\r\n\r\n`),
    req(`${post}\r\nTransfer-Encoding: chunked`, `ffffffffffffffffff\r\n${cm}\r\n0\r\n\r\n`),
    req(`${post}\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked`, `${cm.length.toString(16)}\r\n${cm}\r\n0\r\n\r\n`),
    req(`${post}\r\nTransfer-Encoding:\tchunked`, `${cm.length.toString(16)}\r\n${cm}\r\n0\r\n\r\n`),
    req(`${post}\r\nTransfer-Encoding : chunked`, `${cm.length.toString(16)}\r\n${cm}\r\n0\r\n\r\n`),
    req(`${post}\r\nContent-Length: -1`, cm), req(`${post}\r\nContent-Length: 1e3`, cm), req(`${post}\r\nContent-Length:  ${cm.length}`, cm),
    req(`${post}\r\nContent-Length: abc`, cm), req(`${post}\r\nContent-Length: 18446744073709551616`, cm), req(`${post}\r\nContent-Length: +${cm.length}`, cm),
    req(`${post}\r\nContent-Length: 0x10`, cm), req(`${post}\r\nContent-Length: ${cm.length - 5}`, cm),
    req('GET /version HTTP/1.1\r\nConnection: close'), // no Host
    req('GET /version HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close'),
    req(`${get}\r\nX-Nul: a\u0000b`), req(`${get}\r\nX-Fold: a\r\n  folded`), req(`${get}\r\nBad Name: x`), req(`${get}\r\n: empty-name`),
    req(`${get}\r\nX-Ctl: a\u0001b`), req(`${get}\r\nX-Del: a\u007fb`), req(`${get}\r\nX-Hi: \u00ff\u00fe`),
    Buffer.from('GET /version HTTP/1.1\nHost: x\nConnection: close\n\n', 'latin1'),
    Buffer.from('GET /version HTTP/1.1\rHost: x\rConnection: close\r\r', 'latin1'),
    req(`${get}\r\nImpersonate-User: a\u0000b`), req(`${get}\r\nImpersonate-User: jane\r\nImpersonate-Group: g\r\nImpersonate-Group: h\r\nImpersonate-Group: system:masters`),
    req(`${get}\r\nAuthorization: Bearer a\u0000b`), req(`${get}\r\nAuthorization: Bearer x\r\nAuthorization: Bearer y`),
    req(`${get}\r\nExpect: 100-continue`), req(`${get}\r\nExpect: garbage`), req(`${post}\r\nExpect: 100-continue\r\nContent-Length: ${cm.length}`, cm),
    req(`${get}\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\nConnection: Upgrade, HTTP2-Settings`),
    req(`${get}\r\nContent-Encoding: gzip`), req(`${post}\r\nContent-Encoding: gzip\r\nContent-Length: 4`, '\u001f\u008b\u0008\u0000'),
  ];
  return cases.map((raw) => ({ category: 'headers-raw', method: 'RAW', path: raw.toString('latin1').split('\r\n')[0], raw, mayReset: true }));
}

// ---- WebSocket and SPDY upgrades -------------------------------------------------------------------------------

export function upgrades(r: Prng, n: number): FuzzCase[] {
  const out: FuzzCase[] = [];
  const paths = ['/api/v1/namespaces/fuzz/pods/fx-pod/exec?command=sh&stdin=true&stdout=true&tty=true', '/api/v1/namespaces/fuzz/pods/fx-pod/attach?container=nope',
    '/api/v1/namespaces/fuzz/pods/fx-pod/portforward?ports=abc', '/api/v1/namespaces/fuzz/pods/nope/exec?command=ls', '/api/v1/namespaces/fuzz/pods/%zz/exec',
    '/api/v1/namespaces/fuzz/pods/fx-pod/exec', '/api/v1/namespaces/%2e%2e/pods/x/attach', '/api/v1/namespaces/fuzz/pods/fx-pod/portforward?ports=-1&ports=99999',
    '/api/v1/namespaces/fuzz/configmaps', '/api/v1/namespaces/fuzz/pods?watch=true', '/', '/version', '/api/v1/namespaces/fuzz/pods/fx-pod/exec?command=' + 'x'.repeat(3000),
    '/api/v1/nodes/n/proxy', '/api/v1/namespaces/fuzz/pods/fx-pod/log'];
  const protos = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'base64.channel.k8s.io', 'garbage', '', 'SPDY/3.1', 'portforward.k8s.io', ',,,', 'x'.repeat(3000)];
  for (let i = 0; i < n; i++) {
    const lines = [`${r.pick(['GET', 'GET', 'POST', 'DELETE', 'PUT'])} ${paths[i % paths.length]} HTTP/1.1`, 'Host: x'];
    if (r.chance(0.9)) lines.push(`Upgrade: ${r.pick(['websocket', 'WebSocket', 'SPDY/3.1', 'h2c', 'garbage', '', 'websocket, SPDY/3.1'])}`);
    lines.push(`Connection: ${r.pick(['Upgrade', 'upgrade', 'keep-alive, Upgrade', 'close', 'Upgrade, close'])}`);
    if (r.chance(0.8)) lines.push(`Sec-WebSocket-Key: ${r.pick(['dGhlIHNhbXBsZSBub25jZQ==', '', 'short', 'x'.repeat(200), '%%%'])}`);
    if (r.chance(0.8)) lines.push(`Sec-WebSocket-Version: ${r.pick(['13', '8', '99', '', 'abc'])}`);
    if (r.chance(0.7)) lines.push(`Sec-WebSocket-Protocol: ${r.pick(protos)}`);
    if (r.chance(0.3)) lines.push(`X-Stream-Protocol-Version: ${r.pick(protos)}`);
    if (r.chance(0.2)) lines.push(`Impersonate-User: ${r.pick(['jane', '', 'system:node:x'])}`);
    const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
    // Frames (or junk) right after the request, before any answer.
    const tail = r.chance(0.5) ? r.bytes(r.int(64)) : Buffer.alloc(0);
    out.push({ category: 'websocket', method: 'UPGRADE', path: lines[0], raw: Buffer.concat([head, tail]), anonymous: r.chance(0.1), mayReset: true, mayStream: true });
  }
  return out;
}
