// nodes (core/v1, cluster-scoped): status kept on main writes, spec kept on /status writes,
// spec.unschedulable field selector, and the NAME STATUS ROLES AGE VERSION table.
import type { KubeObject } from '../../../../api/object.js';
import type { ResourceDefinition } from '../../types.js';
import { column, nameColumn, ageColumn } from '../../printing.js';
import { translateTimestampSince } from '../../age.js';
import { FieldError } from '../../../../api/errors.js';
import { validateImmutableField } from '../../../../api/validation/index.js';
import { resources } from '../../../../api/resources.js';
import { keepSpec } from '../../status-subresource.js';

const ROLE_PREFIX = 'node-role.kubernetes.io/';
const ROLE_LABEL = 'kubernetes.io/role';

export function nodeRoles(node: KubeObject): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith(ROLE_PREFIX)) { const r = k.slice(ROLE_PREFIX.length); if (r) roles.add(r); }
    else if (k === ROLE_LABEL && v) roles.add(v);
  }
  return [...roles].sort();
}

function nodeRow(node: KubeObject, now: Date): unknown[] {
  const ready = (node.status?.conditions ?? []).find((c: any) => c?.type === 'Ready');
  const status: string[] = [];
  if (ready) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  if (status.length === 0) status.push('Unknown');
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  const roles = nodeRoles(node).join(',') || '<none>';
  const info = node.status?.nodeInfo ?? {};
  const addr = (type: string) => (node.status?.addresses ?? []).find((a: any) => a?.type === type)?.address ?? '<none>';
  return [node.metadata.name, status.join(','), roles, translateTimestampSince(node.metadata.creationTimestamp, now), info.kubeletVersion ?? '',
    addr('InternalIP'), addr('ExternalIP'), info.osImage || '<unknown>', info.kernelVersion || '<unknown>', info.containerRuntimeVersion || '<unknown>'];
}

export const nodes: ResourceDefinition = {
  ...resources.nodes,
  strategy: {
    hasStatus: true,
    defaults(obj) {
      // SetDefaults_NodeStatus: allocatable defaults to capacity.
      if (obj.status?.capacity && obj.status.allocatable == null) obj.status.allocatable = { ...obj.status.capacity };
    },
    prepareForStatusUpdate: keepSpec,
    validateUpdate(newObj, oldObj) {
      const errs: FieldError[] = [];
      // podCIDR(s) may go from unset to set, but never change once set.
      if (oldObj.spec?.podCIDR) errs.push(...validateImmutableField(newObj.spec?.podCIDR, oldObj.spec.podCIDR, 'spec.podCIDR'));
      if ((oldObj.spec?.podCIDRs ?? []).length > 0) errs.push(...validateImmutableField(newObj.spec?.podCIDRs, oldObj.spec.podCIDRs, 'spec.podCIDRs'));
      if (oldObj.spec?.providerID) errs.push(...validateImmutableField(newObj.spec?.providerID, oldObj.spec.providerID, 'spec.providerID'));
      return errs;
    },
    fieldSelectors: { 'spec.unschedulable': (o) => String(o.spec?.unschedulable === true) },
    table: {
      columns: [
        nameColumn(),
        column('Status', 'string', 'The status of the node'),
        column('Roles', 'string', 'The roles of the node'),
        ageColumn(),
        column('Version', 'string', 'Kubelet Version reported by the node.'),
        column('Internal-IP', 'string', "List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/concepts/nodes/node/#addresses Note: This field is declared as mergeable, but the merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers should instead use a full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers should assume that addresses can change during the lifetime of a Node. However, there are some exceptions where this may not be possible, such as Pods that inherit a Node's address in its own status or consumers of the downward API (status.hostIP).", { priority: 1 }),
        column('External-IP', 'string', "List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/concepts/nodes/node/#addresses Note: This field is declared as mergeable, but the merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers should instead use a full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers should assume that addresses can change during the lifetime of a Node. However, there are some exceptions where this may not be possible, such as Pods that inherit a Node's address in its own status or consumers of the downward API (status.hostIP).", { priority: 1 }),
        column('OS-Image', 'string', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', { priority: 1 }),
        column('Kernel-Version', 'string', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", { priority: 1 }),
        column('Container-Runtime', 'string', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', { priority: 1 }),
      ],
      row: nodeRow,
    },
  },
};
