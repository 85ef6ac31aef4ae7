// One request for each bug the fuzz suite found, with the answer it must get now (kept so they stay fixed).
import type { FuzzCase } from './case.js';

const json = { 'content-type': 'application/json' };
const merge = { 'content-type': 'application/merge-patch+json' };

export function regressions(): FuzzCase[] {
  const c = (x: Omit<FuzzCase, 'category'>): FuzzCase => ({ category: 'regressions', ...x });
  return [
    // Dot segments were resolved: this deleted the namespace "fuzz".
    c({ method: 'DELETE', path: '/api/v1/namespaces/fuzz/configmaps/..', expect: [400] }),
    c({ method: 'DELETE', path: '/api/v1/namespaces/fuzz/configmaps/%2e%2e', expect: [400] }),
    c({ method: 'GET', path: '/api/v1/namespaces/fuzz/configmaps/a%2fb', expect: [400] }),
    // A malformed escape reset the connection.
    c({ method: 'GET', path: '/api/v1/namespaces/fuzz/configmaps/%zz', expect: [400] }),
    c({ method: 'GET', path: '/api/v1/namespaces/%E0%A4%A/pods', expect: [400] }),
    // PATCH of a collection answered 'configmaps "undefined" not found'.
    c({ method: 'PATCH', path: '/api/v1/namespaces/fuzz/configmaps', headers: merge, body: '{"data":{"a":"1"}}', expect: [405] }),
    // A merge patch polluted Object.prototype.
    c({ method: 'PATCH', path: '/api/v1/namespaces/fuzz/configmaps/fx-cm', headers: merge, body: '{"__proto__":{"polluted":"yes"}}', expect: [400] }),
    c({ method: 'PATCH', path: '/api/v1/namespaces/fuzz/configmaps/fx-cm', headers: merge, body: '{"data":{"\\u005f_proto__":{"polluted":"yes"}}}', expect: [400] }),
    // Deep YAML could abort the process (V8 fatal error on a stack overflow).
    c({ method: 'POST', path: '/api/v1/namespaces/fuzz/configmaps', headers: { 'content-type': 'application/yaml' }, body: '['.repeat(5000) + ']'.repeat(5000), expect: [400] }),
    c({ method: 'PATCH', path: '/api/v1/namespaces/fuzz/configmaps/fx-cm?fieldManager=fuzz', headers: { 'content-type': 'application/apply-patch+yaml' }, body: `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"fx-cm","annotations":${'{"a":'.repeat(900)}1${'}'.repeat(900)}}}`, expect: [400] }),
    // !!binary decoded into a Uint8Array (a 500 in pruning).
    c({ method: 'POST', path: '/api/v1/namespaces/fuzz/configmaps?dryRun=All', headers: { 'content-type': 'application/yaml' }, body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bin\ndata: !!binary aGVsbG8=\nx:\n  a: b\n', expect: [400] }),
    // Strategic merge patch directives the merge cannot apply answered 500.
    c({ method: 'PATCH', path: '/api/v1/namespaces/fuzz/pods/fx-pod?dryRun=All', headers: { 'content-type': 'application/strategic-merge-patch+json' }, body: '{"spec":{"containers":[{"$patch":"garbage"}]}}', expect: [400] }),
    c({ method: 'PATCH', path: '/api/v1/namespaces/fuzz/services/fx-svc?dryRun=All', headers: { 'content-type': 'application/strategic-merge-patch+json' }, body: '{"$patch":1}', expect: [400] }),
    // finalizers: [null] reached a string function (500); Go reads null as "" (an invalid finalizer).
    c({ method: 'PATCH', path: '/apis/apps/v1/namespaces/fuzz/deployments/fx-deploy?dryRun=All', headers: { 'content-type': 'application/strategic-merge-patch+json' }, body: '{"metadata":{"finalizers":[null]}}', expect: [422] }),
    // A limit past int64 reached the store (500).
    c({ method: 'GET', path: '/api/v1/namespaces/fuzz/secrets?limit=99999999999999999999', expect: [400] }),
    c({ method: 'GET', path: '/api/v1/namespaces/fuzz/secrets?limit=9007199254740993', expect: [200] }),
    // A Warning naming a field with a character node refuses in a header reset the connection.
    c({ method: 'POST', path: '/api/v1/namespaces/fuzz/configmaps?dryRun=All&fieldValidation=Warn', headers: json, body: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"w","ſ":1,"ſ":2}}', expect: [201] }),
    // The audit stage parsed the path outside the handler's error boundary: a reset instead of a 400.
    c({ method: 'GET', path: '/api/v1/namespaces/fuzz/pods/%ED%A0%80/log', expect: [400] }),
    // A malformed Impersonate-Extra key answered 500.
    c({ method: 'GET', path: '/api/v1/namespaces/fuzz/configmaps', headers: { 'impersonate-user': 'jane', 'impersonate-extra-%zz': 'x' }, expect: [403] }),
    // A forged continue token at a future revision answered 500.
    c({ method: 'GET', path: `/api/v1/pods?continue=${Buffer.from('{"rv":99999999999,"start":"a"}').toString('base64url')}`, expect: [504] }),
    // HEAD of a watch without a timeout streamed for ever: the next request on the connection hung.
    c({ method: 'HEAD', path: '/api/v1/namespaces/fuzz/pods?watch=1&timeoutSeconds=0', expect: [200] }),
    c({ method: 'HEAD', path: '/api/v1/namespaces/fuzz/configmaps?watch=1', expect: [200] }),
    // A JSON patch moving a value into itself made a circular document (500).
    c({ method: 'PATCH', path: '/api/v1/namespaces/fuzz/pods/fx-pod?dryRun=All', headers: { 'content-type': 'application/json-patch+json' }, body: '[{"op":"move","path":"/metadata/name","from":""}]', expect: [422] }),
    c({ method: 'PATCH', path: '/api/v1/namespaces/fuzz/configmaps/fx-cm?dryRun=All', headers: { 'content-type': 'application/json-patch+json' }, body: '[{"op":"move","path":"/metadata/labels/x","from":"/metadata"}]', expect: [422] }),
    // An object as a $patch directive was printed as [object Object].
    c({ method: 'PATCH', path: '/api/v1/namespaces/fuzz/configmaps/fx-cm?dryRun=All', headers: { 'content-type': 'application/strategic-merge-patch+json' }, body: '{"data":{"$patch":{"":null}}}', expect: [400] }),
    // YAML-only escapes in a body sent as JSON reached the duplicate-field scan's JSON.parse (500).
    c({ method: 'PUT', path: '/api/v1/namespaces/fuzz/configmaps/fx-cm?dryRun=All', headers: json, body: '{"apiV\\ersion": "v1", "kind": "ConfigMap", "metadata": {"name": "fx-cm"}}', expect: [200] }),
    // node's bare 417.
    c({ method: 'GET', path: '/version', headers: { expect: 'garbage' }, expect: [417] }),
  ];
}
