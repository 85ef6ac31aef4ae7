import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureClusterPki, type ClusterPki } from '../pki/index.js';
import { probe, waitReady } from './health.js';

/** A stand-in API server: HTTPS with the cluster's serving cert, client certs required, /readyz 500 until `ready`. */
async function fakeApiServer(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'nanokube-health-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pki: ClusterPki = await ensureClusterPki({ dir: join(dir, 'pki'), hostname: 'h' });
  const state = { ready: false, readyzCalls: 0, users: new Set<string>() };
  const server = createServer({ cert: pki.apiserver.cert, key: pki.apiserver.key, ca: pki.caCert, requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      state.users.add(String((req.socket as TLSSocket).getPeerCertificate().subject.CN));
      if (req.url === '/livez') { res.end('ok'); return; }
      if (req.url === '/readyz') { state.readyzCalls++; res.statusCode = state.ready ? 200 : 500; res.end(state.ready ? 'ok' : 'not ready'); return; }
      res.statusCode = 404; res.end();
    });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const url = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { pki, state, url, target: { url, ca: pki.caCert, cert: pki.admin.cert, key: pki.admin.key } };
}

test('the health probe authenticates as kubernetes-admin and reports the server’s status code', async (t) => {
  const f = await fakeApiServer(t);
  assert.equal(await probe(f.target, '/livez'), 200);
  assert.equal(await probe(f.target, '/readyz'), 500);
  assert.deepEqual([...f.state.users], ['kubernetes-admin']);
});

test('nothing listening means unreachable, not an exception', async (t) => {
  const f = await fakeApiServer(t);
  assert.equal(await probe({ ...f.target, url: 'https://127.0.0.1:1' }, '/readyz'), undefined);
});

test('a server with a certificate from another CA is not trusted', async (t) => {
  const f = await fakeApiServer(t);
  const other = await fakeApiServer(t);
  assert.equal(await probe({ ...f.target, ca: other.pki.caCert }, '/readyz'), undefined);
});

test('waitReady keeps polling until /readyz answers 200', async (t) => {
  const f = await fakeApiServer(t);
  const waiting = waitReady(f.target, { timeoutMs: 30_000, intervalMs: 5, abort: () => {
    if (f.state.readyzCalls >= 3) f.state.ready = true; // becomes ready after a few polls
    return undefined;
  } });
  assert.equal(await waiting, 'ready');
  assert.ok(f.state.readyzCalls >= 4);
});

test('waitReady gives up with the reason when the server process has exited', async (t) => {
  const f = await fakeApiServer(t);
  assert.deepEqual(await waitReady(f.target, { timeoutMs: 30_000, abort: () => 'exit code 1' }), { aborted: 'exit code 1' });
});
