import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resources } from '../api/resources.js';
import { startCluster } from './cluster.js';

test('an in-process cluster over HTTPS serves the same API to in-process and HTTPS clients, and close() removes its temporary home', async (t) => {
  const c = await startCluster({ components: false });
  t.after(() => c.close());
  assert.match(c.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  assert.ok(existsSync(join(c.home, 'data')));
  await c.client().create(resources.configmaps, 'default', { metadata: { name: 'one' }, data: { a: '1' } });
  const https = c.httpsClient();
  t.after(() => https.transport.close());
  assert.deepEqual((await https.get(resources.configmaps, 'default', 'one')).data, { a: '1' });
  await c.close();
  assert.equal(existsSync(c.home), false, 'the temporary home is gone');
  await c.close();
});

test('a handler-only cluster bootstraps the system namespaces without a socket, and keeps a home it was given', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'nanokube-cluster-given-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const c = await startCluster({ serve: 'handler', components: false, home });
  t.after(() => c.close());
  assert.equal(c.url, '');
  const names = (await c.client().list(resources.namespaces)).items.map((n) => n.metadata.name).sort();
  assert.deepEqual(names, ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
  assert.throws(() => c.httpsClient(), /serve: 'https'/);
  await c.close();
  assert.ok(existsSync(join(home, 'data')), 'a given home stays');
});
