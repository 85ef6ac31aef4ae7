// The authentication seam (DESIGN.md §3 "Request pipeline"): who sent a request, from its bearer token or its TLS
// client certificate (CN = user, O = groups, signed by the cluster CA). A bearer token is tried against the static
// tokens and the ServiceAccount tokens; one nobody accepts is rejected (401), never treated as anonymous.
//
// Difference from upstream, on purpose: a bearer token decides before the client certificate. kubectl sends both
// when `--token` is given with a kubeconfig holding a certificate (nanokube's own), and upstream's union, which
// tries x509 first, would then ignore the token the user asked for: `kubectl --token=$TOKEN delete pod x` must act
// as the token's ServiceAccount.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { UserInfo } from '../../api/transport.js';

export const AUTHENTICATED_GROUP = 'system:authenticated';

/** Turns a bearer token into a user, or undefined when it does not know the token. */
export interface TokenAuthenticator { (token: string): Promise<UserInfo | undefined> }

/** The outcome: a user, "no credentials" (anonymous), or credentials that were presented but are not valid. */
export type AuthenticationResult = { user: UserInfo } | { anonymous: true } | { rejected: true };

export interface Authenticator { (req: IncomingMessage): Promise<AuthenticationResult> }

/** The client certificate is fixed for a TLS connection: decode it once per socket, not per request. */
const certUsers = new WeakMap<object, UserInfo | null>();

/** CN = user name, every O = a group (upstream's x509 CommonNameUserConversion). Only certificates the CA verified. */
export function clientCertificateUser(sock: TLSSocket): UserInfo | undefined {
  const cached = certUsers.get(sock);
  if (cached !== undefined) return cached ?? undefined;
  let user: UserInfo | undefined;
  if (sock.authorized) {
    const cert = sock.getPeerCertificate();
    if (cert && cert.subject) {
      const cn = cert.subject.CN;
      const o = cert.subject.O;
      const username = Array.isArray(cn) ? cn[0] : cn;
      if (username) user = { username, groups: [...(Array.isArray(o) ? o : o ? [o] : []), AUTHENTICATED_GROUP] };
    }
  }
  certUsers.set(sock, user ?? null);
  return user;
}

/** Bearer tokens from a static table (benchmarks, `nanokube agent --token`): each maps to a user and groups. */
export function staticTokenAuthenticator(tokens: Record<string, { username: string; groups: string[] }>): TokenAuthenticator {
  return async (token) => {
    const u = Object.prototype.hasOwnProperty.call(tokens, token) ? tokens[token] : undefined;
    return u ? { username: u.username, groups: [...u.groups, AUTHENTICATED_GROUP] } : undefined;
  };
}

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive, as upstream). */
export function bearerToken(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (!auth) return undefined;
  const m = /^bearer\s+(\S+)\s*$/i.exec(auth);
  return m ? m[1] : undefined;
}

export function createAuthenticator(tokenAuthenticators: TokenAuthenticator[]): Authenticator {
  return async (req) => {
    const token = bearerToken(req);
    if (token === undefined) {
      const certUser = clientCertificateUser(req.socket as TLSSocket);
      if (certUser) return { user: certUser };
      return req.headers.authorization ? { rejected: true } : { anonymous: true };
    }
    for (const a of tokenAuthenticators) {
      const u = await a(token);
      if (u) return { user: u };
    }
    return { rejected: true };
  };
}
