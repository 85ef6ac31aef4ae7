// The ValidatingAdmissionPolicy status controller: a policy gets status.observedGeneration (and its typeChecking)
// for its current generation, and is written again only when its generation moves on; type checking warns about
// fields the matched kinds do not have, in upstream's form.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { discardLog } from '../../client/log.js';
import { FakeCluster, waitUntil } from '../shared/testing.js';
import { loadSchemaModel } from '../../api/schema/index.js';
import { desiredStatus, startValidatingAdmissionPolicyStatusController } from './index.js';

test('a policy\'s status follows its generation', async (t) => {
  const c = new FakeCluster();
  const ac = new AbortController();
  const done = startValidatingAdmissionPolicyStatusController({ client: c.client, informers: c.informers, clock: c.clock, signal: ac.signal, log: discardLog });
  t.after(async () => { ac.abort(); await done; });
  const group = 'admissionregistration.k8s.io';
  c.api.put(group, 'validatingadmissionpolicies', { metadata: { name: 'p', generation: 1 }, spec: {} });
  const status = () => c.api.peek(group, 'validatingadmissionpolicies', undefined, 'p')?.status;
  await waitUntil(() => status()?.observedGeneration === 1, 'observedGeneration 1');
  assert.deepEqual(status(), { observedGeneration: 1, typeChecking: {} });
  c.api.put(group, 'validatingadmissionpolicies', { ...c.api.peek(group, 'validatingadmissionpolicies', undefined, 'p'), metadata: { name: 'p', generation: 2 } });
  await waitUntil(() => status()?.observedGeneration === 2, 'observedGeneration 2');
});

test('type checking: a field the matched kinds\' schemas do not have is an expression warning in upstream\'s form', () => {
  const policy = { metadata: { name: 'p', generation: 1 }, spec: {
    paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
    matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['deployments', 'replicasets'] }] },
    validations: [
      { expression: 'object.spec.replicas <= int(params.data.max) && object.metadata.labels.app == "x"' },
      { expression: 'has(object.spec.replicase) || object.spec.template.spec.containers.all(c, c.image != "")', messageExpression: 'params.dta.max' },
    ],
  } };
  assert.deepEqual(desiredStatus(policy, loadSchemaModel()), { observedGeneration: 1, typeChecking: { expressionWarnings: [
    { fieldRef: 'spec.validations[1].expression', warning: "apps/v1, Kind=Deployment: ERROR: <input>:1:16: undefined field 'replicase'\n | has(object.spec.replicase) || object.spec.template.spec.containers.all(c, c.image != \"\")\n | ...............^\n"
      + "apps/v1, Kind=ReplicaSet: ERROR: <input>:1:16: undefined field 'replicase'\n | has(object.spec.replicase) || object.spec.template.spec.containers.all(c, c.image != \"\")\n | ...............^" },
    { fieldRef: 'spec.validations[1].messageExpression', warning: "v1, Kind=ConfigMap: ERROR: <input>:1:7: undefined field 'dta'\n | params.dta.max\n | ......^" },
  ] } });
});
