import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowTap, type FlowBatch } from './tap.js';
import { participantOf, parseStorageKey } from './participants.js';

test('a tap nobody subscribes to is inactive and keeps nothing', () => {
  const tap = new FlowTap();
  assert.equal(tap.active, false);
  tap.write('create', '/registry/pods/default/web-1', 5);
  assert.equal(tap.active, false);
});

test('a subscriber gets events in batches, the overflow counted per edge, and the tap goes inactive when it leaves', async () => {
  const tap = new FlowTap();
  const ac = new AbortController();
  const it = tap.subscribe({ signal: ac.signal, batchMs: 20, maxPerBatch: 3 })[Symbol.asyncIterator]();
  const first = it.next();
  assert.equal(tap.active, true);
  for (let i = 0; i < 10; i++) tap.write('create', `/registry/pods/default/web-${i}`, 10 + i);
  const { value } = await first as { value: FlowBatch };
  assert.deepEqual(value.events.map((e) => e.name), ['web-0', 'web-1', 'web-2']);
  assert.deepEqual(value.events[0].from, { kind: 'apiserver' });
  assert.deepEqual(value.events[0].to, { kind: 'store' });
  assert.deepEqual(value.dropped, [{ kind: 'write', from: 'apiserver', to: 'store', verb: 'create', resource: 'pods', count: 7 }]);
  const pending = it.next();
  ac.abort();
  assert.equal((await pending).done, true);
  assert.equal(tap.active, false);
});

test('callers are named after the identity they authenticated as', () => {
  const sa = (name: string) => ({ username: `system:serviceaccount:kube-system:${name}`, groups: [] });
  assert.deepEqual(participantOf({ username: 'system:kube-scheduler', groups: [] }, undefined), { kind: 'scheduler' });
  assert.deepEqual(participantOf(sa('replicaset-controller'), undefined), { kind: 'controller-manager', controller: 'replicaset-controller' });
  assert.deepEqual(participantOf({ username: 'system:node:worker-1', groups: ['system:nodes'] }, 'kubelet/v1.32.2'), { kind: 'kubelet', node: 'worker-1' });
  assert.deepEqual(participantOf(sa('coredns'), undefined), { kind: 'dns' });
  assert.deepEqual(participantOf({ username: 'kubernetes-admin', groups: ['system:masters'] }, 'kubectl/v1.32.2 (linux/amd64) kubernetes/67a30c0'), { kind: 'kubectl' });
  assert.deepEqual(participantOf({ username: 'jane', groups: [] }, 'python-requests'), { kind: 'client' });
});

test('storage keys name group, resource, namespace and name', () => {
  assert.deepEqual(parseStorageKey('/registry/pods/default/web'), { group: undefined, resource: 'pods', namespace: 'default', name: 'web' });
  assert.deepEqual(parseStorageKey('/registry/nodes/n1'), { group: undefined, resource: 'nodes', name: 'n1' });
  assert.deepEqual(parseStorageKey('/registry/apps/deployments/default/web'), { group: 'apps', resource: 'deployments', namespace: 'default', name: 'web' });
  assert.deepEqual(parseStorageKey('/registry/rbac.authorization.k8s.io/clusterroles/view'), { group: 'rbac.authorization.k8s.io', resource: 'clusterroles', name: 'view' });
});
