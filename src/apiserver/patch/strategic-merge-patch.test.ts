import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyStrategicMergePatch } from './strategic-merge-patch.js';
import { testModel, deploymentSchema, serviceSchema, secretSchema, configMapSchema } from './testing-schema.js';
import { StatusError } from '../../api/errors.js';

const LAST = 'kubectl.kubernetes.io/last-applied-configuration';

function liveDeployment(): any {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'flask-app', namespace: 'default', annotations: { [LAST]: '{"old":true}\n', 'deployment.kubernetes.io/revision': '1' }, finalizers: ['a', 'b'] },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'flask-app' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'flask-app' } },
        spec: {
          containers: [{
            name: 'flask-app', image: 'your-dockerhub-username/flask-app:v1', imagePullPolicy: 'IfNotPresent',
            ports: [{ containerPort: 5000, protocol: 'TCP' }],
            env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }],
          }],
          tolerations: [{ key: 'dedicated', effect: 'NoSchedule', value: 'x' }],
          restartPolicy: 'Always',
        },
      },
    },
  };
}
const smp = (obj: object, patch: unknown, schema = deploymentSchema) => applyStrategicMergePatch(obj, patch, schema, testModel) as any;

test('kubectl apply image change: $setElementOrder/containers merges the container by name, annotation replaced', () => {
  const live = liveDeployment();
  const out = smp(live, {
    metadata: { annotations: { [LAST]: '{"new":true}\n' } },
    spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'flask-app' }], containers: [{ image: 'your-dockerhub-username/flask-app:v2', name: 'flask-app' }] } } },
  });
  const c = out.spec.template.spec.containers;
  assert.equal(c.length, 1);
  assert.deepEqual(c[0], { ...live.spec.template.spec.containers[0], image: 'your-dockerhub-username/flask-app:v2' });
  assert.equal(out.metadata.annotations[LAST], '{"new":true}\n');
  assert.equal(out.metadata.annotations['deployment.kubernetes.io/revision'], '1');
  assert.equal(out.spec.template.spec['$setElementOrder/containers'], undefined);
  assert.equal(live.spec.template.spec.containers[0].image, 'your-dockerhub-username/flask-app:v1', 'input untouched');
});

test('kubectl apply nodePort change: Service ports merge by port and keep server fields', () => {
  const live = {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'flask-service' },
    spec: { type: 'NodePort', selector: { app: 'flask-app' }, ports: [{ port: 5000, targetPort: 5000, nodePort: 30001, protocol: 'TCP' }] },
  };
  const out = smp(live, { metadata: { annotations: { [LAST]: '{}' } }, spec: { '$setElementOrder/ports': [{ port: 5000 }], ports: [{ nodePort: 30002, port: 5000 }] } }, serviceSchema);
  assert.deepEqual(out.spec.ports, [{ port: 5000, targetPort: 5000, nodePort: 30002, protocol: 'TCP' }]);
  assert.deepEqual(out.metadata.annotations, { [LAST]: '{}' });
});

test('kubectl apply Secret/ConfigMap data change merges data keys', () => {
  const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'Opaque', data: { password: 'b2xk', user: 'dQ==' } };
  const out = smp(secret, { data: { password: 'bmV3cGFzcw==' }, metadata: { annotations: { [LAST]: '{}\n' } } }, secretSchema);
  assert.deepEqual(out.data, { password: 'bmV3cGFzcw==', user: 'dQ==' });
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { LOG_LEVEL: 'info', PORT: '5000' } };
  assert.deepEqual(smp(cm, { data: { LOG_LEVEL: 'debug' } }, configMapSchema).data, { LOG_LEVEL: 'debug', PORT: '5000' });
});

test('adding an env var keeps the others (new items first, as upstream orders them)', () => {
  const out = smp(liveDeployment(), { spec: { template: { spec: { containers: [{ name: 'flask-app', env: [{ name: 'NEW', value: 'x' }] }] } } } });
  const env = out.spec.template.spec.containers[0].env;
  assert.deepEqual(env, [{ name: 'NEW', value: 'x' }, { name: 'A', value: '1' }, { name: 'B', value: '2' }]);
  assert.equal(out.spec.template.spec.containers[0].image, 'your-dockerhub-username/flask-app:v1');
});

test('$setElementOrder puts a new env var where kubectl says', () => {
  const out = smp(liveDeployment(), { spec: { template: { spec: {
    '$setElementOrder/containers': [{ name: 'flask-app' }],
    containers: [{ name: 'flask-app', '$setElementOrder/env': [{ name: 'A' }, { name: 'B' }, { name: 'C' }], env: [{ name: 'C', value: '3' }] }],
  } } } });
  assert.deepEqual(out.spec.template.spec.containers[0].env.map((e: any) => e.name), ['A', 'B', 'C']);
});

test('a container is added beside the existing one and removed with $patch: delete', () => {
  let out = smp(liveDeployment(), { spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'redis' }] } } } });
  assert.deepEqual(out.spec.template.spec.containers.map((c: any) => c.name), ['sidecar', 'flask-app']);
  out = smp(out, { spec: { template: { spec: {
    '$setElementOrder/containers': [{ name: 'flask-app' }],
    containers: [{ $patch: 'delete', name: 'sidecar' }],
  } } } });
  assert.deepEqual(out.spec.template.spec.containers.map((c: any) => c.name), ['flask-app']);
  assert.equal(out.spec.template.spec.containers[0].image, 'your-dockerhub-username/flask-app:v1');
});

test('$retainKeys on strategy: switching to Recreate drops rollingUpdate', () => {
  const out = smp(liveDeployment(), { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } });
  assert.deepEqual(out.spec.strategy, { type: 'Recreate' });
  // Without the directive the map merges (upstream; validation then rejects rollingUpdate with Recreate).
  assert.deepEqual(smp(liveDeployment(), { spec: { strategy: { type: 'Recreate' } } }).spec.strategy.rollingUpdate, { maxSurge: '25%', maxUnavailable: '25%' });
});

test('$retainKeys must list every key the patch sets (400)', () => {
  assert.throws(() => smp(liveDeployment(), { spec: { strategy: { $retainKeys: ['type'], type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } }),
    (e: unknown) => e instanceof StatusError && e.code === 400 && e.message === 'invalid patch format of retainKeys');
});

test('null deletes a key; maps merge recursively', () => {
  const out = smp(liveDeployment(), { metadata: { annotations: { 'deployment.kubernetes.io/revision': null }, labels: { tier: 'web' } } });
  assert.deepEqual(out.metadata.annotations, { [LAST]: '{"old":true}\n' });
  assert.deepEqual(out.metadata.labels, { tier: 'web' });
});

test('lists without a merge strategy are replaced whole (tolerations, args)', () => {
  const out = smp(liveDeployment(), { spec: { template: { spec: { tolerations: [{ key: 'other', effect: 'NoExecute' }] } } } });
  assert.deepEqual(out.spec.template.spec.tolerations, [{ key: 'other', effect: 'NoExecute' }]);
});

test('primitive merge lists (finalizers) merge as sets; $deleteFromPrimitiveList removes', () => {
  let out = smp(liveDeployment(), { metadata: { finalizers: ['b', 'c'] } });
  assert.deepEqual(out.metadata.finalizers, ['a', 'b', 'c']);
  out = smp(out, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a', 'c'] } });
  assert.deepEqual(out.metadata.finalizers, ['b']);
});

test('$patch: replace on a map replaces it; $patch: delete on a map empties it', () => {
  let out = smp(liveDeployment(), { spec: { template: { metadata: { labels: { $patch: 'replace', only: 'me' } } } } });
  assert.deepEqual(out.spec.template.metadata.labels, { only: 'me' });
  out = smp(liveDeployment(), { metadata: { annotations: { $patch: 'delete' } } });
  assert.deepEqual(out.metadata.annotations, {});
});

test('$patch: replace in a merge list replaces the list', () => {
  const out = smp(liveDeployment(), { spec: { template: { spec: { containers: [{ name: 'only', image: 'x' }, { $patch: 'replace' }] } } } });
  assert.deepEqual(out.spec.template.spec.containers, [{ name: 'only', image: 'x' }]);
});

test('$patch: merge in a map is the default merge', () => {
  const out = smp(liveDeployment(), { spec: { $patch: 'merge', replicas: 5 } });
  assert.equal(out.spec.replicas, 5);
  assert.equal(out.spec.selector.matchLabels.app, 'flask-app');
});

test('container ports merge by containerPort', () => {
  const out = smp(liveDeployment(), { spec: { template: { spec: { containers: [{ name: 'flask-app', ports: [{ containerPort: 5000, name: 'http' }, { containerPort: 9090 }] }] } } } });
  assert.deepEqual(out.spec.template.spec.containers[0].ports, [{ containerPort: 5000, protocol: 'TCP', name: 'http' }, { containerPort: 9090 }]);
});

test('a merge-list item without its merge key is an error', () => {
  assert.throws(() => smp(liveDeployment(), { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }),
    (e: unknown) => e instanceof StatusError && /does not contain declared merge key: name/.test(e.message));
});

test('a patch that is not an object is a 400', () => {
  assert.throws(() => smp(liveDeployment(), [1]), (e: unknown) => e instanceof StatusError && e.code === 400);
});
