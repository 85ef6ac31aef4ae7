// Service validation (upstream ValidateService / ValidateServiceUpdate, single-stack IPv4 cluster).
import { isIP } from 'node:net';
import { FieldError } from '../../../../api/errors.js';
import {
  RawValueFieldError, goStringSlice, isDNS1123Label, isDNS1123Subdomain, isValidPortName, isValidPortNum, validateLabels,
} from '../../../../api/validation/index.js';
import type { KubeObject } from '../../../../api/object.js';

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const AFFINITIES = ['ClientIP', 'None'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
const FAMILY_POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const IP_MSG = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';

/** Go's %#v of the core.ServicePort key upstream reports duplicate (protocol, port) pairs with. */
const goServicePortKey = (protocol: string, port: number) =>
  `core.ServicePort{Name:"", Protocol:${JSON.stringify(protocol)}, AppProtocol:(*string)(nil), Port:${port}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`;

export function validateService(svc: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = svc.spec ?? {};
  const type = spec.type ?? 'ClusterIP';
  if (!SERVICE_TYPES.includes(type)) errs.push(FieldError.notSupported('spec.type', type, SERVICE_TYPES));
  const headless = spec.clusterIP === 'None';
  const ports: any[] = spec.ports ?? [];
  if (ports.length === 0 && !headless && type !== 'ExternalName') errs.push(FieldError.required('spec.ports'));
  if (type === 'ExternalName') {
    if (spec.clusterIP) errs.push(FieldError.forbidden('spec.clusterIP', 'may not be set for ExternalName services'));
    if (!spec.externalName) errs.push(FieldError.required('spec.externalName'));
    else for (const m of isDNS1123Subdomain(String(spec.externalName).replace(/\.$/, ''))) errs.push(FieldError.invalid('spec.externalName', spec.externalName, m));
  }
  const names = new Set<string>();
  const keys = new Set<string>();
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    const pp = `spec.ports[${i}]`;
    if (ports.length > 1 && !p?.name) errs.push(FieldError.required(`${pp}.name`));
    if (p?.name) {
      for (const m of isDNS1123Label(p.name)) errs.push(FieldError.invalid(`${pp}.name`, p.name, m));
      if (names.has(p.name)) errs.push(FieldError.duplicate(`${pp}.name`, p.name));
      names.add(p.name);
    }
    for (const m of isValidPortNum(p?.port)) errs.push(FieldError.invalid(`${pp}.port`, p?.port ?? 0, m));
    if (!p?.protocol) errs.push(FieldError.required(`${pp}.protocol`));
    else if (!PROTOCOLS.includes(p.protocol)) errs.push(FieldError.notSupported(`${pp}.protocol`, p.protocol, PROTOCOLS));
    const tp = p?.targetPort;
    if (typeof tp === 'number') for (const m of isValidPortNum(tp)) errs.push(FieldError.invalid(`${pp}.targetPort`, tp, m));
    else if (typeof tp === 'string') for (const m of isValidPortName(tp)) errs.push(FieldError.invalid(`${pp}.targetPort`, tp, m));
    if (p?.nodePort) {
      if (type === 'ClusterIP') errs.push(FieldError.forbidden(`${pp}.nodePort`, "may not be used when `type` is 'ClusterIP'"));
      for (const m of isValidPortNum(p.nodePort)) errs.push(FieldError.invalid(`${pp}.nodePort`, p.nodePort, m));
      const npKey = `${p.protocol}/${p.nodePort}`;
      if (nodePorts.has(npKey)) errs.push(FieldError.duplicate(`${pp}.nodePort`, p.nodePort));
      nodePorts.add(npKey);
    }
    const key = `${p?.protocol}/${p?.port}`;
    if (keys.has(key)) errs.push(new RawValueFieldError('FieldValueDuplicate', pp, goServicePortKey(p?.protocol ?? '', p?.port ?? 0), ''));
    keys.add(key);
  });
  if (spec.sessionAffinity && !AFFINITIES.includes(spec.sessionAffinity)) errs.push(FieldError.notSupported('spec.sessionAffinity', spec.sessionAffinity, AFFINITIES));
  const timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
  if (spec.sessionAffinity === 'ClientIP' && timeout != null && !(timeout > 0 && timeout <= 86400)) {
    errs.push(FieldError.invalid('spec.sessionAffinityConfig.clientIP.timeoutSeconds', timeout, 'must be greater than 0 and less than 86400'));
  }
  errs.push(...validateLabels(spec.selector, 'spec.selector'));
  (spec.clusterIPs ?? []).forEach((ip: string, i: number) => {
    if (ip !== 'None' && !isIP(ip)) errs.push(FieldError.invalid(`spec.clusterIPs[${i}]`, ip, IP_MSG));
  });
  if (spec.clusterIP && spec.clusterIPs?.length && spec.clusterIPs[0] !== spec.clusterIP) {
    errs.push(FieldError.invalid('spec.clusterIPs', spec.clusterIPs, 'first value must match `clusterIP`'));
  }
  if (spec.clusterIP && spec.clusterIP !== 'None' && !spec.clusterIPs?.length && !isIP(spec.clusterIP)) {
    errs.push(FieldError.invalid('spec.clusterIP', spec.clusterIP, IP_MSG));
  }
  (spec.externalIPs ?? []).forEach((ip: string, i: number) => {
    if (!isIP(ip)) errs.push(FieldError.invalid(`spec.externalIPs[${i}]`, ip, IP_MSG));
  });
  const external = type === 'NodePort' || type === 'LoadBalancer';
  if (spec.externalTrafficPolicy) {
    if (!external) errs.push(FieldError.invalid('spec.externalTrafficPolicy', spec.externalTrafficPolicy, 'may only be set for externally-accessible services'));
    else if (!TRAFFIC_POLICIES.includes(spec.externalTrafficPolicy)) errs.push(FieldError.notSupported('spec.externalTrafficPolicy', spec.externalTrafficPolicy, TRAFFIC_POLICIES));
  }
  if (spec.internalTrafficPolicy && !TRAFFIC_POLICIES.includes(spec.internalTrafficPolicy)) {
    errs.push(FieldError.notSupported('spec.internalTrafficPolicy', spec.internalTrafficPolicy, TRAFFIC_POLICIES));
  }
  if (spec.ipFamilyPolicy) {
    if (!FAMILY_POLICIES.includes(spec.ipFamilyPolicy)) errs.push(FieldError.notSupported('spec.ipFamilyPolicy', spec.ipFamilyPolicy, FAMILY_POLICIES));
    else if (spec.ipFamilyPolicy === 'RequireDualStack') errs.push(FieldError.invalid('spec.ipFamilyPolicy', spec.ipFamilyPolicy, 'this cluster is not configured for dual-stack services'));
  }
  (spec.ipFamilies ?? []).forEach((f: string, i: number) => {
    if (f !== 'IPv4') errs.push(FieldError.invalid(`spec.ipFamilies[${i}]`, f, f === 'IPv6' ? 'not configured on this cluster' : 'must be IPv4 or IPv6'));
  });
  return errs;
}

export function validateServiceUpdate(svc: KubeObject, old: KubeObject): FieldError[] {
  const errs = validateService(svc);
  const fromOrToExternalName = svc.spec?.type === 'ExternalName' || old.spec?.type === 'ExternalName';
  if (!fromOrToExternalName) {
    const oldIPs: string[] = old.spec?.clusterIPs ?? [];
    const newIPs: string[] = svc.spec?.clusterIPs ?? [];
    oldIPs.forEach((ip, i) => {
      if (i < newIPs.length && newIPs[i] !== ip) {
        errs.push(new RawValueFieldError('FieldValueInvalid', `spec.clusterIPs[${i}]`, goStringSlice(newIPs), 'may not change once set'));
      }
    });
    const oldFam = old.spec?.ipFamilies?.[0];
    const newFam = svc.spec?.ipFamilies?.[0];
    if (oldFam && newFam && oldFam !== newFam) errs.push(FieldError.invalid('spec.ipFamilies[0]', newFam, 'may not change once set'));
  }
  return errs;
}
