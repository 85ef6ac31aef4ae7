// The ValidatingAdmissionPolicy status controller: a policy gets status.observedGeneration (and an empty
// typeChecking) for its current generation, and is written again only when its generation moves on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { discardLog } from '../../client/log.js';
import { FakeCluster, waitUntil } from '../shared/testing.js';
import { startValidatingAdmissionPolicyStatusController } from './index.js';

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
