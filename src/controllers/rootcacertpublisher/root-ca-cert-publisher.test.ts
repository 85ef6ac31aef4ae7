import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resources } from '../../api/resources.js';
import { settle } from '../../client/testing.js';
import { discardLog } from '../../client/log.js';
import { FakeCluster, waitUntil } from '../shared/testing.js';
import { descriptionAnnotation, rootCACertConfigMapName, rootCACertDescription, startRootCACertPublisher } from './index.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIBfakeCAforTests\n-----END CERTIFICATE-----\n';
const published = (c: FakeCluster, ns: string) => c.api.peek('', 'configmaps', ns, rootCACertConfigMapName);
const isCorrect = (c: FakeCluster, ns: string) => {
  const cm = published(c, ns);
  return !!cm && JSON.stringify(cm.data) === JSON.stringify({ 'ca.crt': CA }) && cm.metadata.annotations?.[descriptionAnnotation] === rootCACertDescription;
};

test('root CA publisher: every active namespace gets kube-root-ca.crt with the cluster CA; deleted or edited, it is put back', async (t) => {
  const c = new FakeCluster();
  c.api.put('', 'namespaces', { metadata: { name: 'default' }, status: { phase: 'Active' } });
  c.api.put('', 'namespaces', { metadata: { name: 'gone', deletionTimestamp: '2025-01-01T00:00:00Z' }, status: { phase: 'Terminating' } });
  // An unrelated ConfigMap is not the publisher's business.
  c.api.put('', 'configmaps', { metadata: { name: 'mine', namespace: 'default' }, data: { a: '1' } });
  const ac = new AbortController();
  const done = startRootCACertPublisher({ client: c.client, informers: c.informers, clock: c.clock, signal: ac.signal, log: discardLog, rootCA: CA });
  t.after(async () => { ac.abort(); await done; });

  await waitUntil(() => isCorrect(c, 'default'), 'kube-root-ca.crt in default');
  assert.match(rootCACertDescription, /^Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes\.default\.svc\. No other usage is guaranteed across distributions of Kubernetes clusters\.$/);

  await c.client.create(resources.namespaces, undefined, { metadata: { name: 'fresh' }, status: { phase: 'Active' } });
  await waitUntil(() => isCorrect(c, 'fresh'), 'kube-root-ca.crt in a new namespace');

  const before = published(c, 'default')!.metadata.uid;
  await c.client.delete(resources.configmaps, 'default', rootCACertConfigMapName);
  await waitUntil(() => isCorrect(c, 'default') && published(c, 'default')!.metadata.uid !== before, 'recreated after deletion');

  const cm = published(c, 'default')!;
  await c.client.update(resources.configmaps, { ...cm, data: { 'ca.crt': 'not the CA', extra: 'x' } });
  await waitUntil(() => isCorrect(c, 'default'), 'data restored after an edit');
  const again = published(c, 'default')!;
  await c.client.update(resources.configmaps, { ...again, metadata: { ...again.metadata, annotations: { other: 'kept' } } });
  await waitUntil(() => isCorrect(c, 'default'), 'annotation restored after an edit');
  assert.equal(published(c, 'default')!.metadata.annotations.other, 'kept', 'other annotations are kept');

  const writes = () => c.requests.filter((r) => r.method !== 'GET' && r.path.includes('/configmaps')).length;
  const settled = writes();
  await settle();
  await c.clock.stepAsync(1_000);
  assert.equal(writes(), settled, 'a correct ConfigMap is left alone (no write loop)');
  assert.equal(published(c, 'gone'), undefined, 'a terminating namespace gets none');
  assert.deepEqual(c.api.peek('', 'configmaps', 'default', 'mine')!.data, { a: '1' }, 'other ConfigMaps are untouched');
});
