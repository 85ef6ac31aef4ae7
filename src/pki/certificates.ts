// X.509 issuance for the cluster PKI: ECDSA P-256 keys (fast to generate, unlike RSA in pure JS) and certificates
// signed with @peculiar/x509 (node:crypto can make keys and sign bytes, but cannot build certificates).
// The library (and the reflect-metadata polyfill it needs) is imported lazily: it is only needed the first time
// a cluster starts or when a certificate is renewed, never on an ordinary start.

import { randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';

/** A certificate and its private key, both PEM (the key as PKCS#8 "PRIVATE KEY"). */
export interface KeyPairPem { cert: string; key: string }

export interface CertificateRequest {
  /** Subject common name: for client certificates the Kubernetes user name. */
  commonName: string;
  /** Subject organizations: for client certificates the Kubernetes groups. */
  organizations?: string[];
  /** DNS names and IP addresses (told apart by syntax) for serving certificates. */
  altNames?: string[];
  usage: 'server' | 'client' | 'server-and-client';
  /** Days from now until notAfter. */
  validityDays: number;
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;
// Backdate notBefore a little so a freshly issued certificate is valid on hosts whose clocks lag slightly (kubeadm
// and k3s do the same).
const BACKDATE_MS = 5 * 60 * 1000;

type X509 = typeof import('@peculiar/x509');
let loaded: Promise<X509> | undefined;
async function x509(): Promise<X509> {
  loaded ??= (async () => {
    await import('reflect-metadata'); // tsyringe, used inside @peculiar/x509, requires the Reflect polyfill first
    const lib = await import('@peculiar/x509');
    lib.cryptoProvider.set(webcrypto as unknown as Crypto);
    return lib;
  })();
  return loaded;
}

/** A positive, random 128-bit serial number as hex (RFC 5280 §4.1.2.2: unique per CA, at most 20 octets). */
function serialNumber(): string {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x01;
  return b.toString('hex');
}

/** RFC 4514 distinguished name string; escapes the characters that would split or change it. */
function distinguishedName(commonName: string, organizations: string[] = []): string {
  const esc = (v: string) => v.replace(/([\\,+"<>;=])/g, '\\$1');
  return [...organizations.map((o) => `O=${esc(o)}`), `CN=${esc(commonName)}`].join(', ');
}

async function exportKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key as webcrypto.CryptoKey));
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`;
}

async function importSigningKey(pem: string): Promise<CryptoKey> {
  const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  return (await webcrypto.subtle.importKey('pkcs8', der, ALG, false, ['sign'])) as unknown as CryptoKey;
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
}

/** A self-signed certificate authority (CA:TRUE, keyCertSign), like kubeadm's `kubernetes` CA. */
export async function createCertificateAuthority(opts: { commonName: string; validityDays: number }): Promise<KeyPairPem> {
  const lib = await x509();
  const keys = await generateKeys();
  const now = Date.now();
  const cert = await lib.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: distinguishedName(opts.commonName),
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + opts.validityDays * DAY_MS),
    signingAlgorithm: ALG,
    keys,
    extensions: [
      new lib.BasicConstraintsExtension(true, undefined, true),
      new lib.KeyUsagesExtension(lib.KeyUsageFlags.keyCertSign | lib.KeyUsageFlags.cRLSign | lib.KeyUsageFlags.digitalSignature, true),
      await lib.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem') + '\n', key: await exportKeyPem(keys.privateKey) };
}

/** A leaf certificate with a fresh key, signed by `ca`. */
export async function issueCertificate(ca: KeyPairPem, req: CertificateRequest): Promise<KeyPairPem> {
  const lib = await x509();
  const caCert = new lib.X509Certificate(ca.cert);
  const caKey = await importSigningKey(ca.key);
  const keys = await generateKeys();
  const now = Date.now();
  const eku: string[] = [];
  if (req.usage !== 'client') eku.push(lib.ExtendedKeyUsage.serverAuth);
  if (req.usage !== 'server') eku.push(lib.ExtendedKeyUsage.clientAuth);
  const extensions: InstanceType<X509['Extension']>[] = [
    new lib.BasicConstraintsExtension(false, undefined, true),
    new lib.KeyUsagesExtension(lib.KeyUsageFlags.digitalSignature | lib.KeyUsageFlags.keyEncipherment, true),
    new lib.ExtendedKeyUsageExtension(eku, false),
    await lib.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
    await lib.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  const altNames = [...new Set(req.altNames ?? [])];
  if (altNames.length > 0) {
    extensions.push(new lib.SubjectAlternativeNameExtension(
      altNames.map((n) => (isIP(n) ? { type: 'ip' as const, value: n } : { type: 'dns' as const, value: n })), false));
  }
  const cert = await lib.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: distinguishedName(req.commonName, req.organizations),
    issuer: caCert.subject,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + req.validityDays * DAY_MS),
    signingAlgorithm: ALG,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions,
  });
  return { cert: cert.toString('pem') + '\n', key: await exportKeyPem(keys.privateKey) };
}

/** What a signer controller needs to know of a PKCS#10 request (upstream's x509.CertificateRequest fields). */
export interface ParsedCertificateRequest {
  commonName: string;
  organizations: string[];
  dnsNames: string[];
  ipAddresses: string[];
  emailAddresses: string[];
  uris: string[];
}

/** Parses and checks the signature of a PEM "CERTIFICATE REQUEST"; throws when it is not one. */
export async function parseCertificateRequest(pem: string): Promise<ParsedCertificateRequest> {
  const lib = await x509();
  const csr = new lib.Pkcs10CertificateRequest(pem);
  if (!(await csr.verify())) throw new Error('the certificate request signature is not valid');
  const values = (oid: string) => csr.subjectName.getField(oid);
  const san = csr.getExtension('2.5.29.17') as InstanceType<X509['SubjectAlternativeNameExtension']> | null;
  const names = san?.names?.items ?? [];
  return {
    commonName: values('2.5.4.3')[0] ?? '',
    organizations: values('2.5.4.10'),
    dnsNames: names.filter((n) => n.type === 'dns').map((n) => n.value),
    ipAddresses: names.filter((n) => n.type === 'ip').map((n) => n.value),
    emailAddresses: names.filter((n) => n.type === 'email').map((n) => n.value),
    uris: names.filter((n) => n.type === 'url').map((n) => n.value),
  };
}

/** Key usages and extended key usages by upstream's KeyUsage names (certificates/v1). */
const USAGE_FLAGS: Record<string, keyof X509['KeyUsageFlags']> = {
  'signing': 'digitalSignature', 'digital signature': 'digitalSignature', 'content commitment': 'nonRepudiation',
  'key encipherment': 'keyEncipherment', 'key agreement': 'keyAgreement', 'data encipherment': 'dataEncipherment',
  'cert sign': 'keyCertSign', 'crl sign': 'cRLSign', 'encipher only': 'encipherOnly', 'decipher only': 'decipherOnly',
};
const EXT_USAGES: Record<string, string> = {
  'server auth': '1.3.6.1.5.5.7.3.1', 'client auth': '1.3.6.1.5.5.7.3.2', 'code signing': '1.3.6.1.5.5.7.3.3',
  'email protection': '1.3.6.1.5.5.7.3.4', 'timestamping': '1.3.6.1.5.5.7.3.8', 'ocsp signing': '1.3.6.1.5.5.7.3.9',
  'any': '2.5.29.37.0',
};

/**
 * Signs a PKCS#10 request with `ca` (upstream's csrsigning controller): subject and SANs from the request, the
 * asked usages, notAfter = now + durationSeconds capped by the CA's own notAfter; returns the certificate PEM.
 */
export async function signCertificateRequest(ca: KeyPairPem, pem: string, opts: { usages: string[]; durationSeconds: number; now?: Date }): Promise<string> {
  const lib = await x509();
  const csr = new lib.Pkcs10CertificateRequest(pem);
  const caCert = new lib.X509Certificate(ca.cert);
  const caKey = await importSigningKey(ca.key);
  const now = (opts.now ?? new Date()).getTime();
  let flags = 0;
  for (const u of opts.usages) { const f = USAGE_FLAGS[u]; if (f) flags |= lib.KeyUsageFlags[f] as number; }
  const eku = opts.usages.map((u) => EXT_USAGES[u]).filter((x): x is string => !!x);
  const extensions: InstanceType<X509['Extension']>[] = [
    new lib.BasicConstraintsExtension(false, undefined, true),
    ...(flags ? [new lib.KeyUsagesExtension(flags, true)] : []),
    ...(eku.length ? [new lib.ExtendedKeyUsageExtension(eku, false)] : []),
    await lib.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
  ];
  const san = csr.getExtension('2.5.29.17') as InstanceType<X509['SubjectAlternativeNameExtension']> | null;
  if (san?.names) extensions.push(new lib.SubjectAlternativeNameExtension(san.names.toJSON(), false));
  const notAfter = Math.min(now + opts.durationSeconds * 1000, caCert.notAfter.getTime());
  const cert = await lib.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: csr.subjectName,
    issuer: caCert.subject,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(notAfter),
    signingAlgorithm: ALG,
    publicKey: csr.publicKey,
    signingKey: caKey,
    extensions,
  });
  return cert.toString('pem') + '\n';
}

/** A fresh ECDSA P-256 key and a PKCS#10 request for CN=commonName, O=organizations (the kubeconfig command, tests). */
export async function createCertificateRequest(opts: { commonName: string; organizations?: string[]; altNames?: string[] }): Promise<{ csr: string; key: string }> {
  const lib = await x509();
  const keys = await generateKeys();
  const altNames = opts.altNames ?? [];
  const csr = await lib.Pkcs10CertificateRequestGenerator.create({
    name: distinguishedName(opts.commonName, opts.organizations),
    keys, signingAlgorithm: ALG,
    extensions: altNames.length ? [new lib.SubjectAlternativeNameExtension(altNames.map((n) => (isIP(n) ? { type: 'ip' as const, value: n } : { type: 'dns' as const, value: n })), false)] : [],
  });
  return { csr: csr.toString('pem') + '\n', key: await exportKeyPem(keys.privateKey) };
}
