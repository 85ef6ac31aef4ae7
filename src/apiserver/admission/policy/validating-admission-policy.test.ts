// The ValidatingAdmissionPolicy plugin on its own: which requests a policy and a binding select, what a failed
// validation, a failing expression and a missing param do under each failurePolicy and validationAction, params by
// selector, variables, matchConditions, the authorizer variable; and the API validation of the two kinds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../api/object.js';
import { deployments } from '../../registry/apps/deployments/strategy.js';
import { configmaps } from '../../registry/core/configmaps/strategy.js';
import { namespaces } from '../../registry/core/namespaces/strategy.js';
import { defaultBinding, defaultPolicy, validateBinding, validatePolicy } from '../../registry/admissionregistration/validation.js';
import type { AdmissionAttributes } from '../admission.js';
import { validatingAdmissionPolicy, type ValidatingAdmissionPolicyOptions } from './validating-admission-policy.js';

const rules = (resources: string[], group = 'apps', extra: Record<string, unknown> = {}) => ({ resourceRules: [{ apiGroups: [group], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources, ...extra }] });
function policy(name: string, spec: Record<string, unknown>): KubeObject {
  const p: KubeObject = { metadata: { name }, spec: { matchConstraints: rules(['deployments']), ...spec } };
  defaultPolicy(p);
  return p;
}
function binding(name: string, policyName: string, spec: Record<string, unknown> = {}): KubeObject {
  const b: KubeObject = { metadata: { name }, spec: { policyName, validationActions: ['Deny'], ...spec } };
  defaultBinding(b);
  return b;
}
const deployment = (replicas: number, labels: Record<string, string> = {}, namespace = 'prod'): KubeObject =>
  ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace, labels }, spec: { replicas } });

function plugin(policies: KubeObject[], bindings: KubeObject[], extra: Partial<ValidatingAdmissionPolicyOptions> = {}) {
  return validatingAdmissionPolicy({
    policies: async () => ({ policies, bindings }),
    getNamespace: async (name) => ({ metadata: { name, labels: { env: name } } }),
    paramResource: () => undefined,
    ...extra,
  });
}
function attrs(object: KubeObject, def = deployments, extra: Partial<AdmissionAttributes> = {}) {
  const seen = { warnings: [] as string[], annotations: {} as Record<string, string> };
  const a: AdmissionAttributes = {
    phase: 'validating', operation: 'CREATE', object, namespace: object.metadata.namespace, def, dryRun: false,
    user: { username: 'jane', groups: ['devs'] }, warn: (m) => seen.warnings.push(m), annotate: (k, v) => { seen.annotations[k] = v; }, ...extra,
  };
  return { a, seen };
}
const rejects = (p: Promise<unknown>, code: number, message: string) =>
  assert.rejects(p, (e: any) => { assert.equal(e.code, code); assert.equal(e.message, message); return true; });

test('a failed validation denies with upstream\'s message: messageExpression, then message, then the expression; the reason sets the code', async () => {
  const p = policy('limit', { validations: [
    { expression: 'object.spec.replicas <= 5' },
    { expression: 'object.spec.replicas <= 3', message: 'at most three', reason: 'Forbidden' },
    { expression: 'object.spec.replicas <= 1', messageExpression: "'got ' + string(object.spec.replicas)", message: 'unused' },
  ] });
  const vap = plugin([p], [binding('b', 'limit')]);
  await vap.validate!(attrs(deployment(1)).a);
  await rejects(vap.validate!(attrs(deployment(2)).a), 422, `deployments.apps "web" is forbidden: ValidatingAdmissionPolicy 'limit' with binding 'b' denied request: got 2`);
  await rejects(vap.validate!(attrs(deployment(4)).a), 403, `deployments.apps "web" is forbidden: ValidatingAdmissionPolicy 'limit' with binding 'b' denied request: at most three`);
  await rejects(vap.validate!(attrs(deployment(9)).a), 422, `deployments.apps "web" is forbidden: ValidatingAdmissionPolicy 'limit' with binding 'b' denied request: failed expression: object.spec.replicas <= 5`);
});

test('Warn adds a warning and Audit an audit annotation, and neither denies', async () => {
  const p = policy('limit', { validations: [{ expression: 'object.spec.replicas <= 5' }], auditAnnotations: [{ key: 'replicas', valueExpression: "'replicas: ' + string(object.spec.replicas)" }] });
  const { a, seen } = attrs(deployment(6));
  await plugin([p], [binding('b', 'limit', { validationActions: ['Warn', 'Audit'] })]).validate!(a);
  assert.deepEqual(seen.warnings, ["Validation failed for ValidatingAdmissionPolicy 'limit' with binding 'b': failed expression: object.spec.replicas <= 5"]);
  assert.deepEqual(JSON.parse(seen.annotations['validation.policy.admission.k8s.io/validation_failure']),
    [{ message: 'failed expression: object.spec.replicas <= 5', policy: 'limit', binding: 'b', expressionIndex: 0, validationActions: ['Warn', 'Audit'] }]);
  assert.equal(seen.annotations['limit/replicas'], 'replicas: 6');
  // An auditAnnotation that fails denies under failurePolicy Fail, whatever the binding's actions.
  const broken = policy('broken', { auditAnnotations: [{ key: 'k', valueExpression: 'object.spec.missing' }] });
  await assert.rejects(plugin([broken], [binding('b', 'broken', { validationActions: ['Audit'] })]).validate!(attrs(deployment(1)).a),
    /ValidatingAdmissionPolicy 'broken' with binding 'b' denied request: expression 'object.spec.missing' resulted in error: No such key: missing/);
});

test('matchConstraints and a binding\'s matchResources select by resource, subresource, namespace labels, object labels and exclusions', async () => {
  const p = policy('limit', { validations: [{ expression: 'false' }], matchConstraints: { ...rules(['deployments']), objectSelector: { matchLabels: { checked: 'yes' } } } });
  const vap = plugin([p], [binding('b', 'limit', { matchResources: { namespaceSelector: { matchLabels: { env: 'prod' } }, excludeResourceRules: rules(['deployments'], 'apps', { resourceNames: ['skip'] }).resourceRules } })]);
  const denied = (o: KubeObject, extra: Partial<AdmissionAttributes> = {}) => vap.validate!(attrs(o, deployments, extra).a).then(() => false, () => true);
  assert.equal(await denied(deployment(1, { checked: 'yes' })), true);
  assert.equal(await denied(deployment(1, { checked: 'no' })), false, 'objectSelector');
  assert.equal(await denied(deployment(1, { checked: 'yes' }, 'dev')), false, 'namespaceSelector of the binding');
  assert.equal(await denied(deployment(1, { checked: 'yes' }), { subresource: 'scale' }), false, '"deployments" does not match deployments/scale');
  assert.equal(await denied(deployment(1, { checked: 'yes' }), { operation: 'DELETE' }), false, 'operations');
  const skip = deployment(1, { checked: 'yes' }); skip.metadata.name = 'skip';
  assert.equal(await denied(skip), false, 'excludeResourceRules with resourceNames');
  assert.equal(await denied({ metadata: { name: 'c', namespace: 'prod', labels: { checked: 'yes' } } }, { def: configmaps }), false, 'another resource');
  // A policy with no binding does nothing.
  await plugin([p], []).validate!(attrs(deployment(1, { checked: 'yes' })).a);
});

test('an expression that fails denies under failurePolicy Fail and is ignored under Ignore; matchConditions gate the policy', async () => {
  const spec = { validations: [{ expression: 'object.spec.missing == 1' }] };
  await rejects(plugin([policy('p', spec)], [binding('b', 'p')]).validate!(attrs(deployment(1)).a), 422,
    `deployments.apps "web" is forbidden: ValidatingAdmissionPolicy 'p' with binding 'b' denied request: expression 'object.spec.missing == 1' resulted in error: No such key: missing`);
  await plugin([policy('p', { ...spec, failurePolicy: 'Ignore' })], [binding('b', 'p')]).validate!(attrs(deployment(1)).a);
  const gated = policy('p', { ...spec, matchConditions: [{ name: 'big', expression: 'object.spec.replicas > 3' }] });
  await plugin([gated], [binding('b', 'p')]).validate!(attrs(deployment(1)).a);
  await assert.rejects(plugin([gated], [binding('b', 'p')]).validate!(attrs(deployment(4)).a));
});

test('variables are evaluated lazily once; request, namespaceObject and oldObject are there', async () => {
  const p = policy('p', {
    variables: [{ name: 'ns', expression: 'namespaceObject.metadata.labels.env' }, { name: 'who', expression: 'request.userInfo.username' }],
    validations: [
      { expression: "variables.ns == 'prod' && variables.who == 'jane' && request.operation == 'UPDATE' && request.kind.kind == 'Deployment'" },
      { expression: 'oldObject.spec.replicas <= object.spec.replicas', message: 'no scaling down' },
    ],
  });
  const vap = plugin([p], [binding('b', 'p')]);
  await vap.validate!(attrs(deployment(3), deployments, { operation: 'UPDATE', oldObject: deployment(2) }).a);
  await rejects(vap.validate!(attrs(deployment(1), deployments, { operation: 'UPDATE', oldObject: deployment(2) }).a), 422,
    `deployments.apps "web" is forbidden: ValidatingAdmissionPolicy 'p' with binding 'b' denied request: no scaling down`);
});

test('params: by name (in the request\'s namespace by default), by selector (each one checked), and parameterNotFoundAction', async () => {
  const cms: KubeObject[] = [
    { metadata: { name: 'limit', namespace: 'prod', labels: { kind: 'limit' } }, data: { max: '3' } },
    { metadata: { name: 'strict', namespace: 'prod', labels: { kind: 'limit' } }, data: { max: '1' } },
  ];
  const paramResource = (apiVersion: string, kind: string) => (apiVersion === 'v1' && kind === 'ConfigMap' ? {
    namespaced: true,
    get: async (ns: string | undefined, name: string) => cms.find((c) => c.metadata.namespace === ns && c.metadata.name === name),
    list: async (ns: string | undefined) => cms.filter((c) => c.metadata.namespace === ns),
  } : undefined);
  const p = policy('p', { paramKind: { apiVersion: 'v1', kind: 'ConfigMap' }, validations: [{ expression: 'object.spec.replicas <= int(params.data.max)', messageExpression: "'max ' + params.data.max" }] });
  const byName = plugin([p], [binding('b', 'p', { paramRef: { name: 'limit', parameterNotFoundAction: 'Deny' } })], { paramResource });
  await byName.validate!(attrs(deployment(3)).a);
  await assert.rejects(byName.validate!(attrs(deployment(4)).a), /denied request: max 3$/);
  await rejects(byName.validate!(attrs(deployment(1, {}, 'dev')).a), 422,
    `deployments.apps "web" is forbidden: ValidatingAdmissionPolicy 'p' with binding 'b' denied request: failed to configure binding: no params found for policy binding with \`Deny\` parameterNotFoundAction`);
  await plugin([p], [binding('b', 'p', { paramRef: { name: 'limit', parameterNotFoundAction: 'Allow' } })], { paramResource }).validate!(attrs(deployment(9, {}, 'dev')).a);
  const bySelector = plugin([p], [binding('b', 'p', { paramRef: { selector: { matchLabels: { kind: 'limit' } }, parameterNotFoundAction: 'Deny' } })], { paramResource });
  await bySelector.validate!(attrs(deployment(1)).a);
  await assert.rejects(bySelector.validate!(attrs(deployment(2)).a), /denied request: max 1$/);
  // A cluster-scoped request cannot default a namespaced param's namespace.
  const nsPolicy = policy('p', { ...p.spec, matchConstraints: rules(['namespaces'], '') });
  await assert.rejects(plugin([nsPolicy], [binding('b', 'p', { paramRef: { name: 'limit', parameterNotFoundAction: 'Deny' } })], { paramResource })
    .validate!(attrs({ metadata: { name: 'x' } }, namespaces).a), /failed to configure binding: cannot use namespaced paramRef in policy binding that matches cluster-scoped resources/);
});

test('the authorizer variable asks the authorizer chain as the requesting user', async () => {
  const asked: unknown[] = [];
  const authorizer = { authorize: (a: any) => { asked.push([a.user.username, a.verb, a.apiGroup, a.resource, a.namespace]); return { decision: a.verb === 'get' ? 'Allow' as const : 'NoOpinion' as const, reason: '' }; } };
  const p = policy('p', { validations: [
    { expression: "authorizer.group('apps').resource('deployments').namespace('prod').check('get').allowed()" },
    { expression: "authorizer.requestResource.check('patch').allowed()", message: 'needs patch' },
  ] });
  await rejects(plugin([p], [binding('b', 'p')], { authorizer }).validate!(attrs(deployment(1)).a), 422,
    `deployments.apps "web" is forbidden: ValidatingAdmissionPolicy 'p' with binding 'b' denied request: needs patch`);
  assert.deepEqual(asked, [['jane', 'get', 'apps', 'deployments', 'prod'], ['jane', 'patch', 'apps', 'deployments', 'prod']]);
});

test('API validation: upstream\'s required fields and messages, compile errors, and Deny with Warn', () => {
  const msgs = (errs: { toString(): string }[]) => errs.map(String);
  const empty: KubeObject = { metadata: { name: 'p' }, spec: {} };
  defaultPolicy(empty);
  assert.deepEqual(msgs(validatePolicy(empty)), [
    'spec.matchConstraints: Required value',
    'spec.validations: Required value: validations or auditAnnotations must contain at least one item',
    'spec.auditAnnotations: Required value: validations or auditAnnotations must contain at least one item',
  ]);
  const bad = policy('p', {
    failurePolicy: 'Sometimes',
    matchConstraints: { resourceRules: [{ apiGroups: ['*', 'apps'], apiVersions: ['v1'], operations: ['CREATE', 'PATCH'], resources: ['*', 'pods'] }] },
    validations: [{ expression: "object.x == 'a' +", reason: 'Teapot' }, { expression: "'a' + 1" }],
    variables: [{ name: 'in', expression: 'true' }],
  });
  assert.deepEqual(msgs(validatePolicy(bad)), [
    'spec.failurePolicy: Unsupported value: "Sometimes": supported values: "Fail", "Ignore"',
    'spec.matchConstraints.resourceRules[0].operations[1]: Unsupported value: "PATCH": supported values: "*", "CONNECT", "CREATE", "DELETE", "UPDATE"',
    'spec.matchConstraints.resourceRules[0].apiGroups: Invalid value: []string{"*", "apps"}: if \'*\' is present, must not specify other API groups',
    'spec.matchConstraints.resourceRules[0].resources: Invalid value: []string{"*", "pods"}: if \'*\' is present, must not specify other resources without subresources',
    'spec.variables[0].name: Invalid value: "in": name is not a valid CEL identifier',
    'spec.validations[0].reason: Unsupported value: "Teapot": supported values: "Forbidden", "Invalid", "RequestEntityTooLarge"',
    'spec.validations[0].expression: Invalid value: "object.x == \'a\' +": compilation failed: ERROR: <input>:1:18: Unexpected token: EOF',
    'spec.validations[1].expression: Invalid value: "\'a\' + 1": compilation failed: ERROR: <input>:1:1: no such overload: string + int',
  ]);
  assert.deepEqual(msgs(validatePolicy(policy('p', { validations: [{ expression: 'params.max > 1' }] }))),
    ['spec.validations[0].expression: Invalid value: "params.max > 1": compilation failed: ERROR: <input>:1:1: undeclared reference to \'params\' (in container \'\')'],
    'params exist only with a paramKind');
  assert.deepEqual(msgs(validateBinding({ metadata: { name: 'b' }, spec: { policyName: 'p', validationActions: ['Deny', 'Warn'], paramRef: { name: 'x' } } })), [
    'spec.paramRef.parameterNotFoundAction: Required value',
    'spec.validationActions: Invalid value: []admissionregistration.ValidationAction{"Deny", "Warn"}: must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)',
  ]);
  assert.deepEqual(msgs(validateBinding({ metadata: { name: 'b' }, spec: {} })), ['spec.policyName: Required value', 'spec.validationActions: Required value: at least one validation action is required']);
});

test('DELETE: object is null and oldObject is the stored object', async () => {
  const p = policy('keep', { matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['DELETE'], resources: ['configmaps'] }] },
    validations: [{ expression: "object == null && !(oldObject.metadata.?labels.protected.orValue('') == 'true')", message: 'protected' }] });
  const cm = (labels: Record<string, string>): KubeObject => ({ metadata: { name: 'c', namespace: 'prod', labels } });
  const vap = plugin([p], [binding('b', 'keep')]);
  const del = (o: KubeObject) => attrs(o, configmaps, { operation: 'DELETE', oldObject: o }).a;
  await vap.validate!(del(cm({})));
  await rejects(vap.validate!(del(cm({ protected: 'true' }))), 422, `configmaps "c" is forbidden: ValidatingAdmissionPolicy 'keep' with binding 'b' denied request: protected`);
});
