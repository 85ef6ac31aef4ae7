// Storage as a kubectl 1.32 user sees it on simulated nodes: the built-in default StorageClass `standard`, the
// DefaultStorageClass admission, PersistentVolume and PersistentVolumeClaim tables and validation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster } from './helpers/cluster.js';

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
