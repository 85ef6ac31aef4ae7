import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isNotFound } from '../../api/errors.js';
import { Client } from '../../client/client.js';
import { FakeApiHandler } from '../../client/testing.js';
import { inProcessTransport } from '../../client/transport.js';
import { until } from '../../../test/helpers/until.js';
import { podObjectReferences, WatchBasedManager } from './watch-based-manager.js';

const pod = (uid: string, spec: Pod['spec']): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'default', name: uid, uid }, spec });
const cm = (name: string, data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'default', name }, data });

function setup(t: { after(fn: () => unknown): void }) {
  const fake = new FakeApiHandler();
  const changes: string[][] = [];
  const m = new WatchBasedManager({ client: new Client(inProcessTransport(fake.handler)), onChange: (uids) => changes.push(uids) });
  t.after(() => m.stop());
  const gets = () => fake.requests.filter((r) => r.method === 'GET' && !r.query.includes('watch') && /\/configmaps\/[^/]+$/.test(r.path)).length;
  return { fake, m, changes, gets };
}

test('a registered pod reads its ConfigMap from a watch of that one object, and sees an update without a GET', async (t) => {
  const { fake, m, changes, gets } = setup(t);
  fake.put('', 'configmaps', cm('app-config', { LOG_LEVEL: 'info' }));
  fake.put('', 'configmaps', cm('other', { x: '1' }));
  m.registerPod(pod('p1', { containers: [{ name: 'c', envFrom: [{ configMapRef: { name: 'app-config' } }] }] }));
  const { getConfigMap } = m; // the volume and env code take the readers off the object
  assert.deepEqual((await getConfigMap('default', 'app-config')).data, { LOG_LEVEL: 'info' });
  assert.equal(gets(), 0, 'read from the watch, not a GET');
  assert.ok(fake.requests.some((r) => r.query.includes('fieldSelector=metadata.name%3Dapp-config')), 'the watch asks for that object only');

  fake.put('', 'configmaps', cm('app-config', { LOG_LEVEL: 'debug' }));
  await until('the change reported', async () => changes.some((c) => c.includes('p1')));
  assert.deepEqual((await m.getConfigMap('default', 'app-config')).data, { LOG_LEVEL: 'debug' });
  assert.equal(gets(), 0);

  // An object no registered pod references is read directly.
  assert.deepEqual((await m.getConfigMap('default', 'other')).data, { x: '1' });
  assert.equal(gets(), 1);
});

test('a referenced object that does not exist is upstream\'s NotFound, and its creation reaches the pods', async (t) => {
  const { fake, m, changes } = setup(t);
  m.registerPod(pod('p1', { containers: [{ name: 'c' }], volumes: [{ name: 'v', configMap: { name: 'later' } }] }));
  await assert.rejects(m.getConfigMap('default', 'later'), (e) => isNotFound(e) && (e as Error).message === 'configmap "later" not found');
  fake.put('', 'configmaps', cm('later', { a: 'b' }));
  await until('the creation reported', async () => changes.length > 0);
  assert.deepEqual((await m.getConfigMap('default', 'later')).data, { a: 'b' });
});

test('a watch is shared by the pods referencing the object and stops with the last of them', async (t) => {
  const { fake, m } = setup(t);
  fake.put('', 'secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'default', name: 'db' }, data: { pw: 'eA==' } });
  const spec: Pod['spec'] = { containers: [{ name: 'c', env: [{ name: 'PW', valueFrom: { secretKeyRef: { name: 'db', key: 'pw' } } }] }] };
  m.registerPod(pod('p1', spec));
  m.registerPod(pod('p2', spec));
  await m.getSecret('default', 'db');
  await until('one watch', async () => fake.openWatches === 1);
  assert.equal(m.watched, 1);
  m.unregisterPod('p1');
  assert.equal(m.watched, 1);
  // A pod whose new spec no longer references the Secret drops it, as upstream's RegisterPod does.
  m.registerPod(pod('p2', { containers: [{ name: 'c' }] }));
  assert.equal(m.watched, 0);
  await until('no watch', async () => fake.openWatches === 0);
});

test('what a pod references: env, envFrom, volumes and projected sources of every kind of container', () => {
  const refs = podObjectReferences(pod('p', {
    initContainers: [{ name: 'i', env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cm-init', key: 'a' } } }] }],
    containers: [{ name: 'c', envFrom: [{ secretRef: { name: 's-env' } }] }],
    volumes: [
      { name: 'a', secret: { secretName: 's-vol' } },
      { name: 'b', projected: { sources: [{ configMap: { name: 'kube-root-ca.crt' } }, { serviceAccountToken: { path: 'token' } }] } },
    ],
  }));
  assert.deepEqual([...refs.configmaps].sort(), ['cm-init', 'kube-root-ca.crt']);
  assert.deepEqual([...refs.secrets].sort(), ['s-env', 's-vol']);
});
