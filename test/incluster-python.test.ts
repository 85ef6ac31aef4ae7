// The official Python client inside a pod on the real node: config.load_incluster_config() finds
// KUBERNETES_SERVICE_HOST/PORT and the projected kube-api-access volume, and the pod's ServiceAccount token works
// against the API with exactly the rights its bindings give. Needs root, runc and the CNI plugins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startTestCluster, kubectlOk } from './helpers/cluster.js';
import { until } from './helpers/until.js';
import { ownCIDR, realNodeSkip } from './helpers/node.js';

function pythonClientMissing(): string | false {
  try { execFileSync('/usr/bin/python3', ['-c', 'import kubernetes'], { stdio: 'ignore' }); return false; } catch { return 'skipped: python3-kubernetes not found'; }
}

const SCRIPT = `
from kubernetes import client, config
from kubernetes.client.rest import ApiException
config.load_incluster_config()
v1 = client.CoreV1Api()
print("pods:", ",".join(sorted(p.metadata.name for p in v1.list_namespaced_pod("team-a").items)), flush=True)
try:
    v1.list_namespaced_secret("team-a")
    print("secrets: allowed", flush=True)
except ApiException as e:
    print("secrets:", e.status, flush=True)
`;

test("the python client in a pod: load_incluster_config() works and the pod's ServiceAccount has exactly its bindings' rights", { skip: realNodeSkip || pythonClientMissing(), timeout: 240_000 }, async (t) => {
  const c = await startTestCluster(t, { node: true, clusterCIDR: ownCIDR() });
  const ok = (args: string[], input?: string) => kubectlOk(c, args, input);
  await ok(['create', 'namespace', 'team-a']);
  await until('the default ServiceAccount', async () => (await c.kubectl(['get', 'sa', 'default', '-n', 'team-a'])).code === 0);
  await ok(['create', 'serviceaccount', 'ci', '-n', 'team-a']);
  await ok(['create', 'rolebinding', 'ci-view', '--clusterrole=view', '--serviceaccount=team-a:ci', '-n', 'team-a']);
  await ok(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'incluster', namespace: 'team-a' },
    spec: { serviceAccountName: 'ci', restartPolicy: 'Never', containers: [{ name: 'py', image: 'python:3.12-slim', command: ['python3', '-c', SCRIPT] }] } }));
  const phase = await until('the pod finished', async () => {
    const p = JSON.parse(await ok(['get', 'pod', 'incluster', '-n', 'team-a', '-o', 'json']));
    return ['Succeeded', 'Failed'].includes(p.status?.phase) ? p.status.phase : undefined;
  }, 180_000);
  const logs = await c.kubectl(['logs', 'incluster', '-n', 'team-a']);
  assert.equal(phase, 'Succeeded', logs.stdout + logs.stderr);
  assert.match(logs.stdout, /^pods: incluster$/m);
  assert.match(logs.stdout, /^secrets: 403$/m);
});
