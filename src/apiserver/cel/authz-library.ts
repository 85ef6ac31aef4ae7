// The `authorizer` variable of admission CEL expressions (upstream k8s.io/apiserver/pkg/cel/library/authz.go):
//   authorizer.group('apps').resource('deployments').subresource('scale').namespace('ns').name('x').check('update').allowed()
//   authorizer.path('/healthz').check('get').allowed()
//   authorizer.serviceAccount('ns', 'sa').group(...)...      (asks on behalf of that service account)
//   authorizer.requestResource.check('delete')                (the resource of the request being admitted)
// A Decision answers allowed(), reason(), errored() and error(). Checks ask the apiserver's own authorizer chain.
import type { Environment } from '@marcbachmann/cel-js';
import type { UserInfo } from '../../api/transport.js';
import type { Authorizer as AuthorizerChain } from '../authorization/authorizer.js';

export class CelAuthorizer {
  constructor(readonly chain: AuthorizerChain, readonly user: UserInfo, readonly requestResource?: ResourceCheck) {}
}
export class PathCheck { constructor(readonly authz: CelAuthorizer, readonly path: string) {} }
export class GroupCheck { constructor(readonly authz: CelAuthorizer, readonly group: string) {} }
export class ResourceCheck {
  constructor(readonly authz: CelAuthorizer, readonly group: string, readonly resource: string,
    readonly subresource = '', readonly namespace = '', readonly name = '') {}
  with(p: Partial<Pick<ResourceCheck, 'subresource' | 'namespace' | 'name'>>): ResourceCheck {
    return new ResourceCheck(this.authz, this.group, this.resource, p.subresource ?? this.subresource, p.namespace ?? this.namespace, p.name ?? this.name);
  }
}
export class CelDecision { constructor(readonly decision: string, readonly why: string) {} }

function decide(a: CelAuthorizer, attrs: Parameters<AuthorizerChain['authorize']>[0]): CelDecision {
  try {
    const r = a.chain.authorize(attrs);
    return new CelDecision(r.decision, r.reason);
  } catch (e) {
    return new CelDecision('error', String((e as Error)?.message ?? e));
  }
}

/** Declares the authorizer types and functions on `env`, and the `authorizer` variable. */
export function registerAuthorizer(env: Environment): Environment {
  return env
    .registerType('kubernetes.authorization.Authorizer', { ctor: CelAuthorizer, fields: { requestResource: 'kubernetes.authorization.ResourceCheck' } })
    .registerType('kubernetes.authorization.PathCheck', PathCheck)
    .registerType('kubernetes.authorization.GroupCheck', GroupCheck)
    .registerType('kubernetes.authorization.ResourceCheck', ResourceCheck)
    .registerType('kubernetes.authorization.Decision', CelDecision)
    .registerVariable('authorizer', 'kubernetes.authorization.Authorizer')
    .registerFunction('kubernetes.authorization.Authorizer.path(string): kubernetes.authorization.PathCheck', (a: CelAuthorizer, p: string) => new PathCheck(a, p))
    .registerFunction('kubernetes.authorization.Authorizer.group(string): kubernetes.authorization.GroupCheck', (a: CelAuthorizer, g: string) => new GroupCheck(a, g))
    .registerFunction('kubernetes.authorization.Authorizer.serviceAccount(string, string): kubernetes.authorization.Authorizer',
      (a: CelAuthorizer, ns: string, name: string) => new CelAuthorizer(a.chain, {
        username: `system:serviceaccount:${ns}:${name}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'],
      }))
    .registerFunction('kubernetes.authorization.GroupCheck.resource(string): kubernetes.authorization.ResourceCheck', (g: GroupCheck, r: string) => new ResourceCheck(g.authz, g.group, r))
    .registerFunction('kubernetes.authorization.ResourceCheck.subresource(string): kubernetes.authorization.ResourceCheck', (r: ResourceCheck, s: string) => r.with({ subresource: s }))
    .registerFunction('kubernetes.authorization.ResourceCheck.namespace(string): kubernetes.authorization.ResourceCheck', (r: ResourceCheck, s: string) => r.with({ namespace: s }))
    .registerFunction('kubernetes.authorization.ResourceCheck.name(string): kubernetes.authorization.ResourceCheck', (r: ResourceCheck, s: string) => r.with({ name: s }))
    .registerFunction('kubernetes.authorization.ResourceCheck.check(string): kubernetes.authorization.Decision', (r: ResourceCheck, verb: string) => decide(r.authz, {
      user: r.authz.user, verb, resourceRequest: true, apiGroup: r.group, resource: r.resource,
      subresource: r.subresource || undefined, namespace: r.namespace || undefined, name: r.name || undefined,
    }))
    .registerFunction('kubernetes.authorization.PathCheck.check(string): kubernetes.authorization.Decision', (p: PathCheck, verb: string) =>
      decide(p.authz, { user: p.authz.user, verb, resourceRequest: false, path: p.path }))
    .registerFunction('kubernetes.authorization.Decision.allowed(): bool', (d: CelDecision) => d.decision === 'Allow')
    .registerFunction('kubernetes.authorization.Decision.reason(): string', (d: CelDecision) => (d.decision === 'error' ? '' : d.why))
    .registerFunction('kubernetes.authorization.Decision.errored(): bool', (d: CelDecision) => d.decision === 'error')
    .registerFunction('kubernetes.authorization.Decision.error(): string', (d: CelDecision) => (d.decision === 'error' ? d.why : ''));
}
