import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from './client.js';
import { resources } from '../api/resources.js';
import { FakeClock, settle, FakeApiHandler } from './testing.js';
import { InformerFactory } from './informer.js';
import { podNodeNameIndex, podNodeNameIndexers } from './indexes.js';
import { discardLog } from './log.js';
import { inProcessTransport } from './transport.js';

test('components sharing the pod informer share one pods-by-node index that follows rebinding and deletion', async (t) => {
  const fake = new FakeApiHandler();
  const informers = new InformerFactory(new Client(inProcessTransport(fake.handler)), { clock: new FakeClock(), log: discardLog });
  const ac = new AbortController();
  t.after(() => ac.abort());
  const pod = (name: string, nodeName?: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'a', name }, spec: nodeName ? { nodeName } : {} });
  fake.put('', 'pods', pod('p1', 'n1'));
  fake.put('', 'pods', pod('p2'));
  // Two components ask for the index (e.g. pod GC and the node lifecycle controller): the second asking is not an error.
  const first = informers.informerFor(resources.pods, { indexers: podNodeNameIndexers });
  const second = informers.informerFor(resources.pods, { indexers: podNodeNameIndexers });
  assert.equal(first, second);
  informers.start(ac.signal);
  assert.ok(await informers.waitForCacheSync(ac.signal));
  const names = (node: string) => first.byIndex(podNodeNameIndex, node).map((p) => p.metadata.name).sort();
  assert.deepEqual(names('n1'), ['p1']);
  fake.put('', 'pods', pod('p2', 'n1'));
  fake.remove('', 'pods', 'a', 'p1');
  for (let i = 0; i < 200 && names('n1').join() !== 'p2'; i++) await settle(5);
  assert.deepEqual(names('n1'), ['p2']);
});
