// Ingress validation as upstream's pkg/apis/networking/validation (ValidateIngressCreate/Update/StatusUpdate):
// a spec needs rules or a defaultBackend; hosts are DNS names (one leading `*.` label allowed), never IPs; every
// path has a pathType, and Exact/Prefix paths are absolute and free of `//`, `/./`, `/../` and encoded slashes;
// a backend is a Service (name + port name or number) or a resource, never both.
import { isIP } from 'node:net';
import type { KubeObject } from '../../../../api/object.js';
import { FieldError } from '../../../../api/errors.js';
import { INGRESS_CLASS_ANNOTATION } from '../../../../api/ingress.js';
import {
  isDNS1035Label, isDNS1123Subdomain, isWildcardDNS1123Subdomain, isValidPortName, isValidPortNum, isValidPathSegmentName,
} from '../../../../api/validation/index.js';

export const SUPPORTED_PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];
const INVALID_PATH_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_PATH_SUFFIXES = ['/..', '/.'];

function validateHost(host: string, path: string): FieldError[] {
  if (isIP(host)) return [FieldError.invalid(path, host, 'must be a DNS name, not an IP address')];
  const msgs = host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
  return msgs.map((m) => FieldError.invalid(path, host, m));
}

export function validateTypedLocalObjectReference(ref: any, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (ref.apiGroup != null) for (const m of isDNS1123Subdomain(ref.apiGroup)) errs.push(FieldError.invalid(`${path}.apiGroup`, ref.apiGroup, m));
  if (!ref.kind) errs.push(FieldError.required(`${path}.kind`, 'kind is required'));
  else for (const m of isValidPathSegmentName(ref.kind)) errs.push(FieldError.invalid(`${path}.kind`, ref.kind, m));
  if (!ref.name) errs.push(FieldError.required(`${path}.name`, 'name is required'));
  else for (const m of isValidPathSegmentName(ref.name)) errs.push(FieldError.invalid(`${path}.name`, ref.name, m));
  return errs;
}

export function validateIngressBackend(b: any, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const hasService = b?.service != null;
  const hasResource = b?.resource != null;
  if (hasService && hasResource) return [FieldError.invalid(path, '', 'cannot set both resource and service backends')];
  if (hasService) {
    const svc = b.service;
    const sp = `${path}.service`;
    if (!svc.name) errs.push(FieldError.required(`${sp}.name`));
    else for (const m of isDNS1035Label(svc.name)) errs.push(FieldError.invalid(`${sp}.name`, svc.name, m));
    const port = svc.port ?? {};
    const hasName = !!port.name;
    const hasNumber = port.number != null && port.number !== 0;
    if (hasName && hasNumber) errs.push(FieldError.invalid(path, '', 'cannot set both port name & port number'));
    else if (hasName) for (const m of isValidPortName(port.name)) errs.push(FieldError.invalid(`${sp}.port.name`, port.name, m));
    else if (hasNumber) for (const m of isValidPortNum(port.number)) errs.push(FieldError.invalid(`${sp}.port.number`, port.number, m));
    else errs.push(FieldError.required(path, 'port name or number is required'));
  } else if (hasResource) {
    errs.push(...validateTypedLocalObjectReference(b.resource, `${path}.resource`));
  } else {
    errs.push(FieldError.invalid(path, '', 'resource or service backend is required'));
  }
  return errs;
}

function validateHTTPIngressPath(p: any, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const pathType = p?.pathType;
  const value: string = p?.path ?? '';
  if (!pathType) return [FieldError.required(`${path}.pathType`, 'pathType must be specified')];
  if (pathType === 'Exact' || pathType === 'Prefix') {
    if (!value.startsWith('/')) errs.push(FieldError.invalid(`${path}.path`, value, 'must be an absolute path'));
    if (value.length > 0) {
      for (const seq of INVALID_PATH_SEQUENCES) if (value.includes(seq)) errs.push(FieldError.invalid(`${path}.path`, value, `must not contain '${seq}'`));
      for (const suf of INVALID_PATH_SUFFIXES) if (value.endsWith(suf)) errs.push(FieldError.invalid(`${path}.path`, value, `cannot end with '${suf}'`));
    }
  } else if (pathType === 'ImplementationSpecific') {
    if (value.length > 0 && !value.startsWith('/')) errs.push(FieldError.invalid(`${path}.path`, value, 'must be an absolute path'));
  } else {
    errs.push(FieldError.notSupported(`${path}.pathType`, pathType, SUPPORTED_PATH_TYPES));
  }
  errs.push(...validateIngressBackend(p?.backend, `${path}.backend`));
  return errs;
}

function validateIngressSpec(spec: any, annotations: Record<string, string> | undefined, isCreate: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const rules: any[] = spec?.rules ?? [];
  if (rules.length === 0 && spec?.defaultBackend == null) {
    errs.push(FieldError.invalid('spec', rules, 'either `defaultBackend` or `rules` must be specified'));
  }
  if (spec?.defaultBackend != null) errs.push(...validateIngressBackend(spec.defaultBackend, 'spec.defaultBackend'));
  rules.forEach((rule, i) => {
    const rp = `spec.rules[${i}]`;
    if (rule?.host) errs.push(...validateHost(rule.host, `${rp}.host`));
    if (rule?.http != null) {
      const paths: any[] = rule.http.paths ?? [];
      if (paths.length === 0) errs.push(FieldError.required(`${rp}.http.paths`));
      paths.forEach((p, j) => errs.push(...validateHTTPIngressPath(p, `${rp}.http.paths[${j}]`)));
    }
  });
  (spec?.tls ?? []).forEach((tls: any, i: number) => {
    const tp = `spec.tls[${i}]`;
    (tls?.hosts ?? []).forEach((h: string, j: number) => {
      const msgs = String(h).includes('*') ? isWildcardDNS1123Subdomain(h) : isDNS1123Subdomain(h);
      for (const m of msgs) errs.push(FieldError.invalid(`${tp}.hosts[${j}]`, h, m));
    });
    if (tls?.secretName) for (const m of isDNS1123Subdomain(tls.secretName)) errs.push(FieldError.invalid(`${tp}.secretName`, tls.secretName, m));
  });
  if (spec?.ingressClassName != null) {
    for (const m of isDNS1123Subdomain(spec.ingressClassName)) errs.push(FieldError.invalid('spec.ingressClassName', spec.ingressClassName, m));
    // On create only (old objects may disagree), the deprecated annotation must name the same class as the field.
    const annotation = annotations?.[INGRESS_CLASS_ANNOTATION];
    if (isCreate && annotation !== undefined && annotation !== spec.ingressClassName) {
      errs.push(FieldError.invalid(`annotations.${INGRESS_CLASS_ANNOTATION}`, annotation, 'must match `ingressClassName` when both are specified'));
    }
  }
  return errs;
}

export function validateIngressStatus(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  (obj.status?.loadBalancer?.ingress ?? []).forEach((ing: any, i: number) => {
    const p = `status.loadBalancer.ingress[${i}]`;
    if (ing?.ip && !isIP(ing.ip)) errs.push(FieldError.invalid(`${p}.ip`, ing.ip, 'must be a valid IP address'));
    if (ing?.hostname) {
      for (const m of isDNS1123Subdomain(ing.hostname)) errs.push(FieldError.invalid(`${p}.hostname`, ing.hostname, m));
      if (isIP(ing.hostname)) errs.push(FieldError.invalid(`${p}.hostname`, ing.hostname, 'must be a DNS name, not an IP address'));
    }
  });
  return errs;
}

export const validateIngress = (obj: KubeObject): FieldError[] => validateIngressSpec(obj.spec, obj.metadata.annotations, true);
export const validateIngressUpdate = (obj: KubeObject): FieldError[] => validateIngressSpec(obj.spec, obj.metadata.annotations, false);
