import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, request } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { certificateAltNames, ensureClusterPki, ensureKubeletServingCertificate, issueClientCertificate, pkiFiles } from './index.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'nanokube-pki-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'pki');
}

test('first start creates a CA, an apiserver serving cert with the cluster names, and an admin cert in system:masters', async (t) => {
  const dir = tempDir(t);
  const pki = await ensureClusterPki({ dir, hostname: 'my-host' });
  assert.deepEqual(pki.generated, ['ca', 'apiserver', 'admin', 'apiserver-kubelet-client']);

  const ca = new X509Certificate(pki.caCert);
  assert.equal(ca.ca, true);
  assert.ok(new Date(ca.validTo).getTime() - Date.now() > 9 * 365 * 864e5, 'CA lives about ten years');

  const server = new X509Certificate(pki.apiserver.cert);
  assert.ok(server.checkIssued(ca) && server.verify(ca.publicKey));
  const sans = certificateAltNames(server);
  for (const n of ['127.0.0.1', '::1', 'localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc',
    'kubernetes.default.svc.cluster.local', '10.96.0.1', 'my-host']) {
    assert.ok(sans.includes(n === '::1' ? '0:0:0:0:0:0:0:1' : n), `SAN ${n} in ${sans.join(',')}`);
  }
  assert.equal(server.ca, false);

  const admin = new X509Certificate(pki.admin.cert);
  assert.ok(admin.checkIssued(ca));
  assert.match(admin.subject, /CN=kubernetes-admin/);
  assert.match(admin.subject, /O=system:masters/);

  const files = pkiFiles(dir);
  for (const f of [files.ca.key, files.apiserver.key, files.admin.key]) assert.equal(statSync(f).mode & 0o777, 0o600, f);
});

test('a later start reuses the certificates without generating anything', async (t) => {
  const dir = tempDir(t);
  const first = await ensureClusterPki({ dir, hostname: 'h' });
  const second = await ensureClusterPki({ dir, hostname: 'h' });
  assert.deepEqual(second.generated, []);
  assert.equal(second.caCert, first.caCert);
  assert.equal(second.apiserver.cert, first.apiserver.cert);
  assert.equal(second.admin.key, first.admin.key);
});

test('leaf certificates near expiry, or a serving cert missing a new host name, are reissued under the same CA', async (t) => {
  const dir = tempDir(t);
  const first = await ensureClusterPki({ dir, hostname: 'h' });
  const renamed = await ensureClusterPki({ dir, hostname: 'other-host' });
  assert.deepEqual(renamed.generated, ['apiserver']);
  assert.ok(certificateAltNames(new X509Certificate(renamed.apiserver.cert)).includes('other-host'));

  const later = await ensureClusterPki({ dir, hostname: 'other-host', now: () => new Date(Date.now() + 350 * 864e5) });
  assert.deepEqual(later.generated, ['apiserver', 'admin', 'apiserver-kubelet-client']);
  assert.equal(later.caCert, first.caCert);
});

test('TLS works end to end: clients verify the apiserver by name and the server sees the admin identity', async (t) => {
  const dir = tempDir(t);
  const pki = await ensureClusterPki({ dir, hostname: 'h' });
  const server = createServer({ cert: pki.apiserver.cert, key: pki.apiserver.key, ca: pki.caCert, requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      res.end(JSON.stringify({ cn: peer.subject.CN, o: peer.subject.O }));
    });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const port = (server.address() as { port: number }).port;

  const get = (servername: string, client: { cert: string; key: string }) => new Promise<string>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', servername, ca: pki.caCert, cert: client.cert, key: client.key }, (res) => {
      let body = ''; res.on('data', (c) => (body += c)); res.on('end', () => resolve(body));
    });
    req.on('error', reject); req.end();
  });
  assert.deepEqual(JSON.parse(await get('kubernetes.default.svc', pki.admin)), { cn: 'kubernetes-admin', o: 'system:masters' });
  assert.deepEqual(JSON.parse(await get('localhost', pki.admin)), { cn: 'kubernetes-admin', o: 'system:masters' });
  await assert.rejects(get('not-in-the-cert.example', pki.admin), /altnames|Hostname/i);

  const agent = await issueClientCertificate(pki.ca, { user: 'system:node:n1', groups: ['system:nodes'] });
  assert.deepEqual(JSON.parse(await get('localhost', agent)), { cn: 'system:node:n1', o: 'system:nodes' });
});

test('the apiserver has a kubelet-client identity and each kubelet a serving cert for its node names and addresses, both under the cluster CA', async (t) => {
  const dir = tempDir(t);
  const pki = await ensureClusterPki({ dir, hostname: 'h' });
  const ca = new X509Certificate(pki.caCert);
  const client = new X509Certificate(pki.kubeletClient.cert);
  assert.ok(client.checkIssued(ca) && client.verify(ca.publicKey));
  assert.match(client.subject, /CN=kube-apiserver-kubelet-client/);

  const kubeletDir = join(dir, '..', 'kubelet-pki');
  const serving = await ensureKubeletServingCertificate({ dir: kubeletDir, ca: pki.ca, nodeName: 'nanokube', altNames: ['10.1.2.3'] });
  const cert = new X509Certificate(serving.cert);
  assert.ok(cert.checkIssued(ca) && cert.verify(ca.publicKey));
  const sans = certificateAltNames(cert);
  for (const n of ['nanokube', '10.1.2.3', '127.0.0.1']) assert.ok(sans.includes(n), `SAN ${n} in ${sans.join(',')}`);
  assert.equal((await ensureKubeletServingCertificate({ dir: kubeletDir, ca: pki.ca, nodeName: 'nanokube', altNames: ['10.1.2.3'] })).cert, serving.cert, 'reused when still good');
  const moved = await ensureKubeletServingCertificate({ dir: kubeletDir, ca: pki.ca, nodeName: 'nanokube', altNames: ['10.9.9.9'] });
  assert.ok(certificateAltNames(new X509Certificate(moved.cert)).includes('10.9.9.9'), 'a new address gets a new certificate');
});
