// The official python client (Debian's python3-kubernetes) works against nanokube: list, create, patch, conflict
// errors, paginated lists, a watch with a timeout, the scale subresource and deletecollection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster } from './helpers/cluster.js';
import { findPython, pythonClientMissing, runPython } from './helpers/python.js';

const script = String.raw`
import json, sys, threading
from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

config.load_kube_config(config_file=sys.argv[1])
v1 = client.CoreV1Api()
apps = client.AppsV1Api()
out = {}
ns = 'default'
out['namespaces'] = sorted(n.metadata.name for n in v1.list_namespace().items)
cm = client.V1ConfigMap(metadata=client.V1ObjectMeta(name='py-cm', labels={'from': 'python'}), data={'a': '1'})
out['created_rv'] = bool(v1.create_namespaced_config_map(ns, cm).metadata.resource_version)
out['patched_data'] = v1.patch_namespaced_config_map('py-cm', ns, {'data': {'b': '2'}}).data
try:
    v1.create_namespaced_config_map(ns, cm)
except ApiException as e:
    out['duplicate'] = [e.status, json.loads(e.body)['reason']]
for i in range(5):
    v1.create_namespaced_config_map(ns, client.V1ConfigMap(metadata=client.V1ObjectMeta(name='page-%d' % i, labels={'page': 'yes'})))
names, cont, pages = [], None, 0
while True:
    r = v1.list_namespaced_config_map(ns, label_selector='page=yes', limit=2, _continue=cont)
    pages += 1
    names += [c.metadata.name for c in r.items]
    cont = r.metadata._continue
    if not cont:
        break
out['paged'] = [pages, names]
seen = []
w = watch.Watch()
def later():
    v1.patch_namespaced_config_map('py-cm', ns, {'data': {'c': '3'}})
    v1.delete_namespaced_config_map('py-cm', ns)
rv = v1.list_namespaced_config_map(ns).metadata.resource_version
t = threading.Timer(0.5, later)
t.start()
for ev in w.stream(v1.list_namespaced_config_map, ns, field_selector='metadata.name=py-cm', resource_version=rv, timeout_seconds=10):
    seen.append(ev['type'])
    if ev['type'] == 'DELETED':
        w.stop()
t.join()
out['watch'] = seen
d = client.V1Deployment(metadata=client.V1ObjectMeta(name='py-dep'), spec=client.V1DeploymentSpec(
    replicas=1, selector=client.V1LabelSelector(match_labels={'app': 'py'}),
    template=client.V1PodTemplateSpec(metadata=client.V1ObjectMeta(labels={'app': 'py'}),
        spec=client.V1PodSpec(containers=[client.V1Container(name='c', image='nginx')]))))
apps.create_namespaced_deployment(ns, d)
out['scale'] = apps.patch_namespaced_deployment_scale('py-dep', ns, {'spec': {'replicas': 3}}).spec.replicas
out['deleted'] = apps.delete_namespaced_deployment('py-dep', ns).status
v1.delete_collection_namespaced_config_map(ns, label_selector='page=yes')
out['after_delete'] = len(v1.list_namespaced_config_map(ns, label_selector='page=yes').items)
print(json.dumps(out))
`;

test('the python kubernetes client lists, creates, patches, pages, watches, scales and deletes', async (t) => {
  const python = findPython();
  if (!python) { t.skip(pythonClientMissing); return; }
  const c = await startTestCluster(t);
  const r = await runPython(c, python, 'client.py', script);
  assert.equal(r.code, 0, r.stderr);
  const out = r.output();
  assert.deepEqual(out.namespaces, ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
  assert.equal(out.created_rv, true);
  assert.deepEqual(out.patched_data, { a: '1', b: '2' });
  assert.deepEqual(out.duplicate, [409, 'AlreadyExists']);
  assert.deepEqual(out.paged, [3, ['page-0', 'page-1', 'page-2', 'page-3', 'page-4']]);
  assert.deepEqual(out.watch, ['MODIFIED', 'DELETED']);
  assert.equal(out.scale, 3);
  assert.equal(out.deleted, 'Success');
  assert.equal(out.after_delete, 0);
});
