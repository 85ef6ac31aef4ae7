// NodeRestriction (upstream plugin/pkg/admission/noderestriction), the parts the Node authorizer cannot judge from
// a request's path: a kubelet creates only its own Node and its own Lease, only mirror pods bound to itself, and
// when updating its Node does not add labels outside the kubelet's own prefixes (upstream's node label policy is
// wider; here: the node-role.kubernetes.io/ prefix is refused, as upstream).
import { forbidden } from '../../api/errors.js';
import { nodeNameOf } from '../authorization/node.js';
import type { AdmissionPlugin } from './admission.js';

export function nodeRestriction(): AdmissionPlugin {
  return {
    name: 'NodeRestriction',
    // The resources the checks below concern (upstream's Admit switches on these and passes everything else).
    resources: ['/nodes', '/pods', 'coordination.k8s.io/leases'],
    async admit(attrs) {
      const node = attrs.user && nodeNameOf(attrs.user);
      if (!node) return;
      const { def, object: obj } = attrs;
      const name = obj.metadata.name ?? '';
      if (def.group === '' && def.resource === 'nodes' && !attrs.subresource) {
        if (attrs.operation === 'CREATE' && name !== node) throw forbidden(`node "${node}" is not allowed to modify node "${name}"`);
        const added = Object.keys(obj.metadata.labels ?? {}).filter((k) => attrs.oldObject?.metadata.labels?.[k] !== obj.metadata.labels?.[k]);
        const bad = added.filter((k) => k.startsWith('node-role.kubernetes.io/'));
        if (bad.length) throw forbidden(`is not allowed to modify labels: ${bad.join(', ')}`);
      }
      if (def.group === 'coordination.k8s.io' && def.resource === 'leases' && attrs.operation === 'CREATE' && (attrs.namespace !== 'kube-node-lease' || name !== node)) {
        throw forbidden(`can only access node lease with the same name as the requesting node`);
      }
      if (def.group === '' && def.resource === 'pods' && !attrs.subresource && attrs.operation === 'CREATE') {
        if (!obj.metadata.annotations?.['kubernetes.io/config.mirror']) throw forbidden(`pod does not have "kubernetes.io/config.mirror" annotation, node "${node}" can only create mirror pods`);
        if (obj.spec?.nodeName !== node) throw forbidden(`node "${node}" can only create pods with spec.nodeName set to itself`);
      }
    },
  };
}
