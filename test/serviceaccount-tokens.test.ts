// ServiceAccount tokens, OIDC discovery and client certificates for people, with the real kubectl: what a user
// of `kubectl create token` and `nanokube kubeconfig` relies on.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPublicKey } from 'node:crypto';
import { jwtVerify, createLocalJWKSet, decodeJwt } from 'jose';
import { startTestCluster } from './helpers/cluster.js';
import { serviceAccountSigner } from '../src/pki/service-account-token.js';
import { serviceAccountKeyId } from '../src/pki/service-account-key.js';

test('kubectl create token: the token authenticates as the ServiceAccount, verifies against OIDC discovery, and an expired or forged one gets 401', async (t) => {
  const c = await startTestCluster(t, { components: false });
  const ok = async (args: string[]) => { const r = await c.kubectl(args); assert.equal(r.code, 0, r.stderr); return r.stdout; };
  await ok(['create', 'namespace', 'team-a']);
  await ok(['create', 'serviceaccount', 'ci', '-n', 'team-a']);
  const token = (await ok(['create', 'token', 'ci', '-n', 'team-a', '--duration=10m'])).trim();
  const claims = decodeJwt(token);
  assert.equal(claims.exp! - claims.iat!, 600);

  const whoami = await ok(['--token', token, 'auth', 'whoami', '-o', 'json']);
  const info = JSON.parse(whoami).status.userInfo;
  assert.equal(info.username, 'system:serviceaccount:team-a:ci');
  assert.deepEqual(info.groups, ['system:serviceaccounts', 'system:serviceaccounts:team-a', 'system:authenticated']);

  const tooShort = await c.kubectl(['create', 'token', 'ci', '-n', 'team-a', '--duration=5m']);
  assert.notEqual(tooShort.code, 0);
  assert.match(tooShort.stderr, /may not specify a duration less than 10 minutes/);

  // Discovery is readable without credentials, and its keys verify the token as any OIDC relying party would.
  const conf = await c.request('GET', '/.well-known/openid-configuration', { anonymous: true });
  assert.equal(conf.status, 200);
  assert.equal(conf.body.issuer, 'https://kubernetes.default.svc.cluster.local');
  const jwks = await c.request('GET', new URL(conf.body.jwks_uri).pathname, { anonymous: true });
  assert.equal(jwks.status, 200);
  const verified = await jwtVerify(token, createLocalJWKSet(jwks.body), { issuer: conf.body.issuer, audience: 'https://kubernetes.default.svc.cluster.local' });
  assert.equal(verified.payload.sub, 'system:serviceaccount:team-a:ci');

  // A token signed with the cluster's key but already expired, and one signed with another key, are refused.
  const pki = join(c.home, 'pki');
  assert.equal(readFileSync(join(pki, 'sa.key')).length > 0, true);
  const key = { privateKey: readFileSync(join(pki, 'sa.key'), 'utf8'), publicKey: readFileSync(join(pki, 'sa.pub'), 'utf8') };
  const signer = serviceAccountSigner({ ...key, keyId: serviceAccountKeyId(key.publicKey) });
  const past = Math.floor(Date.now() / 1000) - 7200;
  const expired = await signer.sign({ ...claims, iat: past, nbf: past, exp: past + 600 });
  const r1 = await c.kubectl(['--token', expired, 'auth', 'whoami']);
  assert.notEqual(r1.code, 0);
  assert.match(r1.stderr, /Unauthorized/);
  const forged = token.slice(0, token.lastIndexOf('.') + 1) + Buffer.from('forged').toString('base64url');
  const r2 = await c.kubectl(['--token', forged, 'auth', 'whoami']);
  assert.match(r2.stderr, /Unauthorized/);
  assert.ok(createPublicKey(key.publicKey));
});
