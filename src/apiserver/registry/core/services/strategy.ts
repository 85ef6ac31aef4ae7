// services (core/v1): defaults, ClusterIP/NodePort allocation (allocator.ts), keeping allocated values on
// updates that omit them, and the NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE table.
import type { KubeObject } from '../../../../api/object.js';
import type { ResourceDefinition } from '../../types.js';
import { column, nameColumn, ageColumn } from '../../printing.js';
import { translateTimestampSince } from '../../age.js';
import { formatLabels } from '../../../../api/validation/index.js';
import { DEFAULT_SERVICE_NETWORK, allocateServiceResources, needsNodePorts, type ServiceNetworkConfig } from './allocator.js';
import { validateService, validateServiceUpdate } from './validation.js';
import { resources } from '../../../../api/resources.js';
import { keepSpec } from '../../status-subresource.js';

/** SetDefaults_Service. */
export function setServiceDefaults(svc: KubeObject): void {
  const spec = (svc.spec ??= {});
  if (!spec.sessionAffinity) spec.sessionAffinity = 'None';
  if (!spec.type) spec.type = 'ClusterIP';
  for (const p of spec.ports ?? []) {
    if (!p) continue;
    if (!p.protocol) p.protocol = 'TCP';
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if ((spec.type === 'NodePort' || spec.type === 'LoadBalancer') && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (spec.type !== 'ExternalName' && !spec.internalTrafficPolicy) spec.internalTrafficPolicy = 'Cluster';
  if (spec.sessionAffinity === 'ClientIP') {
    spec.sessionAffinityConfig ??= {};
    spec.sessionAffinityConfig.clientIP ??= {};
    spec.sessionAffinityConfig.clientIP.timeoutSeconds ??= 10800;
  }
  if (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts == null) spec.allocateLoadBalancerNodePorts = true;
  // A clusterIP without clusterIPs (older clients) is the first of clusterIPs.
  if (spec.clusterIP && !(spec.clusterIPs ?? []).length) spec.clusterIPs = [spec.clusterIP];
  if (!spec.clusterIP && (spec.clusterIPs ?? []).length) spec.clusterIP = spec.clusterIPs[0];
}

/** Carries allocated values a full update left out (upstream patchAllocatedValues) and drops type-dependent ones. */
function prepareServiceUpdate(svc: KubeObject, old: KubeObject): void {
  // Runs before the store's defaulting pass; defaulting is idempotent, so apply it first to see the final type.
  setServiceDefaults(svc);
  const spec = svc.spec;
  const o = old.spec ?? {};
  if (spec.type !== 'ExternalName' && o.type !== 'ExternalName') {
    if (!spec.clusterIP && o.clusterIP) spec.clusterIP = o.clusterIP;
    if (!(spec.clusterIPs ?? []).length && (o.clusterIPs ?? []).length) spec.clusterIPs = [...o.clusterIPs];
    if (!(spec.ipFamilies ?? []).length && o.ipFamilies) spec.ipFamilies = [...o.ipFamilies];
    if (!spec.ipFamilyPolicy && o.ipFamilyPolicy) spec.ipFamilyPolicy = o.ipFamilyPolicy;
  }
  if (needsNodePorts(old) && needsNodePorts(svc)) {
    const used = new Set<number>((spec.ports ?? []).map((p: any) => p?.nodePort).filter(Boolean));
    const byName = new Map<string, number>((o.ports ?? []).map((p: any) => [p?.name ?? '', p?.nodePort]));
    for (const p of spec.ports ?? []) {
      if (p && !p.nodePort) {
        const prev = byName.get(p.name ?? '');
        if (prev && !used.has(prev)) p.nodePort = prev;
      }
    }
  }
  if (spec.type === o.type && spec.healthCheckNodePort == null && o.healthCheckNodePort) spec.healthCheckNodePort = o.healthCheckNodePort;
  // Leaving a type drops what only that type uses (upstream dropTypeDependentFields).
  if (spec.type === 'ExternalName') {
    delete spec.clusterIP; delete spec.clusterIPs; delete spec.ipFamilies; delete spec.ipFamilyPolicy;
  }
  if (needsNodePorts(old) && !needsNodePorts(svc)) {
    const oldPorts = new Set((o.ports ?? []).map((p: any) => p?.nodePort));
    for (const p of spec.ports ?? []) if (p?.nodePort && oldPorts.has(p.nodePort)) delete p.nodePort;
  }
  if (spec.type !== 'NodePort' && spec.type !== 'LoadBalancer' && spec.externalTrafficPolicy === o.externalTrafficPolicy) delete spec.externalTrafficPolicy;
  svc.status = structuredClone(old.status);
}

function externalIP(svc: KubeObject): string {
  const spec = svc.spec ?? {};
  const ext: string[] = spec.externalIPs ?? [];
  switch (spec.type) {
    case 'ClusterIP': case 'NodePort':
      return ext.length ? ext.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = [...new Set<string>((svc.status?.loadBalancer?.ingress ?? []).map((i: any) => i?.ip || i?.hostname).filter(Boolean))].sort().join(',');
      if (ext.length) return [...(lb ? lb.split(',') : []), ...ext].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

export function servicePorts(ports: any[] | undefined): string {
  const s = (ports ?? []).map((p) => (p?.nodePort > 0 ? `${p.port}:${p.nodePort}/${p.protocol}` : `${p?.port}/${p?.protocol}`)).join(',');
  return s || '<none>';
}

/** A Service definition for a given service network (tests and non-default clusters). */
export function makeServices(cfg: ServiceNetworkConfig = DEFAULT_SERVICE_NETWORK): ResourceDefinition {
  return {
    ...resources.services,
    strategy: {
      allowCreateOnUpdate: true,
      hasStatus: true,
      defaults: setServiceDefaults,
      prepareForCreate(obj) { obj.status = { loadBalancer: {} }; },
      prepareForUpdate: prepareServiceUpdate,
      prepareForStatusUpdate: keepSpec,
      validate: (obj) => validateService(obj),
      validateUpdate: (newObj, oldObj) => validateServiceUpdate(newObj, oldObj),
      allocate: (obj, ctx, old) => allocateServiceResources(obj, ctx, cfg, old),
      table: {
        columns: [
          nameColumn(),
          column('Type', 'string', 'type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer. "ClusterIP" allocates a cluster-internal IP address for load-balancing to endpoints. Endpoints are determined by the selector or if that is not specified, by manual construction of an Endpoints object or EndpointSlice objects. If clusterIP is "None", no virtual IP is allocated and the endpoints are published as a set of endpoints rather than a virtual IP. "NodePort" builds on ClusterIP and allocates a port on every node which routes to the same endpoints as the clusterIP. "LoadBalancer" builds on NodePort and creates an external load-balancer (if supported in the current cloud) which routes to the same endpoints as the clusterIP. "ExternalName" aliases this service to the specified externalName. Several other fields do not apply to ExternalName services. More info: https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types'),
          column('Cluster-IP', 'string', 'clusterIP is the IP address of the service and is usually assigned randomly. If an address is specified manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; otherwise creation of the service will fail. This field may not be changed through updates unless the type field is also being changed to ExternalName (which requires this field to be blank) or the type field is being changed from ExternalName (in which case this field may optionally be specified, as describe above).  Valid values are "None", empty string (""), or a valid IP address. Setting this to "None" makes a "headless service" (no virtual IP), which is useful when direct endpoint connections are preferred and proxying is not required.  Only applies to types ClusterIP, NodePort, and LoadBalancer. If this field is specified when creating a Service of type ExternalName, creation will fail. This field will be wiped when updating a Service to type ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies'),
          column('External-IP', 'string', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.  These IPs are not managed by Kubernetes.  The user is responsible for ensuring that traffic arrives at a node with this IP.  A common example is external load-balancers that are not part of the Kubernetes system.'),
          column('Port(s)', 'string', 'The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies'),
          ageColumn(),
          column('Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/', { priority: 1 }),
        ],
        row: (o, now) => [o.metadata.name, o.spec?.type ?? '', o.spec?.clusterIPs?.[0] ?? '<none>', externalIP(o), servicePorts(o.spec?.ports),
          translateTimestampSince(o.metadata.creationTimestamp, now), formatLabels(o.spec?.selector)],
      },
    },
  };
}

export const services: ResourceDefinition = makeServices();
