// The Node authorizer (upstream plugin/pkg/auth/authorizer/node) with the checks of the NodeRestriction admission
// plugin that concern existing objects: a kubelet (user system:node:<name> in group system:nodes) reads only the
// pods bound to its node and the Secrets, ConfigMaps, PersistentVolumeClaims and service account tokens those pods
// use; it writes only its own Node, its own Lease and the status of its own pods. Everything else a kubelet asks is
// judged by upstream's system:node rules. Requests of anyone else get no opinion (RBAC decides).
import type { KubeObject } from '../../api/object.js';
import type { Registry } from '../registry/registry.js';
import { reflect } from '../registry/reflector.js';
import { noOpinion, type AuthorizationAttributes, type Authorizer, type AuthorizationResult } from './authorizer.js';
import { ruleAllows, type PolicyRule } from './rbac/rules.js';

export const NODE_USER_PREFIX = 'system:node:';
export const NODES_GROUP = 'system:nodes';

/** The node a user is a kubelet of, or undefined (upstream's NodeIdentifier). */
export function nodeNameOf(user: { username: string; groups: string[] }): string | undefined {
  if (!user.username.startsWith(NODE_USER_PREFIX) || !user.groups.includes(NODES_GROUP)) return undefined;
  const name = user.username.slice(NODE_USER_PREFIX.length);
  return name || undefined;
}

/** What a pod references, by kind: the objects its node may read because of it. */
interface PodRefs { node: string; namespace: string; secrets: Set<string>; configmaps: Set<string>; pvcs: Set<string>; serviceAccount: string }

function podRefs(pod: KubeObject): PodRefs | undefined {
  const node = pod.spec?.nodeName;
  if (!node) return undefined;
  const r: PodRefs = { node, namespace: pod.metadata.namespace!, secrets: new Set(), configmaps: new Set(), pvcs: new Set(), serviceAccount: pod.spec?.serviceAccountName || 'default' };
  for (const s of pod.spec?.imagePullSecrets ?? []) if (s?.name) r.secrets.add(s.name);
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? []), ...(pod.spec?.ephemeralContainers ?? [])];
  for (const c of containers) {
    for (const e of c?.env ?? []) {
      if (e?.valueFrom?.secretKeyRef?.name) r.secrets.add(e.valueFrom.secretKeyRef.name);
      if (e?.valueFrom?.configMapKeyRef?.name) r.configmaps.add(e.valueFrom.configMapKeyRef.name);
    }
    for (const e of c?.envFrom ?? []) {
      if (e?.secretRef?.name) r.secrets.add(e.secretRef.name);
      if (e?.configMapRef?.name) r.configmaps.add(e.configMapRef.name);
    }
  }
  for (const v of pod.spec?.volumes ?? []) {
    if (v?.secret?.secretName) r.secrets.add(v.secret.secretName);
    if (v?.configMap?.name) r.configmaps.add(v.configMap.name);
    if (v?.persistentVolumeClaim?.claimName) r.pvcs.add(v.persistentVolumeClaim.claimName);
    for (const s of v?.projected?.sources ?? []) {
      if (s?.secret?.name) r.secrets.add(s.secret.name);
      if (s?.configMap?.name) r.configmaps.add(s.configMap.name);
    }
    for (const k of ['cephfs', 'cinder', 'flexVolume', 'iscsi', 'rbd', 'scaleIO', 'storageos', 'azureFile', 'csi']) {
      const ref = v?.[k]?.secretRef?.name ?? v?.[k]?.nodePublishSecretRef?.name;
      if (ref) r.secrets.add(ref);
    }
  }
  return r;
}

/** The pods of each node and what they reference, kept current by a watch (upstream's node graph). */
export class NodeGraph {
  private readonly byKey = new Map<string, PodRefs>();
  private readonly byNode = new Map<string, Map<string, PodRefs>>();

  apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', pod: KubeObject): void {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const old = this.byKey.get(key);
    if (old) { this.byNode.get(old.node)?.delete(key); this.byKey.delete(key); }
    if (type === 'DELETED') return;
    const refs = podRefs(pod);
    if (!refs) return;
    this.byKey.set(key, refs);
    let m = this.byNode.get(refs.node);
    if (!m) this.byNode.set(refs.node, m = new Map());
    m.set(key, refs);
  }

  /** The node a pod is bound to (undefined: unknown pod or not bound). */
  podNode(namespace: string, name: string): string | undefined { return this.byKey.get(`${namespace}/${name}`)?.node; }

  /** True when a pod on `node` in `namespace` references the object. */
  nodeUses(node: string, namespace: string, kind: 'secrets' | 'configmaps' | 'pvcs' | 'serviceAccount', name: string): boolean {
    for (const r of this.byNode.get(node)?.values() ?? []) {
      if (r.namespace !== namespace) continue;
      if (kind === 'serviceAccount' ? r.serviceAccount === name : r[kind].has(name)) return true;
    }
    return false;
  }

  /** Lists the pods, then follows their watch until `signal` aborts. Resolves once the list is in. */
  static async start(registry: Registry, signal: AbortSignal): Promise<NodeGraph> {
    const g = new NodeGraph();
    const pods = registry.forResource('', 'pods');
    if (!pods) return g;
    await reflect(pods, {
      replace: (items) => {
        g.byKey.clear(); g.byNode.clear();
        for (const p of items) g.apply('ADDED', p);
      },
      event: (type, pod) => g.apply(type, pod),
    }, signal);
    return g;
  }
}

const deny = (node: string, why = 'no relationship found between node \'' + node + '\' and this object'): AuthorizationResult => ({ decision: 'NoOpinion', reason: why });
const allow: AuthorizationResult = Object.freeze({ decision: 'Allow', reason: '' }) as AuthorizationResult;
const readVerbs = new Set(['get', 'list', 'watch']);

export function nodeAuthorizer(graph: NodeGraph, nodeRules: () => PolicyRule[]): Authorizer {
  const byRules = (a: AuthorizationAttributes): AuthorizationResult => (nodeRules().some((r) => ruleAllows(a, r)) ? allow : noOpinion);
  return {
    authorize(a) {
      const node = nodeNameOf(a.user);
      if (!node) return noOpinion;
      if (!a.resourceRequest) return byRules(a);
      const g = a.apiGroup ?? '';
      const ns = a.namespace ?? '';
      if (g === '' && (a.resource === 'secrets' || a.resource === 'configmaps')) {
        // get, or list/watch of one named object (fieldSelector metadata.name): the kubelet's watch-based managers.
        if (!readVerbs.has(a.verb) || !a.name) return deny(node, `can only get individual resources of this type`);
        return graph.nodeUses(node, ns, a.resource, a.name) ? allow : deny(node);
      }
      if (g === '' && a.resource === 'persistentvolumeclaims') {
        if (a.subresource === 'status' ? !['get', 'update', 'patch'].includes(a.verb) : a.verb !== 'get') return deny(node, 'can only get or update persistentvolumeclaim status');
        if (!a.name) return deny(node, 'can only get individual resources of this type');
        return graph.nodeUses(node, ns, 'pvcs', a.name) ? allow : deny(node);
      }
      if (g === '' && a.resource === 'serviceaccounts' && a.subresource === 'token') {
        if (a.verb !== 'create' || !a.name) return deny(node, 'can only create tokens for individual service accounts');
        return graph.nodeUses(node, ns, 'serviceAccount', a.name) ? allow : deny(node);
      }
      if (g === 'coordination.k8s.io' && a.resource === 'leases') {
        if (ns !== 'kube-node-lease') return deny(node, `can only access node lease in the kube-node-lease namespace`);
        if (a.verb === 'create' && !a.name) return byRules(a);
        if (a.name !== node) return deny(node, `can only access node lease with the same name as the requesting node`);
        return byRules(a);
      }
      if (g === '' && a.resource === 'pods') {
        if (a.name && (readVerbs.has(a.verb) || a.subresource === 'status' || a.verb === 'delete')) {
          const bound = graph.podNode(ns, a.name);
          // A pod not (yet) known to the graph: upstream asks the graph too and denies; a deleted one answers 404 anyway.
          if (bound !== node) return deny(node);
        }
        return byRules(a);
      }
      if (g === '' && a.resource === 'nodes' && a.name && !readVerbs.has(a.verb) && a.name !== node) {
        return deny(node, `node '${node}' cannot modify node '${a.name}'`);
      }
      return byRules(a);
    },
  };
}
