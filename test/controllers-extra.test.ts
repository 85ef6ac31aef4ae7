// The root CA publisher and the pod garbage collector, black-box with the real kubectl: every namespace carries
// kube-root-ca.crt with the cluster CA, and a pod left on a node that is removed goes away.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster } from './helpers/cluster.js';
import { until } from './helpers/until.js';

test('kube-root-ca.crt holds the cluster CA in every namespace; a pod on a removed node is garbage collected', async (t) => {
  const c = await startTestCluster(t, { simulatedNodes: 1, podGCQuarantineSeconds: 1 });
  const caIn = async (ns: string) => {
    const r = await c.kubectl(['get', 'configmap', 'kube-root-ca.crt', '-n', ns, '-o', 'jsonpath={.data.ca\\.crt}']);
    return r.code === 0 && r.stdout;
  };
  assert.equal(await until('kube-root-ca.crt in default', () => caIn('default')), c.pki.ca);
  const created = await c.kubectl(['create', 'namespace', 'team-a']);
  assert.equal(created.code, 0, created.stderr);
  assert.equal(await until('kube-root-ca.crt in a new namespace', () => caIn('team-a')), c.pki.ca);

  await until('sim-node-0 Ready', async () => / Ready /.test((await c.kubectl(['get', 'node', 'sim-node-0', '--no-headers'])).stdout));
  const manifest = JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stranded' },
    spec: { nodeName: 'sim-node-0', containers: [{ name: 'app', image: 'busybox' }] },
  });
  const applied = await c.kubectl(['apply', '-f', '-'], { input: manifest });
  assert.equal(applied.code, 0, applied.stderr);
  await until('pod running on sim-node-0', async () => (await c.kubectl(['get', 'pod', 'stranded', '-o', 'jsonpath={.status.phase}'])).stdout === 'Running');

  await (await c.plane.simulatedNodes()).remove('sim-node-0');
  await until('orphaned pod deleted', async () => {
    const r = await c.kubectl(['get', 'pod', 'stranded', '--ignore-not-found', '-o', 'name']);
    return r.code === 0 && r.stdout.trim() === '';
  });
});
