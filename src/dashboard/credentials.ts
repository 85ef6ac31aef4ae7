// What a user may log in to the dashboard with, and how the server learns who that is: a bearer token (a
// ServiceAccount token from `kubectl create token`, or any token the API server accepts) or a kubeconfig whose user
// has a client certificate and key inline (the admin kubeconfig `nanokube start` writes). The API server decides:
// a SelfSubjectReview made with the credentials tells the user's name and groups, or fails with 401.
import type { Credentials, Session } from './sessions.js';

export class LoginError extends Error {}

type KubeconfigUser = { token?: string; 'client-certificate-data'?: string; 'client-key-data'?: string; 'client-certificate'?: string };
interface Kubeconfig {
  'current-context'?: string;
  contexts?: Array<{ name?: string; context?: { user?: string } }>;
  users?: Array<{ name?: string; user?: KubeconfigUser }>;
}

/** Credentials from the login form's body: { token } or { kubeconfig } (the file's text). */
export async function credentialsFromLogin(body: { token?: unknown; kubeconfig?: unknown }): Promise<Credentials> {
  if (typeof body.token === 'string' && body.token.trim()) {
    const token = body.token.trim().replace(/^Bearer\s+/i, '');
    if (/\s/.test(token)) throw new LoginError('a token is one word without spaces');
    return { kind: 'token', token };
  }
  if (typeof body.kubeconfig === 'string' && body.kubeconfig.trim()) return credentialsFromKubeconfig(body.kubeconfig);
  throw new LoginError('paste a token or a kubeconfig');
}

/** The current context's user (or else the first user) of a kubeconfig, with inline credentials. */
export async function credentialsFromKubeconfig(text: string): Promise<Credentials> {
  // Imported here: the yaml library is not needed for the server process to start.
  const { parse: parseYaml } = await import('yaml');
  let config: Kubeconfig;
  try { config = parseYaml(text) as Kubeconfig; } catch { throw new LoginError('the kubeconfig is not valid YAML'); }
  if (!config || typeof config !== 'object' || !Array.isArray(config.users)) throw new LoginError('the kubeconfig has no users');
  const contextUser = config.contexts?.find((c) => c.name === config['current-context'])?.context?.user;
  const entry = config.users.find((u) => u.name === contextUser) ?? config.users[0];
  const user = entry?.user ?? {};
  if (user.token) return { kind: 'token', token: user.token };
  if (user['client-certificate-data'] && user['client-key-data']) {
    const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
    return { kind: 'certificate', cert: decode(user['client-certificate-data']), key: decode(user['client-key-data']) };
  }
  if (user['client-certificate']) throw new LoginError('the kubeconfig refers to certificate files; paste one with client-certificate-data and client-key-data (as ~/.kube/config after `nanokube start`)');
  throw new LoginError(`the kubeconfig's user "${entry?.name ?? ''}" has neither a token nor a client certificate`);
}

/** A JWT's exp claim in epoch ms (undefined for other tokens); the API server checks the signature, not we. */
export function tokenExpiry(credentials: Credentials): number | undefined {
  if (credentials.kind !== 'token') return undefined;
  const parts = credentials.token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
  } catch { return undefined; }
}

/** The userInfo of a SelfSubjectReview's status. */
export function userFromReview(review: unknown): Session['user'] {
  const info = (review as { status?: { userInfo?: { username?: string; groups?: string[] } } })?.status?.userInfo;
  if (!info?.username) throw new LoginError('the API server did not say who these credentials belong to');
  return { username: info.username, groups: info.groups ?? [] };
}
