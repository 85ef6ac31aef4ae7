// The service load balancer (k3s's servicelb, in nanokube's shape): a Service of type LoadBalancer gets an ingress
// address at once — the InternalIP of the cluster's real nodes (simulated nodes have no reachable address) — and
// the service proxy answers the Service's ports there, so EXTERNAL-IP is never <pending>. Services with a
// spec.loadBalancerClass belong to another implementation and are left alone, as k3s does. A Service that stops
// being a LoadBalancer loses the ingress it got here.
import { startController } from '../shared/start.js';
import type { ControllerOptions } from '../shared/options.js';
import { isNotFound } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { resources as builtin } from '../../api/resources.js';
import { enqueueHandlers } from '../../client/controller.js';
import { deepEqual } from '../../api/json-equal.js';
import { splitMetaNamespaceKey } from '../../client/keys.js';

type Service = KubeObject & {
  spec?: { type?: string; loadBalancerClass?: string };
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string; ipMode?: string }> } };
};
type Node = KubeObject & { status?: { addresses?: Array<{ type: string; address: string }> } };

/** Nodes registered by nanokube's simulated kubelets carry this label (their addresses lead nowhere). */
const simulatedLabel = ['type', 'simulated'] as const;
const fieldManager = 'servicelb-controller';

/** The ingress addresses for LoadBalancer Services: real nodes' InternalIPs (all nodes' if none is real). */
export function ingressAddresses(nodes: Node[]): string[] {
  const ips = (ns: Node[]) => ns.flatMap((n) => (n.status?.addresses ?? []).filter((a) => a.type === 'InternalIP').map((a) => a.address));
  const real = nodes.filter((n) => n.metadata?.labels?.[simulatedLabel[0]] !== simulatedLabel[1] && !n.metadata?.deletionTimestamp);
  const found = ips(real);
  return [...new Set(found.length ? found : ips(nodes))].sort();
}

export function startServiceLBController(opts: ControllerOptions): Promise<void> {
  return startController(opts, { name: 'servicelb-controller', queue: 'servicelb', component: 'servicelb-controller', defaultWorkers: 1 }, ({ client, informers, queue, log }) => {
    const services = informers.informerFor<Service>(builtin.services);
    const nodes = informers.informerFor<Node>(builtin.nodes);
    services.addEventHandler(enqueueHandlers(queue));
    const all = () => { for (const s of services.list()) if (s.spec?.type === 'LoadBalancer') queue.add(`${s.metadata!.namespace}/${s.metadata!.name}`); };
    nodes.addEventHandler({ onAdd: all, onUpdate: (a, b) => { if (!deepEqual(a.status?.addresses, b.status?.addresses)) all(); }, onDelete: all });
    return {
      informers: [services, nodes],
      async reconcile(key) {
        const svc = services.get(key);
        if (!svc) return;
        const ours = svc.spec?.type === 'LoadBalancer' && !svc.spec.loadBalancerClass;
        const current = svc.status?.loadBalancer?.ingress ?? [];
        let want: Array<{ ip: string; ipMode: string }>;
        if (ours) want = ingressAddresses(nodes.list()).map((ip) => ({ ip, ipMode: 'VIP' }));
        else if (svc.spec?.type !== 'LoadBalancer' && current.length) want = [];
        else return;
        if (deepEqual(current, want)) return;
        const { namespace, name } = splitMetaNamespaceKey(key);
        try {
          await client.patch(builtin.services, namespace, name, 'merge', { metadata: { resourceVersion: svc.metadata?.resourceVersion }, status: { loadBalancer: { ingress: want.length ? want : null } } },
            { subresource: 'status', fieldManager });
          log({ level: 'info', msg: 'set load balancer ingress', controller: 'servicelb-controller', namespace, name, ingress: want.map((i) => i.ip) });
        } catch (e) {
          if (isNotFound(e)) return;
          throw e;
        }
      },
    };
  });
}
