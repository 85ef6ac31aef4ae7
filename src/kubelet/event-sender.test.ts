import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../client/client.js';
import { FakeApiHandler, FakeClock } from '../client/testing.js';
import { inProcessTransport } from '../client/transport.js';
import { resources } from '../api/resources.js';
import { discardLog } from '../client/log.js';
import { EventSender } from './event-sender.js';

test('kubelet events are written after the recording code yields, in order, each with the time it was recorded at', async () => {
  const fake = new FakeApiHandler();
  const client = new Client(inProcessTransport(fake.handler));
  const clock = new FakeClock(Date.UTC(2026, 0, 2, 3, 4, 5));
  const sender = new EventSender({ client, component: 'kubelet', host: 'node-1', clock, log: discardLog });
  const pod = { apiVersion: 'v1', kind: 'Pod', name: 'web', namespace: 'default', uid: 'u1' };
  const written = [
    sender.event({ ...pod, fieldPath: 'spec.containers{app}' }, 'Normal', 'Pulled', 'Container image "x" already present on machine'),
    sender.event({ ...pod, fieldPath: 'spec.containers{app}' }, 'Normal', 'Created', 'Created container app'),
  ];
  clock.step(7_000);
  written.push(sender.event({ ...pod, fieldPath: 'spec.containers{app}' }, 'Normal', 'Started', 'Started container app'));
  assert.equal(fake.requests.filter((r) => r.method === 'POST').length, 0, 'nothing is written before the recording code yields');
  await Promise.all(written);
  const events = (await client.list(resources.events, { namespace: 'default' })).items as any[];
  events.sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion));
  assert.deepEqual(events.map((e) => e.reason), ['Pulled', 'Created', 'Started']);
  assert.deepEqual(events.map((e) => e.firstTimestamp), ['2026-01-02T03:04:05Z', '2026-01-02T03:04:05Z', '2026-01-02T03:04:12Z']);
  assert.deepEqual(events.map((e) => e.source), [{ component: 'kubelet', host: 'node-1' }, { component: 'kubelet', host: 'node-1' }, { component: 'kubelet', host: 'node-1' }]);
});
