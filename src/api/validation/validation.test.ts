import { test } from 'node:test';
import assert from 'node:assert/strict';
import { invalid } from '../errors.js';
import {
  validateObjectMeta, validateObjectMetaUpdate, nameIsDNSLabel, base64CorruptOffset, base64Error, selectorString,
  formatLabelSelector, formatLabels, selectorMatches, validateLabelSelector, semanticEqual, goLabelSelector, isConfigMapKey,
} from './index.js';

test('an invalid name is reported with upstream\'s RFC 1123 subdomain message', () => {
  const errs = validateObjectMeta({ name: 'Flask_App', namespace: 'default' }, { namespaced: true });
  assert.equal(errs.length, 1);
  assert.equal(errs[0].toString(),
    `metadata.name: Invalid value: "Flask_App": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`);
  assert.equal(invalid('Deployment', 'apps', 'Flask_App', errs).status.message!.startsWith('Deployment.apps "Flask_App" is invalid: metadata.name: Invalid value: "Flask_App": a lowercase'), true);
});

test('names are required unless generateName is given, and generateName may end in a dash', () => {
  assert.equal(validateObjectMeta({ namespace: 'default' }, { namespaced: true })[0].toString(), 'metadata.name: Required value: name or generateName is required');
  assert.deepEqual(validateObjectMeta({ generateName: 'flask-app-', name: 'flask-app-x7k2p', namespace: 'default' }, { namespaced: true }), []);
});

test('namespaced objects need a namespace; cluster-scoped ones may not have one', () => {
  assert.equal(validateObjectMeta({ name: 'a' }, { namespaced: true })[0].toString(), 'metadata.namespace: Required value');
  assert.equal(validateObjectMeta({ name: 'a', namespace: 'x' }, { namespaced: false })[0].toString(), 'metadata.namespace: Forbidden: not allowed on this type');
});

test('namespace names are DNS-1123 labels (dots rejected) with the label message', () => {
  const errs = validateObjectMeta({ name: 'my.ns' }, { namespaced: false, nameValidator: nameIsDNSLabel });
  assert.equal(errs[0].toString(), `metadata.name: Invalid value: "my.ns": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`);
});

test('label keys and values are validated with upstream messages', () => {
  const errs = validateObjectMeta({ name: 'a', namespace: 'd', labels: { 'bad key': 'ok', app: 'bad value!' } }, { namespaced: true });
  assert.deepEqual(errs.map((e) => e.toString()), [
    `metadata.labels: Invalid value: "bad value!": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    `metadata.labels: Invalid value: "bad key": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
  ]);
});

test('oversized annotations are "Too long" without echoing the value', () => {
  const errs = validateObjectMeta({ name: 'a', namespace: 'd', annotations: { big: 'x'.repeat(300 * 1024) } }, { namespaced: true });
  assert.equal(errs[0].toString(), 'metadata.annotations: Too long: may not be more than 262144 bytes');
});

test('name and namespace cannot change on update', () => {
  const errs = validateObjectMetaUpdate({ name: 'b', namespace: 'd', uid: 'u' }, { name: 'a', namespace: 'd', uid: 'u' });
  assert.equal(errs[0].toString(), 'metadata.name: Invalid value: "b": field is immutable');
});

test('base64 is checked like Go\'s decoder, with the same byte offsets', () => {
  assert.equal(base64CorruptOffset('cG9zdGdyZXM='), -1);
  assert.equal(base64CorruptOffset('cG9z\ndGdyZXM=\n'), -1);
  assert.equal(base64CorruptOffset(''), -1);
  assert.equal(base64Error('postgres!'), 'illegal base64 data at input byte 8');
  assert.equal(base64Error('abc'), 'illegal base64 data at input byte 0');
  assert.equal(base64Error('cG9zdGdyZXM'), 'illegal base64 data at input byte 8');
  assert.equal(base64Error('cGFzc3dvcmQ=x'), 'illegal base64 data at input byte 12');
});

test('config keys follow upstream rules', () => {
  assert.deepEqual(isConfigMapKey('APP_ENV'), []);
  assert.equal(isConfigMapKey('a b').length, 1);
  assert.deepEqual(isConfigMapKey('..x'), [`must not start with '..'`]);
});

test('label selectors print, match and validate as upstream', () => {
  const sel = { matchLabels: { tier: 'web', app: 'flask-app' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'dev'] }] };
  assert.equal(selectorString(sel), 'app=flask-app,env in (dev,prod),tier=web');
  assert.equal(formatLabelSelector({}), '<none>');
  assert.equal(formatLabels({ b: '2', a: '1' }), 'a=1,b=2');
  assert.equal(selectorMatches(sel, { app: 'flask-app', tier: 'web', env: 'dev' }), true);
  assert.equal(selectorMatches(sel, { app: 'flask-app', tier: 'web' }), false);
  assert.equal(validateLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In' }] }, 'spec.selector')[0].toString(),
    "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'");
});

test('semantic equality treats absent and empty lists/maps alike', () => {
  assert.equal(semanticEqual({ a: [] }, {}), true);
  assert.equal(semanticEqual({ a: { x: '1' } }, { a: { x: '2' } }), false);
  assert.equal(goLabelSelector({ matchLabels: { app: 'x' } }),
    'v1.LabelSelector{MatchLabels:map[string]string{"app":"x"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}');
});
