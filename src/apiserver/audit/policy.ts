// The audit policy (upstream's audit.k8s.io/v1 Policy, --audit-policy-file): rules checked in order, the first
// that matches a request decides its level (None, Metadata, Request, RequestResponse) and the stages left out.
// A request no rule matches is not audited (level None), as upstream.
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';

export type AuditLevel = 'None' | 'Metadata' | 'Request' | 'RequestResponse';
const LEVELS: AuditLevel[] = ['None', 'Metadata', 'Request', 'RequestResponse'];
export const levelRank = (l: AuditLevel): number => LEVELS.indexOf(l);

export interface GroupResources { group?: string; resources?: string[]; resourceNames?: string[] }
export interface PolicyRule {
  level: AuditLevel;
  users?: string[];
  userGroups?: string[];
  verbs?: string[];
  resources?: GroupResources[];
  namespaces?: string[];
  nonResourceURLs?: string[];
  omitStages?: string[];
}
export interface AuditPolicy { rules: PolicyRule[]; omitStages?: string[] }

/** What a rule is matched against (upstream's authorizer.Attributes). */
export interface AuditAttributes {
  user: { username: string; groups: string[] };
  verb: string;
  /** Resource requests. */
  resource?: { group: string; resource: string; subresource?: string; namespace?: string; name?: string };
  /** Non-resource requests. */
  path?: string;
}

export const AUDIT_POLICY_FILE = 'audit-policy.yaml';

/** The default policy in NANOKUBE_HOME: upstream's GCE policy, adapted to nanokube's components. */
export const DEFAULT_POLICY_YAML = `# nanokube's audit policy (audit.k8s.io/v1 Policy; edit and restart to change it). Events go to audit.log.
# The first matching rule decides. Secrets, ConfigMaps, TokenRequests and TokenReviews are never logged above
# Metadata (nanokube caps Secrets at Metadata whatever this file says).
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  # High-volume, low-risk: heartbeats, leader election, events, health checks.
  - level: None
    resources: [{ group: coordination.k8s.io, resources: [leases] }]
  - level: None
    resources: [{ group: '', resources: [events] }, { group: events.k8s.io, resources: [events] }]
  - level: None
    nonResourceURLs: ['/healthz*', '/livez*', '/readyz*', /version, /metrics, '/openapi*', /api, '/api/*', /apis, '/apis/*']
  # Reads by the control plane's own components and the nodes.
  - level: None
    users: [system:kube-scheduler, system:kube-controller-manager, system:kube-proxy, 'system:nanokube:informers', system:apiserver]
    verbs: [get, list, watch]
  - level: None
    userGroups: [system:nodes]
    verbs: [get, list, watch]
  # Status updates from nodes are frequent and large: the request only.
  - level: Request
    userGroups: [system:nodes]
    verbs: [update, patch]
    resources: [{ group: '', resources: [nodes/status, pods/status] }]
  # Sensitive or binary data: who did what, never the content.
  - level: Metadata
    resources:
      - { group: '', resources: [secrets, configmaps, serviceaccounts/token] }
      - { group: authentication.k8s.io, resources: [tokenreviews] }
      - { group: certificates.k8s.io, resources: [certificatesigningrequests] }
  # Reads: responses can be large.
  - level: Request
    verbs: [get, list, watch]
  # Everything else: request and response.
  - level: RequestResponse
`;

function wildcardMatch(pattern: string, value: string): boolean {
  return pattern.endsWith('*') ? value.startsWith(pattern.slice(0, -1)) : pattern === value;
}

function ruleMatches(r: PolicyRule, a: AuditAttributes): boolean {
  if (r.users?.length && !r.users.includes(a.user.username)) return false;
  if (r.userGroups?.length && !r.userGroups.some((g) => a.user.groups.includes(g))) return false;
  if (r.verbs?.length && !r.verbs.includes(a.verb)) return false;
  const scoped = !!(r.resources?.length || r.namespaces?.length);
  if (a.resource) {
    if (r.nonResourceURLs?.length) return false;
    if (r.namespaces?.length && !r.namespaces.includes(a.resource.namespace ?? '')) return false;
    if (r.resources?.length) {
      const full = a.resource.subresource ? `${a.resource.resource}/${a.resource.subresource}` : a.resource.resource;
      return r.resources.some((gr) => (gr.group ?? '') === a.resource!.group
        && (!gr.resources?.length || gr.resources.some((x) => x === '*' || x === full || x === `*/${a.resource!.subresource ?? ''}` || (x === `${a.resource!.resource}/*` && !!a.resource!.subresource)))
        && (!gr.resourceNames?.length || gr.resourceNames.includes(a.resource!.name ?? '')));
    }
    return true;
  }
  if (scoped) return false;
  if (r.nonResourceURLs?.length) return r.nonResourceURLs.some((p) => wildcardMatch(p, a.path ?? ''));
  return true;
}

/** The level and omitted stages for a request. */
export function evaluatePolicy(p: AuditPolicy, a: AuditAttributes): { level: AuditLevel; omitStages: string[] } {
  for (const r of p.rules) {
    if (ruleMatches(r, a)) return { level: r.level, omitStages: [...(p.omitStages ?? []), ...(r.omitStages ?? [])] };
  }
  return { level: 'None', omitStages: [] };
}

export function parsePolicy(text: string, where = 'audit policy'): AuditPolicy {
  let doc: any;
  try { doc = parse(text); } catch (e) { throw new Error(`${where} is not valid YAML: ${(e as Error).message.split('\n')[0]}`); }
  if (doc?.kind !== 'Policy') throw new Error(`${where}: kind must be Policy (apiVersion audit.k8s.io/v1)`);
  const rules: PolicyRule[] = Array.isArray(doc.rules) ? doc.rules : [];
  rules.forEach((r, i) => {
    if (!LEVELS.includes(r?.level)) throw new Error(`${where}: rules[${i}].level: Unsupported value: ${JSON.stringify(r?.level)}: supported values: "None", "Metadata", "Request", "RequestResponse"`);
    if (r.nonResourceURLs?.length && (r.resources?.length || r.namespaces?.length)) {
      throw new Error(`${where}: rules[${i}]: rules cannot apply to both regular resources and non-resource URLs`);
    }
  });
  return { rules, omitStages: Array.isArray(doc.omitStages) ? doc.omitStages : [] };
}

/** Reads <home>/audit-policy.yaml, writing the default first (mode 0600) when missing. */
export function ensureAuditPolicy(path: string): { policy: AuditPolicy; generated: boolean } {
  let generated = false;
  if (!existsSync(path)) {
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, DEFAULT_POLICY_YAML, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, path);
    generated = true;
  }
  return { policy: parsePolicy(readFileSync(path, 'utf8'), path), generated };
}

