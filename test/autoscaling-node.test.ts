// The HorizontalPodAutoscaler on the real node, measured for real: a Deployment whose pods burn CPU (a shell loop
// under a 200m limit, against a 100m request: about 200% of it) behind an HPA at 50% rises to maxReplicas from the
// kubelet's cgroup figures (Summary API → metrics server → metrics.k8s.io); once the pods stop burning, it falls
// back to minReplicas after a stabilization window shortened to 0 through spec.behavior.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { kubectlGet, startTestCluster } from './helpers/cluster.js';
import { until } from './helpers/until.js';
import { ownCIDR, realNodeSkip as skip } from './helpers/node.js';

test('real node: CPU-burning pods drive an HPA to maxReplicas, and it falls to minReplicas once they stop (stabilization window 0)', { skip, timeout: 240_000 }, async (t) => {
  const c = await startTestCluster(t, { node: true, clusterCIDR: ownCIDR(), metricsResolutionMs: 1000, hpaSyncPeriodSeconds: 1 });
  // The pods burn while this file exists (a hostPath the test controls); new pods after its removal do not.
  const ctl = path.join(c.home, 'burn-control');
  fs.mkdirSync(ctl, { mode: 0o755 });
  fs.writeFileSync(path.join(ctl, 'burn'), '');
  await until('node nanokube Ready', async () => (await kubectlGet(c, ['node', 'nanokube'])).status.conditions.some((x: any) => x.type === 'Ready' && x.status === 'True'), 60_000);
  const manifest = `apiVersion: apps/v1
kind: Deployment
metadata: { name: burner }
spec:
  replicas: 1
  selector: { matchLabels: { app: burner } }
  template:
    metadata: { labels: { app: burner } }
    spec:
      terminationGracePeriodSeconds: 1
      volumes: [ { name: ctl, hostPath: { path: ${JSON.stringify(ctl)}, type: Directory } } ]
      containers:
      - name: burn
        image: busybox
        command: [ sh, -c, 'while [ -e /ctl/burn ]; do :; done; exec sleep 3600' ]
        volumeMounts: [ { name: ctl, mountPath: /ctl } ]
        resources: { requests: { cpu: 100m }, limits: { cpu: 200m } }
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: burner }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: burner }
  minReplicas: 1
  maxReplicas: 3
  metrics: [ { type: Resource, resource: { name: cpu, target: { type: Utilization, averageUtilization: 50 } } } ]
  behavior:
    scaleDown: { stabilizationWindowSeconds: 0 }
`;
  const r = await c.kubectl(['apply', '-f', '-'], { input: manifest });
  assert.equal(r.code, 0, r.stderr);
  const replicas = async () => (await kubectlGet(c, ['deploy', 'burner'])).spec.replicas as number;

  await until('replicas to reach maxReplicas (3) from measured CPU', async () => (await replicas()) === 3, 120_000);
  const hpa = await kubectlGet(c, ['hpa', 'burner']);
  const used = hpa.status.currentMetrics?.[0]?.resource?.current?.averageUtilization as number;
  assert.ok(used > 50, `measured utilization ${used}% is above the 50% target`);
  const top = await c.kubectl(['top', 'pods', '-l', 'app=burner']);
  assert.equal(top.code, 0, top.stderr);
  assert.match(top.stdout, /^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*\nburner-\S+\s+\d+m\s/);

  fs.rmSync(path.join(ctl, 'burn'));
  await until('replicas back at minReplicas (1) once the pods went idle', async () => (await replicas()) === 1, 120_000);
  const described = await c.kubectl(['describe', 'hpa', 'burner']);
  assert.match(described.stdout, /SuccessfulRescale\s+.*New size: 3; reason: cpu resource utilization \(percentage of request\) above target/);
  assert.match(described.stdout, /SuccessfulRescale\s+.*New size: 1; reason: All metrics below target/);
});
