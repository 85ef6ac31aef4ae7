// PersistentVolumes, PersistentVolumeClaims, StorageClasses and the CSI kinds: upstream's defaults, validation
// messages and kubectl 1.32's Table rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../api/object.js';
import { persistentvolumes } from '../core/persistentvolumes/strategy.js';
import { persistentvolumeclaims } from '../core/persistentvolumeclaims/strategy.js';
import { storageclasses } from './storageclasses/strategy.js';
import { csidrivers } from './csidrivers/strategy.js';
import { volumeattachments } from './volumeattachments/strategy.js';
import { fakeContext } from '../testing.js';

const ctx = fakeContext();
const now = new Date('2026-01-01T01:00:00Z');
const messages = (errs: { field: string; type: string; detail: string }[]) => errs.map((e) => `${e.field}: ${e.detail}`);

const claim = (spec: any = {}): KubeObject => ({
  metadata: { name: 'data', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec },
});

test('a claim defaults to volumeMode Filesystem, starts with an empty status and needs access modes and a storage request', async () => {
  const pvc = claim();
  persistentvolumeclaims.strategy.defaults!(pvc);
  await persistentvolumeclaims.strategy.prepareForCreate!(pvc, ctx);
  assert.equal(pvc.spec.volumeMode, 'Filesystem');
  assert.deepEqual(pvc.status, {});
  assert.deepEqual(await persistentvolumeclaims.strategy.validate!(pvc, ctx), []);
  const bad = claim({ accessModes: [], resources: {} });
  assert.deepEqual(messages(await persistentvolumeclaims.strategy.validate!(bad, ctx) as any),
    ['spec.accessModes: at least 1 access mode is required', 'spec.resources[storage]: ']);
  const odd = claim({ accessModes: ['ReadWriteOncePod', 'Sometimes'], resources: { requests: { storage: '0' } } });
  assert.deepEqual(messages(await persistentvolumeclaims.strategy.validate!(odd, ctx) as any), [
    'spec.accessModes: supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
    'spec.accessModes: may not use ReadWriteOncePod with other access modes',
    'spec.resources[storage]: must be greater than zero',
  ]);
});

test('a claim\'s spec is immutable except a bound claim\'s storage request, which may grow', async () => {
  const old = claim({ volumeMode: 'Filesystem' });
  const changed = claim({ volumeMode: 'Filesystem', accessModes: ['ReadWriteMany'] });
  assert.deepEqual(messages(await persistentvolumeclaims.strategy.validateUpdate!(changed, old, ctx) as any),
    ['spec: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims']);
  const grown = claim({ volumeMode: 'Filesystem', resources: { requests: { storage: '2Gi' } } });
  assert.equal((await persistentvolumeclaims.strategy.validateUpdate!(grown, old, ctx)).length, 1, 'an unbound claim may not grow');
  const bound = { ...old, status: { phase: 'Bound', capacity: { storage: '1Gi' } } };
  assert.deepEqual(await persistentvolumeclaims.strategy.validateUpdate!({ ...grown, status: bound.status }, bound, ctx), []);
  // A claim created with no class may get one later (RetroactiveDefaultStorageClass); one with a class keeps it.
  assert.deepEqual(await persistentvolumeclaims.strategy.validateUpdate!(claim({ volumeMode: 'Filesystem', storageClassName: 'standard' }), old, ctx), []);
  const classed = claim({ volumeMode: 'Filesystem', storageClassName: 'a' });
  assert.equal((await persistentvolumeclaims.strategy.validateUpdate!(claim({ volumeMode: 'Filesystem', storageClassName: 'b' }), classed, ctx)).length, 1);
  // The binder may set volumeName once.
  assert.deepEqual(await persistentvolumeclaims.strategy.validateUpdate!(claim({ volumeMode: 'Filesystem', volumeName: 'pv-1' }), old, ctx), []);
});

test('claim rows show STATUS VOLUME CAPACITY ACCESS MODES STORAGECLASS VOLUMEATTRIBUTESCLASS AGE, capacity only once bound', () => {
  const pending = claim({ storageClassName: 'standard', volumeMode: 'Filesystem' });
  pending.status = { phase: 'Pending' };
  assert.deepEqual(persistentvolumeclaims.strategy.table!.row(pending, now), ['data', 'Pending', '', '', '', 'standard', '<unset>', '60m', 'Filesystem']);
  const bound = claim({ storageClassName: 'standard', volumeName: 'pvc-1', volumeMode: 'Filesystem' });
  bound.status = { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce', 'ReadOnlyMany'] };
  assert.deepEqual(persistentvolumeclaims.strategy.table!.row(bound, now), ['data', 'Bound', 'pvc-1', '1Gi', 'RWO,ROX', 'standard', '<unset>', '60m', 'Filesystem']);
  assert.deepEqual(persistentvolumeclaims.strategy.table!.columns.map((c) => c.name),
    ['Name', 'Status', 'Volume', 'Capacity', 'Access Modes', 'StorageClass', 'VolumeAttributesClass', 'Age', 'VolumeMode']);
});

const volume = (spec: any = {}): KubeObject => ({
  metadata: { name: 'pv-1', creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/srv/data' }, ...spec },
});

test('a volume defaults to Retain and Filesystem, starts Pending, and needs exactly one source and a storage capacity', async () => {
  const pv = volume();
  persistentvolumes.strategy.defaults!(pv);
  await persistentvolumes.strategy.prepareForCreate!(pv, ctx);
  assert.equal(pv.spec.persistentVolumeReclaimPolicy, 'Retain');
  assert.equal(pv.spec.volumeMode, 'Filesystem');
  assert.equal(pv.status.phase, 'Pending');
  assert.deepEqual(await persistentvolumes.strategy.validate!(pv, ctx), []);
  const none = volume({ hostPath: undefined, capacity: {} });
  assert.deepEqual(messages(await persistentvolumes.strategy.validate!(none, ctx) as any),
    ['spec.capacity: ', 'spec.capacity: supported values: "storage"', 'spec: must specify a volume type']);
  const local = volume({ hostPath: undefined, local: { path: '/mnt/disk' } });
  assert.deepEqual(messages(await persistentvolumes.strategy.validate!(local, ctx) as any), ['spec.nodeAffinity: Local volume requires node affinity']);
  const moved = volume({ hostPath: { path: '/elsewhere' } });
  assert.deepEqual(messages(await persistentvolumes.strategy.validateUpdate!(moved, pv, ctx) as any),
    ['spec.persistentvolumesource: spec.persistentvolumesource is immutable after creation', 'spec.volumeMode: field is immutable']);
});

test('volume rows show CAPACITY ACCESS MODES RECLAIM POLICY STATUS CLAIM STORAGECLASS VOLUMEATTRIBUTESCLASS REASON AGE', () => {
  const pv = volume({ persistentVolumeReclaimPolicy: 'Delete', storageClassName: 'standard', claimRef: { namespace: 'default', name: 'data' }, volumeMode: 'Filesystem' });
  pv.status = { phase: 'Bound' };
  assert.deepEqual(persistentvolumes.strategy.table!.row(pv, now), ['pv-1', '5Gi', 'RWO', 'Delete', 'Bound', 'default/data', 'standard', '<unset>', '', '60m', 'Filesystem']);
  pv.metadata.deletionTimestamp = '2026-01-01T00:59:00Z';
  assert.equal(persistentvolumes.strategy.table!.row(pv, now)[4], 'Terminating');
});

test('a StorageClass defaults to Delete and Immediate, keeps provisioner, parameters and reclaimPolicy, and prints "(default)"', async () => {
  const sc: KubeObject = { metadata: { name: 'fast', creationTimestamp: '2026-01-01T00:00:00Z', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'example.com/disk' };
  storageclasses.strategy.defaults!(sc);
  assert.equal(sc.reclaimPolicy, 'Delete');
  assert.equal(sc.volumeBindingMode, 'Immediate');
  assert.deepEqual(await storageclasses.strategy.validate!(sc, ctx), []);
  assert.deepEqual(storageclasses.strategy.table!.row(sc, now), ['fast (default)', 'example.com/disk', 'Delete', 'Immediate', false, '60m']);
  const changed = { ...sc, provisioner: 'other.io/x', reclaimPolicy: 'Retain', parameters: { a: 'b' }, volumeBindingMode: 'WaitForFirstConsumer' };
  assert.deepEqual(messages(await storageclasses.strategy.validateUpdate!(changed, sc, ctx) as any), [
    'parameters: updates to parameters are forbidden.', 'provisioner: updates to provisioner are forbidden.',
    'reclaimPolicy: updates to reclaimPolicy are forbidden.', 'volumeBindingMode: field is immutable']);
  assert.deepEqual(messages(await storageclasses.strategy.validate!({ metadata: { name: 'x' }, reclaimPolicy: 'Recycle' }, ctx) as any),
    ['provisioner: ', 'reclaimPolicy: supported values: "Delete", "Retain"', 'volumeBindingMode: ']);
});

test('a CSIDriver gets upstream\'s defaults and a VolumeAttachment needs exactly one source', async () => {
  const d: KubeObject = { metadata: { name: 'csi.example.com', creationTimestamp: '2026-01-01T00:00:00Z' } };
  csidrivers.strategy.defaults!(d);
  assert.deepEqual(csidrivers.strategy.table!.row(d, now), ['csi.example.com', true, false, false, '<unset>', false, 'Persistent', '60m']);
  const va: KubeObject = { metadata: { name: 'va' }, spec: { attacher: 'csi.example.com', nodeName: 'n1', source: {} } };
  assert.deepEqual(messages(await volumeattachments.strategy.validate!(va, ctx) as any), ['spec.source: must specify exactly one of inlineVolumeSpec and persistentVolumeName']);
});
