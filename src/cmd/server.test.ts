import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discardLog } from '../client/log.js';
import { probe } from '../cli/health.js';
import { readClusterPki } from '../pki/index.js';
import { startControlPlane } from './server.js';

test('the control plane starts on a free port with fresh certificates and serves /readyz to the admin, then closes', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'nanokube-server-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const cp = await startControlPlane({ home, listenAddress: '127.0.0.1', port: 0, log: discardLog });
  t.after(() => cp.close());
  assert.ok(cp.port > 0);
  assert.ok(existsSync(join(home, 'data')), 'embedded datastore under <home>/data');
  const pki = readClusterPki(join(home, 'pki'))!;
  const target = { url: cp.url, ca: pki.caCert, cert: pki.admin.cert, key: pki.admin.key };
  assert.equal(await probe(target, '/readyz'), 200);
  await cp.close();
  assert.equal(await probe(target, '/readyz'), undefined, 'nothing listens after close');

  // The same home starts again (store and certificates reused).
  const again = await startControlPlane({ home, listenAddress: '127.0.0.1', port: 0, log: discardLog });
  t.after(() => again.close());
  assert.equal(await probe({ ...target, url: again.url }, '/readyz'), 200);
});
