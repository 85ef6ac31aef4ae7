// ServiceAccount tokens, OIDC discovery and client certificates for people, with the real kubectl: what a user
// of `kubectl create token` and `nanokube kubeconfig` relies on.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPublicKey, randomBytes, X509Certificate } from 'node:crypto';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { Etcd3 } from 'etcd3';
import { jwtVerify, createLocalJWKSet, decodeJwt } from 'jose';
import { startTestCluster, kubectlOk, nanokubeCli } from './helpers/cluster.js';
import { until } from './helpers/until.js';
import { startTestEtcd } from './helpers/etcd.js';
import { Client } from '../src/client/client.js';
import { httpTransport } from '../src/client/transport.js';
import { apiObjectSource, apiTokenSource, VolumeManager } from '../src/kubelet/index.js';
import { createCertificateRequest } from '../src/pki/certificates.js';
import { serviceAccountSigner } from '../src/pki/service-account-token.js';
import { serviceAccountKeyId } from '../src/pki/service-account-key.js';

// Each test has its own cluster; two at a time keep the file's wall time down (they mostly wait on kubectl).
describe('ServiceAccount tokens, client certificates, Secrets at rest and audit', { concurrency: 2 }, () => {
  test('kubectl create token: the token authenticates as the ServiceAccount, verifies against OIDC discovery, and an expired or forged one gets 401', async (t) => {
    const c = await startTestCluster(t, { components: false });
    const ok = (args: string[]) => kubectlOk(c, args);
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

    // The audit log records the TokenRequest and the refused token, never a token itself.
    const events = await until('the audit log has the 401', async () => {
      const evs = auditEvents(c.home);
      return evs.some((e) => e.responseStatus?.code === 401) ? evs : undefined;
    });
    const tokenRequest = events.find((e) => e.objectRef?.resource === 'serviceaccounts' && e.objectRef?.subresource === 'token' && e.responseStatus?.code === 201);
    assert.ok(tokenRequest, 'the TokenRequest is audited');
    assert.equal(tokenRequest.level, 'Metadata');
    assert.equal(tokenRequest.user.username, 'kubernetes-admin');
    assert.equal(tokenRequest.verb, 'create');
    assert.equal(tokenRequest.stage, 'ResponseComplete');
    assert.match(tokenRequest.requestURI, /^\/api\/v1\/namespaces\/team-a\/serviceaccounts\/ci\/token/);
    assert.deepEqual(tokenRequest.sourceIPs, ['127.0.0.1']);
    assert.match(tokenRequest.userAgent, /^kubectl/);
    assert.match(tokenRequest.requestReceivedTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const whoamiEvent = events.find((e) => e.objectRef?.resource === 'selfsubjectreviews' && e.user.username === 'system:serviceaccount:team-a:ci');
    assert.ok(whoamiEvent, 'requests made with the token are audited as the ServiceAccount');
    const log = readFileSync(join(c.home, 'audit.log'), 'utf8');
    assert.equal(log.includes(token), false, 'a token is in the audit log');
    assert.equal(log.includes(token.split('.')[2]!), false);
  });

  /** The JSON lines of <home>/audit.log. */
  function auditEvents(home: string): any[] {
    let text = '';
    try { text = readFileSync(join(home, 'audit.log'), 'utf8'); } catch { return []; }
    return text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  }

  test('nanokube kubeconfig --user jane --group devs gives a kubeconfig kubectl authenticates with as jane in devs; a CSR approved with kubectl gets a certificate from the cluster CA', async (t) => {
    const c = await startTestCluster(t);
    const out = join(c.home, 'jane.kubeconfig');
    const r = await nanokubeCli(c, ['kubeconfig', '--user', 'jane', '--group', 'devs', '--server', c.url, '--output', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(statSync(out).mode & 0o777, 0o600);
    const who = await c.kubectl(['--kubeconfig', out, 'auth', 'whoami', '-o', 'json']);
    assert.equal(who.code, 0, who.stderr);
    assert.deepEqual(JSON.parse(who.stdout).status.userInfo, { username: 'jane', groups: ['devs', 'system:authenticated'] });
    const bad = await nanokubeCli(c, ['kubeconfig', '--group', 'devs']);
    assert.notEqual(bad.code, 0);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);

    // A person's own key, a CSR for the kube-apiserver-client signer, approved with kubectl: the signer issues it.
    const { csr, key } = await createCertificateRequest({ commonName: 'bob', organizations: ['ops'] });
    const manifest = { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'bob' },
      spec: { request: Buffer.from(csr).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client', expirationSeconds: 86400, usages: ['client auth'] } };
    const created = await c.kubectl(['create', '-f', '-'], { input: JSON.stringify(manifest) });
    assert.equal(created.code, 0, created.stderr);
    const pending = await c.kubectl(['get', 'csr', 'bob']);
    assert.match(pending.stdout, /^NAME\s+AGE\s+SIGNERNAME\s+REQUESTOR\s+REQUESTEDDURATION\s+CONDITION\n/);
    assert.match(pending.stdout, /bob\s+\S+\s+kubernetes\.io\/kube-apiserver-client\s+kubernetes-admin\s+24h\s+Pending/);
    const approve = await c.kubectl(['certificate', 'approve', 'bob']);
    assert.equal(approve.code, 0, approve.stderr);
    assert.match(approve.stdout, /certificatesigningrequest.certificates.k8s.io\/bob approved/);
    const issued = await until('the CSR is issued', async () => {
      const o = JSON.parse((await c.kubectl(['get', 'csr', 'bob', '-o', 'json'])).stdout);
      return o.status?.certificate ? o : undefined;
    });
    const cert = new X509Certificate(Buffer.from(issued.status.certificate, 'base64'));
    assert.ok(cert.verify(new X509Certificate(c.pki.ca).publicKey));
    assert.match(cert.subject, /CN=bob/);
    const listed = await c.kubectl(['get', 'csr', 'bob']);
    assert.match(listed.stdout, /Approved,Issued/);
    // The issued certificate authenticates bob.
    const bobConfig = join(c.home, 'bob.kubeconfig');
    const cfg = (await readFile(out, 'utf8')).replace(/client-certificate-data: .*/, `client-certificate-data: ${issued.status.certificate}`)
      .replace(/client-key-data: .*/, `client-key-data: ${Buffer.from(key).toString('base64')}`);
    await writeFile(bobConfig, cfg, { mode: 0o600 });
    const bob = await c.kubectl(['--kubeconfig', bobConfig, 'auth', 'whoami', '-o', 'json']);
    assert.equal(JSON.parse(bob.stdout).status.userInfo.username, 'bob');

    // A legacy token Secret, asked for by type and annotation, is filled by the tokens controller and authenticates.
    assert.equal((await c.kubectl(['create', 'serviceaccount', 'build'])).code, 0);
    const legacy = { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/service-account-token', metadata: { name: 'build-token', annotations: { 'kubernetes.io/service-account.name': 'build' } } };
    assert.equal((await c.kubectl(['create', '-f', '-'], { input: JSON.stringify(legacy) })).code, 0);
    const filled = await until('the token Secret is filled', async () => {
      const o = JSON.parse((await c.kubectl(['get', 'secret', 'build-token', '-o', 'json'])).stdout);
      return o.data?.token ? o : undefined;
    });
    assert.equal(Buffer.from(filled.data.namespace, 'base64').toString(), 'default');
    assert.equal(Buffer.from(filled.data['ca.crt'], 'base64').toString(), c.pki.ca);
    const legacyWho = await c.kubectl(['--token', Buffer.from(filled.data.token, 'base64').toString(), 'auth', 'whoami', '-o', 'json']);
    assert.equal(JSON.parse(legacyWho.stdout).status.userInfo.username, 'system:serviceaccount:default:build', legacyWho.stderr);

    const denyMe = await c.kubectl(['create', '-f', '-'], { input: JSON.stringify({ ...manifest, metadata: { name: 'eve' } }) });
    assert.equal(denyMe.code, 0, denyMe.stderr);
    assert.equal((await c.kubectl(['certificate', 'deny', 'eve'])).code, 0);
    assert.match((await c.kubectl(['get', 'csr', 'eve'])).stdout, /Denied/);
  });

  /** Every byte nanokube keeps for the datastore under <home>/data (the SQLite database, its WAL and anything else). */
  function dataBytes(dir: string): Buffer {
    const out: Buffer[] = [];
    for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
      if (e.isFile()) out.push(readFileSync(join(e.parentPath ?? (e as any).path, e.name)));
    }
    return Buffer.concat(out);
  }

  test('Secrets are encrypted at rest: neither the SQLite files nor etcd hold a Secret value, and replacing every Secret re-encrypts with a new key', async (t) => {
    const c = await startTestCluster(t, { components: false });
    const value = 'correct-horse-battery-staple-7731';
    const r = await c.kubectl(['create', 'secret', 'generic', 'db', `--from-literal=password=${value}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(statSync(join(c.home, 'encryption-config.yaml')).mode & 0o777, 0o600);
    const got = JSON.parse((await c.kubectl(['get', 'secret', 'db', '-o', 'json'])).stdout);
    assert.equal(Buffer.from(got.data.password, 'base64').toString(), value);
    let raw = dataBytes(join(c.home, 'data'));
    assert.equal(raw.includes(value), false, 'the plain value is in the SQLite files');
    assert.equal(raw.includes(Buffer.from(value).toString('base64')), false, 'the base64 value is in the SQLite files');
    assert.equal(raw.includes('k8s:enc:aescbc:v1:key1:'), true);
    const created = await until('the Secret\'s creation is audited', async () => auditEvents(c.home).find((e) => e.verb === 'create' && e.objectRef?.resource === 'secrets' && e.objectRef?.name === 'db'));
    assert.equal(created.level, 'Metadata');
    assert.equal(created.responseStatus.code, 201);
    assert.equal(created.requestObject, undefined);
    const auditLog = readFileSync(join(c.home, 'audit.log'), 'utf8');
    assert.equal(auditLog.includes(value) || auditLog.includes(Buffer.from(value).toString('base64')), false, 'a Secret value is in the audit log');

    // Rotation as upstream documents it: a new key first, restart, rewrite every Secret, drop the old key.
    const path = join(c.home, 'encryption-config.yaml');
    const config = parseYaml(readFileSync(path, 'utf8'));
    config.resources[0].providers[0].aescbc.keys.unshift({ name: 'key2', secret: randomBytes(32).toString('base64') });
    writeFileSync(path, stringifyYaml(config), { mode: 0o600 });
    await c.stop();
    const c2 = await startTestCluster(t, { components: false, home: c.home });
    const all = await c2.kubectl(['get', 'secrets', '-A', '-o', 'json']);
    const replaced = await c2.kubectl(['replace', '-f', '-'], { input: all.stdout });
    assert.equal(replaced.code, 0, replaced.stderr);
    raw = dataBytes(join(c.home, 'data'));
    assert.equal(raw.includes('k8s:enc:aescbc:v1:key2:'), true);
    config.resources[0].providers[0].aescbc.keys.pop();
    writeFileSync(path, stringifyYaml(config), { mode: 0o600 });
    await c2.stop();
    const c3 = await startTestCluster(t, { components: false, home: c.home });
    const again = JSON.parse((await c3.kubectl(['get', 'secret', 'db', '-o', 'json'])).stdout);
    assert.equal(Buffer.from(again.data.password, 'base64').toString(), value);
  });

  test('Secrets are encrypted at rest in etcd', async (t) => {
    const etcd = await startTestEtcd();
    if (!etcd) { t.skip('skipped: etcd not found'); return; }
    t.after(() => etcd.stop());
    const c = await startTestCluster(t, { components: false, datastoreEndpoint: etcd.endpoint });
    const value = 'etcd-secret-value-5521';
    assert.equal((await c.kubectl(['create', 'secret', 'generic', 'db', `--from-literal=password=${value}`])).code, 0);
    const client = new Etcd3({ hosts: etcd.endpoint });
    t.after(() => client.close());
    const stored = await client.get('/registry/secrets/default/db').buffer();
    assert.ok(stored, 'the Secret is stored under its upstream key');
    assert.equal(stored!.subarray(0, 23).toString(), 'k8s:enc:aescbc:v1:key1:');
    assert.equal(stored!.includes(value), false);
    assert.equal(stored!.includes(Buffer.from(value).toString('base64')), false);
  });

  test('a pod gets the kube-api-access volume; the kubelet\'s projected token authenticates as the pod\'s ServiceAccount until the pod is deleted', async (t) => {
    const c = await startTestCluster(t, { components: false });
    const ok = (args: string[], input?: string) => kubectlOk(c, args, input);
    await ok(['create', 'serviceaccount', 'default']);
    await ok(['create', 'configmap', 'kube-root-ca.crt', `--from-literal=ca.crt=${c.pki.ca}`]);
    await ok(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { nodeName: 'nowhere', containers: [{ name: 'c', image: 'busybox' }] } }));
    const pod = JSON.parse(await ok(['get', 'pod', 'web', '-o', 'json']));
    assert.equal(pod.spec.serviceAccountName, 'default');
    const vol = pod.spec.volumes.find((v: any) => /^kube-api-access-[a-z0-9]{5}$/.test(v.name));
    assert.ok(vol, 'the ServiceAccount admission plugin added kube-api-access-<random>');
    assert.deepEqual(pod.spec.containers[0].volumeMounts, [{ name: vol.name, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }]);

    // The kubelet's volume manager projects the token through TokenRequest, bound to the pod.
    const client = new Client(httpTransport({ server: c.url, ...c.pki }));
    const root = await mkdtemp(join(tmpdir(), 'nk-sa-vol-'));
    const vm = new VolumeManager({ rootDir: root, objects: apiObjectSource(client), tokens: apiTokenSource(client) });
    t.after(async () => { await vm.shutdown(); await rm(root, { recursive: true, force: true }); });
    const dir = (await vm.setUpPod(pod)).get(vol.name)!.hostPath;
    assert.equal(readFileSync(join(dir, 'namespace'), 'utf8'), 'default');
    assert.equal(readFileSync(join(dir, 'ca.crt'), 'utf8'), c.pki.ca);
    const token = readFileSync(join(dir, 'token'), 'utf8');
    const claims = decodeJwt(token) as any;
    assert.equal(claims.exp - claims.iat, 3607);
    assert.deepEqual(claims['kubernetes.io'].pod, { name: 'web', uid: pod.metadata.uid });
    const who = JSON.parse(await ok(['--token', token, 'auth', 'whoami', '-o', 'json'])).status.userInfo;
    assert.equal(who.username, 'system:serviceaccount:default:default');
    assert.deepEqual(who.extra['authentication.kubernetes.io/pod-name'], ['web']);

    await ok(['delete', 'pod', 'web', '--grace-period=0', '--force']);
    const after = await c.kubectl(['--token', token, 'auth', 'whoami']);
    assert.notEqual(after.code, 0);
    assert.match(after.stderr, /Unauthorized/);
  });
});
