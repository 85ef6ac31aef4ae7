// The HorizontalPodAutoscaler with the real kubectl on simulated nodes: `kubectl autoscale` (an autoscaling/v1
// protobuf body), replicas rising while the pods use more CPU than the target and falling after the
// (shortened) stabilization window once they use less, upstream's columns, conditions and events, and the same
// object read as autoscaling/v1. Pods on simulated nodes use what their nanokube.io/simulated-cpu-usage says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster } from './helpers/cluster.js';
import { until } from './helpers/until.js';

const app = `apiVersion: apps/v1
kind: Deployment
metadata: { name: busy }
spec:
  replicas: 2
  selector: { matchLabels: { app: busy } }
  template:
    metadata:
      labels: { app: busy }
      annotations: { nanokube.io/simulated-cpu-usage: "400m" }
    spec:
      containers:
      - { name: main, image: nginx, resources: { requests: { cpu: 500m } } }
`;

test('kubectl autoscale: replicas rise to maxReplicas while pods run at 80% of a 50% target, and fall to minReplicas when they go idle', async (t) => {
  const c = await startTestCluster(t, { simulatedNodes: 2, metricsResolutionMs: 500, hpaSyncPeriodSeconds: 1 });
  let r = await c.kubectl(['apply', '-f', '-'], { input: app });
  assert.equal(r.code, 0, r.stderr);
  r = await c.kubectl(['autoscale', 'deployment', 'busy', '--cpu-percent=50', '--min=2', '--max=6']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /horizontalpodautoscaler.autoscaling\/busy autoscaled/);

  const replicas = async () => JSON.parse((await c.kubectl(['get', 'deploy', 'busy', '-o', 'json'])).stdout).spec.replicas as number;
  await until('replicas to reach maxReplicas', async () => (await replicas()) === 6);
  await until('the autoscaler to report 6 replicas', async () => /cpu: 80%\/50%\s+2\s+6\s+6\s/.test((await c.kubectl(['get', 'hpa', 'busy'])).stdout));
  r = await c.kubectl(['get', 'hpa']);
  assert.match(r.stdout, /^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE\nbusy\s+Deployment\/busy\s+cpu: 80%\/50%\s+2\s+6\s+6\s+\S+\n$/);
  const hpa = JSON.parse((await c.kubectl(['get', 'hpa', 'busy', '-o', 'json'])).stdout);
  const cond = Object.fromEntries(hpa.status.conditions.map((x: any) => [x.type, x]));
  assert.equal(cond.ScalingActive.reason, 'ValidMetricFound');
  assert.equal(cond.ScalingLimited.status, 'True');
  assert.equal(cond.ScalingLimited.reason, 'TooManyReplicas');
  assert.deepEqual(hpa.status.currentMetrics, [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 80, averageValue: '400m' } } }]);
  r = await c.kubectl(['describe', 'hpa', 'busy']);
  assert.match(r.stdout, /resource cpu on pods\s+\(as a percentage of request\):\s+80% \(400m\) \/ 50%/);
  assert.match(r.stdout, /SuccessfulRescale\s+.*New size: \d+; reason: cpu resource utilization \(percentage of request\) above target/);

  // The same object as autoscaling/v1 sees it.
  const v1 = await c.request('GET', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/busy');
  assert.equal(v1.body.spec.targetCPUUtilizationPercentage, 50);
  assert.equal(v1.body.status.currentCPUUtilizationPercentage, 80);

  // Idle pods: with no scale-down stabilization the autoscaler goes down to minReplicas.
  r = await c.kubectl(['patch', 'hpa', 'busy', '--type=merge', '-p', '{"spec":{"behavior":{"scaleDown":{"stabilizationWindowSeconds":0}}}}']);
  assert.equal(r.code, 0, r.stderr);
  r = await c.kubectl(['annotate', 'pods', '-l', 'app=busy', '--overwrite', 'nanokube.io/simulated-cpu-usage=25m']);
  assert.equal(r.code, 0, r.stderr);
  await until('replicas to fall to minReplicas', async () => (await replicas()) === 2);
  await until('the autoscaler to report 2 replicas', async () => /cpu: 5%\/50%\s+2\s+6\s+2\s/.test((await c.kubectl(['get', 'hpa', 'busy'])).stdout));
  r = await c.kubectl(['get', 'events', '--field-selector', 'involvedObject.kind=HorizontalPodAutoscaler', '-o', 'jsonpath={.items[*].message}']);
  assert.match(r.stdout, /New size: 2; reason: All metrics below target/);
});

test('an autoscaler whose target is missing says so in its AbleToScale condition; invalid specs get upstream messages', async (t) => {
  const c = await startTestCluster(t, { metricsResolutionMs: 500, hpaSyncPeriodSeconds: 1 });
  let r = await c.kubectl(['apply', '-f', '-'], { input: `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: ghost }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: nothing }
  minReplicas: 1
  maxReplicas: 3
` });
  assert.equal(r.code, 0, r.stderr);
  await until('AbleToScale False', async () => {
    const h = JSON.parse((await c.kubectl(['get', 'hpa', 'ghost', '-o', 'json'])).stdout);
    return h.status?.conditions?.find((x: any) => x.type === 'AbleToScale' && x.status === 'False' && x.reason === 'FailedGetScale');
  });
  const h = JSON.parse((await c.kubectl(['get', 'hpa', 'ghost', '-o', 'json'])).stdout);
  assert.deepEqual(h.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }], 'no metrics means 80% CPU');
  r = await c.kubectl(['apply', '-f', '-'], { input: `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: bad }
spec:
  scaleTargetRef: { kind: Deployment, name: x }
  minReplicas: 4
  maxReplicas: 3
` });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /spec.maxReplicas: Invalid value: 3: must be greater than or equal to `minReplicas`/);
});

test('an HPA scales any scale subresource: a StatefulSet, and a custom resource whose CRD declares scale with a label selector', async (t) => {
  const c = await startTestCluster(t, { simulatedNodes: 1, metricsResolutionMs: 500, hpaSyncPeriodSeconds: 1 });
  const manifest = `apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db }
spec:
  serviceName: db
  replicas: 1
  selector: { matchLabels: { app: db } }
  template:
    metadata: { labels: { app: db }, annotations: { nanokube.io/simulated-cpu-usage: "400m" } }
    spec: { containers: [ { name: main, image: postgres, resources: { requests: { cpu: 500m } } } ] }
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: db }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: StatefulSet, name: db }
  minReplicas: 1
  maxReplicas: 2
  metrics: [ { type: Resource, resource: { name: cpu, target: { type: Utilization, averageUtilization: 50 } } } ]
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: workers.demo.nanokube.io }
spec:
  group: demo.nanokube.io
  scope: Namespaced
  names: { plural: workers, singular: worker, kind: Worker }
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale: { specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas, labelSelectorPath: .status.selector }
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: { type: object, properties: { replicas: { type: integer } } }
          status: { type: object, properties: { replicas: { type: integer }, selector: { type: string } } }
`;
  let r = await c.kubectl(['apply', '-f', '-'], { input: manifest });
  assert.equal(r.code, 0, r.stderr);
  r = await c.kubectl(['wait', '--for=condition=Established', 'crd/workers.demo.nanokube.io']);
  assert.equal(r.code, 0, r.stderr);
  // The custom resource's "controller" is this test: one pod carrying its selector's label, and its status.
  r = await c.kubectl(['apply', '-f', '-'], { input: `apiVersion: demo.nanokube.io/v1
kind: Worker
metadata: { name: w }
spec: { replicas: 1 }
---
apiVersion: v1
kind: Pod
metadata: { name: w-0, labels: { app: worker }, annotations: { nanokube.io/simulated-cpu-usage: "450m" } }
spec: { containers: [ { name: main, image: busybox, resources: { requests: { cpu: 500m } } } ] }
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: w }
spec:
  scaleTargetRef: { apiVersion: demo.nanokube.io/v1, kind: Worker, name: w }
  minReplicas: 1
  maxReplicas: 3
  metrics: [ { type: Resource, resource: { name: cpu, target: { type: Utilization, averageUtilization: 30 } } } ]
` });
  assert.equal(r.code, 0, r.stderr);
  r = await c.kubectl(['patch', 'worker', 'w', '--subresource=status', '--type=merge', '-p', '{"status":{"replicas":1,"selector":"app=worker"}}']);
  assert.equal(r.code, 0, r.stderr);

  const replicas = async (what: string) => JSON.parse((await c.kubectl(['get', what, '-o', 'json'])).stdout).spec.replicas as number;
  // db: 400m of 500m = 80% against 50% → 2 (its max); w: 450m of 500m = 90% against 30% → 3 (its max).
  await until('the StatefulSet scaled to 2 and the Worker to 3', async () => (await replicas('statefulset/db')) === 2 && (await replicas('worker/w')) === 3);
  r = await c.kubectl(['get', 'hpa', 'w']);
  assert.match(r.stdout, /^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE\nw\s+Worker\/w\s+cpu: 90%\/30%\s+1\s+3\s+\d\s+\S+\n$/);
});
