import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from './client.js';
import { resources } from '../api/resources.js';
import { FakeClock, FakeApiHandler } from './testing.js';
import { EventRecorder } from './events.js';
import { discardLog } from './log.js';
import { inProcessTransport } from './transport.js';

const deployment = {
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name: 'web', namespace: 'prod', uid: 'u-1', resourceVersion: '42' },
  spec: { replicas: 3 },
};

function setup() {
  const fake = new FakeApiHandler();
  const clock = new FakeClock(Date.UTC(2025, 0, 1, 12, 0, 0, 250));
  const client = new Client(inProcessTransport(fake.handler));
  const rec = new EventRecorder({ client, component: 'deployment-controller', clock, log: discardLog });
  return { fake, clock, client, rec };
}

test('an event is a core/v1 Event about the object, named <name>.<hex nanoseconds>, like upstream', async () => {
  const { client, clock, rec } = setup();
  await rec.event(deployment, 'Normal', 'ScalingReplicaSet', 'Scaled up replica set web-abc to 3');
  const list = await client.list(resources.events, { namespace: 'prod' });
  assert.equal(list.items.length, 1);
  const ev = list.items[0];
  assert.equal(ev.metadata?.name, `web.${(BigInt(clock.now()) * 1_000_000n).toString(16)}`);
  assert.deepEqual(ev.involvedObject, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'prod', uid: 'u-1', resourceVersion: '42' });
  assert.equal(ev.reason, 'ScalingReplicaSet');
  assert.equal(ev.type, 'Normal');
  assert.equal(ev.count, 1);
  assert.equal(ev.firstTimestamp, '2025-01-01T12:00:00Z');
  assert.equal(ev.lastTimestamp, '2025-01-01T12:00:00Z');
  assert.deepEqual(ev.source, { component: 'deployment-controller' });
  assert.equal(ev.reportingComponent, 'deployment-controller');
  assert.equal(ev.reportingInstance, '', 'a controller manager recorder reports no instance (source.host), as upstream\'s');
});

test('the same event again within 10 minutes bumps count and lastTimestamp instead of creating another', async () => {
  const { client, clock, rec } = setup();
  await rec.event(deployment, 'Warning', 'FailedCreate', 'quota exceeded');
  clock.step(60_000);
  await rec.event(deployment, 'Warning', 'FailedCreate', 'quota exceeded');
  clock.step(60_000);
  await rec.event(deployment, 'Warning', 'FailedCreate', 'quota exceeded');
  await rec.event(deployment, 'Warning', 'FailedCreate', 'a different message');
  let items = (await client.list(resources.events, { namespace: 'prod' })).items;
  assert.equal(items.length, 2);
  const agg = items.find((e) => e.message === 'quota exceeded')!;
  assert.equal(agg.count, 3);
  assert.equal(agg.firstTimestamp, '2025-01-01T12:00:00Z');
  assert.equal(agg.lastTimestamp, '2025-01-01T12:02:00Z');

  clock.step(11 * 60_000);
  await rec.event(deployment, 'Warning', 'FailedCreate', 'quota exceeded');
  items = (await client.list(resources.events, { namespace: 'prod' })).items;
  assert.equal(items.length, 3, 'after the window a new Event starts');
});

test('events about cluster-scoped objects go to the default namespace; a deleted aggregate is recreated', async () => {
  const { client, rec, fake } = setup();
  const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'n-uid' } };
  await rec.event(node, 'Normal', 'NodeReady', 'Node n1 status is now: NodeReady');
  const [ev] = (await client.list(resources.events, { namespace: 'default' })).items;
  assert.equal(ev.involvedObject.name, 'n1');
  fake.remove('', 'events', 'default', ev.metadata!.name!);
  await rec.event(node, 'Normal', 'NodeReady', 'Node n1 status is now: NodeReady');
  const again = (await client.list(resources.events, { namespace: 'default' })).items;
  assert.equal(again.length, 1);
  assert.equal(again[0].count, 1);
});

test('recording never throws when the API refuses the event', async () => {
  const client = new Client(inProcessTransport(async () => ({ status: 403, headers: {}, body: '{"kind":"Status","code":403,"reason":"Forbidden"}' })));
  const rec = new EventRecorder({ client, component: 'x', log: discardLog });
  await rec.event(deployment, 'Normal', 'R', 'm');
});
