import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { inMemoryRegistry } from './testing.js';
import type { WatchEvent } from './generic-store.js';
import { objectText } from '../json-bodies.js';

test('a watcher reads each written revision as it was stored, whatever else the writer held in memory', async (t) => {
  const registry = inMemoryRegistry(t);
  const configmaps = registry.forResource('', 'configmaps')!;
  const abort = new AbortController();
  t.after(() => abort.abort());
  const start = await configmaps.list('default');
  const events = configmaps.watch('default', { resourceVersion: start.resourceVersion }, abort.signal)[Symbol.asyncIterator]();

  const created = await configmaps.create('default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data: { a: '1' } }, registry.writeContext());
  // A writer's object may hold what JSON does not keep (an undefined value): the stored revision has no such key.
  const updated = await configmaps.guaranteedUpdate('default', 'c', (cur) => ({ ...cur!, data: { a: '2', gone: undefined as unknown as string } }), registry.writeContext());

  const seen: WatchEvent[] = [];
  while (seen.length < 2) {
    const r = await events.next();
    assert.equal(r.done, false);
    seen.push(r.value as WatchEvent);
  }
  const stored = async () => JSON.parse(JSON.stringify(await configmaps.get('default', 'c'))) as KubeObject;
  assert.deepEqual(seen.map((e) => e.type), ['ADDED', 'MODIFIED']);
  assert.deepEqual(seen[0].object, { ...created, metadata: { ...created.metadata } });
  assert.equal(seen[0].object.metadata.resourceVersion, created.metadata.resourceVersion);
  assert.deepEqual(seen[1].object, await stored());
  assert.ok(!Object.prototype.hasOwnProperty.call((seen[1].object as any).data, 'gone'));
  assert.equal(seen[1].object.metadata.resourceVersion, updated.object.metadata.resourceVersion);
});

test('the text a write records for the object it returns is that object as JSON, resourceVersion included', async (t) => {
  const registry = inMemoryRegistry(t);
  const configmaps = registry.forResource('', 'configmaps')!;
  const created = await configmaps.create('default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { a: 'b' }, annotations: { note: 'x"y 1\u2028' } }, data: { k: '"q"' } }, registry.writeContext());
  assert.equal(objectText(created), JSON.stringify(created));
  // An update whose object holds its resourceVersion last (as decoded), and one holding it elsewhere.
  const last = await configmaps.guaranteedUpdate('default', 'c', (cur) => ({ ...cur!, data: { z: '2' } }), registry.writeContext());
  assert.equal(objectText(last.object), JSON.stringify(last.object));
  const middle = await configmaps.guaranteedUpdate('default', 'c', (cur) => {
    const { resourceVersion, ...rest } = cur!.metadata;
    return { ...cur!, metadata: { resourceVersion, ...rest }, data: { z: '3' } };
  }, registry.writeContext());
  assert.ok(objectText(middle.object) === undefined || objectText(middle.object) === JSON.stringify(middle.object));
  // A copy, or the object once its resourceVersion changed, has no recorded text.
  assert.equal(objectText({ ...last.object }), undefined);
  last.object.metadata.resourceVersion = '1';
  assert.equal(objectText(last.object), undefined);
});

test('a pod status write changes the status only: the spec it sends is the stored one again, and is not validated anew', async (t) => {
  const registry = inMemoryRegistry(t);
  const pods = registry.forResource('', 'pods')!;
  await pods.create('default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i' }] } }, registry.writeContext());
  const r = await pods.guaranteedUpdate('default', 'p', (cur) => {
    // A spec no write could store (no containers, a bad restartPolicy) rides along with the status.
    cur!.spec = { containers: [], restartPolicy: 'Sometimes' };
    cur!.status = { ...cur!.status, phase: 'Running', podIP: '10.0.0.9' };
    return cur!;
  }, { ...registry.writeContext(), subresource: 'status' });
  const stored = await pods.get('default', 'p');
  assert.equal(stored.status.phase, 'Running');
  assert.equal(stored.status.podIP, '10.0.0.9');
  assert.deepEqual(stored.spec.containers.map((c: { image: string }) => c.image), ['i']);
  assert.equal(stored.spec.restartPolicy, 'Always');
  assert.equal(r.object.metadata.resourceVersion, stored.metadata.resourceVersion);
  // The same spec through the pod itself is refused.
  await assert.rejects(pods.guaranteedUpdate('default', 'p', (cur) => ({ ...cur!, spec: { containers: [], restartPolicy: 'Sometimes' } }), registry.writeContext()), /Invalid|invalid/);
});
