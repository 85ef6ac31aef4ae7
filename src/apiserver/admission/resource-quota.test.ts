// The ResourceQuota admission plugin: refusals with upstream's words, required requests and limits, and usage
// charged to status.used under a resourceVersion precondition so a burst of creates cannot overshoot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { resources } from '../../api/resources.js';
import { conflict } from '../../api/errors.js';
import { resourceQuota } from './resource-quota.js';

/** Quotas held in memory with resourceVersion checks, as the store does. */
function quotaStore(...quotas: KubeObject[]) {
  const byName = new Map<string, KubeObject>(quotas.map((q) => [q.metadata.name!, { ...q, metadata: { ...q.metadata, namespace: 'ns', resourceVersion: '1' } }]));
  const objects: Record<string, KubeObject[]> = {};
  let rv = 1;
  const plugin = resourceQuota({
    listQuotas: async () => [...byName.values()].map((q) => structuredClone(q)),
    async updateQuotaStatus(q) {
      await new Promise((r) => setImmediate(r)); // let racing requests interleave, as real writes do
      const cur = byName.get(q.metadata.name!)!;
      if (cur.metadata.resourceVersion !== q.metadata.resourceVersion) throw conflict(resources.resourcequotas, q.metadata.name!, 'the object has been modified');
      byName.set(q.metadata.name!, { ...structuredClone(q), metadata: { ...q.metadata, resourceVersion: String(++rv) } });
    },
    listObjects: async (_g, r) => objects[r] ?? [],
  });
  return { plugin, quota: (name: string) => byName.get(name)!, objects };
}
const pod = (name: string, resources?: any): KubeObject => ({ metadata: { name, namespace: 'ns' }, spec: { containers: [{ name: 'c', image: 'i', ...(resources ? { resources } : {}) }] } });
const attrs = (object: KubeObject, def: any = resources.pods, dryRun = false) => ({ operation: 'CREATE' as const, object, namespace: 'ns', def: { ...def, strategy: {} }, dryRun, phase: 'validating' as const });
const q = (name: string, hard: Record<string, string>, used?: Record<string, string>): KubeObject => ({ metadata: { name, uid: name }, spec: { hard }, ...(used ? { status: { hard, used } } : {}) });

test('a burst of creates never takes a quota past its hard limit, and the admitted ones are charged', async () => {
  const s = quotaStore(q('q', { pods: '2' }, { pods: '0' }));
  await s.plugin.validate!(attrs(pod('dry'), resources.pods, true));
  assert.deepEqual(s.quota('q').status.used, { pods: '0' }, 'a dry run charges nothing');
  const results = await Promise.allSettled([1, 2, 3, 4, 5].map((i) => s.plugin.validate!(attrs(pod(`p${i}`)))));
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 2);
  const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason.message);
  assert.equal(refused.length, 3);
  assert.match(refused[0], /^pods "p\d" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2$/);
  assert.deepEqual(s.quota('q').status.used, { pods: '2' });
});

test('compute quotas need requests and limits, and refuse what would exceed them with upstream\'s words', async () => {
  const s = quotaStore(q('compute', { 'requests.cpu': '1', 'limits.memory': '1Gi' }, { 'requests.cpu': '500m', 'limits.memory': '0' }));
  await assert.rejects(s.plugin.validate!(attrs(pod('bare'))), { message: 'pods "bare" is forbidden: failed quota: compute: must specify limits.memory for: c; requests.cpu for: c' });
  await assert.rejects(s.plugin.validate!(attrs(pod('big', { requests: { cpu: '600m' }, limits: { memory: '512Mi' } }))),
    { message: 'pods "big" is forbidden: exceeded quota: compute, requested: requests.cpu=600m, used: requests.cpu=500m, limited: requests.cpu=1' });
  await s.plugin.validate!(attrs(pod('fits', { requests: { cpu: '500m' }, limits: { memory: '512Mi' } })));
  assert.deepEqual(s.quota('compute').status.used, { 'requests.cpu': '1', 'limits.memory': '512Mi' });
});

test('object counts and claim storage are charged; a quota without status yet counts what exists', async () => {
  const s = quotaStore(q('objects', { 'count/deployments.apps': '1', configmaps: '5', 'requests.storage': '10Gi', persistentvolumeclaims: '2' }));
  s.objects.configmaps = [{ metadata: { name: 'a' } }, { metadata: { name: 'b' } }];
  await s.plugin.validate!(attrs({ metadata: { name: 'c', namespace: 'ns' } }, resources.configmaps));
  assert.equal(s.quota('objects').status.used.configmaps, '3');
  await s.plugin.validate!(attrs({ metadata: { name: 'web', namespace: 'ns' }, spec: {} }, resources.deployments));
  await assert.rejects(s.plugin.validate!(attrs({ metadata: { name: 'web2', namespace: 'ns' }, spec: {} }, resources.deployments)),
    { message: 'deployments.apps "web2" is forbidden: exceeded quota: objects, requested: count/deployments.apps=1, used: count/deployments.apps=1, limited: count/deployments.apps=1' });
  const claim = (name: string, storage: string): KubeObject => ({ metadata: { name, namespace: 'ns' }, spec: { resources: { requests: { storage } } } });
  await s.plugin.validate!(attrs(claim('a', '8Gi'), resources.persistentvolumeclaims));
  await assert.rejects(s.plugin.validate!(attrs(claim('b', '4Gi'), resources.persistentvolumeclaims)),
    { message: 'persistentvolumeclaims "b" is forbidden: exceeded quota: objects, requested: requests.storage=4Gi, used: requests.storage=8Gi, limited: requests.storage=10Gi' });
});
