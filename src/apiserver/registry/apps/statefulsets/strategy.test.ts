import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statefulsets } from './strategy.js';
import { daemonsets } from '../daemonsets/strategy.js';
import { controllerrevisions } from '../controllerrevisions/strategy.js';
import { replicationcontrollers } from '../../core/replicationcontrollers/strategy.js';
import { podtemplates } from '../../core/podtemplates/strategy.js';
import { fakeContext } from '../../testing.js';
import type { KubeObject } from '../../../../api/object.js';

const ctx = fakeContext();
const now = new Date('2026-01-01T00:00:00Z');
const template = () => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } });
const sts = (): KubeObject => ({
  metadata: { name: 'web', namespace: 'default', creationTimestamp: '2025-12-31T23:58:00Z' },
  spec: {
    serviceName: 'web', selector: { matchLabels: { app: 'web' } }, template: template(),
    volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
  },
});

test('a StatefulSet gets upstream\'s defaults and validates', async () => {
  const s = sts();
  statefulsets.strategy.defaults!(s);
  assert.equal(s.spec.podManagementPolicy, 'OrderedReady');
  assert.deepEqual(s.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  assert.deepEqual(s.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
  assert.equal(s.spec.replicas, 1);
  assert.equal(s.spec.revisionHistoryLimit, 10);
  assert.equal(s.spec.volumeClaimTemplates[0].spec.volumeMode, 'Filesystem');
  assert.deepEqual(await statefulsets.strategy.validate!(s, ctx), []);
  s.status = { readyReplicas: 1 };
  assert.deepEqual(statefulsets.strategy.table!.row(s, now), ['web', '1/1', '2m', 'nginx', 'nginx:1.27']);
});

test('a StatefulSet update may change only upstream\'s mutable fields', async () => {
  const old = sts();
  statefulsets.strategy.defaults!(old);
  const upd = structuredClone(old);
  upd.spec.replicas = 3;
  upd.spec.template.spec.containers[0].image = 'nginx:1.28';
  assert.deepEqual(await statefulsets.strategy.validateUpdate!(upd, old, ctx), []);
  upd.spec.volumeClaimTemplates[0].spec.resources.requests.storage = '2Gi';
  assert.deepEqual((await statefulsets.strategy.validateUpdate!(upd, old, ctx)).map(String), [
    "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
  ]);
});

test('a StatefulSet with a bad policy is refused in upstream\'s words', async () => {
  const s = sts();
  s.spec.podManagementPolicy = 'Sometimes';
  s.spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Keep' };
  statefulsets.strategy.defaults!(s);
  assert.deepEqual((await statefulsets.strategy.validate!(s, ctx)).map(String), [
    'spec.podManagementPolicy: Invalid value: "Sometimes": must be \'OrderedReady\' or \'Parallel\'',
    'spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Keep": supported values: "Retain", "Delete"',
  ]);
});

test('a DaemonSet gets RollingUpdate 1/0, the template generation annotation, and its table row', async () => {
  const ds: KubeObject = { metadata: { name: 'agent', namespace: 'default', creationTimestamp: '2025-12-31T23:00:00Z' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: template() } };
  daemonsets.strategy.defaults!(ds);
  await daemonsets.strategy.prepareForCreate!(ds, ctx);
  assert.deepEqual(ds.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  assert.equal(ds.metadata.annotations!['deprecated.daemonset.template.generation'], '1');
  assert.deepEqual(await daemonsets.strategy.validate!(ds, ctx), []);
  const upd = structuredClone(ds);
  upd.spec.template.spec.containers[0].image = 'nginx:1.28';
  await daemonsets.strategy.prepareForUpdate!(upd, ds, ctx);
  assert.equal(upd.metadata.annotations!['deprecated.daemonset.template.generation'], '2');
  upd.spec.updateStrategy.rollingUpdate = { maxUnavailable: 1, maxSurge: 1 };
  assert.deepEqual((await daemonsets.strategy.validate!(upd, ctx)).map(String), ['spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:0, IntVal:1, StrVal:""}: may not be set when maxUnavailable is non-zero']);
  ds.status = { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 1, updatedNumberScheduled: 2, numberAvailable: 1 };
  assert.deepEqual(daemonsets.strategy.table!.row(ds, now), ['agent', 2, 2, 1, 2, 1, '<none>', '60m', 'nginx', 'nginx:1.27', 'app=web']);
});

test('a ReplicationController defaults its selector, labels and replicas from the template', async () => {
  const rc: KubeObject = { metadata: { name: 'rc', namespace: 'default', creationTimestamp: '2025-12-31T23:59:00Z' }, spec: { template: template() } };
  replicationcontrollers.strategy.defaults!(rc);
  assert.deepEqual(rc.spec.selector, { app: 'web' });
  assert.deepEqual(rc.metadata.labels, { app: 'web' });
  assert.equal(rc.spec.replicas, 1);
  assert.deepEqual(await replicationcontrollers.strategy.validate!(rc, ctx), []);
  assert.deepEqual(replicationcontrollers.strategy.table!.row(rc, now), ['rc', 1, 0, 0, '60s', 'nginx', 'nginx:1.27', 'app=web']);
  rc.spec.selector = { app: 'other' };
  assert.deepEqual((await replicationcontrollers.strategy.validate!(rc, ctx)).map(String),
    ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: selector does not match labels in spec.template']);
});

test('a ControllerRevision prints its controller and refuses a data change', async () => {
  const cr: KubeObject = { metadata: { name: 'web-5d4b8c', namespace: 'default', creationTimestamp: '2025-12-31T23:59:00Z',
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u', controller: true }] }, data: { spec: {} }, revision: 2 };
  assert.deepEqual(controllerrevisions.strategy.table!.row(cr, now), ['web-5d4b8c', 'statefulset.apps/web', 2, '60s']);
  const upd = structuredClone(cr);
  upd.data = { spec: { x: 1 } };
  assert.equal((await controllerrevisions.strategy.validateUpdate!(upd, cr, ctx)).length, 1);
});

test('a PodTemplate prints its containers and pod labels', () => {
  const pt: KubeObject = { metadata: { name: 'pt', namespace: 'default' }, template: template() };
  podtemplates.strategy.defaults!(pt);
  assert.deepEqual(podtemplates.strategy.table!.row(pt, now), ['pt', 'nginx', 'nginx:1.27', 'app=web']);
});
