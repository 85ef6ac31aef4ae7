import { test } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import type { KubeObject } from '../api/object.js';
import { createCertificateAuthority, issueCertificate } from '../pki/certificates.js';
import { CertificateStore } from './certificates.js';

const tlsSecret = (name: string, cert: string, key: string, rv = '1'): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls',
  metadata: { name, namespace: 'default', resourceVersion: rv }, data: { 'tls.crt': Buffer.from(cert).toString('base64'), 'tls.key': Buffer.from(key).toString('base64') } });
const ingress = (name: string, tlsEntries: unknown[]): KubeObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, namespace: 'default', uid: `uid-${name}` }, spec: { tls: tlsEntries } });

test('SNI names pick the Secret certificate of their tls entry (exact, or one wildcard label); others get the default; problems are told once, without Secret data', async () => {
  const ca = await createCertificateAuthority({ commonName: 'test', validityDays: 1 });
  const exact = await issueCertificate(ca, { commonName: 'a.test', altNames: ['a.test'], usage: 'server', validityDays: 1 });
  const wild = await issueCertificate(ca, { commonName: '*.w.test', altNames: ['*.w.test'], usage: 'server', validityDays: 1 });
  const secrets = new Map<string, KubeObject>([
    ['default/a', tlsSecret('a', exact.cert, exact.key)],
    ['default/w', tlsSecret('w', wild.cert, wild.key)],
    ['default/garbage', tlsSecret('garbage', 'not a certificate', 'SECRET-KEY-MATERIAL')],
  ]);
  const def = tls.createSecureContext(await issueCertificate(ca, { commonName: 'default', usage: 'server', validityDays: 1 }));
  const problems: Array<[string, string]> = [];
  const logs: string[] = [];
  const store = new CertificateStore({ get: (k: string) => secrets.get(k) }, def, (e) => logs.push(JSON.stringify(e)), (ing, m) => problems.push([ing.metadata.name!, m]));
  const ings = [
    ingress('one', [{ hosts: ['A.test'], secretName: 'a' }, { hosts: ['*.w.test'], secretName: 'w' }]),
    ingress('two', [{ hosts: ['m.test'], secretName: 'missing' }, { hosts: ['g.test'], secretName: 'garbage' }]),
  ];
  store.rebuild(ings);
  store.rebuild(ings);
  const a = store.forServerName('a.test');
  assert.notEqual(a, def);
  assert.equal(store.forServerName('A.TEST'), a);
  const w = store.forServerName('x.w.test');
  assert.notEqual(w, def);
  assert.notEqual(w, a);
  assert.equal(store.forServerName('x.y.w.test'), def, 'a wildcard covers one label');
  assert.equal(store.forServerName('w.test'), def);
  assert.equal(store.forServerName('m.test'), def);
  assert.equal(store.forServerName(undefined), def);
  assert.deepEqual(problems.map(([n]) => n), ['two', 'two'], 'each problem is reported once');
  assert.match(problems[0][1], /^TLS secret "default\/missing" not found; the default certificate is served$/);
  assert.match(problems[1][1], /^secret "default\/garbage" holds no usable certificate and key \(.+\); the default certificate is served$/);
  for (const line of [...logs, ...problems.map(([, m]) => m)]) assert.ok(!line.includes('SECRET-KEY-MATERIAL') && !line.includes(Buffer.from('SECRET-KEY-MATERIAL').toString('base64')), line);

  // A fixed Secret (new resourceVersion) is picked up at the next rebuild.
  secrets.set('default/missing', tlsSecret('missing', exact.cert, exact.key, '2'));
  store.rebuild(ings);
  assert.notEqual(store.forServerName('m.test'), def);
});
