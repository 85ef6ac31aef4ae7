// Encryption at rest (upstream's apiserver.config.k8s.io/v1 EncryptionConfiguration and its value transformers):
// for the listed resources, every value the API server writes to the store goes through the first provider, and a
// value read back is opened by whichever provider its prefix names. The formats are upstream's, so the bytes in
// SQLite or etcd read like a kube-apiserver's:
//   aescbc    k8s:enc:aescbc:v1:<key name>:<16-byte IV><AES-256-CBC ciphertext, PKCS#7 padded>
//   aesgcm    k8s:enc:aesgcm:v1:<key name>:<12-byte nonce><AES-GCM ciphertext><16-byte tag>, the storage key as
//             additional authenticated data (a value moved to another key does not open)
//   identity  the plain value, no prefix
// A value read with anything but the first provider (an older key, or identity) is "stale": the registry then
// rewrites it on the next update even when nothing changed, so `kubectl get secrets -A -o json | kubectl replace -f -`
// re-encrypts every Secret with the current key, as upstream.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface Provider {
  /** The prefix this provider's values start with ('' for identity). */
  readonly prefix: string;
  seal(plain: Buffer, storageKey: string): Buffer;
  open(sealed: Buffer, storageKey: string): Buffer;
}

export class EncryptionError extends Error {}

export function identityProvider(): Provider {
  return { prefix: '', seal: (p) => p, open: (s) => s };
}

/** One named key of an aescbc provider (32 bytes: AES-256; 16 and 24 are accepted as upstream). */
export function aescbcProvider(name: string, key: Buffer): Provider {
  checkKey(key);
  const prefix = `k8s:enc:aescbc:v1:${name}:`;
  const alg = `aes-${key.length * 8}-cbc`;
  return {
    prefix,
    seal(plain) {
      const iv = randomBytes(16);
      const c = createCipheriv(alg, key, iv);
      return Buffer.concat([Buffer.from(prefix), iv, c.update(plain), c.final()]);
    },
    open(sealed) {
      const body = sealed.subarray(prefix.length);
      if (body.length < 32 || body.length % 16 !== 0) throw new EncryptionError('the stored data is not a whole number of AES blocks');
      const d = createDecipheriv(alg, key, body.subarray(0, 16));
      return Buffer.concat([d.update(body.subarray(16)), d.final()]);
    },
  };
}

export function aesgcmProvider(name: string, key: Buffer): Provider {
  checkKey(key);
  const prefix = `k8s:enc:aesgcm:v1:${name}:`;
  const alg = `aes-${key.length * 8}-gcm` as 'aes-256-gcm';
  return {
    prefix,
    seal(plain, storageKey) {
      const nonce = randomBytes(12);
      const c = createCipheriv(alg, key, nonce);
      c.setAAD(Buffer.from(storageKey));
      const ct = Buffer.concat([c.update(plain), c.final()]);
      return Buffer.concat([Buffer.from(prefix), nonce, ct, c.getAuthTag()]);
    },
    open(sealed, storageKey) {
      const body = sealed.subarray(prefix.length);
      if (body.length < 28) throw new EncryptionError('the stored data is too short for AES-GCM');
      const d = createDecipheriv(alg, key, body.subarray(0, 12));
      d.setAAD(Buffer.from(storageKey));
      d.setAuthTag(body.subarray(body.length - 16));
      return Buffer.concat([d.update(body.subarray(12, body.length - 16)), d.final()]);
    },
  };
}

function checkKey(key: Buffer): void {
  if (![16, 24, 32].includes(key.length)) throw new EncryptionError(`an AES key must be 16, 24 or 32 bytes, not ${key.length}`);
}

/** The providers of one resource, in order: the first seals, any of them opens. */
export class ValueTransformer {
  constructor(readonly providers: Provider[]) {
    if (providers.length === 0) throw new EncryptionError('a resource needs at least one provider');
  }

  toStorage(plain: Buffer, storageKey: string): Buffer { return this.providers[0]!.seal(plain, storageKey); }

  /** The plain value and whether it was sealed by anything but the first provider (stale: rewrite it). */
  fromStorage(stored: Buffer, storageKey: string): { value: Buffer; stale: boolean } {
    for (let i = 0; i < this.providers.length; i++) {
      const p = this.providers[i]!;
      if (p.prefix === '') continue;
      if (stored.length >= p.prefix.length && stored.subarray(0, p.prefix.length).toString('latin1') === p.prefix) {
        return { value: p.open(stored, storageKey), stale: i !== 0 };
      }
    }
    const identity = this.providers.findIndex((p) => p.prefix === '');
    if (identity >= 0 && !stored.subarray(0, 8).toString('latin1').startsWith('k8s:enc:')) return { value: stored, stale: identity !== 0 };
    throw new EncryptionError('no provider in the encryption configuration can read this value (was its key removed?)');
  }
}
