import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeGraph, nodeAuthorizer } from './node.js';
import type { AuthorizationAttributes } from './authorizer.js';

const kubelet = (n: string) => ({ username: `system:node:${n}`, groups: ['system:nodes', 'system:authenticated'] });
const pod = (name: string, node: string, spec: any = {}) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns' }, spec: { nodeName: node, containers: [{ name: 'c' }], ...spec } });
const nodeRules = () => [{ apiGroups: [''], resources: ['pods', 'nodes'], verbs: ['get', 'list', 'watch', 'patch', 'update'] }, { apiGroups: [''], resources: ['pods/status', 'nodes/status'], verbs: ['patch', 'update'] }, { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'update', 'create'] }];
const a = (node: string, verb: string, resource: string, o: Partial<AuthorizationAttributes> = {}): AuthorizationAttributes =>
  ({ user: kubelet(node), verb, resourceRequest: true, apiGroup: '', resource, namespace: 'ns', ...o });

function setup() {
  const g = new NodeGraph();
  g.apply('ADDED', pod('p1', 'n1', { volumes: [{ name: 'v', secret: { secretName: 's1' } }, { name: 'p', projected: { sources: [{ configMap: { name: 'kube-root-ca.crt' } }] } }], serviceAccountName: 'app' }) as any);
  g.apply('ADDED', pod('p2', 'n2', { containers: [{ name: 'c', envFrom: [{ secretRef: { name: 's2' } }] }] }) as any);
  return { g, z: nodeAuthorizer(g, nodeRules) };
}

test('a kubelet gets the Secrets and ConfigMaps its pods use, and no other', () => {
  const { z } = setup();
  assert.equal(z.authorize(a('n1', 'get', 'secrets', { name: 's1' })).decision, 'Allow');
  assert.equal(z.authorize(a('n1', 'get', 'configmaps', { name: 'kube-root-ca.crt' })).decision, 'Allow');
  const other = z.authorize(a('n1', 'get', 'secrets', { name: 's2' }));
  assert.equal(other.decision, 'NoOpinion');
  assert.equal(other.reason, "no relationship found between node 'n1' and this object");
  assert.equal(z.authorize(a('n2', 'get', 'secrets', { name: 's2' })).decision, 'Allow');
  assert.equal(z.authorize(a('n1', 'list', 'secrets')).decision, 'NoOpinion');
  // A watch of one named object (the kubelet's watch-based managers: fieldSelector metadata.name=...).
  assert.equal(z.authorize(a('n1', 'watch', 'configmaps', { name: 'kube-root-ca.crt' })).decision, 'Allow');
  assert.equal(z.authorize(a('n1', 'list', 'secrets', { name: 's1' })).decision, 'Allow');
  assert.equal(z.authorize(a('n1', 'watch', 'secrets', { name: 's2' })).decision, 'NoOpinion');
  assert.equal(z.authorize(a('n1', 'update', 'secrets', { name: 's1' })).decision, 'NoOpinion');
  assert.equal(z.authorize(a('n1', 'create', 'serviceaccounts', { subresource: 'token', name: 'app' })).decision, 'Allow');
  assert.equal(z.authorize(a('n2', 'create', 'serviceaccounts', { subresource: 'token', name: 'app' })).decision, 'NoOpinion');
});

test('a kubelet reads and updates the status of its own pods, its own Node and its own Lease only', () => {
  const { z, g } = setup();
  assert.equal(z.authorize(a('n1', 'patch', 'pods', { name: 'p1', subresource: 'status' })).decision, 'Allow');
  assert.equal(z.authorize(a('n1', 'patch', 'pods', { name: 'p2', subresource: 'status' })).decision, 'NoOpinion');
  assert.equal(z.authorize(a('n1', 'get', 'pods', { name: 'p2' })).decision, 'NoOpinion');
  assert.equal(z.authorize(a('n1', 'patch', 'nodes', { namespace: undefined, name: 'n1', subresource: 'status' })).decision, 'Allow');
  assert.equal(z.authorize(a('n1', 'patch', 'nodes', { namespace: undefined, name: 'n2', subresource: 'status' })).decision, 'NoOpinion');
  assert.equal(z.authorize(a('n1', 'update', 'leases', { apiGroup: 'coordination.k8s.io', namespace: 'kube-node-lease', name: 'n1' })).decision, 'Allow');
  assert.equal(z.authorize(a('n1', 'update', 'leases', { apiGroup: 'coordination.k8s.io', namespace: 'kube-node-lease', name: 'n2' })).decision, 'NoOpinion');
  // A pod moving away (deleted and recreated elsewhere) takes its Secrets with it.
  g.apply('DELETED', pod('p1', 'n1') as any);
  assert.equal(z.authorize(a('n1', 'get', 'secrets', { name: 's1' })).decision, 'NoOpinion');
});

test('users that are not kubelets get no opinion (RBAC decides)', () => {
  const { z } = setup();
  assert.equal(z.authorize({ ...a('n1', 'get', 'secrets', { name: 's2' }), user: { username: 'system:node:n1', groups: ['system:authenticated'] } }).decision, 'NoOpinion');
  assert.equal(z.authorize({ ...a('n1', 'get', 'secrets', { name: 's2' }), user: { username: 'jane', groups: ['system:nodes'] } }).reason, '');
});
