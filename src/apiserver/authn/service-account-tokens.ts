// ServiceAccount tokens (upstream's pkg/serviceaccount): bound tokens issued through TokenRequest and the legacy
// tokens of kubernetes.io/service-account-token Secrets, both RS256 JWTs signed with sa.key. Authentication checks
// the signature, issuer, audience and times, then the live objects: the ServiceAccount (same uid) and, for a bound
// token, the Pod, Secret or Node it is bound to (same uid, not being deleted). A token whose pod was deleted or
// whose ServiceAccount was recreated is rejected.
import { randomUUID } from 'node:crypto';
import type { JWTPayload } from 'jose';
import type { UserInfo } from '../../api/transport.js';
import type { KubeObject } from '../../api/object.js';
import type { ServiceAccountKeyPair } from '../../pki/service-account-key.js';
import { serviceAccountSigner, unverifiedClaims, LEGACY_ISSUER, type ServiceAccountSigner } from '../../pki/service-account-token.js';

/** Upstream's default issuer (kubeadm sets --service-account-issuer to it) and default API audience. */
export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

export const SERVICE_ACCOUNT_USER_PREFIX = 'system:serviceaccount:';
export const ALL_SERVICE_ACCOUNTS_GROUP = 'system:serviceaccounts';

/** The objects a token is checked against (read from the registry; undefined when absent). */
export interface LiveObjects {
  serviceAccount(namespace: string, name: string): Promise<KubeObject | undefined>;
  pod(namespace: string, name: string): Promise<KubeObject | undefined>;
  secret(namespace: string, name: string): Promise<KubeObject | undefined>;
  node(name: string): Promise<KubeObject | undefined>;
}

export interface BoundObject { kind: 'Pod' | 'Secret' | 'Node'; name: string; uid: string }

export interface IssueRequest {
  serviceAccount: KubeObject;
  audiences: string[];
  expirationSeconds: number;
  bound?: BoundObject;
  /** The node a bound pod runs on (upstream adds it to the claims: ServiceAccountTokenPodNodeInfo). */
  node?: { name: string; uid: string };
}

export interface ServiceAccountTokenOptions {
  key: ServiceAccountKeyPair;
  issuer?: string;
  /** What a token without an explicit audience is for, and what this API server accepts; default [issuer]. */
  apiAudiences?: string[];
  objects: LiveObjects;
  clock?: () => Date;
}

export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_USER_PREFIX}${namespace}:${name}`;
}

export function serviceAccountGroups(namespace: string): string[] {
  return [ALL_SERVICE_ACCOUNTS_GROUP, `${ALL_SERVICE_ACCOUNTS_GROUP}:${namespace}`];
}

/** Issues and authenticates ServiceAccount tokens. */
export class ServiceAccountTokens {
  readonly issuer: string;
  readonly apiAudiences: string[];
  readonly signer: ServiceAccountSigner;
  private readonly clock: () => Date;

  constructor(private readonly opts: ServiceAccountTokenOptions) {
    this.issuer = opts.issuer ?? DEFAULT_ISSUER;
    this.apiAudiences = opts.apiAudiences ?? [this.issuer];
    this.signer = serviceAccountSigner(opts.key);
    this.clock = opts.clock ?? (() => new Date());
  }

  /** A signed bound token and its expiry (upstream's claims shape, including "kubernetes.io"). */
  async issue(req: IssueRequest): Promise<{ token: string; expirationTimestamp: Date }> {
    const now = Math.floor(this.clock().getTime() / 1000);
    const exp = now + req.expirationSeconds;
    const sa = req.serviceAccount.metadata;
    const priv: Record<string, unknown> = { namespace: sa.namespace, serviceaccount: { name: sa.name, uid: sa.uid } };
    if (req.bound) priv[req.bound.kind.toLowerCase()] = { name: req.bound.name, uid: req.bound.uid };
    if (req.node && req.bound?.kind === 'Pod') priv.node = { name: req.node.name, uid: req.node.uid };
    const claims: JWTPayload = {
      aud: req.audiences, exp, iat: now, iss: this.issuer, jti: randomUUID(), 'kubernetes.io': priv, nbf: now,
      sub: serviceAccountUsername(sa.namespace!, sa.name!),
    };
    return { token: await this.signer.sign(claims), expirationTimestamp: new Date(exp * 1000) };
  }

  /** The user a token stands for, or undefined when it is not a valid ServiceAccount token of this cluster. */
  async authenticate(token: string): Promise<UserInfo | undefined> {
    const unverified = unverifiedClaims(token);
    if (!unverified) return undefined;
    try {
      if (unverified.iss === LEGACY_ISSUER) return await this.legacy(token);
      if (unverified.iss === this.issuer) return await this.bound(token);
    } catch { /* a bad signature, audience or time: not authenticated */ }
    return undefined;
  }

  private async bound(token: string): Promise<UserInfo | undefined> {
    const c = await this.signer.verify(token, { issuer: this.issuer, audience: this.apiAudiences, now: this.clock() });
    const k = c['kubernetes.io'] as any;
    const ns: string | undefined = k?.namespace;
    const saRef = k?.serviceaccount;
    if (!ns || !saRef?.name || c.sub !== serviceAccountUsername(ns, saRef.name)) return undefined;
    const sa = await this.opts.objects.serviceAccount(ns, saRef.name);
    if (!sa || sa.metadata.uid !== saRef.uid) return undefined;
    const now = this.clock().getTime();
    const live = (o: KubeObject | undefined, uid: string | undefined) =>
      !!o && o.metadata.uid === uid && !(o.metadata.deletionTimestamp && Date.parse(o.metadata.deletionTimestamp) < now);
    const extra: Record<string, string[]> = {};
    if (k.pod) {
      if (!live(await this.opts.objects.pod(ns, k.pod.name), k.pod.uid)) return undefined;
      extra['authentication.kubernetes.io/pod-name'] = [k.pod.name];
      extra['authentication.kubernetes.io/pod-uid'] = [k.pod.uid];
    }
    if (k.secret && !live(await this.opts.objects.secret(ns, k.secret.name), k.secret.uid)) return undefined;
    if (k.node) {
      // A pod's node is informational (the pod check above is what binds); a token bound to a Node needs it live.
      if (!k.pod && !live(await this.opts.objects.node(k.node.name), k.node.uid)) return undefined;
      extra['authentication.kubernetes.io/node-name'] = [k.node.name];
      extra['authentication.kubernetes.io/node-uid'] = [k.node.uid];
    }
    if (typeof c.jti === 'string') extra['authentication.kubernetes.io/credential-id'] = [`JTI=${c.jti}`];
    return { username: c.sub!, uid: saRef.uid, groups: [...serviceAccountGroups(ns), 'system:authenticated'], extra };
  }

  /** A legacy Secret token: valid while the Secret holds exactly this token and the ServiceAccount is the same. */
  private async legacy(token: string): Promise<UserInfo | undefined> {
    const c = await this.signer.verify(token, { issuer: LEGACY_ISSUER, now: this.clock() });
    const ns = c['kubernetes.io/serviceaccount/namespace'] as string | undefined;
    const name = c['kubernetes.io/serviceaccount/service-account.name'] as string | undefined;
    const uid = c['kubernetes.io/serviceaccount/service-account.uid'] as string | undefined;
    const secretName = c['kubernetes.io/serviceaccount/secret.name'] as string | undefined;
    if (!ns || !name || !secretName || c.sub !== serviceAccountUsername(ns, name)) return undefined;
    const sa = await this.opts.objects.serviceAccount(ns, name);
    if (!sa || sa.metadata.uid !== uid) return undefined;
    const secret = await this.opts.objects.secret(ns, secretName);
    if (!secret || secret.metadata.deletionTimestamp) return undefined;
    if (Buffer.from(secret.data?.token ?? '', 'base64').toString() !== token) return undefined;
    const extra = { 'authentication.kubernetes.io/credential-id': [`secret(${secretName})`] } as Record<string, string[]>;
    return { username: c.sub!, uid, groups: [...serviceAccountGroups(ns), 'system:authenticated'], extra };
  }

  /** /.well-known/openid-configuration (upstream's shape; jwks_uri on the address clients reach us at). */
  openidConfiguration(externalAddress: string): Record<string, unknown> {
    return {
      issuer: this.issuer,
      jwks_uri: `https://${externalAddress}/openid/v1/jwks`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    };
  }

  /** /openid/v1/jwks: the public key as a JWK set. */
  jwks(): Record<string, unknown> {
    const jwk = this.signer.publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
    return { keys: [{ use: 'sig', kty: jwk.kty, kid: this.signer.keyId, alg: 'RS256', n: jwk.n, e: jwk.e }] };
  }
}
