// metrics.k8s.io and `kubectl top` on simulated nodes, with the real kubectl: the metrics server reads every
// node's Summary, NodeMetrics and PodMetrics are served as metrics-server serves them, and kubectl prints them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster } from './helpers/cluster.js';
import { until } from './helpers/until.js';

const deployment = (name: string, replicas: number, cpu: string, usage?: string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name} }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata:
      labels: { app: ${name} }
      ${usage ? `annotations: { nanokube.io/simulated-cpu-usage: "${usage}", nanokube.io/simulated-memory-usage: "100Mi" }` : ''}
    spec:
      containers:
      - { name: main, image: nginx, resources: { requests: { cpu: ${cpu}, memory: 64Mi } } }
      - { name: sidecar, image: busybox }
`;

test('kubectl top nodes and pods read metrics.k8s.io: --containers, --sort-by, -l and -A; a missing pod is NotFound as metrics-server says', async (t) => {
  const c = await startTestCluster(t, { simulatedNodes: 2, metricsResolutionMs: 500 });
  let r = await c.kubectl(['apply', '-f', '-'], { input: `${deployment('busy', 2, '500m', '300m')}---\n${deployment('idle', 1, '100m')}` });
  assert.equal(r.code, 0, r.stderr);
  await until('three pods with metrics', async () => (await c.kubectl(['top', 'pods', '--no-headers'])).stdout.trim().split('\n').length === 3);

  r = await c.kubectl(['top', 'nodes']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^NAME\s+CPU\(cores\)\s+CPU(\(%\)|%)\s+MEMORY\(bytes\)\s+MEMORY(\(%\)|%)\s*\n/);
  assert.match(r.stdout, /\nsim-node-0\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%/);
  assert.match(r.stdout, /\nsim-node-1\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%/);

  // The annotated pods use 300m and 100Mi, spread over their two containers.
  r = await c.kubectl(['top', 'pods', '-l', 'app=busy']);
  assert.equal(r.code, 0, r.stderr);
  const rows = r.stdout.trim().split('\n').slice(1);
  assert.equal(rows.length, 2, r.stdout);
  for (const row of rows) assert.match(row, /^busy-\S+\s+300m\s+100Mi\s*$/);

  r = await c.kubectl(['top', 'pods', '--containers', '-l', 'app=busy', '--no-headers']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^busy-\S+\s+main\s+150m\s+50Mi\s*$/m);
  assert.match(r.stdout, /^busy-\S+\s+sidecar\s+150m\s+50Mi\s*$/m);

  r = await c.kubectl(['top', 'pods', '--sort-by=cpu', '--no-headers']);
  assert.equal(r.code, 0, r.stderr);
  const names = r.stdout.trim().split('\n').map((l) => l.split(/\s+/)[0]);
  assert.match(names.at(-1)!, /^idle-/, 'the idle pod uses the least CPU');

  r = await c.kubectl(['top', 'pods', '-A', '--no-headers']);
  assert.match(r.stdout, /^default\s+busy-/m);

  r = await c.kubectl(['top', 'pod', 'nothing-here']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /podmetrics\.metrics\.k8s\.io "default\/nothing-here" not found/);

  // The API as clients read it: a NodeMetrics with usage, and a PodMetrics per pod, filtered by label.
  const nm = await c.request('GET', '/apis/metrics.k8s.io/v1beta1/nodes/sim-node-0');
  assert.equal(nm.status, 200, nm.text);
  assert.equal(nm.body.kind, 'NodeMetrics');
  assert.match(nm.body.usage.cpu, /^\d+n$/);
  const pm = await c.request('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=app%3Didle');
  assert.equal(pm.body.kind, 'PodMetricsList');
  assert.equal(pm.body.items.length, 1);
  assert.deepEqual(pm.body.items[0].containers.map((x: any) => x.name), ['main', 'sidecar']);
  r = await c.kubectl(['get', 'pods.metrics.k8s.io', '-l', 'app=busy']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^NAME\s+CPU\s+MEMORY\s+WINDOW\s*\nbusy-\S+\s+300m\s+102400Ki\s+500ms/);
  const w = await c.request('GET', '/apis/metrics.k8s.io/v1beta1/pods?watch=true');
  assert.equal(w.status, 405, 'no watch, as metrics-server');
});
