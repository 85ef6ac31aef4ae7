import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateValue } from './schema-validation.js';
import { validateRules } from './cel-validation.js';
import { applyDefaults } from './defaulting.js';
import { evaluateJsonPath, parseJsonPath } from './json-path.js';
import { validateCustomResourceDefinition, validateCustomResourceDefinitionUpdate } from './crd-validation.js';
import { compareVersions, customResourceDefinitions } from './custom-resource.js';
import type { JSONSchemaProps } from './json-schema.js';
import type { KubeObject } from '../../api/object.js';

const spec: JSONSchemaProps = {
  type: 'object',
  required: ['image'],
  properties: {
    image: { type: 'string', minLength: 2, pattern: '^[a-z]' },
    replicas: { type: 'integer', minimum: 0, maximum: 10 },
    mode: { type: 'string', enum: ['a', 'b'] },
    port: { 'x-kubernetes-int-or-string': true },
    tags: { type: 'array', items: { type: 'string' }, maxItems: 2 },
  },
};
const messages = (v: unknown) => validateValue(spec, v, 'spec').map(String);

test('schema validation words errors as upstream', () => {
  assert.deepEqual(messages({ image: 'ok', replicas: 'string' }), ['spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"']);
  assert.deepEqual(messages({}), ['spec.image: Required value']);
  assert.deepEqual(messages({ image: 'ok', replicas: 11 }), ['spec.replicas: Invalid value: 11: should be less than or equal to 10']);
  assert.deepEqual(messages({ image: 'ok', mode: 'c' }), ['spec.mode: Unsupported value: "c": supported values: "a", "b"']);
  assert.deepEqual(messages({ image: 'Xy' }), ["spec.image: Invalid value: \"Xy\": should match '^[a-z]'"]);
  assert.deepEqual(messages({ image: 'ok', port: true }), ['spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"']);
  assert.deepEqual(messages({ image: 'ok', port: 'http', tags: ['a'] }), []);
  assert.equal(messages({ image: 'ok', tags: ['a', 'b', 'c'] }).length, 1);
});

test('CEL rules: messages, the default "failed rule" text, and transition rules only on update', () => {
  const s: JSONSchemaProps = {
    type: 'object',
    'x-kubernetes-validations': [{ rule: 'self.replicas <= self.max', message: 'too many' }, { rule: 'self.name.startsWith("x")' }],
    properties: {
      replicas: { type: 'integer' }, max: { type: 'integer' }, name: { type: 'string' },
      immutable: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'is immutable' }] },
    },
  };
  assert.deepEqual(validateRules(s, { replicas: 1, max: 2, name: 'xa', immutable: 'a' }, undefined, 'spec'), []);
  assert.deepEqual(validateRules(s, { replicas: 3, max: 2, name: 'ya' }, undefined, 'spec').map(String),
    ['spec: Invalid value: "object": too many', 'spec: Invalid value: "object": failed rule: self.name.startsWith("x")']);
  assert.deepEqual(validateRules(s, { replicas: 1, max: 2, name: 'x', immutable: 'b' }, { immutable: 'a' }, 'spec').map(String),
    ['spec.immutable: Invalid value: "string": is immutable']);
  const expr: JSONSchemaProps = { type: 'object', properties: { n: { type: 'integer' } },
    'x-kubernetes-validations': [{ rule: 'self.n < 3', messageExpression: '"n is " + string(self.n)', reason: 'FieldValueForbidden' }] };
  assert.deepEqual(validateRules(expr, { n: 4 }, undefined, 'spec').map(String), ['spec: Forbidden: n is 4']);
  const lists: JSONSchemaProps = { type: 'array', items: { type: 'integer' }, 'x-kubernetes-validations': [{ rule: 'self.all(x, x > 0)', message: 'positive' }] };
  assert.equal(validateRules(lists, [1, 2], undefined, 'spec.l').length, 0);
  assert.deepEqual(validateRules(lists, [1, -2], undefined, 'spec.l').map(String), ['spec.l: Invalid value: "array": positive']);
});

test('defaults apply from the root down, inside defaulted objects too, and never replace a value', () => {
  const s: JSONSchemaProps = { type: 'object', properties: {
    a: { type: 'integer', default: 1 },
    o: { type: 'object', default: {}, properties: { b: { type: 'string', default: 'x' } } },
    l: { type: 'array', items: { type: 'object', properties: { c: { type: 'boolean', default: true } } } },
  } };
  const v: any = { a: 5, l: [{}, { c: false }] };
  applyDefaults(s, v);
  assert.deepEqual(v, { a: 5, o: { b: 'x' }, l: [{ c: true }, { c: false }] });
});

test('printer column JSONPaths', () => {
  const o = { spec: { replicas: 3, items: [{ n: 'a' }, { n: 'b' }] }, metadata: { labels: { 'app.kubernetes.io/name': 'x' } } };
  assert.deepEqual(evaluateJsonPath(parseJsonPath('.spec.replicas')!, o), [3]);
  assert.deepEqual(evaluateJsonPath(parseJsonPath('{.spec.items[*].n}')!, o), ['a', 'b']);
  assert.deepEqual(evaluateJsonPath(parseJsonPath('.spec.items[1].n')!, o), ['b']);
  assert.deepEqual(evaluateJsonPath(parseJsonPath(".metadata.labels['app.kubernetes.io/name']")!, o), ['x']);
  assert.deepEqual(evaluateJsonPath(parseJsonPath('.spec.missing')!, o), []);
});

test('served versions sort by Kubernetes version priority', () => {
  assert.deepEqual(['v1beta1', 'v1alpha1', 'v2', 'v1', 'v10', 'v2beta2', 'foo'].sort(compareVersions), ['v10', 'v2', 'v1', 'v2beta2', 'v1beta1', 'v1alpha1', 'foo']);
});

const crd = (over: Record<string, any> = {}): KubeObject => ({
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object' } } } } }],
    ...over,
  },
});
const crdErrors = (o: KubeObject) => validateCustomResourceDefinition(o).map(String);

test('CustomResourceDefinition validation as upstream', () => {
  assert.deepEqual(crdErrors(crd()), []);
  assert.deepEqual(crdErrors({ ...crd(), metadata: { name: 'other.example.com' } }), ['metadata.name: Invalid value: "other.example.com": must be spec.names.plural+"."+spec.group']);
  const twoStorage = crdErrors(crd({ versions: [
    { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } },
    { name: 'v2', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }] }));
  assert.deepEqual(twoStorage, ['spec.versions: Invalid value: ["v1","v2"]: must have exactly one version marked as storage version']);
  assert.deepEqual(crdErrors(crd({ versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { properties: {} } } } } }] })),
    ['spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields']);
  assert.match(crdErrors(crd({ versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-validations': [{ rule: 'self.a >' }] } } }] }))[0],
    /^spec\.versions\[0\]\.schema\.openAPIV3Schema\.x-kubernetes-validations\[0\]\.rule: Invalid value: "self\.a >": compilation failed/);
  assert.deepEqual(crdErrors(crd({ group: 'example', scope: 'Everywhere' })).slice(1), [
    'spec.group: Invalid value: "example": should be a domain with at least one dot',
    'spec.scope: Unsupported value: "Everywhere": supported values: "Cluster", "Namespaced"']);
});

test('a custom resource: CEL at the root reads metadata.name; embedded resources need apiVersion and kind', async () => {
  const def = customResourceDefinitions(crd({ versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: {
    type: 'object', 'x-kubernetes-validations': [{ rule: 'self.metadata.name.startsWith("w")', message: 'name must start with w' }],
    properties: { spec: { type: 'object', properties: { template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true } } } },
  } } }] }))[0];
  const errs = async (o: KubeObject) => (await def.strategy.validate!(o, undefined as any)).map(String);
  assert.deepEqual(await errs({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'wa' }, spec: { template: { apiVersion: 'v1', kind: 'Pod' } } }), []);
  assert.deepEqual(await errs({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'xa' } }), ['<nil>: Invalid value: "object": name must start with w']);
  assert.deepEqual(await errs({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'wa' }, spec: { template: { kind: 'Pod' } } }), ['spec.template.apiVersion: Required value: must not be empty']);
});

test('CustomResourceDefinition updates: group and plural always fixed, scope and kind once Established, stored versions kept', () => {
  const old = { ...crd(), status: { storedVersions: ['v1'], conditions: [{ type: 'Established', status: 'True' }] } };
  const next = structuredClone(old) as KubeObject;
  next.spec.scope = 'Cluster';
  next.spec.versions[0].name = 'v2';
  assert.deepEqual(validateCustomResourceDefinitionUpdate(next, old).map(String), [
    'status.storedVersions[0]: Invalid value: "v1": must appear in spec.versions',
    'spec.scope: Invalid value: "Cluster": field is immutable',
  ]);
  const dup = crd({ versions: [
    { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } },
    { name: 'v1', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object' } } }] });
  assert.deepEqual(crdErrors(dup), ['spec.versions: Invalid value: ["v1","v1"]: must contain unique version names']);
});
