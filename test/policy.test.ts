// Disruption budgets, priority and the API-only policy kinds as a user of the real kubectl 1.32 sees them:
// `kubectl get pdb,pc,quota,limits,netpol,apiservices` columns, the built-in PriorityClasses, the Priority
// admission (an unknown class is rejected), evictions that honour budgets (429), `kubectl drain`, and scheduler
// preemption on simulated nodes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster } from './helpers/cluster.js';
import { until } from './helpers/until.js';

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
spec: { hard: { pods: "10", requests.cpu: "2" } }
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

const web = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [ { name: web, image: nginx } ] }
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: web }
spec: { minAvailable: 1, selector: { matchLabels: { app: web } } }
`;

test('kubectl drain evicts a Deployment\'s pods through the eviction API within its PDB; a PDB at minAvailable = replicas blocks drain and direct evictions (429)', async (t) => {
  const c = await startTestCluster(t, { simulatedNodes: 2 });
  let r = await c.kubectl(['apply', '-f', '-'], { input: web });
  assert.equal(r.code, 0, r.stderr);
  const webPods = async () => JSON.parse((await c.kubectl(['get', 'pods', '-l', 'app=web', '-o', 'json'])).stdout).items as any[];
  const ready = (p: any) => !p.metadata.deletionTimestamp && p.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True');
  const pdb = async () => JSON.parse((await c.kubectl(['get', 'pdb', 'web', '-o', 'json'])).stdout);
  await until('two ready web pods and a PDB allowing one disruption', async () => (await webPods()).filter(ready).length === 2 && (await pdb()).status?.disruptionsAllowed === 1);
  let st = (await pdb()).status;
  assert.equal(st.currentHealthy, 2); assert.equal(st.desiredHealthy, 1); assert.equal(st.expectedPods, 2);
  assert.deepEqual(st.conditions.map((x: any) => [x.type, x.status, x.reason]), [['DisruptionAllowed', 'True', 'SufficientPods']]);

  const drained = (await webPods())[0].spec.nodeName as string;
  const other = drained === 'sim-node-0' ? 'sim-node-1' : 'sim-node-0';
  r = await c.kubectl(['drain', drained, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=60s']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`evicting pod default/web-`));
  assert.match(r.stdout, new RegExp(`node/${drained} drained`));
  await until('both web pods ready on the other node', async () => {
    const ps = await webPods();
    return ps.length === 2 && ps.every((p) => ready(p) && p.spec.nodeName === other);
  });
  const node = JSON.parse((await c.kubectl(['get', 'node', drained, '-o', 'json'])).stdout);
  assert.equal(node.spec.unschedulable, true, 'drain cordons the node');
  r = await c.kubectl(['uncordon', drained]);
  assert.equal(r.code, 0, r.stderr);

  r = await c.kubectl(['patch', 'pdb', 'web', '--type=merge', '-p', '{"spec":{"minAvailable":2}}']);
  assert.equal(r.code, 0, r.stderr);
  await until('the PDB allows no disruption', async () => { const p = await pdb(); return p.status.observedGeneration === p.metadata.generation && p.status.disruptionsAllowed === 0 && p; });
  st = (await pdb()).status;
  assert.deepEqual(st.conditions.map((x: any) => [x.type, x.status, x.reason]), [['DisruptionAllowed', 'False', 'InsufficientPods']]);

  const victim = (await webPods())[0].metadata.name;
  const ev = await c.request('POST', `/api/v1/namespaces/default/pods/${victim}/eviction`, { body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: victim, namespace: 'default' } } });
  assert.equal(ev.status, 429);
  assert.equal(ev.body.reason, 'TooManyRequests');
  assert.equal(ev.body.message, "Cannot evict pod as it would violate the pod's disruption budget.");
  assert.deepEqual(ev.body.details.causes, [{ reason: 'DisruptionBudget', message: 'The disruption budget web needs 2 healthy pods and has 2 currently' }]);

  r = await c.kubectl(['drain', other, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=2s']);
  assert.notEqual(r.code, 0, 'drain cannot finish while the budget forbids');
  assert.match(r.stdout + r.stderr, /Cannot evict pod as it would violate the pod's disruption budget/);
  assert.equal((await webPods()).filter(ready).length, 2, 'no pod was evicted');
});

const priorityPods = `apiVersion: v1
kind: ResourceQuota
metadata: { name: compute }
spec: { hard: { pods: "10", requests.cpu: "40", limits.memory: 2Gi, count/deployments.apps: "3" } }
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: { name: low }
value: 10
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: { name: high }
value: 1000
---
apiVersion: v1
kind: Pod
metadata: { name: low }
spec:
  priorityClassName: low
  containers: [ { name: app, image: nginx, resources: { requests: { cpu: "20" }, limits: { memory: 1Gi } } } ]
`;
const highPod = `apiVersion: v1
kind: Pod
metadata: { name: high }
spec:
  priorityClassName: high
  containers: [ { name: app, image: nginx, resources: { requests: { cpu: "20" }, limits: { memory: 1Gi } } } ]
`;

test('a high-priority pod preempts a low-priority one on a full node and runs there', async (t) => {
  const c = await startTestCluster(t, { simulatedNodes: 1 });
  let r = await c.kubectl(['apply', '-f', '-'], { input: priorityPods });
  assert.equal(r.code, 0, r.stderr);
  const pod = async (name: string) => { const g = await c.kubectl(['get', 'pod', name, '-o', 'json']); return g.code === 0 ? JSON.parse(g.stdout) : undefined; };
  await until('the low-priority pod runs', async () => (await pod('low'))?.status?.phase === 'Running');
  r = await c.kubectl(['apply', '-f', '-'], { input: highPod });
  assert.equal(r.code, 0, r.stderr);
  const high = await until('the high-priority pod runs on the node', async () => { const p = await pod('high'); return p?.status?.phase === 'Running' && p; });
  assert.equal(high.spec.nodeName, 'sim-node-0');
  assert.equal(high.spec.priority, 1000);
  assert.equal(high.status.nominatedNodeName, 'sim-node-0');
  assert.equal(await pod('low'), undefined, 'the victim is gone');
  r = await c.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=low,reason=Preempted', '-o', 'json']);
  const ev = JSON.parse(r.stdout).items;
  assert.equal(ev.length, 1, r.stdout);
  assert.match(ev[0].message, /^Preempted by pod \S+ on node sim-node-0$/);

  // The quota controller reports what the namespace uses beside each hard limit.
  await until('the quota counts the one running pod', async () => {
    const q = JSON.parse((await c.kubectl(['get', 'quota', 'compute', '-o', 'json'])).stdout);
    return q.status?.used?.pods === '1' && q;
  });
  r = await c.kubectl(['get', 'quota']);
  assert.match(r.stdout, /^NAME\s+AGE\s+REQUEST\s+LIMIT\ncompute\s+\S+\s+count\/deployments\.apps: 0\/3, pods: 1\/10, requests\.cpu: 20\/40\s+limits\.memory: 1Gi\/2Gi\n$/, r.stdout);
});
