import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aescbcProvider, aesgcmProvider, identityProvider, ValueTransformer } from './transformer.js';
import { encryptionRules, ensureEncryptionConfig } from './config.js';

const key1 = Buffer.alloc(32, 1), key2 = Buffer.alloc(32, 2);
const plain = Buffer.from('{"kind":"Secret","data":{"password":"aHVudGVyMg=="}}');

test('aescbc writes upstream\'s k8s:enc:aescbc:v1:<key>: prefix, reads back, and hides the value', () => {
  const t = new ValueTransformer([aescbcProvider('key1', key1), identityProvider()]);
  const sealed = t.toStorage(plain, '/registry/secrets/default/s');
  assert.equal(sealed.subarray(0, 23).toString(), 'k8s:enc:aescbc:v1:key1:');
  assert.equal(sealed.includes('aHVudGVyMg=='), false);
  assert.deepEqual(t.fromStorage(sealed, '/registry/secrets/default/s'), { value: plain, stale: false });
});

test('reads accept any listed key and identity, marking them stale; writes use the first; a removed key fails loudly', () => {
  const old = new ValueTransformer([aescbcProvider('key1', key1), identityProvider()]);
  const rotated = new ValueTransformer([aescbcProvider('key2', key2), aescbcProvider('key1', key1), identityProvider()]);
  const k = '/registry/secrets/default/s';
  const byOld = old.toStorage(plain, k);
  assert.deepEqual(rotated.fromStorage(byOld, k), { value: plain, stale: true });
  assert.deepEqual(rotated.fromStorage(plain, k), { value: plain, stale: true });
  assert.equal(rotated.toStorage(plain, k).subarray(0, 23).toString(), 'k8s:enc:aescbc:v1:key2:');
  const dropped = new ValueTransformer([aescbcProvider('key2', key2)]);
  assert.throws(() => dropped.fromStorage(byOld, k), /no provider/);
});

test('aesgcm binds the value to its storage key', () => {
  const t = new ValueTransformer([aesgcmProvider('k', key1)]);
  const sealed = t.toStorage(plain, '/registry/secrets/a/x');
  assert.equal(sealed.subarray(0, 20).toString(), 'k8s:enc:aesgcm:v1:k:');
  assert.deepEqual(t.fromStorage(sealed, '/registry/secrets/a/x').value, plain);
  assert.throws(() => t.fromStorage(sealed, '/registry/secrets/b/x'));
});

test('the config file is made once with mode 0600 and a random 32-byte key; resources map to storage prefixes', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'enc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'encryption-config.yaml');
  const first = ensureEncryptionConfig(path);
  assert.equal(first.generated, true);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  const text = readFileSync(path, 'utf8');
  assert.match(text, /kind: EncryptionConfiguration/);
  assert.equal(ensureEncryptionConfig(path).generated, false);
  assert.equal(readFileSync(path, 'utf8'), text);
  assert.deepEqual(first.rules.map((r) => r.prefix), ['/registry/secrets/']);
  const rules = encryptionRules({ kind: 'EncryptionConfiguration', resources: [{ resources: ['configmaps', 'deployments.apps'], providers: [{ identity: {} }] }] });
  assert.deepEqual(rules.map((r) => r.prefix), ['/registry/configmaps/', '/registry/apps/deployments/']);
  assert.throws(() => encryptionRules({ kind: 'EncryptionConfiguration', resources: [{ resources: ['secrets'], providers: [{ kms: {} }] }] }), /only aescbc, aesgcm and identity/);
});
