import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyServerSide } from './server-side-apply.js';
import { updateManagedFields } from './managed-fields.js';
import { testModel, deploymentSchema, configMapSchema } from './testing-schema.js';
import { StatusError } from '../../api/errors.js';

const T0 = new Date('2024-05-01T10:00:00.123Z');
const T1 = new Date('2024-05-01T11:00:00Z');

function config(over: { replicas?: number; image?: string; labels?: Record<string, string>; env?: unknown[] } = {}): any {
  const container: any = { name: 'flask-container', image: over.image ?? 'flask:v1', ports: [{ containerPort: 5000 }] };
  if (over.env) container.env = over.env;
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'flask-app', namespace: 'default', labels: over.labels ?? { app: 'flask-app' } },
    spec: {
      replicas: over.replicas ?? 2,
      selector: { matchLabels: { app: 'flask-app' } },
      template: { metadata: { labels: { app: 'flask-app' } }, spec: { containers: [container] } },
    },
  };
}

const apply = (live: object | undefined, applied: object, manager = 'kubectl', force = false, now = T0) =>
  applyServerSide({ live, applied, manager, force, schema: deploymentSchema, model: testModel, now });

/** What the store holds after a create: server fields plus the writer's managedFields. */
function created(obj: any, manager: string): any {
  const stored = { ...obj, metadata: { ...obj.metadata, uid: 'u1', resourceVersion: '1', creationTimestamp: '2024-05-01T09:00:00Z' } };
  stored.metadata.managedFields = updateManagedFields({ old: undefined, updated: stored, manager, apiVersion: 'apps/v1', now: T0, schema: deploymentSchema, model: testModel });
  return stored;
}

test('apply creates the object and records the applied field set in FieldsV1 as upstream encodes it', () => {
  const { result, managedFields, changed } = apply(undefined, config());
  assert.equal(changed, true);
  assert.equal(result.spec && (result.spec as any).replicas, 2);
  assert.equal(managedFields.length, 1);
  const [e] = managedFields;
  assert.equal(e.manager, 'kubectl');
  assert.equal(e.operation, 'Apply');
  assert.equal(e.apiVersion, 'apps/v1');
  assert.equal(e.time, '2024-05-01T10:00:00Z');
  assert.equal(e.fieldsType, 'FieldsV1');
  assert.deepEqual(e.fieldsV1, {
    'f:metadata': { 'f:labels': { 'f:app': {} } },
    'f:spec': {
      'f:replicas': {},
      'f:selector': {},
      'f:template': {
        'f:metadata': { 'f:labels': { 'f:app': {} } },
        'f:spec': {
          'f:containers': {
            'k:{"name":"flask-container"}': {
              '.': {}, 'f:image': {}, 'f:name': {},
              'f:ports': { 'k:{"containerPort":5000,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
            },
          },
        },
      },
    },
  });
  assert.deepEqual((result.metadata as any).managedFields, managedFields);
});

test('applying a field another manager set to a different value is a 409 Conflict formatted as upstream', () => {
  const live = created(config({ replicas: 2 }), 'kubectl-client-side-apply');
  assert.throws(() => apply(live, config({ replicas: 3 })), (e: unknown) => {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, 409);
    assert.equal(e.reason, 'Conflict');
    assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
    assert.deepEqual(e.status.details?.causes, [
      { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.replicas' },
    ]);
    return true;
  });
});

test('several conflicts are listed per manager, with list keys in the paths', () => {
  const live = created(config({ replicas: 2 }), 'kubectl-client-side-apply');
  assert.throws(() => apply(live, config({ replicas: 3, image: 'flask:v2' })), (e: unknown) => {
    assert.ok(e instanceof StatusError);
    assert.equal(e.message, 'Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1:\n' +
      '- .spec.replicas\n- .spec.template.spec.containers[name="flask-container"].image');
    return true;
  });
});

test('applying the same value another manager set shares ownership without conflict', () => {
  const live = created(config(), 'kubectl-client-side-apply');
  const { managedFields } = apply(live, config());
  assert.deepEqual(managedFields.map((m) => [m.manager, m.operation]), [['kubectl', 'Apply'], ['kubectl-client-side-apply', 'Update']]);
  assert.ok((managedFields[1].fieldsV1 as any)['f:spec']['f:replicas'], 'the updater still owns replicas');
});

test('force=true takes the conflicting fields from the other manager', () => {
  const live = created(config({ replicas: 2 }), 'kubectl-client-side-apply');
  const { result, managedFields } = apply(live, config({ replicas: 3 }), 'kubectl', true);
  assert.equal((result.spec as any).replicas, 3);
  const other = managedFields.find((m) => m.manager === 'kubectl-client-side-apply')!;
  assert.equal((other.fieldsV1 as any)['f:spec']['f:replicas'], undefined);
  const mine = managedFields.find((m) => m.manager === 'kubectl')!;
  assert.deepEqual((mine.fieldsV1 as any)['f:spec']['f:replicas'], {});
});

test('a field the applier stops applying is removed unless someone else owns it', () => {
  const first = apply(undefined, config({ labels: { app: 'flask-app', tier: 'web' }, env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] })).result;
  const second = apply(first, config({ env: [{ name: 'A', value: '1' }] }), 'kubectl', false, T1).result as any;
  assert.deepEqual(second.metadata.labels, { app: 'flask-app' });
  assert.deepEqual(second.spec.template.spec.containers[0].env, [{ name: 'A', value: '1' }]);

  // Another manager (kubectl label) owns tier: dropping it from the apply config keeps it.
  const labelled = { ...first, metadata: { ...(first as any).metadata, labels: { app: 'flask-app', tier: 'web', team: 'a' } } };
  labelled.metadata.managedFields = updateManagedFields({ old: first, updated: labelled, manager: 'kubectl-label', apiVersion: 'apps/v1', now: T1, schema: deploymentSchema, model: testModel });
  const third = apply(labelled, config(), 'kubectl', false, T1).result as any;
  assert.deepEqual(third.metadata.labels, { app: 'flask-app', team: 'a' });
});

test('apply merges into lists by key and keeps fields other writers set', () => {
  const live = created(config(), 'kubectl-create');
  (live.spec.template.spec.containers[0] as any).imagePullPolicy = 'IfNotPresent';
  const { result } = apply(live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'flask-app' },
    spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'redis' }] } } } }, 'other');
  const names = (result.spec as any).template.spec.containers.map((c: any) => c.name);
  assert.deepEqual(names, ['flask-container', 'sidecar']);
  assert.equal((result.spec as any).template.spec.containers[0].imagePullPolicy, 'IfNotPresent');
  assert.equal((result.spec as any).replicas, 2);
});

test('a no-op apply reports changed=false and keeps the manager time', () => {
  const first = apply(undefined, config()).result;
  const again = apply(first, config(), 'kubectl', false, T1);
  assert.equal(again.changed, false);
  assert.equal(again.managedFields[0].time, '2024-05-01T10:00:00Z');
});

test('an object nobody tracked is owned by before-first-apply', () => {
  const live = { ...config({ replicas: 2 }), metadata: { name: 'flask-app', namespace: 'default' } };
  assert.throws(() => apply(live, config({ replicas: 5 })), (e: unknown) =>
    e instanceof StatusError && e.message === 'Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.replicas');
});

test('managedFields in the apply configuration, a wrong apiVersion and a list item without its key are rejected', () => {
  const withMf = config();
  withMf.metadata.managedFields = [];
  assert.throws(() => apply(undefined, withMf), (e: unknown) => e instanceof StatusError && e.code === 400 && e.message === 'metadata.managedFields must be nil');
  assert.throws(() => applyServerSide({ live: undefined, applied: config(), manager: 'm', force: false, schema: deploymentSchema, model: testModel, now: T0, apiVersion: 'apps/v2' }),
    (e: unknown) => e instanceof StatusError && e.code === 400 && /Incorrect version specified in apply patch/.test(e.message));
  const noKey = config();
  delete noKey.spec.template.spec.containers[0].name;
  assert.throws(() => apply(undefined, noKey), (e: unknown) => e instanceof StatusError &&
    /\.spec\.template\.spec\.containers: element 0: associative list with keys has an element that omits key field "name"/.test(e.message));
});

test('ConfigMap apply owns each data key', () => {
  const { managedFields } = applyServerSide({ live: undefined, applied: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { A: '1' } },
    manager: 'kubectl', force: false, schema: configMapSchema, model: testModel, now: T0 });
  assert.deepEqual(managedFields[0].fieldsV1, { 'f:data': { 'f:A': {} } });
});
