import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createdFieldsV1 } from './created-fields.js';
import { TypedWalker } from './typed-value.js';
import { emptyObjectLike, UNOWNED_FIELDS } from './managed-fields.js';
import type { FieldPath } from './field-set.js';
import { loadSchemaModel } from '../../api/schema/index.js';
import { testModel, deploymentSchema, configMapSchema } from './testing-schema.js';
import type { SchemaModel, SchemaNode } from '../../api/schema/types.js';

const model = loadSchemaModel();
const kind = (group: string, version: string, k: string) => model.forKind(group, version, k)!;

/** What updateManagedFields computed for a create before the one-walk path: compare, unite, cut, encode. */
function generalPath(m: SchemaModel, obj: Record<string, unknown>, schema: SchemaNode | undefined, ignored: FieldPath[]): unknown {
  const diff = new TypedWalker(m).compare(emptyObjectLike(obj), obj, schema);
  return diff.added.union(diff.modified).without(ignored).toFieldsV1();
}

/** Both paths' answers (or errors), as JSON text so key order counts too: FieldsV1 is written in that order. */
function both(m: SchemaModel, obj: Record<string, unknown>, schema: SchemaNode | undefined, extra: FieldPath[] = []) {
  const ignored = [...UNOWNED_FIELDS, ...extra];
  const run = (f: () => unknown) => { try { return JSON.stringify(f()); } catch (e) { return `error: ${(e as Error).message}`; } };
  return { fast: run(() => createdFieldsV1(m, obj, schema, ignored)), general: run(() => generalPath(m, obj, schema, ignored)) };
}

const pod = {
  apiVersion: 'v1', kind: 'Pod',
  metadata: {
    name: 'p', namespace: 'default', uid: 'u', creationTimestamp: '2024-05-01T10:00:00Z', generateName: 'p-',
    labels: { app: 'e2e', 'app.kubernetes.io/name': 'x' }, annotations: { a: '1' }, finalizers: ['example.com/f', 'a/b'],
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs-uid', controller: true }],
  },
  spec: {
    containers: [
      { name: 'c', image: 'registry.example/app:1', resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: {} },
        ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP', name: 'dns' }, { containerPort: 80, protocol: 'TCP' }],
        env: [{ name: 'B', value: '1' }, { name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        volumeMounts: [{ name: 'kube-api-access-x', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }],
        terminationMessagePath: '/dev/termination-log', imagePullPolicy: 'IfNotPresent', command: ['sh', '-c'], unknownField: { x: 1 } },
      { name: 'b', image: 'i' },
    ],
    volumes: [{ name: 'kube-api-access-x', projected: { defaultMode: 420, sources: [
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ] } }],
    tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
    nodeSelector: {}, restartPolicy: 'Always', priority: 0, enableServiceLinks: true, securityContext: {}, hostname: null,
  },
  status: { phase: 'Pending', qosClass: 'Burstable' },
};

test('a create records the same FieldsV1 through the one-walk path as through compare and the field sets', () => {
  const cases: [string, SchemaModel, Record<string, unknown>, SchemaNode | undefined, FieldPath[]][] = [
    ['pod, status ignored', model, pod, kind('', 'v1', 'Pod'), [['f:status']]],
    ['pod, nothing ignored', model, pod, kind('', 'v1', 'Pod'), []],
    ['pod, spec ignored (a status write)', model, pod, kind('', 'v1', 'Pod'), [['f:spec']]],
    ['pod, a deep path ignored', model, pod, kind('', 'v1', 'Pod'), [['f:spec', 'f:containers', 'k:{"name":"c"}', 'f:image'], ['f:metadata', 'f:labels']]],
    ['pod with only identity metadata', model, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'd' }, spec: { containers: [{ name: 'c', image: 'i' }] } }, kind('', 'v1', 'Pod'), [['f:status']]],
    ['pod with empty spec and status', model, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {}, status: {} }, kind('', 'v1', 'Pod'), []],
    ['pod with metadata that is not an object', model, { apiVersion: 'v1', kind: 'Pod', metadata: 'x', spec: [] }, kind('', 'v1', 'Pod'), []],
    ['pod with nulls', model, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: null }, spec: { containers: null, nodeSelector: null } }, kind('', 'v1', 'Pod'), []],
    ['pod with duplicate map-list keys', model, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: '1' }, { name: 'a', image: '2', tty: true }] } }, kind('', 'v1', 'Pod'), []],
    ['service with defaulted port protocols', model, { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', labels: {} }, spec: { type: 'ClusterIP', ports: [{ port: 80, targetPort: 8080 }, { port: 80, protocol: 'UDP' }], selector: { app: 'x' }, clusterIPs: ['10.0.0.1'] }, status: { loadBalancer: {} } }, kind('', 'v1', 'Service'), [['f:status']]],
    ['node with status', model, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n', labels: { 'kubernetes.io/hostname': 'n' } }, spec: { taints: [{ key: 'k', effect: 'NoSchedule' }] }, status: { capacity: { cpu: '4' }, conditions: [{ type: 'Ready', status: 'True' }], addresses: [{ type: 'InternalIP', address: '10.0.0.2' }] } }, kind('', 'v1', 'Node'), []],
    ['deployment', model, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 1, selector: { matchLabels: { app: 'x' } }, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%' } }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'a', image: 'i' }] } } } }, kind('apps', 'v1', 'Deployment'), [['f:status']]],
    ['configmap (no spec)', model, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { b: '2', a: '1', '10': 'x' }, binaryData: {} }, kind('', 'v1', 'ConfigMap'), []],
    ['event with unknown top-level fields', model, { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e' }, involvedObject: { kind: 'Pod', name: 'p' }, reason: 'Scheduled', count: 1, extra: { z: [1, 2], a: {} } }, kind('', 'v1', 'Event'), []],
    ['test model deployment', testModel, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', finalizers: ['x'] }, spec: { replicas: 1, template: { spec: { containers: [{ name: 'a', image: 'i', ports: [{ containerPort: 1 }] }] } } } }, deploymentSchema, []],
    ['test model configmap', testModel, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { app: 'x' } }, data: { A: '1' } }, configMapSchema, []],
    ['no schema', model, { apiVersion: 'x/v1', kind: 'X', metadata: { name: 'x' }, spec: { list: [1, { a: 1 }], map: { b: {} } } }, undefined, []],
  ];
  for (const [name, m, obj, schema, ignored] of cases) {
    const r = both(m, obj, schema, ignored);
    assert.ok(!r.fast.startsWith('error'), `${name}: ${r.fast}`);
    assert.equal(r.fast, r.general, name);
  }
});

test('a create whose map-list item lacks its key fails with the same error on the one-walk path, even where ignored', () => {
  const badSpec = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i' }, { image: 'j' }] } };
  const badStatus = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i' }] }, status: { conditions: [{ status: 'True' }] } };
  for (const bad of [badSpec, badStatus]) {
    for (const ignored of [[], [['f:status']], [['f:spec']]] as FieldPath[][]) {
      const r = both(model, bad, kind('', 'v1', 'Pod'), ignored);
      assert.match(r.fast, /^error: .*omits key field/);
      assert.equal(r.fast, r.general);
    }
  }
});
