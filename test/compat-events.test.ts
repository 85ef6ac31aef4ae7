// core/v1 Events and events.k8s.io/v1 Events are one storage, as upstream: an Event written through either API is
// read, listed, watched and deleted through the other, with the fields renamed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { startTestCluster, type TestCluster } from './helpers/cluster.js';

const CORE = '/api/v1/namespaces/default/events';
const V1 = '/apis/events.k8s.io/v1/namespaces/default/events';

/** Reads watch events (one JSON object per line) until `until` says stop. */
function watchUntil(c: TestCluster, path: string, until: (events: any[]) => boolean): { events: Promise<any[]>; ready: Promise<void> } {
  let onReady!: () => void;
  const ready = new Promise<void>((r) => { onReady = r; });
  const events = new Promise<any[]>((resolve, reject) => {
    const req = https.request(new URL(path, c.url), { ca: c.pki.ca, cert: c.pki.cert, key: c.pki.key, headers: { accept: 'application/json' } }, (res) => {
      onReady();
      const seen: any[] = [];
      let buf = '';
      res.on('data', (chunk) => {
        buf += chunk.toString('utf8');
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i); buf = buf.slice(i + 1);
          if (line.trim()) seen.push(JSON.parse(line));
          if (until(seen)) { req.destroy(); resolve(seen); return; }
        }
      });
      res.on('end', () => resolve(seen));
    });
    req.on('error', (e) => { if ((e as any).code !== 'ECONNRESET') reject(e); });
    req.end();
  });
  return { events, ready };
}

test('an Event created through events.k8s.io/v1 is a core/v1 Event with the old field names, and back', async (t) => {
  const c = await startTestCluster(t);
  const created = await c.request('POST', V1, {
    body: {
      apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'new-style' },
      eventTime: '2024-05-01T10:00:00.000000Z', reportingController: 'example.com/ctl', reportingInstance: 'ctl-1',
      action: 'Sync', reason: 'Synced', note: 'all good', type: 'Normal',
      regarding: { apiVersion: 'v1', kind: 'Pod', name: 'web', namespace: 'default' },
    },
  });
  assert.equal(created.status, 201, created.text);
  const core = await c.request('GET', `${CORE}/new-style`);
  assert.equal(core.status, 200, core.text);
  assert.equal(core.body.apiVersion, 'v1');
  assert.equal(core.body.message, 'all good');
  assert.equal(core.body.reportingComponent, 'example.com/ctl');
  assert.deepEqual(core.body.involvedObject, { apiVersion: 'v1', kind: 'Pod', name: 'web', namespace: 'default' });
  assert.equal(core.body.metadata.resourceVersion, created.body.metadata.resourceVersion, 'one object, one resourceVersion');
  assert.equal(core.body.metadata.uid, created.body.metadata.uid);

  const old = await c.request('POST', CORE, {
    body: {
      apiVersion: 'v1', kind: 'Event', metadata: { name: 'old-style' }, reason: 'Started', message: 'started container',
      type: 'Normal', count: 3, source: { component: 'kubelet' }, firstTimestamp: '2024-05-01T10:00:00Z', lastTimestamp: '2024-05-01T10:05:00Z',
      involvedObject: { kind: 'Pod', name: 'web', namespace: 'default' },
    },
  });
  assert.equal(old.status, 201, old.text);
  const v1 = await c.request('GET', `${V1}/old-style`);
  assert.equal(v1.status, 200, v1.text);
  assert.equal(v1.body.apiVersion, 'events.k8s.io/v1');
  assert.equal(v1.body.note, 'started container');
  assert.equal(v1.body.deprecatedCount, 3);
  assert.deepEqual(v1.body.deprecatedSource, { component: 'kubelet' });
  assert.equal(v1.body.deprecatedLastTimestamp, '2024-05-01T10:05:00Z');
  assert.equal(v1.body.regarding.name, 'web');

  const listed = await c.request('GET', V1);
  assert.deepEqual(listed.body.items.map((e: any) => e.metadata.name).filter((n: string) => n.endsWith('-style')).sort(), ['new-style', 'old-style']);
  const selected = await c.request('GET', `${V1}?fieldSelector=regarding.name%3Dweb,reason%3DStarted`);
  assert.deepEqual(selected.body.items.map((e: any) => e.metadata.name), ['old-style']);

  const kubectl = await c.kubectl(['get', 'events.events.k8s.io', 'old-style', '-o', 'jsonpath={.note}']);
  assert.equal(kubectl.stdout, 'started container', kubectl.stderr);

  assert.equal((await c.request('DELETE', `${V1}/old-style`)).status, 200);
  assert.equal((await c.request('GET', `${CORE}/old-style`)).status, 404, 'deleted through one API, gone from the other');
});

test('a watch on events.k8s.io/v1 sees Events written through core/v1, converted', async (t) => {
  const c = await startTestCluster(t);
  const list = await c.request('GET', V1);
  const w = watchUntil(c, `${V1}?watch=true&resourceVersion=${list.body.metadata.resourceVersion}&fieldSelector=metadata.name%3Dwatched`,
    (evs) => evs.some((e) => e.type === 'DELETED'));
  await w.ready;
  const ev = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'watched' }, reason: 'Tested', message: 'hello', type: 'Normal', involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' } };
  assert.equal((await c.request('POST', CORE, { body: ev })).status, 201);
  assert.equal((await c.request('PATCH', `${CORE}/watched`, { raw: '{"message":"changed"}', contentType: 'application/merge-patch+json' })).status, 200);
  assert.equal((await c.request('DELETE', `${CORE}/watched`)).status, 200);
  const events = await w.events;
  assert.deepEqual(events.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
  assert.equal(events[0].object.apiVersion, 'events.k8s.io/v1');
  assert.equal(events[0].object.note, 'hello');
  assert.equal(events[1].object.note, 'changed');
});
