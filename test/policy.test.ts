// Disruption budgets, priority and the API-only policy kinds as a user of the real kubectl 1.32 sees them:
// `kubectl get pdb,pc,quota,limits,netpol,apiservices` columns, the built-in PriorityClasses, the Priority
// admission (an unknown class is rejected), evictions that honour budgets (429), `kubectl drain`, and scheduler
// preemption on simulated nodes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster } from './helpers/cluster.js';

const kinds = `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: web-pdb }
spec: { minAvailable: 2, selector: { matchLabels: { app: web } } }
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: { name: high }
value: 1000
preemptionPolicy: Never
---
apiVersion: v1
kind: ResourceQuota
metadata: { name: compute }
spec: { hard: { pods: "10", requests.cpu: "2", limits.memory: 2Gi } }
---
apiVersion: v1
kind: LimitRange
metadata: { name: defaults }
spec: { limits: [ { type: Container, max: { cpu: "1" } } ] }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: deny-web }
spec: { podSelector: { matchLabels: { app: web } } }
`;

test('kubectl get pdb,pc,quota,limits,netpol,apiservices prints upstream columns; the system PriorityClasses exist; an unknown priorityClassName is rejected', async (t) => {
  const c = await startTestCluster(t, { components: false });
  let r = await c.kubectl(['apply', '-f', '-'], { input: kinds });
  assert.equal(r.code, 0, r.stderr);

  r = await c.kubectl(['get', 'pdb']);
  assert.match(r.stdout, /^NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE\nweb-pdb\s+2\s+N\/A\s+0\s+\S+\n$/, r.stderr);
  r = await c.kubectl(['get', 'pc']);
  assert.match(r.stdout, /^NAME\s+VALUE\s+GLOBAL-DEFAULT\s+AGE\s+PREEMPTIONPOLICY\n/, r.stderr);
  assert.match(r.stdout, /\nhigh\s+1000\s+false\s+\S+\s+Never\n/);
  assert.match(r.stdout, /\nsystem-cluster-critical\s+2000000000\s+false\s+\S+\s+PreemptLowerPriority\n/);
  assert.match(r.stdout, /\nsystem-node-critical\s+2000001000\s+false\s+\S+\s+PreemptLowerPriority\n/);
  r = await c.kubectl(['get', 'quota']);
  assert.match(r.stdout, /^NAME\s+AGE\s+REQUEST\s+LIMIT\ncompute\s+\S+\s*\n?/, r.stderr);
  r = await c.kubectl(['get', 'limits']);
  assert.match(r.stdout, /^NAME\s+CREATED AT\ndefaults\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/, r.stderr);
  const lr = JSON.parse((await c.kubectl(['get', 'limits', 'defaults', '-o', 'json'])).stdout);
  assert.deepEqual(lr.spec.limits[0], { type: 'Container', max: { cpu: '1' }, default: { cpu: '1' }, defaultRequest: { cpu: '1' } }, 'a Container max defaults default and defaultRequest');
  r = await c.kubectl(['get', 'netpol']);
  assert.match(r.stdout, /^NAME\s+POD-SELECTOR\s+AGE\ndeny-web\s+app=web\s+\S+\n$/, r.stderr);
  r = await c.kubectl(['get', 'apiservices']);
  assert.match(r.stdout, /^NAME\s+SERVICE\s+AVAILABLE\s+AGE\n/, r.stderr);
  for (const name of ['v1.', 'v1.apps', 'v1.policy', 'v1.scheduling.k8s.io', 'v1.apiregistration.k8s.io']) {
    assert.match(r.stdout, new RegExp(`\\n${name.replace(/\./g, '\\.')}\\s+Local\\s+True\\s+\\S+\\n`), name);
  }

  r = await c.kubectl(['run', 'x', '--image=busybox', '--overrides={"spec":{"priorityClassName":"foo"}}']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /pods "x" is forbidden: no PriorityClass with name foo was found/);
  r = await c.kubectl(['run', 'y', '--image=busybox', '--overrides={"spec":{"priorityClassName":"high"}}']);
  assert.equal(r.code, 0, r.stderr);
  const pod = JSON.parse((await c.kubectl(['get', 'pod', 'y', '-o', 'json'])).stdout);
  assert.equal(pod.spec.priority, 1000);
  assert.equal(pod.spec.preemptionPolicy, 'Never');

  r = await c.kubectl(['create', 'pdb', 'both', '--selector=app=web', '--min-available=1', '--dry-run=server', '-o', 'name']);
  assert.equal(r.code, 0, r.stderr);
  r = await c.kubectl(['apply', '-f', '-'], { input: 'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: { name: bad }\nspec: { minAvailable: 1, maxUnavailable: 1 }\n' });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /minAvailable and maxUnavailable cannot be both set/);
});
