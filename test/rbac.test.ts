// RBAC and the Node authorizer through the real kubectl: the admin may do anything; a person with a client
// certificate (jane, group devs) is Forbidden, with upstream's message, until a RoleBinding to `view` exists, and then
// may list but not delete; `kubectl auth can-i` answers for impersonated users and lists a service account's rules;
// granting more than one holds is refused; a kubelet's credentials cannot read the Secret of a pod on another node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startTestCluster, kubectlOk, type TestCluster } from './helpers/cluster.js';
import { until } from './helpers/until.js';
import { issueClientCertificate, readClusterPki } from '../src/pki/index.js';
import { writeKubeconfigEntry } from '../src/cli/kubeconfig.js';

async function kubeconfigFor(c: TestCluster, user: string, groups: string[]): Promise<string> {
  const pki = readClusterPki(join(c.home, 'pki'))!;
  const pair = await issueClientCertificate(pki.ca, { user, groups });
  const path = join(c.home, `kubeconfig-${user.replace(/[^a-z0-9-]/gi, '_')}`);
  writeKubeconfigEntry({ path, name: 'nanokube', server: c.url, ca: pki.caCert, cert: pair.cert, key: pair.key });
  return path;
}

test('RBAC: Forbidden until bound, view lists but cannot delete, can-i, escalation refused, nodes see only their own pods\' Secrets', async (t) => {
  const c = await startTestCluster(t, { simulatedNodes: 2 });
  const k = async (args: string[], input?: string) => c.kubectl(args, input === undefined ? {} : { input });
  const ok = (args: string[], input?: string) => kubectlOk(c, args, input);

  // The admin (kubernetes-admin, system:masters) may do anything.
  assert.equal((await ok(['auth', 'can-i', '*', '*', '--all-namespaces'])).trim(), 'yes');
  await ok(['create', 'namespace', 'team-a']);
  await ok(['create', 'namespace', 'team-b']);

  // jane (group devs) authenticates with a certificate signed by the cluster CA, and may do nothing yet.
  const jane = await kubeconfigFor(c, 'jane', ['devs']);
  const asJane = (args: string[]) => k(['--kubeconfig', jane, ...args]);
  let r = await asJane(['get', 'pods', '-n', 'team-a']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /Error from server \(Forbidden\): pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "team-a"/);

  await ok(['create', 'rolebinding', 'devs-view', '--clusterrole=view', '--group=devs', '-n', 'team-a']);
  await ok(['run', 'x', '--image=nginx', '-n', 'team-a']);
  await until('jane may list pods in team-a', async () => (await asJane(['get', 'pods', '-n', 'team-a'])).code === 0);
  r = await asJane(['get', 'pods', '-n', 'team-a', '-o', 'name']);
  assert.match(r.stdout, /pod\/x/);
  r = await asJane(['delete', 'pod', 'x', '-n', 'team-a']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /Error from server \(Forbidden\): pods "x" is forbidden: User "jane" cannot delete resource "pods" in API group "" in the namespace "team-a"/);
  // Outside team-a the binding gives nothing.
  assert.match((await asJane(['get', 'pods', '-n', 'team-b'])).stderr, /pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "team-b"/);

  // kubectl auth can-i with impersonation (the admin may impersonate anyone).
  r = await k(['auth', 'can-i', 'create', 'deployments', '--as=jane', '--as-group=devs', '-n', 'team-a']);
  assert.equal(r.stdout.trim(), 'no');
  assert.equal(r.code, 1);
  assert.equal((await ok(['auth', 'can-i', 'list', 'pods', '--as=jane', '--as-group=devs', '-n', 'team-a'])).trim(), 'yes');
  // jane herself may not impersonate.
  r = await asJane(['get', 'pods', '-n', 'team-a', '--as=bob']);
  assert.match(r.stderr, /users "bob" is forbidden: User "jane" cannot impersonate resource "users" in API group "" at the cluster scope/);

  // A service account's rules in its namespace, as `kubectl auth can-i --list` prints them.
  await ok(['create', 'serviceaccount', 'ci', '-n', 'team-a']);
  await ok(['create', 'rolebinding', 'ci-view', '--clusterrole=view', '--serviceaccount=team-a:ci', '-n', 'team-a']);
  const list = await until('ci\'s rules include view', async () => {
    const out = await ok(['auth', 'can-i', '--list', '--as=system:serviceaccount:team-a:ci', '-n', 'team-a']);
    return /^pods\s+\[\]\s+\[\]\s+\[get list watch\]$/m.test(out) && out;
  });
  assert.match(list, /^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs$/m);
  assert.match(list, /^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$/m);
  assert.match(list, /^\s+\[\/api\/\*\]\s+\[\]\s+\[get\]$/m);
  assert.match(list, /^deployments\.apps\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
  assert.doesNotMatch(list, /^secrets\s/m);

  // Escalation: admin of team-b may bind roles there, but not one granting more than jane holds.
  await ok(['create', 'rolebinding', 'jane-admin', '--clusterrole=admin', '--user=jane', '-n', 'team-b']);
  await until('jane is admin in team-b', async () => (await asJane(['get', 'rolebindings', '-n', 'team-b'])).code === 0);
  r = await asJane(['create', 'rolebinding', 'grab', '--clusterrole=cluster-admin', '--user=jane', '-n', 'team-b']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /rolebindings\.rbac\.authorization\.k8s\.io "grab" is forbidden: user "jane" \(groups=\["devs" "system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:/);
  r = await asJane(['create', 'role', 'nodes-reader', '--verb=get', '--resource=nodes', '-n', 'team-b']);
  assert.match(r.stderr, /roles\.rbac\.authorization\.k8s\.io "nodes-reader" is forbidden: user "jane" .* is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\[""\], Resources:\["nodes"\], Verbs:\["get"\]\}/);
  // What she holds she may grant.
  await ok(['--kubeconfig', jane, 'create', 'role', 'pod-reader', '--verb=get', '--resource=pods', '-n', 'team-b']);

  // A kubelet reads the Secret of a pod on its node, never that of a pod on another node.
  const [n0, n1] = ['sim-node-0', 'sim-node-1'];
  for (const [n, s] of [[n0, 's0'], [n1, 's1']]) {
    await ok(['create', 'secret', 'generic', s, '--from-literal=k=v', '-n', 'team-a']);
    await ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: `uses-${s}`, namespace: 'team-a' },
      spec: { nodeName: n, containers: [{ name: 'c', image: 'nginx', env: [{ name: 'K', valueFrom: { secretKeyRef: { name: s, key: 'k' } } }] }] },
    }));
  }
  const kubelet = await kubeconfigFor(c, `system:node:${n0}`, ['system:nodes']);
  await until('the kubelet of sim-node-0 reads s0', async () => (await k(['--kubeconfig', kubelet, 'get', 'secret', 's0', '-n', 'team-a'])).code === 0);
  r = await k(['--kubeconfig', kubelet, 'get', 'secret', 's1', '-n', 'team-a']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /secrets "s1" is forbidden: User "system:node:sim-node-0" cannot get resource "secrets" in API group "" in the namespace "team-a": no relationship found between node 'sim-node-0' and this object/);
  // Nor may it list Secrets, nor change another node's pods.
  assert.match((await k(['--kubeconfig', kubelet, 'get', 'secrets', '-n', 'team-a'])).stderr, /Forbidden/);
  assert.match((await k(['--kubeconfig', kubelet, 'label', 'pod', 'uses-s1', 'x=y', '-n', 'team-a'])).stderr, /Forbidden/);
});
