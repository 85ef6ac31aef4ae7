// The binder's volume matching, the provisioner's volume shape and the claim names pods hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { findMatchingVolume } from './binder.js';
import { provisionedVolume } from './provisioner.js';
import { podClaimNames } from './protection.js';

const claim = (spec: any = {}): KubeObject => ({ metadata: { name: 'data', namespace: 'default', uid: 'u1' },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: '', ...spec } });
const pv = (name: string, spec: any = {}, extra: any = {}): KubeObject => ({ metadata: { name, ...extra },
  spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: '', hostPath: { path: '/x' }, ...spec }, status: { phase: 'Available' } });

test('a claim binds to the smallest Available volume of its class that has its access modes, capacity and labels', () => {
  const vols = [pv('big', { capacity: { storage: '10Gi' } }), pv('small', { capacity: { storage: '2Gi' } }), pv('tiny', { capacity: { storage: '500Mi' } }),
    pv('rox', { accessModes: ['ReadOnlyMany'] }), pv('fast', { storageClassName: 'fast' })];
  assert.equal(findMatchingVolume(claim(), vols, { delayBinding: false })?.metadata.name, 'small');
  assert.equal(findMatchingVolume(claim({ storageClassName: 'fast' }), vols, { delayBinding: false })?.metadata.name, 'fast');
  const labelled = [...vols, pv('gold', { capacity: { storage: '20Gi' } }, { labels: { tier: 'gold' } })];
  assert.equal(findMatchingVolume(claim({ selector: { matchLabels: { tier: 'gold' } } }), labelled, { delayBinding: false })?.metadata.name, 'gold');
  assert.equal(findMatchingVolume(claim({ resources: { requests: { storage: '50Gi' } } }), vols, { delayBinding: false }), undefined);
});

test('a volume pre-bound to the claim wins; with WaitForFirstConsumer only a volume on the selected node is taken', () => {
  const prebound = pv('mine', { capacity: { storage: '100Gi' }, claimRef: { namespace: 'default', name: 'data', uid: 'u1' } });
  prebound.status.phase = 'Bound';
  assert.equal(findMatchingVolume(claim(), [pv('other', { capacity: { storage: '1Gi' } }), prebound], { delayBinding: false })?.metadata.name, 'mine');
  const onNode = (n: string) => pv(`on-${n}`, { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [n] }] }] } } });
  const vols = [onNode('a'), onNode('b')];
  assert.equal(findMatchingVolume(claim(), vols, { delayBinding: true }), undefined);
  const nodeB: KubeObject = { metadata: { name: 'b', labels: { 'kubernetes.io/hostname': 'b' } } };
  assert.equal(findMatchingVolume(claim(), vols, { delayBinding: true, node: nodeB })?.metadata.name, 'on-b');
});

test('a provisioned volume is pre-bound to its claim, sized and reclaimed as its class says, and pinned to the chosen node', () => {
  const sc: KubeObject = { metadata: { name: 'standard' }, provisioner: 'nanokube.io/local-path', reclaimPolicy: 'Delete' };
  const v = provisionedVolume(claim({ storageClassName: 'standard', volumeMode: 'Filesystem' }), sc, '/home/storage/pvc-u1', 'node-1');
  assert.equal(v.metadata.name, 'pvc-u1');
  assert.equal(v.metadata.annotations?.['pv.kubernetes.io/provisioned-by'], 'nanokube.io/local-path');
  assert.deepEqual(v.spec.claimRef, { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: 'default', name: 'data', uid: 'u1', resourceVersion: undefined });
  assert.deepEqual(v.spec.hostPath, { path: '/home/storage/pvc-u1', type: 'DirectoryOrCreate' });
  assert.equal(v.spec.persistentVolumeReclaimPolicy, 'Delete');
  assert.equal(v.spec.capacity.storage, '1Gi');
  assert.deepEqual(v.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values, ['node-1']);
});

test('a pod holds the claims of its persistentVolumeClaim and ephemeral volumes', () => {
  assert.deepEqual(podClaimNames({ metadata: { name: 'web-0' }, spec: { volumes: [{ name: 'a', persistentVolumeClaim: { claimName: 'data' } }, { name: 'scratch', ephemeral: {} }, { name: 'e', emptyDir: {} }] } }),
    ['data', 'web-0-scratch']);
});
