// The scheduler and controller manager, black-box with the real kubectl on simulated nodes: the command
// block (apply, scale, get -o wide, set image, rollout status/history/undo, delete), the rolling-update invariant,
// cascading and namespace deletion, FailedScheduling, eviction from a failed node, and a restart mid-rollout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, examplePath, type TestCluster } from './helpers/cluster.js';
import { until } from './helpers/until.js';
import { Client } from '../src/client/client.js';
import { httpTransport } from '../src/client/transport.js';

function client(c: TestCluster) { return new Client(httpTransport({ server: c.url, ...c.pki })); }

const podsOf = async (c: TestCluster, selector = 'app=flask-app') =>
  JSON.parse((await c.kubectl(['get', 'pods', '-l', selector, '-o', 'json'])).stdout).items as any[];
const running = (pods: any[]) => pods.filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp);

test('deployment lifecycle with kubectl on 3 simulated nodes', async (t) => {
  const c = await startTestCluster(t, { simulatedNodes: 3 });
  await until('3 Ready nodes', async () => (await c.kubectl(['get', 'nodes', '--no-headers'])).stdout.split('\n').filter((l) => / Ready /.test(l)).length === 3);
  for (const f of ['db-secret.yaml', 'app-config.yaml']) assert.equal((await c.kubectl(['apply', '-f', examplePath(f)])).code, 0);
  assert.equal((await c.kubectl(['apply', '-f', examplePath('flask-deployment.yaml')])).stdout.trim(), 'deployment.apps/flask-app created');
  await until('2 pods Running', async () => running(await podsOf(c)).length === 2);

  assert.equal((await c.kubectl(['scale', 'deployment', 'flask-app', '--replicas=3'])).stdout.trim(), 'deployment.apps/flask-app scaled');
  const three = await until('3 pods Running', async () => { const p = running(await podsOf(c)); return p.length === 3 && p; });
  assert.equal(new Set(three.map((p) => p.spec.nodeName)).size, 3, 'replicas spread over the 3 nodes');
  // As upstream's, a controller's writes are managed by "kube-controller-manager" (its User-Agent's product).
  const shown = JSON.parse((await c.kubectl(['get', 'pod', three[0].metadata.name, '-o', 'json', '--show-managed-fields'])).stdout);
  assert.equal(shown.metadata.managedFields[0].manager, 'kube-controller-manager');
  const wide = await c.kubectl(['get', 'pods', '-o', 'wide']);
  assert.match(wide.stdout, /NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES/);
  assert.match(wide.stdout, /flask-app-[a-z0-9]+-[a-z0-9]{5}\s+1\/1\s+Running\s+0\s+\S+\s+\d+\.\d+\.\d+\.\d+\s+sim-node-\d/);

  // Rolling update with maxUnavailable 0: ready pods never drop below 3 while it runs.
  assert.equal((await c.kubectl(['patch', 'deployment', 'flask-app', '-p', '{"spec":{"strategy":{"rollingUpdate":{"maxUnavailable":0,"maxSurge":1}}}}'])).code, 0);
  const api = client(c);
  let minReady = Infinity;
  const ready = new Map<string, boolean>();
  const stop = new AbortController();
  const list = await api.list({ group: '', version: 'v1', resource: 'pods', namespaced: true } as any, { namespace: 'default', labelSelector: 'app=flask-app' });
  for (const p of list.items as any[]) ready.set(p.metadata.name, isReady(p));
  const watching = (async () => {
    for await (const ev of api.watchEvents({ group: '', version: 'v1', resource: 'pods', namespaced: true } as any, { namespace: 'default', labelSelector: 'app=flask-app', resourceVersion: list.metadata.resourceVersion }, stop.signal)) {
      const p = ev.object as any;
      if (ev.type === 'DELETED') ready.delete(p.metadata.name); else ready.set(p.metadata.name, isReady(p));
      minReady = Math.min(minReady, [...ready.values()].filter(Boolean).length);
    }
  })().catch(() => undefined);
  const set = await c.kubectl(['set', 'image', 'deployment/flask-app', 'flask-container=flask-app:v2']);
  assert.equal(set.stdout.trim(), 'deployment.apps/flask-app image updated', set.stderr);
  const status = await c.kubectl(['rollout', 'status', 'deployment/flask-app', '--timeout=60s']);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /deployment "flask-app" successfully rolled out/);
  stop.abort();
  await watching;
  assert.ok(minReady >= 3, `never fewer than 3 ready pods during the rollout (min seen ${minReady})`);
  const images = running(await podsOf(c)).map((p) => p.spec.containers[0].image);
  assert.deepEqual(images, ['flask-app:v2', 'flask-app:v2', 'flask-app:v2']);

  const history = await c.kubectl(['rollout', 'history', 'deployment/flask-app']);
  assert.match(history.stdout, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
  const undo = await c.kubectl(['rollout', 'undo', 'deployment/flask-app']);
  assert.equal(undo.stdout.trim(), 'deployment.apps/flask-app rolled back', undo.stderr);
  assert.equal((await c.kubectl(['rollout', 'status', 'deployment/flask-app', '--timeout=60s'])).code, 0);
  const after = await c.kubectl(['rollout', 'history', 'deployment/flask-app']);
  assert.match(after.stdout, /REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>/, 'undo gives the old template a new revision');
  const dep = JSON.parse((await c.kubectl(['get', 'deployment', 'flask-app', '-o', 'json'])).stdout);
  assert.equal(dep.spec.template.spec.containers[0].image, 'your-dockerhub-username/flask-app:latest');
  assert.equal(dep.metadata.annotations['deployment.kubernetes.io/revision'], '3');
  const described = await c.kubectl(['describe', 'deployment', 'flask-app']);
  assert.match(described.stdout, /NewReplicaSet:\s+flask-app-[a-z0-9]+ \(3\/3 replicas created\)/);
  assert.match(described.stdout, /Normal\s+ScalingReplicaSet\s+\S+\s+deployment-controller\s+Scaled (up|down) replica set flask-app-/);

  assert.equal((await c.kubectl(['delete', 'deployment', 'flask-app'])).stdout.trim(), 'deployment.apps "flask-app" deleted');
  await until('replicasets and pods of the deployment are gone', async () => {
    const rs = JSON.parse((await c.kubectl(['get', 'rs', '-o', 'json'])).stdout).items;
    return rs.length === 0 && (await podsOf(c)).length === 0;
  });
});

function isReady(p: any): boolean {
  return !p.metadata.deletionTimestamp && (p.status?.conditions ?? []).some((x: any) => x.type === 'Ready' && x.status === 'True');
}

test('FailedScheduling says why, and the pod is scheduled once a node fits', async (t) => {
  const c = await startTestCluster(t, { simulatedNodes: 3 });
  await until('3 nodes', async () => (await c.kubectl(['get', 'nodes', '--no-headers'])).stdout.trim().split('\n').length === 3);
  const big = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'big' }, spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '100' } } }] } };
  assert.equal((await c.request('POST', '/api/v1/namespaces/default/pods', { body: big })).status, 201);
  const ev = await until('a FailedScheduling event', async () => {
    const evs = JSON.parse((await c.kubectl(['get', 'events', '--field-selector', 'reason=FailedScheduling', '-o', 'json'])).stdout).items;
    return evs[0];
  });
  assert.match(ev.message, /^0\/3 nodes are available: 3 Insufficient cpu\./);
  const pod = JSON.parse((await c.kubectl(['get', 'pod', 'big', '-o', 'json'])).stdout);
  assert.equal(pod.status.conditions.find((x: any) => x.type === 'PodScheduled').reason, 'Unschedulable');
  // Cordon every node, then add a roomy one: the pending pod goes there.
  const sim = await c.plane.simulatedNodes();
  for (const n of sim.names()) assert.equal((await c.kubectl(['cordon', n])).code, 0);
  const [name] = await sim.add(1);
  assert.equal((await c.kubectl(['patch', 'node', name, '--subresource=status', '--type=merge', '-p', '{"status":{"capacity":{"cpu":"200"},"allocatable":{"cpu":"200"}}}'])).code, 0);
  await until('the big pod is bound to the new node', async () => JSON.parse((await c.kubectl(['get', 'pod', 'big', '-o', 'json'])).stdout).spec.nodeName === name);
});

test('deleting a namespace empties it; a silent node goes NotReady and its pods are evicted', async (t) => {
  const c = await startTestCluster(t, { simulatedNodes: 2, nodeMonitorGracePeriodSeconds: 2 });
  assert.equal((await c.kubectl(['create', 'namespace', 'scratch'])).code, 0);
  assert.equal((await c.kubectl(['-n', 'scratch', 'create', 'deployment', 'web', '--image=nginx', '--replicas=2'])).code, 0);
  await until('web pods Running', async () => running(JSON.parse((await c.kubectl(['-n', 'scratch', 'get', 'pods', '-o', 'json'])).stdout).items).length === 2);
  assert.equal((await c.kubectl(['delete', 'namespace', 'scratch', '--timeout=60s'])).code, 0);
  const gone = await c.kubectl(['get', 'namespace', 'scratch']);
  assert.match(gone.stderr, /namespaces "scratch" not found/);

  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'victim' }, spec: { nodeName: 'sim-node-0', containers: [{ name: 'c', image: 'x' }],
    tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 }, { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 }] } };
  assert.equal((await c.request('POST', '/api/v1/namespaces/default/pods', { body: pod })).status, 201);
  await until('victim Running', async () => JSON.parse((await c.kubectl(['get', 'pod', 'victim', '-o', 'json'])).stdout).status.phase === 'Running');
  (await c.plane.simulatedNodes()).fail('sim-node-0');
  await until('sim-node-0 NotReady with the unreachable taint', async () => {
    const n = JSON.parse((await c.kubectl(['get', 'node', 'sim-node-0', '-o', 'json'])).stdout);
    const readyCond = n.status.conditions.find((x: any) => x.type === 'Ready');
    return readyCond.status === 'Unknown' && (n.spec.taints ?? []).some((x: any) => x.key === 'node.kubernetes.io/unreachable' && x.effect === 'NoExecute');
  });
  const nodes = await c.kubectl(['get', 'nodes']);
  assert.match(nodes.stdout, /sim-node-0\s+NotReady/);
  await until('the pod is evicted from the failed node', async () => (await c.kubectl(['get', 'pod', 'victim'])).code !== 0
    || !!JSON.parse((await c.kubectl(['get', 'pod', 'victim', '-o', 'json'])).stdout).metadata.deletionTimestamp);
});

test('controllers finish a rollout correctly after the server restarts mid-rollout', async (t) => {
  const c = await startTestCluster(t, { simulatedNodes: 3 });
  const dep = (image: string) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'r' }, spec: { replicas: 4, strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }, selector: { matchLabels: { app: 'r' } }, template: { metadata: { labels: { app: 'r' } }, spec: { containers: [{ name: 'c', image }] } } } });
  assert.equal((await c.request('POST', '/apis/apps/v1/namespaces/default/deployments', { body: dep('img:1') })).status, 201);
  assert.equal((await c.kubectl(['rollout', 'status', 'deployment/r', '--timeout=60s'])).code, 0);
  assert.equal((await c.kubectl(['set', 'image', 'deployment/r', 'c=img:2'])).code, 0);
  await until('the rollout has started', async () => (await podsOf(c, 'app=r')).some((p) => p.spec.containers[0].image === 'img:2'));
  await c.plane.close();
  const c2 = await startTestCluster(t, { home: c.home, simulatedNodes: 3 });
  const st = await c2.kubectl(['rollout', 'status', 'deployment/r', '--timeout=60s']);
  assert.equal(st.code, 0, st.stderr);
  const pods = running(await podsOf(c2, 'app=r'));
  await until('exactly 4 pods of the new template', async () => { const p = running(await podsOf(c2, 'app=r')); return p.length === 4 && p.every((x) => x.spec.containers[0].image === 'img:2'); });
  assert.ok(pods.length >= 4);
  const hist = await c2.kubectl(['rollout', 'history', 'deployment/r']);
  assert.match(hist.stdout, /1\s+<none>\n2\s+<none>/);
  const rs = JSON.parse((await c2.kubectl(['get', 'rs', '-l', 'app=r', '-o', 'json'])).stdout).items;
  assert.equal(rs.length, 2, 'no duplicate ReplicaSet after the restart');
  const nodes = (await c2.kubectl(['get', 'nodes', '-o', 'name'])).stdout.trim().split('\n');
  assert.deepEqual(nodes, ['node/sim-node-0', 'node/sim-node-1', 'node/sim-node-2'], 'a restart with the same --simulated-nodes keeps the same nodes');
});

test('more simulated nodes at runtime: `nanokube node add` (or a Node applied with kubectl) is taken over', async (t) => {
  const c = await startTestCluster(t, { simulatedNodes: 1 });
  const { execFile } = await import('node:child_process');
  const cli = (args: string[]) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ['bin/nanokube.js', ...args], { env: { ...process.env, NANOKUBE_HOME: c.home } }, (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr }));
  });
  // The test cluster runs in-process; give the CLI the config it reads (the port) as `nanokube start` would.
  const { writeFileSync } = await import('node:fs');
  writeFileSync(`${c.home}/config.json`, JSON.stringify({ apiPort: Number(new URL(c.url).port), listenAddress: '127.0.0.1' }));
  const added = await cli(['node', 'add', '2']);
  assert.equal(added.code, 0, added.stderr);
  assert.equal(added.stdout.trim(), '* Added 2 simulated nodes: sim-node-1, sim-node-2');
  await until('the added nodes renew their Leases', async () => {
    const leases = JSON.parse((await c.kubectl(['get', 'lease', '-n', 'kube-node-lease', '-o', 'json'])).stdout).items;
    return ['sim-node-1', 'sim-node-2'].every((n) => leases.some((l: any) => l.metadata.name === n));
  });
  const applied = await c.kubectl(['apply', '-f', '-'], { input: 'apiVersion: v1\nkind: Node\nmetadata:\n  name: sim-node-7\n  labels:\n    type: simulated\n' });
  assert.equal(applied.code, 0, applied.stderr);
  await until('the applied node reports Ready', async () => / Ready /.test((await c.kubectl(['get', 'node', 'sim-node-7', '--no-headers'])).stdout));
});
