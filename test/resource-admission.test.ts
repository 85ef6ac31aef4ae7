// LimitRanger and ResourceQuota admission as a kubectl user sees them: LimitRange defaults land in new pods,
// bounds are forbidden with upstream's messages, and quotas refuse what would exceed them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, kubectlGet } from './helpers/cluster.js';

const yaml = (o: unknown) => JSON.stringify(o);
const pod = (name: string, resources?: Record<string, unknown>) => yaml({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx', ...(resources ? { resources } : {}) }] } });

test('LimitRanger: defaults and bounds through kubectl', async (t) => {
  const c = await startTestCluster(t, { components: false });
  const apply = (input: string, ns = 'default') => c.kubectl(['apply', '-n', ns, '-f', '-'], { input });
  assert.equal((await c.kubectl(['create', 'namespace', 'limited'])).code, 0);
  const created = await apply(yaml({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'bounds' }, spec: { limits: [
    { type: 'Container', max: { cpu: '1' }, defaultRequest: { cpu: '200m' }, default: { memory: '256Mi' } },
    { type: 'PersistentVolumeClaim', max: { storage: '1Gi' } },
  ] } }), 'limited');
  assert.equal(created.code, 0, created.stderr);

  const ok = await apply(pod('plain'), 'limited');
  assert.equal(ok.code, 0, ok.stderr);
  const plain = await kubectlGet(c, ['pod', 'plain', '-n', 'limited']);
  assert.deepEqual(plain.spec.containers[0].resources, { limits: { cpu: '1', memory: '256Mi' }, requests: { cpu: '200m', memory: '256Mi' } });
  assert.equal(plain.metadata.annotations['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: cpu, memory request for container c; cpu, memory limit for container c');

  const big = await apply(pod('big', { limits: { cpu: '2' } }), 'limited');
  assert.notEqual(big.code, 0);
  assert.equal(big.stderr.trim(), 'Error from server (Forbidden): error when creating "STDIN": pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2');

  const claim = await apply(yaml({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } } }), 'limited');
  assert.notEqual(claim.code, 0);
  assert.match(claim.stderr, /persistentvolumeclaims "data" is forbidden: maximum storage usage per PersistentVolumeClaim is 1Gi, but request is 5Gi/);
});

test('ResourceQuota: creates past the hard limit are forbidden, usage shows in status, compute quotas need limits', async (t) => {
  const c = await startTestCluster(t, { components: false });
  const apply = (input: string) => c.kubectl(['apply', '-n', 'quota', '-f', '-'], { input });
  assert.equal((await c.kubectl(['create', 'namespace', 'quota'])).code, 0);
  assert.equal((await c.kubectl(['create', 'quota', 'q', '-n', 'quota', '--hard=pods=2,count/configmaps=1'])).code, 0);
  for (const name of ['p1', 'p2']) { const r = await apply(pod(name)); assert.equal(r.code, 0, r.stderr); }
  const third = await apply(pod('p3'));
  assert.notEqual(third.code, 0);
  assert.equal(third.stderr.trim(), 'Error from server (Forbidden): error when creating "STDIN": pods "p3" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2');
  const quota = await kubectlGet(c, ['resourcequota', 'q', '-n', 'quota']);
  assert.equal(quota.status.used.pods, '2');
  assert.equal((await c.kubectl(['create', 'configmap', 'one', '-n', 'quota'])).code, 0);
  const two = await c.kubectl(['create', 'configmap', 'two', '-n', 'quota']);
  assert.match(two.stderr, /configmaps "two" is forbidden: exceeded quota: q, requested: count\/configmaps=1, used: count\/configmaps=1, limited: count\/configmaps=1/);

  // A burst of creates racing for a quota's last units: exactly as many as fit get in, and status.used says so.
  assert.equal((await c.kubectl(['create', 'namespace', 'burst'])).code, 0);
  assert.equal((await c.kubectl(['create', 'quota', 'three', '-n', 'burst', '--hard=count/secrets=3'])).code, 0);
  const codes = await Promise.all(Array.from({ length: 12 }, (_, i) => c.request('POST', '/api/v1/namespaces/burst/secrets', { body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: `s${i}` } } }).then((r) => r.status)));
  assert.deepEqual(codes.filter((s) => s === 201).length, 3, String(codes));
  assert.deepEqual(codes.filter((s) => s !== 201), Array(9).fill(403));
  assert.equal((await kubectlGet(c, ['secrets', '-n', 'burst'])).items.length, 3);
  assert.equal((await kubectlGet(c, ['resourcequota', 'three', '-n', 'burst'])).status.used['count/secrets'], '3');

  assert.equal((await c.kubectl(['create', 'quota', 'compute', '-n', 'quota', '--hard=limits.cpu=2,pods=10'])).code, 0);
  const run = await c.kubectl(['run', 'x', '--image=nginx', '-n', 'quota']);
  assert.equal(run.stderr.trim(), 'Error from server (Forbidden): pods "x" is forbidden: failed quota: compute: must specify limits.cpu for: x');
});
