import test from 'node:test';
import assert from 'node:assert/strict';
import { serviceAccountAdmission, SERVICE_ACCOUNT_MOUNT_PATH } from './service-account.js';
import { resources } from '../../api/resources.js';
import { isForbidden } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';

const def = { ...resources.pods, strategy: {} };
const sas: Record<string, KubeObject> = {
  'team-a/default': { metadata: { name: 'default', namespace: 'team-a' } },
  'team-a/ci': { metadata: { name: 'ci', namespace: 'team-a' } },
  'team-a/quiet': { metadata: { name: 'quiet', namespace: 'team-a' }, automountServiceAccountToken: false },
  'team-a/puller': { metadata: { name: 'puller', namespace: 'team-a' }, automountServiceAccountToken: false, imagePullSecrets: [{ name: 'regcred' }, { name: 'other' }] } as KubeObject,
};
const plugin = serviceAccountAdmission({ getServiceAccount: async (ns, n) => sas[`${ns}/${n}`], random: () => 0 });
const admit = async (spec: any) => {
  const object: KubeObject = { metadata: { name: 'p', namespace: 'team-a' }, spec };
  await plugin.admit({ operation: 'CREATE', object, namespace: 'team-a', def, dryRun: false });
  return object.spec;
};

test('a pod gets the default ServiceAccount and the kube-api-access projected volume mounted in every container', async () => {
  const spec = await admit({ initContainers: [{ name: 'init' }], containers: [{ name: 'a' }, { name: 'b', volumeMounts: [{ name: 'data', mountPath: '/data' }] }] });
  assert.equal(spec.serviceAccountName, 'default');
  assert.equal(spec.volumes.length, 1);
  const v = spec.volumes[0];
  assert.equal(v.name, 'kube-api-access-bbbbb');
  assert.deepEqual(v.projected.sources.map((s: any) => Object.keys(s)[0]), ['serviceAccountToken', 'configMap', 'downwardAPI']);
  assert.equal(v.projected.sources[0].serviceAccountToken.expirationSeconds, 3607);
  for (const c of [...spec.initContainers, ...spec.containers]) {
    assert.deepEqual(c.volumeMounts.at(-1), { name: v.name, readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH });
  }
});

test('automountServiceAccountToken: false on the pod or on its ServiceAccount leaves the pod without a token; the pod wins', async () => {
  assert.equal((await admit({ automountServiceAccountToken: false, containers: [{ name: 'a' }] })).volumes, undefined);
  assert.equal((await admit({ serviceAccountName: 'quiet', containers: [{ name: 'a' }] })).volumes, undefined);
  assert.equal((await admit({ serviceAccountName: 'quiet', automountServiceAccountToken: true, containers: [{ name: 'a' }] })).volumes.length, 1);
});

test('a container that mounts something at the service account path keeps it; a missing named ServiceAccount is refused', async () => {
  const spec = await admit({ containers: [{ name: 'a', volumeMounts: [{ name: 'own', mountPath: SERVICE_ACCOUNT_MOUNT_PATH }] }] });
  assert.equal(spec.volumes, undefined);
  await assert.rejects(admit({ serviceAccountName: 'ghost', containers: [{ name: 'a' }] }), (e) => isForbidden(e)
    && /pods "p" is forbidden: error looking up service account team-a\/ghost: serviceaccount "ghost" not found/.test((e as Error).message));
});

test("a pod that names no imagePullSecrets gets its ServiceAccount's (also without a token); one that names some keeps its own", async () => {
  assert.deepEqual((await admit({ serviceAccountName: 'puller', containers: [{ name: 'a' }] })).imagePullSecrets, [{ name: 'regcred' }, { name: 'other' }]);
  assert.deepEqual((await admit({ serviceAccountName: 'puller', imagePullSecrets: [{ name: 'mine' }], containers: [{ name: 'a' }] })).imagePullSecrets, [{ name: 'mine' }]);
  assert.equal((await admit({ containers: [{ name: 'a' }] })).imagePullSecrets, undefined);
});
