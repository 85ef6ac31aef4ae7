// StatefulSets, DaemonSets and ReplicationControllers with the real kubectl on simulated nodes: ordered creation
// and reverse scale-down of a StatefulSet, rollout history/undo, a DaemonSet following a node added at runtime,
// the `kubectl get sts,ds,rc` columns, scaling an RC, and the python client's AppsV1Api daemon set calls and
// utils.create_from_yaml with a multi-resource file.
import { describe, before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestCluster, kubectlOk, kubectlGet, type TestCluster } from './helpers/cluster.js';
import { findPython, pythonClientMissing, runPython } from './helpers/python.js';
import { until } from './helpers/until.js';
import { Client } from '../src/client/client.js';
import { resources } from '../src/api/resources.js';
import type { KubeObject } from '../src/api/object.js';
import { httpTransport } from '../src/client/transport.js';

const manifest = `apiVersion: v1
kind: Service
metadata: {name: nginx}
spec: {clusterIP: None, selector: {app: web}, ports: [{port: 80}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: nginx
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: nginx, image: 'nginx:1.27', volumeMounts: [{name: www, mountPath: /usr/share/nginx/html}]}]}
  volumeClaimTemplates:
  - metadata: {name: www}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: agent, image: 'agent:1'}]}
---
apiVersion: v1
kind: ReplicationController
metadata: {name: legacy}
spec:
  replicas: 1
  template:
    metadata: {labels: {app: legacy}}
    spec: {containers: [{name: c, image: 'busybox:1.36'}]}
`;

const ready = (p: KubeObject) => p.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True') === true;

/** Records the pods' watch events in the order the API stored them. */
function recordPods(t: { after(fn: () => unknown): void }, c: TestCluster): { type: string; name: string; ready: boolean; deleting: boolean }[] {
  const transport = httpTransport({ server: c.url, ...c.pki });
  const client = new Client(transport);
  const seen: { type: string; name: string; ready: boolean; deleting: boolean }[] = [];
  const stop = client.watch(resources.pods, { namespace: 'default' }, {
    onError: (e) => { throw e; },
    onEvent: (type, p) => seen.push({ type, name: p.metadata.name ?? '', ready: ready(p), deleting: !!p.metadata.deletionTimestamp }),
  });
  t.after(() => { stop(); transport.close(); });
  return seen;
}

/** The API's view, read directly (polling through kubectl would spend most of the test starting kubectl). */
async function api(c: TestCluster, path: string): Promise<any> {
  const r = await c.request('GET', path);
  assert.equal(r.status, 200, r.text);
  return r.body;
}
async function podsOf(c: TestCluster, selector: string): Promise<KubeObject[]> {
  return (await api(c, `/api/v1/namespaces/default/pods?labelSelector=${encodeURIComponent(selector)}`)).items.filter((p: KubeObject) => !p.metadata.deletionTimestamp);
}

const ok = kubectlOk;

// One cluster for the file (its tests run side by side: they use different names and labels).
let c: TestCluster;
const cleanups: (() => unknown)[] = [];
const afterAll = { after: (fn: () => unknown) => { cleanups.push(fn); } };

describe('apps workloads', { concurrency: 2 }, () => {
before(async () => { c = await startTestCluster(afterAll, { simulatedNodes: 2 }); });
after(async () => { for (const fn of cleanups.reverse()) await fn(); });

test('StatefulSets, DaemonSets and ReplicationControllers on simulated nodes with kubectl', async () => {
  const events = recordPods(afterAll, c);
  await ok(c, ['apply', '-f', '-'], manifest);

  // web-0 comes first; web-1 is created only once web-0 is Ready.
  await until('web-0 and web-1 ready', async () => (await podsOf(c, 'app=web')).filter(ready).length === 2);
  const web1Added = events.findIndex((e) => e.type === 'ADDED' && e.name === 'web-1');
  const web0Ready = events.findIndex((e) => e.name === 'web-0' && e.ready);
  assert.ok(web0Ready >= 0 && web0Ready < web1Added, 'web-1 was created after web-0 turned Ready: ' + JSON.stringify(events));
  const web0 = (await kubectlGet(c, ['pod', 'web-0']));
  assert.equal(web0.spec.hostname, 'web-0');
  assert.equal(web0.spec.subdomain, 'nginx');
  assert.equal(web0.metadata.labels['statefulset.kubernetes.io/pod-name'], 'web-0');
  assert.deepEqual(web0.spec.volumes.find((v: any) => v.name === 'www'), { name: 'www', persistentVolumeClaim: { claimName: 'www-web-0' } });
  const claims = async () => (await api(c, '/api/v1/namespaces/default/persistentvolumeclaims')).items.map((p: KubeObject) => p.metadata.name).sort().join();
  assert.equal(await claims(), 'www-web-0,www-web-1');

  // The DaemonSet has one pod on each node, and one more on a node added now.
  const dsNodes = async () => (await podsOf(c, 'app=agent')).map((p) => p.spec.nodeName).filter(Boolean).sort().join();
  await until('a daemon pod on each node', async () => (await dsNodes()) === 'sim-node-0,sim-node-1');
  const [added] = await (await c.plane.simulatedNodes()).add(1);
  await until('a daemon pod on the added node', async () => (await dsNodes()) === `sim-node-0,sim-node-1,${added}`);
  await until('the DaemonSet reports 3 ready', async () => (await api(c, '/apis/apps/v1/namespaces/default/daemonsets/agent')).status.numberReady === 3);

  // The RC scales with kubectl scale.
  assert.match(await ok(c, ['scale', 'rc/legacy', '--replicas=3']), /replicationcontroller\/legacy scaled/);
  await until('3 RC pods ready', async () => (await podsOf(c, 'app=legacy')).filter(ready).length === 3);
  await until('the RC and the StatefulSet report their ready pods', async () => (await api(c, '/api/v1/namespaces/default/replicationcontrollers/legacy')).status.readyReplicas === 3
    && (await api(c, '/apis/apps/v1/namespaces/default/statefulsets/web')).status.readyReplicas === 2);

  // kubectl get's columns, from the server's Tables.
  const table = await ok(c, ['get', 'sts,ds,rc']);
  const headers = table.split('\n').filter((l) => l.startsWith('NAME')).map((l) => l.split(/\s{2,}/).join(' '));
  assert.deepEqual(headers, [
    'NAME READY AGE',
    'NAME DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE',
    'NAME DESIRED CURRENT READY AGE',
  ]);
  assert.match(table, /statefulset\.apps\/web\s+2\/2\s/);
  assert.match(table, /daemonset\.apps\/agent\s+3\s+3\s+3\s+3\s+3\s+<none>\s/);
  assert.match(table, /replicationcontroller\/legacy\s+3\s+3\s+3\s/);

  // A new image rolls out; rollout history lists both revisions and undo brings the first template back.
  await ok(c, ['set', 'image', 'statefulset/web', 'nginx=nginx:1.28']);
  assert.match(await ok(c, ['rollout', 'status', 'statefulset/web', '--timeout=60s']), /roll(ing update|ed out)|complete/);
  const images = async () => (await podsOf(c, 'app=web')).map((p) => `${p.metadata.name}=${p.spec.containers[0].image}`).sort().join();
  await until('both pods on nginx:1.28', async () => (await images()) === 'web-0=nginx:1.28,web-1=nginx:1.28');
  const history = await ok(c, ['rollout', 'history', 'statefulset/web']);
  assert.match(history, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
  assert.match(await ok(c, ['rollout', 'undo', 'statefulset/web']), /statefulset\.apps\/web rolled back/);
  await until('both pods back on nginx:1.27', async () => (await images()) === 'web-0=nginx:1.27,web-1=nginx:1.27'
    && (await podsOf(c, 'app=web')).every(ready));
  assert.match(await ok(c, ['rollout', 'history', 'statefulset/web']), /\n2\s+<none>\n3\s+<none>/);

  // Scaling to 1 then 0 removes web-1 before web-0.
  events.length = 0;
  await ok(c, ['scale', 'statefulset/web', '--replicas=0']);
  await until('no web pods left', async () => (await api(c, '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb')).items.length === 0);
  const gone = events.filter((e) => e.name.startsWith('web-') && (e.deleting || e.type === 'DELETED')).map((e) => e.name);
  assert.deepEqual([...new Set(gone)], ['web-1', 'web-0']);
  assert.equal(await claims(), 'www-web-0,www-web-1', 'claims are retained by default');

  // The garbage collector follows ownerReferences to these kinds: deleting the owners deletes their pods and revisions.
  await ok(c, ['delete', 'daemonset/agent', 'replicationcontroller/legacy', 'statefulset/web']);
  await until('owned pods and revisions deleted', async () =>
    (await api(c, '/api/v1/namespaces/default/pods')).items.length === 0
    && (await api(c, '/apis/apps/v1/namespaces/default/controllerrevisions')).items.length === 0);
});

const script = String.raw`
import json, sys
from kubernetes import client, config
config.load_kube_config(config_file=sys.argv[1])
apps = client.AppsV1Api()
ns = 'py'
client.CoreV1Api().create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=ns)))
out = {}
ds = client.V1DaemonSet(metadata=client.V1ObjectMeta(name='py-ds'), spec=client.V1DaemonSetSpec(
    selector=client.V1LabelSelector(match_labels={'app': 'py-ds'}),
    template=client.V1PodTemplateSpec(metadata=client.V1ObjectMeta(labels={'app': 'py-ds'}),
        spec=client.V1PodSpec(containers=[client.V1Container(name='c', image='agent:1')]))))
created = apps.create_namespaced_daemon_set(ns, ds)
out['strategy'] = [created.spec.update_strategy.type, created.spec.update_strategy.rolling_update.max_unavailable]
out['listed'] = [d.metadata.name for d in apps.list_namespaced_daemon_set(ns).items]
out['all'] = sorted(d.metadata.namespace + '/' + d.metadata.name for d in apps.list_daemon_set_for_all_namespaces().items)
patched = apps.patch_namespaced_daemon_set('py-ds', ns, {'spec': {'template': {'spec': {'containers': [{'name': 'c', 'image': 'agent:2'}]}}}})
out['patched'] = [patched.spec.template.spec.containers[0].image, patched.metadata.generation]
out['status_read'] = apps.read_namespaced_daemon_set_status('py-ds', ns).status.desired_number_scheduled is not None
out['deleted'] = apps.delete_namespaced_daemon_set('py-ds', ns).status
# utils.create_from_yaml with a multi-resource file: each document through its kind's API class.
from kubernetes import utils
made = utils.create_from_yaml(client.ApiClient(), sys.argv[2], namespace=ns)
out['from_yaml'] = sorted(o.kind + '/' + o.metadata.name for group in made for o in group)
print(json.dumps(out))
`;

test('the python client creates, lists, patches, reads the status of and deletes a DaemonSet', async (t) => {
  const python = findPython();
  if (!python) { t.skip(pythonClientMissing); return; }
  const multi = join(c.home, 'multi.yaml');
  writeFileSync(multi, [
    'apiVersion: batch/v1\nkind: Job\nmetadata: {name: py-job}\nspec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}}}',
    'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: py-cron}\nspec: {schedule: "0 * * * *", jobTemplate: {spec: {template: {spec: {restartPolicy: OnFailure, containers: [{name: c, image: busybox}]}}}}}',
    'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: py-sts}\nspec: {serviceName: py-sts, selector: {matchLabels: {app: py-sts}}, template: {metadata: {labels: {app: py-sts}}, spec: {containers: [{name: c, image: nginx}]}}}',
    'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: py-pdb}\nspec: {maxUnavailable: 1, selector: {matchLabels: {app: py-sts}}}',
  ].join('\n---\n') + '\n');
  const r = await runPython(c, python, 'ds.py', script, [multi]);
  assert.equal(r.code, 0, r.stderr);
  const out = r.output();
  assert.deepEqual(out.strategy, ['RollingUpdate', 1]);
  assert.deepEqual(out.listed, ['py-ds']);
  assert.ok(out.all.includes('py/py-ds'), out.all);
  assert.deepEqual(out.patched, ['agent:2', 2]);
  assert.equal(out.status_read, true);
  assert.equal(out.deleted, 'Success');
  assert.deepEqual(out.from_yaml, ['CronJob/py-cron', 'Job/py-job', 'PodDisruptionBudget/py-pdb', 'StatefulSet/py-sts']);
});
});
