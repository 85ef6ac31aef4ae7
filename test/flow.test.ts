// The live architecture view's feed (GET /debug/flow): a learner watching `kubectl scale` sees it go from kubectl to
// the API server and the store, to the controllers, the scheduler and the kubelet, and back as status, each caller
// named by the identity it authenticated as; Secret data never appears in it; only those allowed may watch it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { startTestCluster, examplePath } from './helpers/cluster.js';
import { until } from './helpers/until.js';

interface Edge { kind: string; from: { kind: string; node?: string; controller?: string }; to: { kind: string; node?: string }; verb?: string; resource: string; subresource?: string; name?: string; code?: number; type?: string; podNode?: string }

test('the flow feed shows kubectl scale travel through the cluster, names only', async (t) => {
  const c = await startTestCluster(t, { simulatedNodes: 1 });
  const applied = await c.kubectl(['apply', '-f', examplePath('flask-deployment.yaml')]);
  assert.equal(applied.code, 0, applied.stderr);
  await until('2 pods running', async () => (await c.kubectl(['get', 'deployment', 'flask-app', '-o', 'jsonpath={.status.readyReplicas}'])).stdout === '2');

  const events: Edge[] = [];
  let raw = '';
  const stream = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
    const req = https.get(new URL('/debug/flow', c.url), { ca: c.pki.ca, cert: c.pki.cert, key: c.pki.key }, resolve);
    req.on('error', reject);
    t.after(() => req.destroy());
  });
  assert.equal(stream.statusCode, 200);
  assert.match(String(stream.headers['content-type']), /text\/event-stream/);
  let buffered = '';
  stream.on('data', (chunk: Buffer) => {
    raw += chunk.toString();
    buffered += chunk.toString();
    let i;
    while ((i = buffered.indexOf('\n\n')) >= 0) {
      const message = buffered.slice(0, i);
      buffered = buffered.slice(i + 2);
      for (const line of message.split('\n')) if (line.startsWith('data: ')) events.push(...JSON.parse(line.slice(6)).events);
    }
  });
  stream.on('error', () => undefined);
  await until('the stream is open', async () => raw.startsWith(': nanokube flow'));

  const secret = await c.kubectl(['apply', '-f', examplePath('db-secret.yaml')]);
  assert.equal(secret.code, 0, secret.stderr);
  const scaled = await c.kubectl(['scale', 'deployment/flask-app', '--replicas=3']);
  assert.equal(scaled.code, 0, scaled.stderr);

  const seen = (what: string, f: (e: Edge) => boolean) => until(what, async () => events.find(f), 30_000);
  const scale = await seen('kubectl → API server: patch deployments/scale', (e) => e.kind === 'request' && e.from.kind === 'kubectl' && e.resource === 'deployments' && e.subresource === 'scale' && e.name === 'flask-app');
  assert.equal(scale.code, 200);
  await seen('API server → store: the Deployment written', (e) => e.kind === 'write' && e.to.kind === 'store' && e.resource === 'deployments' && e.name === 'flask-app');
  await seen('the Deployment change delivered to the watching components', (e) => e.kind === 'watch' && e.resource === 'deployments' && e.type === 'MODIFIED' && e.name === 'flask-app');
  await seen('the deployment controller scales the ReplicaSet', (e) => e.kind === 'request' && e.from.controller === 'deployment-controller' && e.resource === 'replicasets');
  const created = await seen('the ReplicaSet controller creates a pod', (e) => e.kind === 'request' && e.from.controller === 'replicaset-controller' && e.resource === 'pods' && e.verb === 'create');
  assert.equal(created.code, 201);
  assert.match(created.name ?? '', /^flask-app-/, 'a created pod is named from the answer');
  await seen('the scheduler binds it', (e) => e.kind === 'request' && e.from.kind === 'scheduler' && e.subresource === 'binding' && e.name === created.name);
  await seen('the kubelet reports its status', (e) => e.kind === 'request' && e.from.kind === 'kubelet' && !!e.from.node && e.subresource === 'status' && e.name === created.name);
  // Simulated kubelets read the shared informer cache; a real node's kubelet watches as system:node:<name>.
  await seen('the bound pod is delivered to its watchers, with its node', (e) => e.kind === 'watch' && e.type === 'MODIFIED' && e.name === created.name && !!e.podNode);
  await seen('the Secret write, by name', (e) => e.kind === 'write' && e.resource === 'secrets' && e.name === 'db-secret');
  assert.ok(!raw.includes('cGFzc3dvcmQ=') && !raw.includes('password"'), 'no Secret data in the flow');

  // Someone without a rule for the non-resource URL /debug/flow is refused.
  const denied = await c.plane.handler({ method: 'GET', path: '/debug/flow', query: new URLSearchParams(), headers: {}, user: { username: 'jane', groups: ['system:authenticated'] } });
  assert.equal(denied.status, 403);
});
