import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PolicyCache } from './policy-cache.js';
import { rbacAuthorizer } from './authorizer.js';
import { covers } from './rules.js';
import { forbiddenMessage, type AuthorizationAttributes } from '../authorizer.js';
import type { KubeObject } from '../../../api/object.js';

const role = (name: string, rules: any[], namespace?: string): KubeObject => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: namespace ? 'Role' : 'ClusterRole', metadata: { name, namespace }, rules });
const binding = (name: string, roleRef: { kind: string; name: string }, subjects: any[], namespace?: string): KubeObject =>
  ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: namespace ? 'RoleBinding' : 'ClusterRoleBinding', metadata: { name, namespace }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...roleRef }, subjects });

function policy(): PolicyCache {
  const p = new PolicyCache();
  p.apply('clusterroles', 'ADDED', role('view', [{ apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get', 'list', 'watch'] }]));
  p.apply('clusterroles', 'ADDED', role('scale-all', [{ apiGroups: ['*'], resources: ['*/scale'], verbs: ['get'] }]));
  p.apply('clusterroles', 'ADDED', role('health', [{ nonResourceURLs: ['/healthz', '/readyz/*'], verbs: ['get'] }]));
  p.apply('roles', 'ADDED', role('cm-one', [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['settings'], verbs: ['*'] }], 'team-a'));
  p.apply('rolebindings', 'ADDED', binding('devs-view', { kind: 'ClusterRole', name: 'view' }, [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'devs' }], 'team-a'));
  p.apply('rolebindings', 'ADDED', binding('ci-cm', { kind: 'Role', name: 'cm-one' }, [{ kind: 'ServiceAccount', name: 'ci' }], 'team-a'));
  p.apply('clusterrolebindings', 'ADDED', binding('ops-scale', { kind: 'ClusterRole', name: 'scale-all' }, [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'ops' }]));
  p.apply('clusterrolebindings', 'ADDED', binding('health', { kind: 'ClusterRole', name: 'health' }, [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'system:authenticated' }]));
  return p;
}

const jane = { username: 'jane', groups: ['devs', 'system:authenticated'] };
const ci = { username: 'system:serviceaccount:team-a:ci', groups: ['system:serviceaccounts', 'system:serviceaccounts:team-a', 'system:authenticated'] };
const res = (user: typeof jane, verb: string, resource: string, o: Partial<AuthorizationAttributes> = {}): AuthorizationAttributes =>
  ({ user, verb, resourceRequest: true, apiGroup: '', resource, namespace: 'team-a', ...o });

test('a RoleBinding to a ClusterRole grants its rules in that namespace only, to members of the bound group', () => {
  const z = rbacAuthorizer(policy());
  assert.equal(z.authorize(res(jane, 'list', 'pods')).decision, 'Allow');
  assert.match(z.authorize(res(jane, 'get', 'pods')).reason, /RBAC: allowed by RoleBinding "devs-view\/team-a" of ClusterRole "view" to Group "devs"/);
  assert.equal(z.authorize(res(jane, 'delete', 'pods')).decision, 'NoOpinion');
  assert.equal(z.authorize(res(jane, 'list', 'pods', { namespace: 'team-b' })).decision, 'NoOpinion');
  assert.equal(z.authorize(res(jane, 'list', 'pods', { namespace: undefined })).decision, 'NoOpinion');
  assert.equal(z.authorize(res({ username: 'bob', groups: ['system:authenticated'] }, 'list', 'pods')).decision, 'NoOpinion');
});

test('subresources match by their full name, and */scale matches the scale subresource of any resource', () => {
  const z = rbacAuthorizer(policy());
  assert.equal(z.authorize(res(jane, 'get', 'pods', { subresource: 'log', name: 'x' })).decision, 'Allow');
  assert.equal(z.authorize(res(jane, 'get', 'pods', { subresource: 'exec', name: 'x' })).decision, 'NoOpinion');
  const ops = { username: 'ops', groups: ['system:authenticated'] };
  assert.equal(z.authorize(res(ops, 'get', 'deployments', { apiGroup: 'apps', subresource: 'scale', name: 'web' })).decision, 'Allow');
  assert.equal(z.authorize(res(ops, 'get', 'deployments', { apiGroup: 'apps', name: 'web' })).decision, 'NoOpinion');
});

test('resourceNames restrict a rule to named objects; a ServiceAccount subject is matched by its username', () => {
  const z = rbacAuthorizer(policy());
  assert.equal(z.authorize(res(ci, 'update', 'configmaps', { name: 'settings' })).decision, 'Allow');
  assert.equal(z.authorize(res(ci, 'update', 'configmaps', { name: 'other' })).decision, 'NoOpinion');
  assert.equal(z.authorize(res(ci, 'list', 'configmaps')).decision, 'NoOpinion');
});

test('non-resource URLs match exactly or by a trailing *', () => {
  const z = rbacAuthorizer(policy());
  const path = (p: string): AuthorizationAttributes => ({ user: jane, verb: 'get', resourceRequest: false, path: p });
  assert.equal(z.authorize(path('/healthz')).decision, 'Allow');
  assert.equal(z.authorize(path('/readyz/etcd')).decision, 'Allow');
  assert.equal(z.authorize(path('/metrics')).decision, 'NoOpinion');
});

test('the rules a user holds in a namespace are listed (SelfSubjectRulesReview); a binding to a missing role makes them incomplete', () => {
  const p = policy();
  p.apply('rolebindings', 'ADDED', binding('dangling', { kind: 'Role', name: 'gone' }, [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'jane' }], 'team-a'));
  const r = rbacAuthorizer(p).rulesFor(jane, 'team-a');
  assert.deepEqual(r.resourceRules, [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods', 'pods/log'] }]);
  assert.deepEqual(r.nonResourceRules, [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/readyz/*'] }]);
  assert.equal(r.incomplete, true);
  assert.match(r.evaluationError!, /role.rbac.authorization.k8s.io "gone" not found/);
});

test('covers: what is held covers what is granted, rule atom by atom', () => {
  const held = [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }, { apiGroups: ['apps'], resources: ['*'], verbs: ['*'] }];
  assert.equal(covers(held, [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }]).ok, true);
  assert.equal(covers(held, [{ apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['update'] }]).ok, true);
  const miss = covers(held, [{ apiGroups: [''], resources: ['pods', 'secrets'], verbs: ['get'] }]);
  assert.deepEqual(miss.missing, [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }]);
  assert.equal(covers([{ apiGroups: [''], resources: ['pods'], verbs: ['get'], resourceNames: ['a'] }], [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }]).ok, false);
});

test('forbidden messages read as upstream\'s', () => {
  assert.equal(forbiddenMessage(res(ci, 'delete', 'pods', { name: 'x' })), 'User "system:serviceaccount:team-a:ci" cannot delete resource "pods" in API group "" in the namespace "team-a"');
  assert.equal(forbiddenMessage(res(jane, 'list', 'nodes', { namespace: undefined })), 'User "jane" cannot list resource "nodes" in API group "" at the cluster scope');
  assert.equal(forbiddenMessage(res(jane, 'get', 'deployments', { apiGroup: 'apps', subresource: 'scale' })), 'User "jane" cannot get resource "deployments/scale" in API group "apps" in the namespace "team-a"');
  assert.equal(forbiddenMessage({ user: jane, verb: 'get', resourceRequest: false, path: '/metrics' }), 'User "jane" cannot get path "/metrics"');
});

test('a decision asked again answers the same, names and subresources kept apart, until the policy changes', () => {
  const p = policy();
  const z = rbacAuthorizer(p);
  const path = (v: string): AuthorizationAttributes => ({ user: jane, verb: 'get', resourceRequest: false, path: v });
  for (let i = 0; i < 2; i++) {
    assert.equal(z.authorize(res(ci, 'update', 'configmaps', { name: 'settings' })).decision, 'Allow');
    assert.equal(z.authorize(res(ci, 'update', 'configmaps', { name: 'other' })).decision, 'NoOpinion');
    assert.equal(z.authorize(res(ci, 'update', 'configmaps')).decision, 'NoOpinion');
    assert.equal(z.authorize(res(jane, 'get', 'pods', { subresource: 'log', name: 'x' })).decision, 'Allow');
    assert.equal(z.authorize(res(jane, 'get', 'pods', { subresource: 'exec', name: 'x' })).decision, 'NoOpinion');
    assert.equal(z.authorize(res(jane, 'get', 'pods', { name: 'y' })).decision, 'Allow');
    assert.equal(z.authorize(res(jane, 'get', 'pods', { namespace: 'team-b', name: 'y' })).decision, 'NoOpinion');
    assert.equal(z.authorize(path('/healthz')).decision, 'Allow');
    assert.equal(z.authorize(path('/metrics')).decision, 'NoOpinion');
    assert.equal(z.authorize(res({ ...jane, groups: ['system:authenticated'] }, 'get', 'pods', { name: 'y' })).decision, 'NoOpinion', 'the same name with other groups');
  }
  p.apply('rolebindings', 'DELETED', binding('devs-view', { kind: 'ClusterRole', name: 'view' }, [], 'team-a'));
  assert.equal(z.authorize(res(jane, 'get', 'pods', { name: 'y' })).decision, 'NoOpinion');
});
