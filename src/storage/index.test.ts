import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore } from './index.js';
import { freePort, startTestEtcd } from '../../test/helpers/etcd.js';

test('openStore without an endpoint keeps state in SQLite at <dataDir>/state.db', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanokube-open-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const dataDir = path.join(dir, 'data'); // created on demand
  let store = await openStore({ dataDir });
  await store.create('/registry/namespaces/default', Buffer.from('{}'));
  await store.close();
  assert.ok(fs.existsSync(path.join(dataDir, 'state.db')));
  store = await openStore({ dataDir });
  t.after(() => store.close());
  assert.ok(await store.get('/registry/namespaces/default'));
});

test('openStore with an unreachable etcd endpoint fails with an error naming it', async () => {
  const port = await freePort(); // nothing listens there
  const endpoint = `http://127.0.0.1:${port}`;
  await assert.rejects(openStore({ dataDir: os.tmpdir(), datastoreEndpoint: endpoint }), (err: Error) => {
    assert.match(err.message, new RegExp(`cannot reach etcd at ${endpoint.replace(/\./g, '\\.')}`));
    return true;
  });
});

test('openStore with datastoreEndpoint uses etcd', async (t) => {
  const etcd = await startTestEtcd();
  if (!etcd) { t.skip('skipped: etcd not found'); return; }
  t.after(() => etcd.stop());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanokube-open-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const store = await openStore({ dataDir: dir, datastoreEndpoint: ` ${etcd.endpoint}, ${etcd.endpoint} `, compactionIntervalMs: 0 });
  t.after(() => store.close());
  await store.create('/registry/namespaces/default', Buffer.from('{}'));
  assert.equal(fs.existsSync(path.join(dir, 'state.db')), false);
  assert.equal(await store.count('/registry/namespaces/'), 1);
});
