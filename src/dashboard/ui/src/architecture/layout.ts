// Where each of the seed's components sits in the architecture diagram (an SVG of 1000 × 600 units), and which box a
// flow participant is drawn as. Clients on the left, the API server in the middle with its store below, the
// control plane and the nodes on the right. nanokube's in-process components read one shared informer cache; the
// watch events it receives fan out to the components that use that resource.
import type { Participant } from './flow';

export interface Box { id: string; label: string; sub?: string; x: number; y: number; w: number; h: number; role: 'client' | 'core' | 'control' | 'node' }

export const VIEW = { w: 1000, h: 600 };

export const staticBoxes: Box[] = [
  { id: 'kubectl', label: 'kubectl', x: 20, y: 70, w: 150, h: 52, role: 'client' },
  { id: 'dashboard', label: 'dashboard', x: 20, y: 250, w: 150, h: 52, role: 'client' },
  { id: 'client', label: 'other clients', x: 20, y: 430, w: 150, h: 52, role: 'client' },
  { id: 'apiserver', label: 'API server', sub: 'authn → authz → admission', x: 320, y: 220, w: 190, h: 110, role: 'core' },
  { id: 'store', label: 'store', sub: 'SQLite / etcd', x: 340, y: 500, w: 150, h: 62, role: 'core' },
  { id: 'informers', label: 'shared informers', sub: 'list + watch cache', x: 580, y: 120, w: 160, h: 56, role: 'control' },
  { id: 'controller-manager', label: 'controller manager', x: 800, y: 20, w: 180, h: 66, role: 'control' },
  { id: 'scheduler', label: 'scheduler', x: 800, y: 110, w: 180, h: 52, role: 'control' },
  { id: 'metrics-server', label: 'metrics server', x: 580, y: 300, w: 160, h: 44, role: 'control' },
  { id: 'ingress', label: 'ingress controller', x: 580, y: 360, w: 160, h: 44, role: 'control' },
  { id: 'node-simulator', label: 'node simulator', x: 580, y: 420, w: 160, h: 44, role: 'node' },
  { id: 'kube-proxy', label: 'kube-proxy', x: 760, y: 525, w: 105, h: 50, role: 'node' },
  { id: 'dns', label: 'cluster DNS', x: 875, y: 525, w: 105, h: 50, role: 'node' },
];

/** Boxes drawn only once something was seen of them (components that run only with a real node or on demand). */
export const optionalBoxes = new Set(['metrics-server', 'ingress', 'node-simulator']);

/** Kubelet boxes shown one per node; beyond this many, the rest share one box. */
export const MAX_KUBELET_BOXES = 4;

export function kubeletBoxes(nodes: string[]): Box[] {
  const shown = nodes.slice(0, nodes.length > MAX_KUBELET_BOXES ? MAX_KUBELET_BOXES - 1 : MAX_KUBELET_BOXES);
  const boxes: Box[] = shown.map((n, i) => ({ id: `kubelet:${n}`, label: 'kubelet', sub: n, x: 800, y: 190 + i * 76, w: 180, h: 60, role: 'node' }));
  if (nodes.length > shown.length) {
    boxes.push({ id: 'kubelet:*', label: 'kubelets', sub: `${nodes.length - shown.length} more nodes`, x: 800, y: 190 + shown.length * 76, w: 180, h: 60, role: 'node' });
  }
  if (nodes.length === 0) boxes.push({ id: 'kubelet:*', label: 'kubelet', sub: 'no node yet', x: 800, y: 190, w: 180, h: 60, role: 'node' });
  return boxes;
}

/** The box a participant is drawn as (a kubelet's node must be in `nodes` to have its own box). */
export function boxOf(p: Participant, nodes: string[]): string {
  if (p.kind === 'kubelet') {
    const own = nodes.length > MAX_KUBELET_BOXES ? MAX_KUBELET_BOXES - 1 : MAX_KUBELET_BOXES;
    // A kubelet the server did not name (a log or exec relayed to "the pod's node"): drawn as the first node's.
    if (!p.node) return nodes.length ? `kubelet:${nodes[0]}` : 'kubelet:*';
    const i = nodes.indexOf(p.node);
    return i >= 0 && i < own ? `kubelet:${p.node}` : 'kubelet:*';
  }
  if (staticBoxes.some((b) => b.id === p.kind)) return p.kind;
  return 'client';
}

/** The components that read a resource from the shared informer cache (where a watch event goes on to). */
export function consumersOf(resource: string): string[] {
  switch (resource) {
    case 'pods': return ['scheduler', 'controller-manager'];
    case 'nodes': case 'persistentvolumeclaims': case 'persistentvolumes': case 'csinodes': case 'storageclasses': return ['scheduler', 'controller-manager'];
    case 'services': case 'endpointslices': return ['kube-proxy', 'dns', 'controller-manager'];
    case 'ingresses': case 'ingressclasses': return ['ingress'];
    case 'leases': case 'events': return [];
    default: return ['controller-manager'];
  }
}

export function centerOf(b: Box): { x: number; y: number } { return { x: b.x + b.w / 2, y: b.y + b.h / 2 }; }
