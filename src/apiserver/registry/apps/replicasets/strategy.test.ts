import { test } from 'node:test';
import assert from 'node:assert/strict';
import { replicasets } from './strategy.js';
import type { KubeObject } from '../../../../api/object.js';

const st = replicasets.strategy;

test('a ReplicaSet row shows desired/current/ready and the wide columns', () => {
  const rs: KubeObject = {
    metadata: { name: 'flask-app-6d8f7c9b5', namespace: 'default', creationTimestamp: '2025-12-31T22:00:00Z' },
    spec: { selector: { matchLabels: { app: 'flask-app', 'pod-template-hash': '6d8f7c9b5' } },
      template: { metadata: { labels: { app: 'flask-app', 'pod-template-hash': '6d8f7c9b5' } }, spec: { containers: [{ name: 'a', image: 'x:1' }, { name: 'b', image: 'y' }] } } },
    status: { replicas: 2, readyReplicas: 1 },
  };
  st.defaults!(rs);
  assert.equal(rs.spec.replicas, 1);
  assert.deepEqual(st.table!.row(rs, new Date('2026-01-01T00:00:00Z')),
    ['flask-app-6d8f7c9b5', 1, 2, 1, '120m', 'a,b', 'x:1,y', 'app=flask-app,pod-template-hash=6d8f7c9b5']);
  assert.equal(st.fieldSelectors!['status.replicas'](rs), '2');
});

test('a ReplicaSet template must restart Always', async () => {
  const rs: KubeObject = {
    metadata: { name: 'r', namespace: 'default' },
    spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] } } },
  };
  st.defaults!(rs);
  const errs = await st.validate!(rs, { list: async () => [], now: () => new Date(), dryRun: false });
  assert.deepEqual(errs.map(String), ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']);
});
