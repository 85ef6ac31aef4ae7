// TLS for the ingress's HTTPS listener: a certificate per SNI host from the Secrets (type kubernetes.io/tls) the
// Ingresses' tls entries name, in the Ingress's namespace; hosts match exactly or through a one-label wildcard in
// tls.hosts. A name no Secret covers gets the default certificate, issued by the cluster CA at start (as
// ingress-nginx's "fake certificate", but one a client can verify with the cluster CA). Secret contents are never
// logged.
import tls from 'node:tls';
import type { KubeObject } from '../api/object.js';
import type { SharedInformer } from '../client/informer.js';
import type { LogFn } from '../client/log.js';

export const TLS_SECRET_TYPE = 'kubernetes.io/tls';

export class CertificateStore {
  private contexts = new Map<string, tls.SecureContext>();
  private wildcards = new Map<string, tls.SecureContext>();
  /** Secret `namespace/name` + resourceVersion → context, so unchanged Secrets are not parsed again. */
  private cache = new Map<string, { rv: string; ctx: tls.SecureContext | undefined; problem?: string }>();
  private readonly warned = new Set<string>();

  /**
   * `onProblem` hears once per Ingress and Secret version about a tls entry served with the default certificate
   * (the controller turns it into a Warning event on the Ingress).
   */
  constructor(private readonly secrets: Pick<SharedInformer<KubeObject>, 'get'>, readonly defaultContext: tls.SecureContext, private readonly log: LogFn,
    private readonly onProblem?: (ingress: KubeObject, message: string) => void) {}

  private contextFor(namespace: string, name: string): { ctx?: tls.SecureContext; problem?: string; rv: string } {
    const key = `${namespace}/${name}`;
    const secret = this.secrets.get(key);
    if (!secret) return { problem: `TLS secret "${key}" not found; the default certificate is served`, rv: '' };
    const rv = String(secret.metadata.resourceVersion ?? '');
    const hit = this.cache.get(key);
    if (hit && hit.rv === rv) return { ctx: hit.ctx, rv, ...(hit.ctx ? {} : { problem: hit.problem }) };
    let ctx: tls.SecureContext | undefined;
    let problem: string | undefined;
    const crt = secret.data?.['tls.crt'];
    const pem = secret.data?.['tls.key'];
    if (secret.type !== TLS_SECRET_TYPE && !(crt && pem)) {
      problem = `secret "${key}" is not of type kubernetes.io/tls; the default certificate is served`;
    } else {
      try {
        ctx = tls.createSecureContext({ cert: Buffer.from(crt ?? '', 'base64'), key: Buffer.from(pem ?? '', 'base64') });
      } catch (e) {
        // Only the kind of failure is told, never anything read from the Secret.
        problem = `secret "${key}" holds no usable certificate and key (${(e as NodeJS.ErrnoException).code ?? 'invalid'}); the default certificate is served`;
      }
    }
    this.cache.set(key, { rv, ctx, problem });
    return { ctx, problem, rv };
  }

  private report(ing: KubeObject, secret: string, rv: string, problem: string): void {
    const id = `${ing.metadata.uid ?? ing.metadata.name}:${secret}:${rv}:${problem}`;
    if (this.warned.has(id)) return;
    this.warned.add(id);
    this.log({ level: 'warn', msg: problem, ingress: `${ing.metadata.namespace}/${ing.metadata.name}` });
    this.onProblem?.(ing, problem);
  }

  /** Rebuilds the SNI map from the Ingresses served (their tls entries), earliest Ingress first on conflicts. */
  rebuild(ingresses: KubeObject[]): void {
    const contexts = new Map<string, tls.SecureContext>();
    const wildcards = new Map<string, tls.SecureContext>();
    for (const ing of ingresses) {
      for (const t of ing.spec?.tls ?? []) {
        if (!t?.secretName) continue;
        const { ctx, problem, rv } = this.contextFor(ing.metadata.namespace ?? 'default', t.secretName);
        if (!ctx) { this.report(ing, t.secretName, rv, problem ?? 'no certificate'); continue; }
        for (const h of t.hosts ?? []) {
          const host = String(h).toLowerCase();
          const map = host.startsWith('*.') ? wildcards : contexts;
          if (!map.has(host)) map.set(host, ctx);
        }
      }
    }
    this.contexts = contexts;
    this.wildcards = wildcards;
  }

  /** The context for an SNI server name (the default one when no Secret covers it). */
  forServerName(servername: string | undefined): tls.SecureContext {
    const name = (servername ?? '').toLowerCase();
    const exact = this.contexts.get(name);
    if (exact) return exact;
    const dot = name.indexOf('.');
    return (dot > 0 ? this.wildcards.get('*' + name.slice(dot)) : undefined) ?? this.defaultContext;
  }
}
