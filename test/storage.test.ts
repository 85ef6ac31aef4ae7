// Storage as a kubectl 1.32 user sees it on simulated nodes: the built-in default StorageClass `standard`, the
// DefaultStorageClass admission, PersistentVolume and PersistentVolumeClaim tables and validation, dynamic
// provisioning with WaitForFirstConsumer, static binding, expansion, protection and reclaiming.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startTestCluster } from './helpers/cluster.js';
import { until } from './helpers/until.js';

const claim = (name: string, extra = '') => `apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: ${name} }
spec:
  accessModes: [ReadWriteOnce]
  resources: { requests: { storage: 1Gi } }
${extra}`;

test('kubectl get sc shows the built-in standard (default) class, and a claim naming no class gets it', async (t) => {
  const c = await startTestCluster(t, { components: false });
  let r = await c.kubectl(['get', 'sc']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^NAME\s+PROVISIONER\s+RECLAIMPOLICY\s+VOLUMEBINDINGMODE\s+ALLOWVOLUMEEXPANSION\s+AGE\nstandard \(default\)\s+nanokube\.io\/local-path\s+Delete\s+WaitForFirstConsumer\s+true\s+\S+\n$/);
  r = await c.kubectl(['apply', '-f', '-'], { input: claim('data') });
  assert.equal(r.code, 0, r.stderr);
  r = await c.kubectl(['get', 'pvc', 'data', '-o', 'jsonpath={.spec.storageClassName} {.spec.volumeMode}']);
  assert.equal(r.stdout, 'standard Filesystem');
  r = await c.kubectl(['get', 'pvc']);
  assert.match(r.stdout, /^NAME\s+STATUS\s+VOLUME\s+CAPACITY\s+ACCESS MODES\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+AGE\ndata\s+standard\s+<unset>\s+\S+\n$/);
  r = await c.kubectl(['apply', '-f', '-'], { input: claim('bad').replace('[ReadWriteOnce]', '[]').replace('storage: 1Gi', 'storage: "0"') });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /spec\.accessModes: Required value: at least 1 access mode is required/);
  assert.match(r.stderr, /spec\.resources\[storage\]: Invalid value: "0": must be greater than zero/);
  r = await c.kubectl(['api-resources', '--api-group=storage.k8s.io', '--no-headers']);
  assert.match(r.stdout, /^storageclasses\s+sc\s+storage\.k8s\.io\/v1\s+false\s+StorageClass\n/m);
  assert.match(r.stdout, /^csidrivers\s+storage\.k8s\.io\/v1\s+false\s+CSIDriver\n/m);
});

test('on simulated nodes a claim of the standard class waits for its first pod, is provisioned in a directory on that pod\'s node, grows, and goes with its directory', async (t) => {
  const c = await startTestCluster(t, { simulatedNodes: 2 });
  const get = async (what: string[]) => { const r = await c.kubectl([...what, '-o', 'json']); return r.code === 0 ? JSON.parse(r.stdout) : undefined; };
  let r = await c.kubectl(['apply', '-f', '-'], { input: claim('data') });
  assert.equal(r.code, 0, r.stderr);
  await until('the claim waits for a consumer', async () => (await c.kubectl(['get', 'events', '--field-selector', 'reason=WaitForFirstConsumer', '-o', 'name'])).stdout.trim());
  r = await c.kubectl(['describe', 'pvc', 'data']);
  assert.match(r.stdout, /waiting for first consumer to be created before binding/);
  assert.equal((await get(['get', 'pvc', 'data'])).status.phase, 'Pending');

  r = await c.kubectl(['apply', '-f', '-'], { input: `apiVersion: v1
kind: Pod
metadata: { name: user }
spec:
  containers: [{ name: app, image: busybox }]
  volumes: [{ name: data, persistentVolumeClaim: { claimName: data } }]
` });
  assert.equal(r.code, 0, r.stderr);
  const bound = await until('the claim is Bound', async () => { const p = await get(['get', 'pvc', 'data']); return p?.status?.phase === 'Bound' && p; });
  const pod = await until('the pod is scheduled', async () => { const p = await get(['get', 'pod', 'user']); return p?.spec?.nodeName && p; });
  assert.equal(bound.metadata.annotations['volume.kubernetes.io/selected-node'], pod.spec.nodeName);
  assert.equal(bound.metadata.annotations['pv.kubernetes.io/bind-completed'], 'yes');
  assert.deepEqual(bound.metadata.finalizers, ['kubernetes.io/pvc-protection']);
  const pvName = `pvc-${bound.metadata.uid}`;
  assert.equal(bound.spec.volumeName, pvName);
  const pv = await get(['get', 'pv', pvName]);
  const dir = join(c.home, 'storage', pvName);
  assert.equal(pv.spec.hostPath.path, dir);
  assert.equal(pv.spec.persistentVolumeReclaimPolicy, 'Delete');
  assert.deepEqual(pv.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0], { key: 'kubernetes.io/hostname', operator: 'In', values: [pod.spec.nodeName] });
  assert.ok(existsSync(dir), 'the volume directory exists');
  r = await c.kubectl(['get', 'pvc', 'data']);
  assert.match(r.stdout, new RegExp(`\\ndata\\s+Bound\\s+${pvName}\\s+1Gi\\s+RWO\\s+standard\\s+<unset>\\s+\\S+\\n$`));
  r = await c.kubectl(['get', 'pv']);
  assert.match(r.stdout, new RegExp(`\\n${pvName}\\s+1Gi\\s+RWO\\s+Delete\\s+Bound\\s+default/data\\s+standard\\s+<unset>\\s+\\S+\\n$`));
  r = await c.kubectl(['describe', 'pvc', 'data']);
  assert.match(r.stdout, /ProvisioningSucceeded\s+\S+\s+\S+\s+Successfully provisioned volume/);

  // Expansion: the standard class allows it; the claim's capacity follows its request.
  r = await c.kubectl(['patch', 'pvc', 'data', '-p', '{"spec":{"resources":{"requests":{"storage":"2Gi"}}}}']);
  assert.equal(r.code, 0, r.stderr);
  await until('the claim has grown', async () => (await get(['get', 'pvc', 'data']))?.status?.capacity?.storage === '2Gi');
  assert.equal((await get(['get', 'pv', pvName])).spec.capacity.storage, '2Gi');

  // A pre-created volume binds to a claim that matches it (no class, enough capacity, its access mode).
  r = await c.kubectl(['apply', '-f', '-'], { input: `apiVersion: v1
kind: PersistentVolume
metadata: { name: manual, labels: { tier: gold } }
spec:
  capacity: { storage: 5Gi }
  accessModes: [ReadWriteOnce, ReadOnlyMany]
  storageClassName: ""
  hostPath: { path: ${join(c.home, 'manual')} }
---
${claim('static', '  storageClassName: ""\n  selector: { matchLabels: { tier: gold } }')}` });
  assert.equal(r.code, 0, r.stderr);
  await until('the static claim is Bound to the volume', async () => { const p = await get(['get', 'pvc', 'static']); return p?.spec?.volumeName === 'manual' && p.status?.phase === 'Bound'; });
  const manual = await get(['get', 'pv', 'manual']);
  assert.equal(manual.status.phase, 'Bound');
  assert.equal(manual.spec.persistentVolumeReclaimPolicy, 'Retain');
  assert.equal(manual.metadata.annotations['pv.kubernetes.io/bound-by-controller'], 'yes');

  // A claim made while no class is the default gets the default class once there is one (retroactively, as upstream).
  r = await c.kubectl(['annotate', 'sc', 'standard', 'storageclass.kubernetes.io/is-default-class-']);
  assert.equal(r.code, 0, r.stderr);
  r = await c.kubectl(['apply', '-f', '-'], { input: claim('late') });
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await get(['get', 'pvc', 'late'])).spec.storageClassName, undefined);
  r = await c.kubectl(['annotate', 'sc', 'standard', 'storageclass.kubernetes.io/is-default-class=true']);
  assert.equal(r.code, 0, r.stderr);
  await until('the late claim gets the default class', async () => (await get(['get', 'pvc', 'late']))?.spec?.storageClassName === 'standard');

  // The claim is protected while its pod runs; then Delete takes the volume and its directory.
  r = await c.kubectl(['delete', 'pvc', 'data', '--wait=false']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok((await get(['get', 'pvc', 'data']))?.metadata?.deletionTimestamp, 'a claim in use stays while it is used');
  r = await c.kubectl(['delete', 'pod', 'user', '--grace-period=0', '--force']);
  assert.equal(r.code, 0, r.stderr);
  await until('the volume is gone', async () => (await c.kubectl(['get', 'pv', pvName])).code !== 0);
  assert.equal(existsSync(dir), false, 'the directory is removed with the volume');
  // Retain keeps a released volume.
  r = await c.kubectl(['delete', 'pvc', 'static']);
  assert.equal(r.code, 0, r.stderr);
  await until('the retained volume is Released', async () => (await get(['get', 'pv', 'manual']))?.status?.phase === 'Released');
});
