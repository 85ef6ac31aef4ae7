// One multi-document manifest holding every workload, storage, policy and extension kind nanokube serves, applied
// with the real kubectl on simulated nodes, and each kind's effect: Jobs complete or stop at their backoffLimit, a
// CronJob makes a Job, a StatefulSet creates web-0 then web-1 with a bound claim each, rolls back and scales down
// in reverse, a DaemonSet follows a new node, a static PersistentVolume binds its claim, the custom resources
// validate, print their columns and scale, and `kubectl drain` evicts within a PodDisruptionBudget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestCluster, kubectlOk, kubectlGet, type TestCluster } from './helpers/cluster.js';
import { until } from './helpers/until.js';
import { cronTabCrd } from './helpers/crontab.js';

const EXIT_AFTER = 'nanokube.io/simulated-exit-after';
const EXIT_CODE = 'nanokube.io/simulated-exit-code';

const manifest = `apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: { name: important }
value: 1000
description: For the front end.
---
apiVersion: v1
kind: ResourceQuota
metadata: { name: counts }
spec: { hard: { pods: "100", services: "20" } }
---
apiVersion: v1
kind: LimitRange
metadata: { name: defaults }
spec: { limits: [ { type: Container, defaultRequest: { cpu: 50m, memory: 32Mi } } ] }
---
apiVersion: batch/v1
kind: Job
metadata: { name: ok }
spec:
  completions: 2
  template:
    metadata: { annotations: { ${EXIT_AFTER}: 1s } }
    spec: { restartPolicy: Never, containers: [ { name: main, image: busybox } ] }
---
apiVersion: batch/v1
kind: Job
metadata: { name: bad }
spec:
  backoffLimit: 1
  template:
    metadata: { annotations: { ${EXIT_AFTER}: 1s, ${EXIT_CODE}: "1" } }
    spec: { restartPolicy: Never, containers: [ { name: main, image: busybox } ] }
---
apiVersion: batch/v1
kind: CronJob
metadata: { name: tick }
spec:
  schedule: "*/1 * * * *"
  jobTemplate:
    spec:
      template:
        metadata: { annotations: { ${EXIT_AFTER}: 1s } }
        spec: { restartPolicy: OnFailure, containers: [ { name: main, image: busybox } ] }
---
apiVersion: v1
kind: Service
metadata: { name: nginx }
spec: { clusterIP: None, selector: { app: web }, ports: [ { port: 80 } ] }
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: web }
spec:
  serviceName: nginx
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [ { name: nginx, image: "nginx:1.27", volumeMounts: [ { name: www, mountPath: /usr/share/nginx/html } ] } ] }
  volumeClaimTemplates:
  - metadata: { name: www }
    spec: { accessModes: [ ReadWriteOnce ], resources: { requests: { storage: 1Gi } } }
---
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: agent }
spec:
  selector: { matchLabels: { app: agent } }
  template:
    metadata: { labels: { app: agent } }
    spec: { containers: [ { name: agent, image: "agent:1" } ] }
---
apiVersion: v1
kind: ReplicationController
metadata: { name: legacy }
spec:
  replicas: 1
  template:
    metadata: { labels: { app: legacy } }
    spec: { containers: [ { name: c, image: "busybox:1.36" } ] }
---
apiVersion: v1
kind: PodTemplate
metadata: { name: blueprint }
template:
  metadata: { labels: { app: blueprint } }
  spec: { containers: [ { name: c, image: busybox } ] }
---
apiVersion: apps/v1
kind: ControllerRevision
metadata: { name: by-hand-1 }
revision: 1
data: { spec: { note: kept by hand } }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: front }
spec:
  replicas: 2
  selector: { matchLabels: { app: front } }
  template:
    metadata: { labels: { app: front } }
    spec: { priorityClassName: important, containers: [ { name: web, image: nginx } ] }
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: front }
spec: { minAvailable: 1, selector: { matchLabels: { app: front } } }
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: front }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: front }
  minReplicas: 2
  maxReplicas: 2
  metrics: [ { type: Resource, resource: { name: cpu, target: { type: Utilization, averageUtilization: 80 } } } ]
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: { name: edge }
spec: { controller: example.com/edge }
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: front }
spec:
  ingressClassName: edge
  rules: [ { host: front.example, http: { paths: [ { path: /, pathType: Prefix, backend: { service: { name: nginx, port: { number: 80 } } } } ] } } ]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: front-only }
spec: { podSelector: { matchLabels: { app: web } }, policyTypes: [ Ingress ], ingress: [ { from: [ { podSelector: { matchLabels: { app: front } } } ] } ] }
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: { name: manual }
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: Immediate
---
apiVersion: v1
kind: PersistentVolume
metadata: { name: static-pv }
spec:
  storageClassName: manual
  capacity: { storage: 2Gi }
  accessModes: [ ReadWriteOnce ]
  hostPath: { path: /tmp/static-pv }
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: static-claim }
spec: { storageClassName: manual, accessModes: [ ReadWriteOnce ], resources: { requests: { storage: 1Gi } } }
---
apiVersion: storage.k8s.io/v1
kind: CSIDriver
metadata: { name: example.csi.nanokube.io }
spec: { attachRequired: true, podInfoOnMount: false }
---
apiVersion: storage.k8s.io/v1
kind: VolumeAttachment
metadata: { name: static-attach }
spec: { attacher: example.csi.nanokube.io, nodeName: sim-node-0, source: { persistentVolumeName: static-pv } }
---
${cronTabCrd}---
apiVersion: stable.example.com/v1
kind: CronTab
metadata: { name: first }
spec: { cronSpec: "* * * * */5", replicas: 1 }
---
apiVersion: stable.example.com/v1
kind: CronTab
metadata: { name: second }
spec: { cronSpec: "*/10 * * * *", replicas: 2 }
`;

const ready = (p: any) => !p.metadata.deletionTimestamp && p.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True');

async function api(c: TestCluster, path: string): Promise<any> {
  const r = await c.request('GET', path);
  assert.equal(r.status, 200, r.text);
  return r.body;
}
const pods = async (c: TestCluster, selector: string): Promise<any[]> =>
  (await api(c, `/api/v1/namespaces/default/pods?labelSelector=${encodeURIComponent(selector)}`)).items.filter((p: any) => !p.metadata.deletionTimestamp);

test('one manifest of every kind: each kind does what it is for, with kubectl on simulated nodes', async (t) => {
  const c = await startTestCluster(t, { simulatedNodes: 2 });
  const ok = (args: string[]) => kubectlOk(c, args);
  const file = join(c.home, 'everything.yaml');
  writeFileSync(file, manifest);

  // As upstream's kubectl: the first apply creates everything but the custom resources, whose kind is not yet
  // mapped ("ensure CRDs are installed first"); the second creates them.
  const first = await c.kubectl(['apply', '-f', file]);
  assert.equal(first.code, 1, first.stdout);
  assert.match(first.stderr, /resource mapping not found for name: "first".*\n?.*ensure CRDs are installed first/);
  for (const made of ['priorityclass.scheduling.k8s.io/important', 'job.batch/ok', 'cronjob.batch/tick', 'statefulset.apps/web', 'daemonset.apps/agent',
    'replicationcontroller/legacy', 'podtemplate/blueprint', 'controllerrevision.apps/by-hand-1', 'poddisruptionbudget.policy/front',
    'horizontalpodautoscaler.autoscaling/front', 'ingressclass.networking.k8s.io/edge', 'ingress.networking.k8s.io/front',
    'networkpolicy.networking.k8s.io/front-only', 'storageclass.storage.k8s.io/manual', 'persistentvolume/static-pv',
    'persistentvolumeclaim/static-claim', 'csidriver.storage.k8s.io/example.csi.nanokube.io', 'volumeattachment.storage.k8s.io/static-attach',
    'resourcequota/counts', 'limitrange/defaults', 'customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com']) {
    assert.match(first.stdout, new RegExp(`^${made.replace(/\./g, '\\.')} created$`, 'm'));
  }
  await ok(['wait', '--for=condition=Established', 'crd/crontabs.stable.example.com']);
  const second = await ok(['apply', '-f', file]);
  assert.match(second, /^crontab\.stable\.example\.com\/first created$/m);
  assert.match(second, /^crontab\.stable\.example\.com\/second created$/m);

  await Promise.all([
    (async () => {
      // Jobs: one completes both its completions; the failing one stops at backoffLimit (2 pods).
      await until('Job ok Complete and Job bad Failed', async () => {
        const [okJob, bad] = [await kubectlGet(c, ['job', 'ok']), await kubectlGet(c, ['job', 'bad'])];
        return okJob.status?.conditions?.some((x: any) => x.type === 'Complete' && x.status === 'True')
          && bad.status?.conditions?.some((x: any) => x.type === 'Failed' && x.reason === 'BackoffLimitExceeded');
      }, 60_000);
      assert.equal((await kubectlGet(c, ['job', 'ok'])).status.succeeded, 2);
      assert.equal((await pods(c, 'batch.kubernetes.io/job-name=bad')).length, 2);
    })(),
    (async () => {
      // The CronJob: with its last run pretended two minutes ago, the due run starts now.
      const last = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 120_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      await ok(['patch', 'cronjob', 'tick', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { lastScheduleTime: last } })]);
      const cj = await kubectlGet(c, ['cronjob', 'tick']);
      await until('a Job made by the CronJob', async () => (await kubectlGet(c, ['jobs'])).items.find((j: any) => j.metadata.ownerReferences?.[0]?.uid === cj.metadata.uid));
    })(),
    (async () => {
      // The static claim binds to the static volume at once (Immediate).
      await until('static-claim Bound to static-pv', async () => {
        const pvc = await kubectlGet(c, ['pvc', 'static-claim']);
        return pvc.status?.phase === 'Bound' && pvc.spec.volumeName === 'static-pv';
      });
      assert.equal((await kubectlGet(c, ['pv', 'static-pv'])).status.phase, 'Bound');
    })(),
    (async () => {
      // The custom resources: validation by the CRD's CEL rule, its printer columns, its scale subresource.
      const invalid = await c.kubectl(['apply', '-f', '-'], { input: 'apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata: { name: too-many }\nspec: { cronSpec: "* * * * *", replicas: 11 }\n' });
      assert.notEqual(invalid.code, 0);
      assert.match(invalid.stderr, /replicas must not exceed maxReplicas/);
      const table = (await ok(['get', 'crontabs'])).trim().split('\n').map((l) => l.split(/\s{2,}/));
      assert.deepEqual(table.map((row) => row.slice(0, 3)), [['NAME', 'SPEC', 'REPLICAS'], ['first', '* * * * */5', '1'], ['second', '*/10 * * * *', '2']]);
      assert.equal(table[0][3], 'AGE');
      assert.match(await ok(['scale', 'crontab/first', '--replicas=3']), /crontab.stable.example.com\/first scaled/);
      assert.equal((await kubectlGet(c, ['crontab', 'first'])).spec.replicas, 3);
    })(),
    (async () => {
      // The DaemonSet: one pod per node, and one on a node added now.
      const dsNodes = async () => (await pods(c, 'app=agent')).map((p) => p.spec.nodeName).filter(Boolean).sort().join();
      await until('a daemon pod on each node', async () => (await dsNodes()) === 'sim-node-0,sim-node-1');
      const [added] = await (await c.plane.simulatedNodes()).add(1);
      await until('a daemon pod on the added node', async () => (await dsNodes()) === `sim-node-0,sim-node-1,${added}`);
    })(),
    (async () => {
      // The StatefulSet: web-0, then web-1, each with its own claim Bound (the default StorageClass's provisioner,
      // waiting for the first consumer); rolled forward, undone, and scaled down in reverse order.
      await until('web-0 and web-1 ready', async () => (await pods(c, 'app=web')).filter(ready).length === 2, 60_000);
      const [web0, web1] = [await kubectlGet(c, ['pod', 'web-0']), await kubectlGet(c, ['pod', 'web-1'])];
      assert.ok(Date.parse(web0.metadata.creationTimestamp) <= Date.parse(web1.metadata.creationTimestamp));
      assert.ok(Date.parse(web0.status.conditions.find((x: any) => x.type === 'Ready').lastTransitionTime) <= Date.parse(web1.metadata.creationTimestamp),
        'web-1 was created after web-0 turned Ready');
      await until('www-web-0 and www-web-1 Bound', async () => {
        const claims = (await kubectlGet(c, ['pvc', '-l', 'app=web'])).items;
        return claims.map((p: any) => `${p.metadata.name}:${p.status?.phase}:${p.spec.storageClassName}`).sort().join() === 'www-web-0:Bound:standard,www-web-1:Bound:standard';
      });
      await ok(['set', 'image', 'statefulset/web', 'nginx=nginx:1.28']);
      await ok(['rollout', 'status', 'statefulset/web', '--timeout=60s']);
      await ok(['rollout', 'undo', 'statefulset/web']);
      const images = async () => (await pods(c, 'app=web')).filter(ready).map((p) => `${p.metadata.name}=${p.spec.containers[0].image}`).sort().join();
      await until('both pods back on nginx:1.27', async () => (await images()) === 'web-0=nginx:1.27,web-1=nginx:1.27', 60_000);
      await ok(['scale', 'statefulset/web', '--replicas=1']);
      await until('web-1 gone, web-0 kept', async () => (await pods(c, 'app=web')).map((p) => p.metadata.name).join() === 'web-0');
    })(),
  ]);

  // Every kind is listed by kubectl get with its server-side columns.
  const listed = await ok(['get', ...'pc/important quota/counts limits/defaults podtemplate/blueprint controllerrevision/by-hand-1 pdb/front hpa/front ingressclass/edge ing/front netpol/front-only sc/manual csidriver/example.csi.nanokube.io volumeattachment/static-attach rc/legacy'.split(' '), '-o', 'name']);
  assert.equal(listed.trim().split('\n').length, 14, listed);

  // kubectl drain evicts the front end's pods from one node within its budget (minAvailable 1 of 2).
  await until('two ready front pods and a PDB allowing one disruption', async () =>
    (await pods(c, 'app=front')).filter(ready).length === 2 && (await kubectlGet(c, ['pdb', 'front'])).status?.disruptionsAllowed === 1);
  const drained = (await pods(c, 'app=front'))[0].spec.nodeName as string;
  const r = await c.kubectl(['drain', drained, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=60s']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /evicting pod default\/front-/);
  assert.match(r.stdout, new RegExp(`node/${drained} drained`));
  await until('the front end back at 2 ready pods, none on the drained node', async () => {
    const front = (await pods(c, 'app=front')).filter(ready);
    return front.length === 2 && front.every((p) => p.spec.nodeName !== drained);
  });
});
