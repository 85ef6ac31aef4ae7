// pods/eviction through the apiserver's handler (SQLite in memory): what a budget allows and refuses, and how.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteStore } from '../../storage/sqlite/sqlite-store.js';
import { createApiHandlerOnly } from '../index.js';
import { silentLogger } from '../logger.js';
import type { ApiHandler } from '../../api/transport.js';

async function api(t: { after(fn: () => unknown): void }) {
  const store = SqliteStore.open({ path: ':memory:', intervalMs: 0 });
  const { handler, close } = await createApiHandlerOnly({ store, logger: silentLogger });
  t.after(async () => { close(); await store.close(); });
  return handler;
}

async function call(h: ApiHandler, method: string, path: string, body?: unknown, contentType = 'application/json') {
  const [p, q] = path.split('?');
  const r = await h({ method, path: p, query: new URLSearchParams(q ?? ''), headers: { 'content-type': contentType, accept: 'application/json' }, user: ADMIN, body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)) });
  const text = typeof r.body === 'string' ? r.body : Buffer.isBuffer(r.body) ? r.body.toString() : '';
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
}

const ADMIN = { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };
const PODS = '/api/v1/namespaces/default/pods';
const PDBS = '/apis/policy/v1/namespaces/default/poddisruptionbudgets';

/** A pod bound to node-1, Running and Ready (or not). */
async function runningPod(h: ApiHandler, name: string, ready = true, labels: Record<string, string> = { app: 'web' }) {
  assert.equal((await call(h, 'POST', PODS, { metadata: { name, labels }, spec: { containers: [{ name: 'c', image: 'nginx' }] } })).status, 201);
  assert.equal((await call(h, 'POST', `${PODS}/${name}/binding`, { metadata: { name }, target: { name: 'node-1' } })).status, 201);
  const pod = (await call(h, 'GET', `${PODS}/${name}`)).body;
  pod.status.phase = 'Running';
  pod.status.conditions = [...pod.status.conditions, { type: 'Ready', status: ready ? 'True' : 'False' }];
  assert.equal((await call(h, 'PUT', `${PODS}/${name}/status`, pod)).status, 200);
}

/** A PDB whose status says the controller has seen it and allows `allowed` disruptions. */
async function budget(h: ApiHandler, name: string, allowed: number, spec: Record<string, unknown> = {}) {
  assert.equal((await call(h, 'POST', PDBS, { metadata: { name }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } }, ...spec } })).status, 201);
  const pdb = (await call(h, 'GET', `${PDBS}/${name}`)).body;
  pdb.status = { observedGeneration: 1, disruptionsAllowed: allowed, currentHealthy: 1 + allowed, desiredHealthy: 1, expectedPods: 1 + allowed };
  assert.equal((await call(h, 'PUT', `${PDBS}/${name}/status`, pdb)).status, 200);
}

const evict = (h: ApiHandler, name: string, extra: Record<string, unknown> = {}, apiVersion = 'policy/v1') =>
  call(h, 'POST', `${PODS}/${name}/eviction`, { apiVersion, kind: 'Eviction', metadata: { name, namespace: 'default' }, ...extra });

test('an eviction the budget allows takes one disruption, marks the pod DisruptionTarget and deletes it gracefully; the next is refused with 429', async (t) => {
  const h = await api(t);
  await runningPod(h, 'web-1');
  await runningPod(h, 'web-2');
  await budget(h, 'web', 1);
  let r = await evict(h, 'web-1');
  assert.equal(r.status, 201);
  assert.equal(r.body.status, 'Success');
  const pod = (await call(h, 'GET', `${PODS}/web-1`)).body;
  assert.ok(pod.metadata.deletionTimestamp, 'deleted with its grace period');
  const dt = pod.status.conditions.find((c: any) => c.type === 'DisruptionTarget');
  assert.deepEqual([dt.status, dt.reason, dt.message], ['True', 'EvictionByEvictionAPI', 'Eviction API: evicting']);
  const pdb = (await call(h, 'GET', `${PDBS}/web`)).body;
  assert.equal(pdb.status.disruptionsAllowed, 0);
  assert.ok(pdb.status.disruptedPods['web-1']);
  assert.deepEqual(pdb.status.conditions.map((c: any) => [c.type, c.status, c.reason]), [['DisruptionAllowed', 'False', 'InsufficientPods']]);

  r = await evict(h, 'web-2');
  assert.equal(r.status, 429);
  assert.deepEqual([r.body.reason, r.body.message], ['TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget."]);
  assert.deepEqual(r.body.details.causes, [{ reason: 'DisruptionBudget', message: 'The disruption budget web needs 1 healthy pods and has 2 currently' }], 'currentHealthy is the controller\'s to lower');
  assert.equal((await call(h, 'GET', `${PODS}/web-2`)).body.metadata.deletionTimestamp, undefined);
});

test('a budget the controller has not observed yet refuses with a retry hint; AlwaysAllow lets unready pods go; dryRun deletes nothing', async (t) => {
  const h = await api(t);
  await runningPod(h, 'web-1');
  await runningPod(h, 'sick', false);
  await budget(h, 'web', 0, { unhealthyPodEvictionPolicy: 'AlwaysAllow' });
  assert.equal((await evict(h, 'sick', { deleteOptions: { dryRun: ['All'] } })).status, 201);
  assert.equal((await call(h, 'GET', `${PODS}/sick`)).body.metadata.deletionTimestamp, undefined, 'dry run');
  assert.equal((await evict(h, 'sick', { deleteOptions: { gracePeriodSeconds: 0 } })).status, 201);
  assert.equal((await call(h, 'GET', `${PODS}/sick`)).status, 404, 'gracePeriodSeconds 0 from deleteOptions deletes at once');
  assert.equal((await evict(h, 'web-1')).status, 429, 'a ready pod still needs the budget');

  const pdb = (await call(h, 'GET', `${PDBS}/web`)).body;
  pdb.spec.minAvailable = 0;
  assert.equal((await call(h, 'PUT', `${PDBS}/web`, pdb)).status, 200);
  const r = await evict(h, 'web-1');
  assert.equal(r.status, 429);
  assert.equal(r.body.details.retryAfterSeconds, 10);
  assert.deepEqual(r.body.details.causes, [{ reason: 'DisruptionBudget', message: 'The disruption budget web is still being processed by the server.' }]);
});

test('evictions without a budget just delete; policy/v1beta1 bodies are accepted; a name mismatch, two budgets and a missing pod are errors', async (t) => {
  const h = await api(t);
  await runningPod(h, 'free', true, { app: 'free' });
  assert.equal((await evict(h, 'free', {}, 'policy/v1beta1')).status, 201);
  assert.ok((await call(h, 'GET', `${PODS}/free`)).body.metadata.deletionTimestamp);
  await runningPod(h, 'web-1');
  const r = await call(h, 'POST', `${PODS}/web-1/eviction`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'other' } });
  assert.deepEqual([r.status, r.body.message], [400, 'name in URL does not match name in Eviction object']);
  await budget(h, 'a', 1);
  await budget(h, 'b', 1);
  const two = await evict(h, 'web-1');
  assert.deepEqual([two.status, two.body.message], [500, 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.']);
  const missing = await evict(h, 'nope');
  assert.deepEqual([missing.status, missing.body.message], [404, 'pods "nope" not found']);
});
