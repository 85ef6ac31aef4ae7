import { test } from 'node:test';
import assert from 'node:assert/strict';
import { invalid } from '../../../../api/errors.js';
import { deployments } from './strategy.js';
import { fakeContext } from '../../testing.js';
import type { KubeObject } from '../../../../api/object.js';

const st = deployments.strategy;
/** The seed course's flask-app Deployment, as kubectl sends it. */
const seedDeployment = (): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'flask-app', namespace: 'default' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'flask-app' } },
    template: {
      metadata: { labels: { app: 'flask-app' } },
      spec: {
        containers: [{
          name: 'flask-container', image: 'your-dockerhub-username/flask-app:latest', ports: [{ containerPort: 5000 }],
          env: [
            { name: 'DATABASE_HOST', value: 'db-service' },
            { name: 'DATABASE_USER', valueFrom: { secretKeyRef: { name: 'db-secret', key: 'username' } } },
          ],
          envFrom: [{ configMapRef: { name: 'app-config' } }],
        }],
      },
    },
  },
});
const ctx = fakeContext();

test('the seed Deployment gets upstream\'s defaults', async () => {
  const d = seedDeployment();
  st.defaults!(d);
  await st.prepareForCreate!(d, ctx);
  assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(d.spec.revisionHistoryLimit, 10);
  assert.equal(d.spec.progressDeadlineSeconds, 600);
  assert.equal(d.spec.replicas, 2);
  assert.deepEqual(d.spec.template.metadata, { labels: { app: 'flask-app' }, creationTimestamp: null });
  const { containers, ...podSpec } = d.spec.template.spec;
  assert.deepEqual(podSpec, { restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', securityContext: {}, schedulerName: 'default-scheduler' });
  assert.deepEqual(containers[0], {
    ...seedDeployment().spec.template.spec.containers[0],
    ports: [{ containerPort: 5000, protocol: 'TCP' }],
    terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: 'Always', resources: {},
  });
  assert.deepEqual(d.status, {});
  assert.equal(d.metadata.generation, 1);
  assert.deepEqual(await st.validate!(d, ctx), []);
});

test('defaulting twice changes nothing and replicas default to 1', () => {
  const d = seedDeployment();
  delete d.spec.replicas;
  st.defaults!(d);
  const once = structuredClone(d);
  st.defaults!(d);
  assert.deepEqual(d, once);
  assert.equal(d.spec.replicas, 1);
});

test('a tagged image defaults to IfNotPresent', () => {
  const d = seedDeployment();
  d.spec.template.spec.containers[0].image = 'your-dockerhub-username/flask-app:v2';
  st.defaults!(d);
  assert.equal(d.spec.template.spec.containers[0].imagePullPolicy, 'IfNotPresent');
});

test('a selector that does not match the template labels is refused as upstream words it', async () => {
  const d = seedDeployment();
  d.spec.template.metadata.labels = { app: 'other' };
  st.defaults!(d);
  const errs = await st.validate!(d, ctx);
  assert.deepEqual(errs.map(String), ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`']);
  assert.equal(invalid('Deployment', 'apps', 'flask-app', errs).status.message,
    'Deployment.apps "flask-app" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`');
});

test('selector required (and then, as upstream, the template labels match no selector), replicas non-negative, maxSurge and maxUnavailable not both 0', async () => {
  const d = seedDeployment();
  delete d.spec.selector;
  d.spec.replicas = -1;
  d.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } };
  st.defaults!(d);
  assert.deepEqual((await st.validate!(d, ctx)).map(String), [
    'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    'spec.selector: Required value',
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"flask-app"}: `selector` does not match template `labels`',
    'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when `maxSurge` is 0',
  ]);
});

test('the selector is immutable on update', async () => {
  const old = seedDeployment();
  st.defaults!(old);
  const upd = seedDeployment();
  upd.spec.selector = { matchLabels: { app: 'flask-app', tier: 'web' } };
  upd.spec.template.metadata.labels = { app: 'flask-app', tier: 'web' };
  st.defaults!(upd);
  assert.deepEqual((await st.validateUpdate!(upd, old, ctx)).map(String), [
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"flask-app", "tier":"web"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
  ]);
});

test('container errors carry template paths: missing image, duplicate names, bad ports', async () => {
  const d = seedDeployment();
  const c = d.spec.template.spec.containers;
  c.push({ name: 'flask-container', ports: [{ containerPort: 70000 }] });
  st.defaults!(d);
  assert.deepEqual((await st.validate!(d, ctx)).map(String), [
    'spec.template.spec.containers[1].image: Required value',
    'spec.template.spec.containers[1].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
    'spec.template.spec.containers[1].name: Duplicate value: "flask-container"',
  ]);
});

test('main-resource updates keep status; status updates keep spec', async () => {
  const old = seedDeployment();
  st.defaults!(old);
  old.status = { replicas: 2, readyReplicas: 2 };
  const upd = structuredClone(old);
  upd.status = { replicas: 99 };
  await st.prepareForUpdate!(upd, old, ctx);
  assert.deepEqual(upd.status, { replicas: 2, readyReplicas: 2 });
  const stat = structuredClone(old);
  stat.spec.replicas = 7;
  stat.status = { replicas: 3 };
  st.prepareForStatusUpdate!(stat, old);
  assert.equal(stat.spec.replicas, 2);
  assert.deepEqual(stat.status, { replicas: 3 });
});

test('the Table row matches kubectl get deploy -o wide', () => {
  const d = seedDeployment();
  st.defaults!(d);
  d.metadata.creationTimestamp = '2025-12-31T23:57:00Z';
  d.status = { replicas: 2, updatedReplicas: 2, readyReplicas: 1, availableReplicas: 1 };
  assert.deepEqual(st.table!.columns.map((c) => [c.name, c.type, c.priority]), [
    ['Name', 'string', 0], ['Ready', 'string', 0], ['Up-to-date', 'string', 0], ['Available', 'string', 0], ['Age', 'string', 0],
    ['Containers', 'string', 1], ['Images', 'string', 1], ['Selector', 'string', 1]]);
  assert.deepEqual(st.table!.row(d, new Date('2026-01-01T00:00:00Z')),
    ['flask-app', '1/2', 2, 1, '3m', 'flask-container', 'your-dockerhub-username/flask-app:latest', 'app=flask-app']);
});
