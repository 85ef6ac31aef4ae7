// The service-account signing key pair, kubeadm's sa.key / sa.pub in the PKI folder: the API server signs
// ServiceAccount tokens (TokenRequest, legacy token Secrets) with the private key and verifies them with the public
// one, which OIDC discovery also publishes (/openid/v1/jwks). Created at first start, mode 0600, never rotated by us.
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ServiceAccountKeyPair {
  /** PKCS#8 PEM. */
  privateKey: string;
  /** SPKI PEM. */
  publicKey: string;
  /** Upstream's key id: base64url(SHA-256(DER of the public key)); tokens carry it in their header. */
  keyId: string;
}

export function serviceAccountKeyFiles(dir: string) {
  return { key: join(dir, 'sa.key'), pub: join(dir, 'sa.pub') };
}

export function serviceAccountKeyId(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64url');
}

function writeAtomic(path: string, data: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/** Reads sa.key/sa.pub from `dir`, generating an RSA-2048 pair first when either is missing. */
export function ensureServiceAccountKey(dir: string): ServiceAccountKeyPair & { generated: boolean } {
  const files = serviceAccountKeyFiles(dir);
  let generated = false;
  if (!existsSync(files.key) || !existsSync(files.pub)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { privateKey, publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    writeAtomic(files.key, privateKey);
    writeAtomic(files.pub, publicKey);
    generated = true;
  }
  const privateKey = readFileSync(files.key, 'utf8');
  const publicKey = readFileSync(files.pub, 'utf8');
  return { privateKey, publicKey, keyId: serviceAccountKeyId(publicKey), generated };
}

let ephemeral: ServiceAccountKeyPair | undefined;

/** A throwaway key pair held in memory, one per process (the socket-less API of benches and tests). */
export function ephemeralServiceAccountKey(): ServiceAccountKeyPair {
  if (ephemeral) return ephemeral;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  ephemeral = { privateKey, publicKey, keyId: serviceAccountKeyId(publicKey) };
  return ephemeral;
}
