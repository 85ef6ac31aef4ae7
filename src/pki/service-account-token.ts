// Signing and verifying ServiceAccount JWTs (RS256, with the key id of sa.pub in the header), through jose. The
// API server issues and checks bound tokens (TokenRequest); the tokens controller signs legacy Secret tokens.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { SignJWT, jwtVerify, decodeJwt, type JWTPayload } from 'jose';
import type { ServiceAccountKeyPair } from './service-account-key.js';

/** Upstream's issuer of legacy (Secret-based) tokens. */
export const LEGACY_ISSUER = 'kubernetes/serviceaccount';

export interface ServiceAccountSigner {
  keyId: string;
  sign(claims: JWTPayload): Promise<string>;
  /** Checks signature, issuer, audience (when given) and time claims; throws on any failure. */
  verify(token: string, opts: { issuer: string; audience?: string[]; now: Date }): Promise<JWTPayload>;
  publicKey: KeyObject;
}

export function serviceAccountSigner(key: ServiceAccountKeyPair): ServiceAccountSigner {
  const priv = createPrivateKey(key.privateKey);
  const pub = createPublicKey(key.publicKey);
  return {
    keyId: key.keyId, publicKey: pub,
    sign: (claims) => new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: key.keyId }).sign(priv),
    async verify(token, opts) {
      // One minute of leeway on exp/nbf, as upstream's jwt validation (jwt.DefaultLeeway).
      const r = await jwtVerify(token, pub, {
        issuer: opts.issuer, algorithms: ['RS256'], currentDate: opts.now, clockTolerance: 60,
        ...(opts.audience ? { audience: opts.audience } : {}),
      });
      return r.payload;
    },
  };
}

/** The payload without checking anything (to pick the validator by issuer, as upstream does); undefined if not a JWT. */
export function unverifiedClaims(token: string): JWTPayload | undefined {
  try { return decodeJwt(token); } catch { return undefined; }
}

/** The claims of a legacy token Secret's token, word for word as upstream's LegacyClaims. */
export function legacyClaims(sa: { namespace: string; name: string; uid: string }, secretName: string): JWTPayload {
  return {
    iss: LEGACY_ISSUER,
    'kubernetes.io/serviceaccount/namespace': sa.namespace,
    'kubernetes.io/serviceaccount/secret.name': secretName,
    'kubernetes.io/serviceaccount/service-account.name': sa.name,
    'kubernetes.io/serviceaccount/service-account.uid': sa.uid,
    sub: `system:serviceaccount:${sa.namespace}:${sa.name}`,
  };
}
