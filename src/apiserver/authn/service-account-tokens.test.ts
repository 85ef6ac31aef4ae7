import test from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { ServiceAccountTokens, DEFAULT_ISSUER, type LiveObjects } from './service-account-tokens.js';
import { ephemeralServiceAccountKey, serviceAccountKeyId } from '../../pki/service-account-key.js';
import { serviceAccountSigner, legacyClaims } from '../../pki/service-account-token.js';
import type { KubeObject } from '../../api/object.js';

function world() {
  const objs = new Map<string, KubeObject>();
  const put = (kind: string, ns: string, name: string, uid: string, extra: Partial<KubeObject['metadata']> = {}) =>
    objs.set(`${kind}/${ns}/${name}`, { metadata: { namespace: ns || undefined, name, uid, ...extra } });
  const live: LiveObjects = {
    serviceAccount: async (ns, n) => objs.get(`sa/${ns}/${n}`), pod: async (ns, n) => objs.get(`pod/${ns}/${n}`),
    secret: async (ns, n) => objs.get(`secret/${ns}/${n}`), node: async (n) => objs.get(`node//${n}`),
  };
  let now = new Date('2026-01-01T00:00:00Z');
  const tokens = new ServiceAccountTokens({ key: ephemeralServiceAccountKey(), objects: live, clock: () => now });
  return { objs, put, tokens, setNow: (d: Date) => { now = d; } };
}

test('a TokenRequest token carries upstream claims and authenticates as the ServiceAccount with its groups', async () => {
  const w = world();
  w.put('sa', 'team-a', 'ci', 'sa-uid');
  const { token, expirationTimestamp } = await w.tokens.issue({ serviceAccount: w.objs.get('sa/team-a/ci')!, audiences: [DEFAULT_ISSUER], expirationSeconds: 600 });
  assert.equal(expirationTimestamp.toISOString(), '2026-01-01T00:10:00.000Z');
  const c = decodeJwt(token);
  assert.equal(c.iss, 'https://kubernetes.default.svc.cluster.local');
  assert.equal(c.sub, 'system:serviceaccount:team-a:ci');
  assert.deepEqual(c.aud, [DEFAULT_ISSUER]);
  assert.equal(c.exp! - c.iat!, 600);
  assert.equal(c.nbf, c.iat);
  assert.match(String(c.jti), /^[0-9a-f-]{36}$/);
  assert.deepEqual(c['kubernetes.io'], { namespace: 'team-a', serviceaccount: { name: 'ci', uid: 'sa-uid' } });
  assert.equal(decodeProtectedHeader(token).kid, ephemeralServiceAccountKey().keyId);
  const u = await w.tokens.authenticate(token);
  assert.equal(u?.username, 'system:serviceaccount:team-a:ci');
  assert.equal(u?.uid, 'sa-uid');
  assert.deepEqual(u?.groups, ['system:serviceaccounts', 'system:serviceaccounts:team-a', 'system:authenticated']);
});

test('a token bound to a pod stops working once the pod is deleted or recreated, and once its ServiceAccount is recreated', async () => {
  const w = world();
  w.put('sa', 'default', 'default', 'sa-1');
  w.put('pod', 'default', 'web', 'pod-1');
  w.put('node', '', 'n1', 'node-1');
  const { token } = await w.tokens.issue({ serviceAccount: w.objs.get('sa/default/default')!, audiences: [DEFAULT_ISSUER], expirationSeconds: 3607,
    bound: { kind: 'Pod', name: 'web', uid: 'pod-1' }, node: { name: 'n1', uid: 'node-1' } });
  const c = decodeJwt(token) as any;
  assert.deepEqual(c['kubernetes.io'].pod, { name: 'web', uid: 'pod-1' });
  assert.deepEqual(c['kubernetes.io'].node, { name: 'n1', uid: 'node-1' });
  const u = await w.tokens.authenticate(token);
  assert.deepEqual(u?.extra?.['authentication.kubernetes.io/pod-name'], ['web']);
  w.put('pod', 'default', 'web', 'pod-2');
  assert.equal(await w.tokens.authenticate(token), undefined, 'a recreated pod of the same name does not revive the token');
  w.objs.delete('pod/default/web');
  assert.equal(await w.tokens.authenticate(token), undefined);
  const { token: t2 } = await w.tokens.issue({ serviceAccount: w.objs.get('sa/default/default')!, audiences: [DEFAULT_ISSUER], expirationSeconds: 600 });
  assert.ok(await w.tokens.authenticate(t2));
  w.put('sa', 'default', 'default', 'sa-2');
  assert.equal(await w.tokens.authenticate(t2), undefined, 'a recreated ServiceAccount does not accept the old one\'s tokens');
});

test('expired tokens, tokens for another audience and tokens signed with another key are rejected', async () => {
  const w = world();
  w.put('sa', 'default', 'ci', 'sa-1');
  const sa = w.objs.get('sa/default/ci')!;
  const { token } = await w.tokens.issue({ serviceAccount: sa, audiences: [DEFAULT_ISSUER], expirationSeconds: 600 });
  w.setNow(new Date('2026-01-01T00:12:00Z'));
  assert.equal(await w.tokens.authenticate(token), undefined);
  w.setNow(new Date('2026-01-01T00:00:00Z'));
  const { token: vault } = await w.tokens.issue({ serviceAccount: sa, audiences: ['vault'], expirationSeconds: 600 });
  assert.equal(await w.tokens.authenticate(vault), undefined);
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const other = serviceAccountSigner({ privateKey, publicKey, keyId: serviceAccountKeyId(publicKey) });
  const forged = await other.sign({ ...decodeJwt(token) });
  assert.equal(await w.tokens.authenticate(forged), undefined);
  assert.equal(await w.tokens.authenticate('not-a-jwt'), undefined);
});

test('a legacy Secret token works while the Secret holds it and the ServiceAccount is the same', async () => {
  const w = world();
  w.put('sa', 'default', 'build', 'sa-1');
  const token = await w.tokens.signer.sign(legacyClaims({ namespace: 'default', name: 'build', uid: 'sa-1' }, 'build-token'));
  w.objs.set('secret/default/build-token', { metadata: { namespace: 'default', name: 'build-token', uid: 's1' }, data: { token: Buffer.from(token).toString('base64') } });
  assert.equal((await w.tokens.authenticate(token))?.username, 'system:serviceaccount:default:build');
  w.objs.delete('secret/default/build-token');
  assert.equal(await w.tokens.authenticate(token), undefined);
});

test('the JWKS publishes the signing key under the key id tokens carry', () => {
  const w = world();
  const jwks = w.tokens.jwks() as any;
  assert.equal(jwks.keys[0].kid, ephemeralServiceAccountKey().keyId);
  assert.equal(jwks.keys[0].alg, 'RS256');
  assert.equal(jwks.keys[0].use, 'sig');
  assert.equal((w.tokens.openidConfiguration('10.0.0.1:6443') as any).jwks_uri, 'https://10.0.0.1:6443/openid/v1/jwks');
});
