// ValidatingAdmissionPolicy with CEL as a user of the real kubectl 1.32 sees it: a policy and a binding applied,
// a Deployment over the limit refused with upstream's message, a Warn binding's message printed as a warning while
// the write succeeds, a policy parameterized by a ConfigMap (paramKind + paramRef), `kubectl get` columns, and a
// policy whose expression does not compile refused at create.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster } from './helpers/cluster.js';
import { until } from './helpers/until.js';

const policy = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: { name: demo-policy.example.com }
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups: ["apps"]
      apiVersions: ["v1"]
      operations: ["CREATE", "UPDATE"]
      resources: ["deployments"]
  validations:
  - expression: "object.spec.replicas <= 5"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: { name: demo-binding-test.example.com }
spec:
  policyName: demo-policy.example.com
  validationActions: [Deny]
  matchResources:
    namespaceSelector:
      matchLabels: { environment: test }
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: { name: demo-binding-warn }
spec:
  policyName: demo-policy.example.com
  validationActions: [Warn]
  matchResources: { namespaceSelector: { matchLabels: { environment: test } } }
`;

const warnPolicy = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: { name: require-team-label }
spec:
  matchConstraints:
    resourceRules:
    - { apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["configmaps"] }
  matchConditions:
  - name: not-kube-root-ca
    expression: "object.metadata.name != 'kube-root-ca.crt'"
  variables:
  - name: team
    expression: "object.metadata.?labels.team.orValue('')"
  validations:
  - expression: "variables.team != ''"
    messageExpression: "'configmap ' + object.metadata.name + ' has no team label'"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: { name: require-team-label-warn }
spec:
  policyName: require-team-label
  validationActions: [Warn]
  matchResources:
    namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: warned } }
`;

const paramsPolicy = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: { name: replica-limit }
spec:
  paramKind: { apiVersion: v1, kind: ConfigMap }
  matchConstraints:
    resourceRules:
    - { apiGroups: ["apps"], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["deployments"] }
  validations:
  - expression: "object.spec.replicas <= int(params.data.maxReplicas)"
    messageExpression: "'object.spec.replicas must be no greater than ' + params.data.maxReplicas"
    reason: Forbidden
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: { name: replica-limit-limited }
spec:
  policyName: replica-limit
  validationActions: [Deny]
  paramRef: { name: replica-limit, namespace: limits, parameterNotFoundAction: Deny }
  matchResources:
    namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: limited } }
`;

test('kubectl: a ValidatingAdmissionPolicy denies with upstream\'s message, Warn prints a warning, params come from a ConfigMap', async (t) => {
  const c = await startTestCluster(t, { components: false });
  const ok = async (args: string[], input?: string) => {
    const r = await c.kubectl(args, input === undefined ? {} : { input });
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  await ok(['create', 'namespace', 'test']);
  await ok(['label', 'namespace', 'test', 'environment=test']);
  await ok(['apply', '-f', '-'], policy);

  // Until the plugin's watch has the bindings, the write may pass: wait for the denial (upstream behaves the same).
  // The Warn binding's warning comes with the Deny binding's refusal.
  const denied = await until('the policy to deny', async () => {
    const r = await c.kubectl(['create', 'deployment', 'nginx', '-n', 'test', '--image=nginx', '--replicas=6', '--dry-run=server']);
    return r.code !== 0 && r.stderr.includes('Warning') ? r : undefined;
  });
  assert.equal(denied.stderr.trim(),
    'Warning: Validation failed for ValidatingAdmissionPolicy \'demo-policy.example.com\' with binding \'demo-binding-warn\': failed expression: object.spec.replicas <= 5\n'
    + 'error: failed to create deployment: deployments.apps "nginx" is forbidden: ValidatingAdmissionPolicy \'demo-policy.example.com\' with binding \'demo-binding-test.example.com\' denied request: failed expression: object.spec.replicas <= 5');
  const applied = await c.kubectl(['apply', '-n', 'test', '-f', '-'], { input: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\nspec: { replicas: 7, selector: { matchLabels: { a: b } }, template: { metadata: { labels: { a: b } }, spec: { containers: [ { name: c, image: nginx } ] } } }\n' });
  assert.notEqual(applied.code, 0);
  assert.match(applied.stderr, /The deployments "web" is invalid: : ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding-test.example.com' denied request: failed expression: object.spec.replicas <= 5/);
  await ok(['create', 'deployment', 'nginx', '-n', 'test', '--image=nginx', '--replicas=3']);
  // Other namespaces are not selected by the binding.
  await ok(['create', 'deployment', 'nginx', '-n', 'default', '--image=nginx', '--replicas=6']);
  // As upstream: the rule names "deployments", not "deployments/scale", so kubectl scale is not checked.
  await ok(['scale', 'deployment', 'nginx', '-n', 'test', '--replicas=9']);

  await ok(['create', 'namespace', 'warned']);
  await ok(['apply', '-f', '-'], warnPolicy);
  const warned = await until('the Warn binding to warn', async () => {
    const r = await ok(['create', 'configmap', `cm-${Date.now()}`, '-n', 'warned']);
    return r.stderr.includes('Validation failed') ? r : undefined;
  });
  assert.match(warned.stderr, /^Warning: Validation failed for ValidatingAdmissionPolicy 'require-team-label' with binding 'require-team-label-warn': configmap cm-\d+ has no team label$/m);
  const labelled = await ok(['apply', '-n', 'warned', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: labelled, labels: { team: a } }\n');
  assert.doesNotMatch(labelled.stderr, /Warning/);

  await ok(['create', 'namespace', 'limits']);
  await ok(['create', 'namespace', 'limited']);
  await ok(['apply', '-f', '-'], paramsPolicy);
  const missing = await until('the params binding to apply', async () => {
    const r = await c.kubectl(['create', 'deployment', 'a', '-n', 'limited', '--image=nginx', '--replicas=2']);
    return r.code !== 0 ? r : undefined;
  });
  assert.match(missing.stderr, /ValidatingAdmissionPolicy 'replica-limit' with binding 'replica-limit-limited' denied request: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction/);
  await ok(['create', 'configmap', 'replica-limit', '-n', 'limits', '--from-literal=maxReplicas=3']);
  await ok(['create', 'deployment', 'a', '-n', 'limited', '--image=nginx', '--replicas=2']);
  const over = await c.kubectl(['create', 'deployment', 'b', '-n', 'limited', '--image=nginx', '--replicas=4']);
  assert.notEqual(over.code, 0);
  assert.match(over.stderr, /deployments.apps "b" is forbidden: ValidatingAdmissionPolicy 'replica-limit' with binding 'replica-limit-limited' denied request: object.spec.replicas must be no greater than 3/);
  const forbidden = await c.request('POST', '/apis/apps/v1/namespaces/limited/deployments', { body: {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'c' },
    spec: { replicas: 4, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } } });
  assert.equal(forbidden.status, 403);
  assert.equal(forbidden.body.reason, 'Forbidden');
  assert.deepEqual(forbidden.body.details, { name: 'c', group: 'apps', kind: 'deployments',
    causes: [{ message: "ValidatingAdmissionPolicy 'replica-limit' with binding 'replica-limit-limited' denied request: object.spec.replicas must be no greater than 3" }] });

  const policies = await ok(['get', 'validatingadmissionpolicies']);
  assert.match(policies.stdout, /^NAME\s+VALIDATIONS\s+PARAMKIND\s+AGE$/m);
  assert.match(policies.stdout, /^replica-limit\s+1\s+v1\/ConfigMap\s+\S+$/m);
  assert.match(policies.stdout, /^demo-policy.example.com\s+1\s+<unset>\s+\S+$/m);
  const bindings = await ok(['get', 'validatingadmissionpolicybindings']);
  assert.match(bindings.stdout, /^NAME\s+POLICYNAME\s+PARAMREF\s+AGE$/m);
  assert.match(bindings.stdout, /^replica-limit-limited\s+replica-limit\s+limits\/replica-limit\s+\S+$/m);
  const defaulted = JSON.parse((await ok(['get', 'validatingadmissionpolicy', 'demo-policy.example.com', '-o', 'json'])).stdout);
  assert.equal(defaulted.spec.failurePolicy, 'Fail');
  assert.deepEqual(defaulted.spec.matchConstraints, { matchPolicy: 'Equivalent', namespaceSelector: {}, objectSelector: {},
    resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'], scope: '*' }] });

  const broken = await c.kubectl(['apply', '-f', '-'], { input: policy.split('---')[0].replace('demo-policy.example.com', 'broken').replace('object.spec.replicas <= 5', 'object.spec.replicas <=') });
  assert.notEqual(broken.code, 0);
  assert.match(broken.stderr, /The ValidatingAdmissionPolicy "broken" is invalid: spec.validations\[0\].expression: Invalid value: "object.spec.replicas <=": compilation failed: ERROR: <input>:1:\d+: /);
});
