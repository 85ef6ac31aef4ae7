// The LimitRanger admission plugin: container defaults, and min/max/ratio bounds per Container, Pod and
// PersistentVolumeClaim with upstream's messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { resources } from '../../api/resources.js';
import { limitRanger } from './limit-ranger.js';

const lr = (limits: any[]): KubeObject => ({ metadata: { name: 'lr', namespace: 'ns' }, spec: { limits } });
const plugin = (...ranges: KubeObject[]) => limitRanger({ listLimitRanges: async () => ranges });
const pod = (containers: any[], initContainers: any[] = []): KubeObject => ({ metadata: { name: 'x', namespace: 'ns' }, spec: { containers, initContainers } });
const attrs = (object: KubeObject, def: any = resources.pods, operation: 'CREATE' | 'UPDATE' = 'CREATE') => ({ operation, object, namespace: 'ns', def: { ...def, strategy: {} }, dryRun: false });
const message = async (p: ReturnType<typeof plugin>, a: ReturnType<typeof attrs>) => {
  try { await p.admit(a); await p.validate!(a); return ''; } catch (e: any) { assert.equal(e.code, 403); return e.message; }
};

test('containers without requests or limits get the LimitRange defaults, and the pod says so', async () => {
  const p = plugin(lr([{ type: 'Container', default: { cpu: '500m', memory: '128Mi' }, defaultRequest: { cpu: '100m' } }]));
  const x = pod([{ name: 'a', image: 'i', resources: { limits: { memory: '64Mi' } } }], [{ name: 'init', image: 'i' }]);
  assert.equal(await message(p, attrs(x)), '');
  assert.deepEqual(x.spec.containers[0].resources, { limits: { memory: '64Mi', cpu: '500m' }, requests: { memory: '64Mi', cpu: '100m' } }, 'a request comes from the container\'s own limit before the LimitRange\'s default');
  assert.deepEqual(x.spec.initContainers[0].resources, { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m' } });
  assert.equal(x.metadata.annotations!['kubernetes.io/limit-ranger'],
    'LimitRanger plugin set: cpu request for container a; cpu limit for container a; cpu request for init container init; cpu, memory limit for init container init');
});

test('min, max and maxLimitRequestRatio per Container and Pod are forbidden with upstream\'s words', async () => {
  const p = plugin(lr([{ type: 'Container', max: { cpu: '1' }, min: { memory: '10Mi' } }]));
  assert.equal(await message(p, attrs(pod([{ name: 'a', resources: { limits: { cpu: '2' }, requests: { memory: '20Mi' } } }]))),
    'pods "x" is forbidden: maximum cpu usage per Container is 1, but limit is 2');
  assert.equal(await message(p, attrs(pod([{ name: 'a', resources: { limits: { cpu: '1500m' }, requests: { memory: '1Mi' } } }]))),
    'pods "x" is forbidden: [minimum memory usage per Container is 10Mi, but request is 1Mi, maximum cpu usage per Container is 1, but limit is 1500m]');
  assert.equal(await message(plugin(lr([{ type: 'Container', maxLimitRequestRatio: { cpu: '2' } }])), attrs(pod([{ name: 'a', resources: { limits: { cpu: '1' }, requests: { cpu: '250m' } } }]))),
    'pods "x" is forbidden: cpu max limit to request ratio per Container is 2, but provided ratio is 4.000000');
  const perPod = plugin(lr([{ type: 'Pod', max: { memory: '1Gi' } }]));
  assert.equal(await message(perPod, attrs(pod([{ name: 'a', resources: { limits: { memory: '768Mi' } } }, { name: 'b', resources: { limits: { memory: '512Mi' } } }]))),
    'pods "x" is forbidden: maximum memory usage per Pod is 1Gi, but limit is 1280Mi');
  assert.equal(await message(perPod, attrs(pod([{ name: 'a', resources: { limits: { memory: '512Mi' } } }], [{ name: 'i', resources: { limits: { memory: '1Gi' } } }]))), '');
  assert.equal(await message(perPod, attrs(pod([{ name: 'a' }]))), 'pods "x" is forbidden: maximum memory usage per Pod is 1Gi.  No limit is specified');
});

test('PersistentVolumeClaims are bounded by their storage request', async () => {
  const p = plugin(lr([{ type: 'PersistentVolumeClaim', min: { storage: '1Gi' }, max: { storage: '10Gi' } }]));
  const pvc = (storage: string): KubeObject => ({ metadata: { name: 'data', namespace: 'ns' }, spec: { resources: { requests: { storage } } } });
  assert.equal(await message(p, attrs(pvc('20Gi'), resources.persistentvolumeclaims)), 'persistentvolumeclaims "data" is forbidden: maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi');
  assert.equal(await message(p, attrs(pvc('500Mi'), resources.persistentvolumeclaims)), 'persistentvolumeclaims "data" is forbidden: minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi');
  assert.equal(await message(p, attrs(pvc('5Gi'), resources.persistentvolumeclaims, 'UPDATE')), '');
});
