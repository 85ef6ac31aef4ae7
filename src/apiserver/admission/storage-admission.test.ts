// The storage admission plugins: DefaultStorageClass, PersistentVolumeClaimResize, StorageObjectInUseProtection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { persistentvolumeclaims } from '../registry/core/persistentvolumeclaims/strategy.js';
import { persistentvolumes } from '../registry/core/persistentvolumes/strategy.js';
import { defaultStorageClass } from './default-storage-class.js';
import { persistentVolumeClaimResize } from './persistent-volume-claim-resize.js';
import { storageObjectInUseProtection } from './storage-object-in-use-protection.js';
import { isForbidden } from '../../api/errors.js';

const sc = (name: string, created: string, isDefault: boolean, extra: Record<string, unknown> = {}): KubeObject =>
  ({ metadata: { name, creationTimestamp: created, annotations: isDefault ? { 'storageclass.kubernetes.io/is-default-class': 'true' } : {} }, provisioner: 'p', ...extra });
const pvc = (spec: any = {}, status: any = {}): KubeObject => ({ metadata: { name: 'data', namespace: 'default' }, spec: { resources: { requests: { storage: '1Gi' } }, ...spec }, status });
const attrs = (object: KubeObject, extra: Record<string, unknown> = {}) =>
  ({ operation: 'CREATE' as const, object, namespace: 'default', def: persistentvolumeclaims, dryRun: false, ...extra });

test('a claim that names no class gets the newest default class; one naming a class, even "", keeps it', async () => {
  const plugin = defaultStorageClass({ listStorageClasses: async () => [
    sc('old', '2026-01-01T00:00:00Z', true), sc('new', '2026-01-02T00:00:00Z', true), sc('newer-not-default', '2026-01-03T00:00:00Z', false)] });
  const none = pvc();
  await plugin.admit(attrs(none));
  assert.equal(none.spec.storageClassName, 'new');
  const empty = pvc({ storageClassName: '' });
  await plugin.admit(attrs(empty));
  assert.equal(empty.spec.storageClassName, '');
  const tie = defaultStorageClass({ listStorageClasses: async () => [sc('b', '2026-01-01T00:00:00Z', true), sc('a', '2026-01-01T00:00:00Z', true)] });
  const p = pvc();
  await tie.admit(attrs(p));
  assert.equal(p.spec.storageClassName, 'a');
});

test('a bound claim may grow only when its class allows expansion', async () => {
  const classes: Record<string, KubeObject> = { fixed: sc('fixed', '', false), elastic: sc('elastic', '', false, { allowVolumeExpansion: true }) };
  const plugin = persistentVolumeClaimResize({ getStorageClass: async (n) => classes[n] });
  const grow = (cls: string, phase = 'Bound') => plugin.admit(attrs(pvc({ storageClassName: cls, resources: { requests: { storage: '2Gi' } } }),
    { operation: 'UPDATE', oldObject: pvc({ storageClassName: cls }, { phase }) }));
  await grow('elastic');
  await assert.rejects(grow('fixed'), (e: any) => isForbidden(e)
    && e.message === 'persistentvolumeclaims "data" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize');
  await assert.rejects(grow('elastic', 'Pending'), (e: any) => isForbidden(e));
});

test('new claims and volumes get the protection finalizers', async () => {
  const plugin = storageObjectInUseProtection();
  const c = pvc();
  await plugin.admit(attrs(c));
  assert.deepEqual(c.metadata.finalizers, ['kubernetes.io/pvc-protection']);
  const v: KubeObject = { metadata: { name: 'pv', finalizers: ['other'] } };
  await plugin.admit(attrs(v, { def: persistentvolumes }));
  assert.deepEqual(v.metadata.finalizers, ['other', 'kubernetes.io/pv-protection']);
});
