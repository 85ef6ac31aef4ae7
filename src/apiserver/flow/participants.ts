// Who is on each end of a flow edge: the seed's components, named from the authenticated user a request came as
// (every component calls as its upstream identity, src/cmd/components.ts), and user clients named from their
// User-Agent (kubectl, the dashboard, anything else).
import type { UserInfo } from '../../api/transport.js';
import { componentUsers, controllerServiceAccounts } from '../authorization/rbac/bootstrap-policy.js';

/** The boxes of the architecture view. A kubelet carries its node name, the controller manager the controller. */
export type ParticipantKind =
  | 'kubectl' | 'dashboard' | 'client'
  | 'apiserver' | 'store'
  | 'scheduler' | 'controller-manager' | 'kubelet' | 'kube-proxy' | 'dns'
  /** nanokube's one informer cache shared by the in-process components (upstream: one per component). */
  | 'informers'
  | 'metrics-server' | 'ingress' | 'node-simulator';

export interface Participant {
  kind: ParticipantKind;
  /** The node of a kubelet. */
  node?: string;
  /** The controller (by its service account, e.g. replicaset-controller) inside the controller manager. */
  controller?: string;
}

const SA_PREFIX = 'system:serviceaccount:kube-system:';
/** kube-system service accounts the controller manager's controllers call as (--use-service-account-credentials). */
const controllerAccounts = new Set(Object.values(controllerServiceAccounts));
const otherAccounts: Record<string, ParticipantKind> = {
  coredns: 'dns', 'metrics-server': 'metrics-server', 'nanokube-ingress-controller': 'ingress', 'kube-proxy': 'kube-proxy',
};

/** The participant a request came from. */
export function participantOf(user: UserInfo | undefined, userAgent: string | undefined): Participant {
  const name = user?.username ?? '';
  if (name === componentUsers.scheduler) return { kind: 'scheduler' };
  if (name === componentUsers.controllerManager) return { kind: 'controller-manager' };
  if (name === componentUsers.proxy) return { kind: 'kube-proxy' };
  if (name === componentUsers.informers) return { kind: 'informers' };
  if (name === 'system:nanokube:simulator') return { kind: 'node-simulator' };
  if (name.startsWith('system:node:')) return { kind: 'kubelet', node: name.slice('system:node:'.length) };
  if (name.startsWith(SA_PREFIX)) {
    const sa = name.slice(SA_PREFIX.length);
    const other = otherAccounts[sa];
    if (other) return { kind: other };
    // Unmapped controllers call as "<controller>-controller" too (components.ts).
    if (controllerAccounts.has(sa) || sa.endsWith('-controller')) return { kind: 'controller-manager', controller: sa };
  }
  const agent = userAgent ?? '';
  if (agent.startsWith('kubectl')) return { kind: 'kubectl' };
  if (agent.includes('dashboard')) return { kind: 'dashboard' };
  return { kind: 'client' };
}

/** Groups whose storage keys have no dot (/registry/apps/deployments/...); every other group has one. */
const dotlessGroups = new Set(['apps', 'batch', 'policy', 'autoscaling', 'extensions']);

/** What a storage key names: "/registry/[group/]resource/[namespace/]name". */
export function parseStorageKey(key: string): { group?: string; resource: string; namespace?: string; name?: string } {
  const parts = key.split('/').filter(Boolean);
  if (parts[0] === 'registry') parts.shift();
  let group: string | undefined;
  if (parts.length > 1 && (parts[0].includes('.') || dotlessGroups.has(parts[0]))) group = parts.shift();
  const [resource = '', a, b] = parts;
  return b !== undefined ? { group, resource, namespace: a, name: b } : { group, resource, name: a };
}
