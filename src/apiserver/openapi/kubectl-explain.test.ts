// The real kubectl reads our OpenAPI v3 documents: `kubectl explain` against a throwaway HTTP server that
// serves only /version, aggregated discovery and /openapi/v3 (no apiserver needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { testSchemaModel } from '../../api/schema/test-model.js';
import { openapiV3Document, openapiV3Root, parseGroupVersion } from './index.js';
import { RESOURCES } from './test-resources.js';

const options = { model: testSchemaModel() };
const kubectlMissing = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).error !== undefined;

function discovery(core: boolean): unknown {
  const rs = RESOURCES.filter((r) => (r.group === '') === core);
  return {
    kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {},
    items: [{
      metadata: core ? { creationTimestamp: null } : { name: 'apps', creationTimestamp: null },
      versions: [{ version: 'v1', freshness: 'Current', resources: rs.map((r) => ({
        resource: r.resource, responseKind: { group: r.group, version: r.version, kind: r.kind },
        scope: r.namespaced ? 'Namespaced' : 'Cluster', singularResource: r.singular,
        verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
        shortNames: r.shortNames ?? [], categories: r.categories ?? [],
      })) }],
    }],
  };
}

test('kubectl explain renders fields from our OpenAPI v3 documents', { skip: kubectlMissing && 'skipped: kubectl not found' }, async (t) => {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const send = (body: string, type = 'application/json'): void => { res.writeHead(200, { 'content-type': type }); res.end(body); };
    if (url.pathname === '/version') return send(JSON.stringify({ major: '1', minor: '32', gitVersion: 'v1.32.2' }));
    if (url.pathname === '/api' || url.pathname === '/apis') {
      return send(JSON.stringify(discovery(url.pathname === '/api')), 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    }
    if (url.pathname === '/openapi/v3') return send(JSON.stringify(openapiV3Root(['api/v1', 'apis/apps/v1'], RESOURCES, options)));
    if (url.pathname.startsWith('/openapi/v3/')) {
      const gv = url.pathname.slice('/openapi/v3/'.length);
      parseGroupVersion(gv);
      return send(openapiV3Document(gv, RESOURCES, options).body);
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'nanokube-explain-'));
  t.after(() => { server.close(); fs.rmSync(home, { recursive: true, force: true }); });
  const port = (server.address() as AddressInfo).port;
  const kubeconfig = path.join(home, 'kubeconfig');
  fs.writeFileSync(kubeconfig, [
    'apiVersion: v1', 'kind: Config',
    `clusters: [{name: t, cluster: {server: "http://127.0.0.1:${port}"}}]`,
    'contexts: [{name: t, context: {cluster: t, namespace: default}}]',
    'current-context: t', 'users: []', '',
  ].join('\n'));
  const env = { ...process.env, HOME: home, KUBECONFIG: kubeconfig };
  const run = async (...args: string[]): Promise<string> =>
    (await promisify(execFile)('kubectl', args, { env, timeout: 60_000 })).stdout;

  const strategy = await run('explain', 'deployment.spec.strategy', '--recursive');
  assert.match(strategy, /KIND:\s+Deployment/);
  assert.match(strategy, /FIELD: strategy <DeploymentStrategy>/);
  assert.match(strategy, /rollingUpdate\s+<RollingUpdateDeployment>/);
  assert.match(strategy, /maxSurge\s+</);
  assert.match(strategy, /type\s+<string>/);

  const ports = await run('explain', 'pods.spec.containers.ports');
  assert.match(ports, /FIELD: ports <\[\]ContainerPort>/);
  assert.match(ports, /containerPort\s+<integer> -required-/);
});
