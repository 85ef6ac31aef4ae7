// Kubernetes 1.32 compatibility a real user ran into: fields newer than 1.30, and the answers kubectl 1.32 and
// other clients read exactly as upstream gives them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster } from './helpers/cluster.js';

test('fields added in Kubernetes 1.31 and 1.32 are known: kubectl explain shows them and strict validation accepts them', async (t) => {
  const c = await startTestCluster(t, { components: false });
  const resources = await c.kubectl(['explain', 'pods.spec.resources']);
  assert.equal(resources.code, 0, resources.stderr);
  assert.match(resources.stdout, /FIELD: resources <ResourceRequirements>/);
  const image = await c.kubectl(['explain', 'pods.spec.volumes.image']);
  assert.equal(image.code, 0, image.stderr);
  assert.match(image.stdout, /reference/);
  const deploy = await c.kubectl(['explain', 'deployments.spec.template.spec.securityContext.supplementalGroupsPolicy']);
  assert.equal(deploy.code, 0, deploy.stderr);
  assert.match(deploy.stdout, /supplementalGroupsPolicy <string>/);
  const pod = JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p132' },
    spec: {
      resources: { limits: { cpu: '1' } },
      securityContext: { supplementalGroupsPolicy: 'Merge' },
      containers: [{ name: 'c', image: 'nginx' }],
    },
  });
  const created = await c.kubectl(['create', '--validate=strict', '-f', '-'], { input: pod });
  assert.equal(created.code, 0, created.stderr);
  const removed = await c.kubectl(['explain', 'pods.spec.resourceClaims.source']);
  assert.notEqual(removed.code, 0, 'a field 1.32 removed is gone');
});
