// PodSpec validation with upstream's paths and messages (pkg/apis/core/validation: ValidatePodSpec and the
// container/volume/env/port checks it calls). `path` is where the spec sits: "spec" for Pods,
// "spec.template.spec" for workload templates.
import { FieldError } from '../../../../api/errors.js';
import {
  isConfigMapKey, isDNS1123Label, isDNS1123Subdomain, isEnvVarName, isValidPortName, isValidPortNum, validateLabels,
  NotFoundFieldError,
} from '../../../../api/validation/index.js';
import { quantityNumber } from '../../../../api/quantity.js';
import { validateContainerSecurityContext, validatePodSecurityContext } from './security-context-validation.js';

const PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];

function validatePorts(ports: any[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (ports ?? []).forEach((p, i) => {
    const ip = `${path}[${i}]`;
    if (p?.name) {
      const msgs = isValidPortName(p.name);
      if (msgs.length) for (const m of msgs) errs.push(FieldError.invalid(`${ip}.name`, p.name, m));
      else if (names.has(p.name)) errs.push(FieldError.duplicate(`${ip}.name`, p.name));
      else names.add(p.name);
    }
    if (!p?.containerPort) errs.push(FieldError.required(`${ip}.containerPort`));
    else for (const m of isValidPortNum(p.containerPort)) errs.push(FieldError.invalid(`${ip}.containerPort`, p.containerPort, m));
    if (p?.hostPort) for (const m of isValidPortNum(p.hostPort)) errs.push(FieldError.invalid(`${ip}.hostPort`, p.hostPort, m));
    if (!p?.protocol) errs.push(FieldError.required(`${ip}.protocol`));
    else if (!PORT_PROTOCOLS.includes(p.protocol)) errs.push(FieldError.notSupported(`${ip}.protocol`, p.protocol, PORT_PROTOCOLS));
  });
  return errs;
}

function validateKeyRef(ref: any, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!ref.key) errs.push(FieldError.required(`${path}.key`));
  else for (const m of isConfigMapKey(ref.key)) errs.push(FieldError.invalid(`${path}.key`, ref.key, m));
  if (!ref.name) errs.push(FieldError.required(`${path}.name`));
  else for (const m of isDNS1123Subdomain(ref.name)) errs.push(FieldError.invalid(`${path}.name`, ref.name, m));
  return errs;
}

function validateEnv(env: any[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (env ?? []).forEach((e, i) => {
    const ip = `${path}[${i}]`;
    const name = e?.name ?? '';
    if (!name) errs.push(FieldError.required(`${ip}.name`));
    for (const m of isEnvVarName(name)) errs.push(FieldError.invalid(`${ip}.name`, name, m));
    const vf = e?.valueFrom;
    if (vf) {
      const vp = `${ip}.valueFrom`;
      const sources = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'].filter((k) => vf[k] != null);
      if (sources.length === 0) {
        errs.push(FieldError.invalid(vp, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
      } else if (sources.length > 1) {
        errs.push(FieldError.invalid(vp, '', 'may not have more than one field specified at a time'));
      } else if (e.value) {
        errs.push(FieldError.invalid(vp, '', 'may not be specified when `value` is not empty'));
      }
      if (vf.configMapKeyRef) errs.push(...validateKeyRef(vf.configMapKeyRef, `${vp}.configMapKeyRef`));
      if (vf.secretKeyRef) errs.push(...validateKeyRef(vf.secretKeyRef, `${vp}.secretKeyRef`));
      if (vf.fieldRef && !vf.fieldRef.fieldPath) errs.push(FieldError.required(`${vp}.fieldRef.fieldPath`));
      if (vf.resourceFieldRef && !vf.resourceFieldRef.resource) errs.push(FieldError.required(`${vp}.resourceFieldRef.resource`));
    }
  });
  return errs;
}

function validateEnvFrom(envFrom: any[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (envFrom ?? []).forEach((e, i) => {
    const ip = `${path}[${i}]`;
    if (e?.prefix) for (const m of isEnvVarName(e.prefix)) errs.push(FieldError.invalid(`${ip}.prefix`, e.prefix, m));
    const refs = ['configMapRef', 'secretRef'].filter((k) => e?.[k] != null);
    if (refs.length === 0) errs.push(FieldError.invalid(ip, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (refs.length > 1) errs.push(FieldError.invalid(ip, '', 'may not have more than one field specified at a time'));
    for (const k of refs) {
      const name = e[k].name;
      if (!name) errs.push(FieldError.required(`${ip}.${k}.name`));
      else for (const m of isDNS1123Subdomain(name)) errs.push(FieldError.invalid(`${ip}.${k}.name`, name, m));
    }
  });
  return errs;
}

function validateResources(res: any, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const kind of ['limits', 'requests']) {
    for (const [name, q] of Object.entries(res?.[kind] ?? {})) {
      if (Number.isNaN(quantityNumber(q))) errs.push(FieldError.invalid(`${path}.${kind}[${name}]`, q, 'must be a valid quantity'));
      else if (quantityNumber(q) < 0) errs.push(FieldError.invalid(`${path}.${kind}[${name}]`, q, 'must be greater than or equal to 0'));
    }
  }
  for (const [name, q] of Object.entries(res?.requests ?? {})) {
    const lim = res?.limits?.[name];
    if (lim !== undefined && quantityNumber(q) > quantityNumber(lim)) {
      errs.push(FieldError.invalid(`${path}.requests[${name}]`, String(q), `must be less than or equal to ${name} limit of ${String(lim)}`));
    }
  }
  return errs;
}

export function validateContainer(c: any, path: string, volumes: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  if (!c?.name) errs.push(FieldError.required(`${path}.name`));
  else for (const m of isDNS1123Label(c.name)) errs.push(FieldError.invalid(`${path}.name`, c.name, m));
  const image = c?.image ?? '';
  if (!image) errs.push(FieldError.required(`${path}.image`));
  else if (image !== image.trim()) errs.push(FieldError.invalid(`${path}.image`, image, 'must not have leading or trailing whitespace'));
  if (c?.imagePullPolicy && !PULL_POLICIES.includes(c.imagePullPolicy)) errs.push(FieldError.notSupported(`${path}.imagePullPolicy`, c.imagePullPolicy, PULL_POLICIES));
  if (!c?.terminationMessagePolicy) errs.push(FieldError.required(`${path}.terminationMessagePolicy`));
  else if (!TERMINATION_MESSAGE_POLICIES.includes(c.terminationMessagePolicy)) errs.push(FieldError.notSupported(`${path}.terminationMessagePolicy`, c.terminationMessagePolicy, TERMINATION_MESSAGE_POLICIES));
  errs.push(...validatePorts(c?.ports, `${path}.ports`));
  errs.push(...validateEnv(c?.env, `${path}.env`));
  errs.push(...validateEnvFrom(c?.envFrom, `${path}.envFrom`));
  errs.push(...validateResources(c?.resources, `${path}.resources`));
  errs.push(...validateContainerSecurityContext(c?.securityContext, `${path}.securityContext`));
  const mountPaths = new Set<string>();
  (c?.volumeMounts ?? []).forEach((m: any, i: number) => {
    const ip = `${path}.volumeMounts[${i}]`;
    if (!m?.name) errs.push(FieldError.required(`${ip}.name`));
    else if (!volumes.has(m.name)) errs.push(new NotFoundFieldError(`${ip}.name`, m.name));
    if (!m?.mountPath) errs.push(FieldError.required(`${ip}.mountPath`));
    else if (mountPaths.has(m.mountPath)) errs.push(FieldError.invalid(`${ip}.mountPath`, m.mountPath, 'must be unique'));
    else mountPaths.add(m.mountPath);
  });
  return errs;
}

/** Validates a (defaulted) PodSpec at `path`. */
export function validatePodSpec(spec: any, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const s = spec ?? {};
  const volumes = new Set<string>();
  (s.volumes ?? []).forEach((v: any, i: number) => {
    const p = `${path}.volumes[${i}].name`;
    if (!v?.name) errs.push(FieldError.required(p));
    else {
      for (const m of isDNS1123Label(v.name)) errs.push(FieldError.invalid(p, v.name, m));
      if (volumes.has(v.name)) errs.push(FieldError.duplicate(p, v.name));
      volumes.add(v.name);
    }
  });
  const names = new Set<string>();
  const checkName = (c: any, p: string) => {
    if (!c?.name) return;
    if (names.has(c.name)) errs.push(FieldError.duplicate(`${p}.name`, c.name));
    names.add(c.name);
  };
  (s.initContainers ?? []).forEach((c: any, i: number) => {
    const p = `${path}.initContainers[${i}]`;
    errs.push(...validateContainer(c, p, volumes));
    checkName(c, p);
  });
  const containers: any[] = Array.isArray(s.containers) ? s.containers : [];
  if (containers.length === 0) errs.push(FieldError.required(`${path}.containers`));
  containers.forEach((c, i) => {
    const p = `${path}.containers[${i}]`;
    errs.push(...validateContainer(c, p, volumes));
    checkName(c, p);
  });
  if (!s.restartPolicy) errs.push(FieldError.required(`${path}.restartPolicy`));
  else if (!RESTART_POLICIES.includes(s.restartPolicy)) errs.push(FieldError.notSupported(`${path}.restartPolicy`, s.restartPolicy, RESTART_POLICIES));
  if (!s.dnsPolicy) errs.push(FieldError.required(`${path}.dnsPolicy`));
  else if (!DNS_POLICIES.includes(s.dnsPolicy)) errs.push(FieldError.notSupported(`${path}.dnsPolicy`, s.dnsPolicy, DNS_POLICIES));
  errs.push(...validateLabels(s.nodeSelector, `${path}.nodeSelector`));
  if (s.serviceAccountName) for (const m of isDNS1123Subdomain(s.serviceAccountName)) errs.push(FieldError.invalid(`${path}.serviceAccountName`, s.serviceAccountName, m));
  if (s.nodeName) for (const m of isDNS1123Subdomain(s.nodeName)) errs.push(FieldError.invalid(`${path}.nodeName`, s.nodeName, m));
  if (s.hostname) for (const m of isDNS1123Label(s.hostname)) errs.push(FieldError.invalid(`${path}.hostname`, s.hostname, m));
  if (s.subdomain) for (const m of isDNS1123Label(s.subdomain)) errs.push(FieldError.invalid(`${path}.subdomain`, s.subdomain, m));
  if (s.activeDeadlineSeconds != null && !(s.activeDeadlineSeconds >= 1 && s.activeDeadlineSeconds <= 2147483647)) {
    errs.push(FieldError.invalid(`${path}.activeDeadlineSeconds`, s.activeDeadlineSeconds, 'must be between 1 and 2147483647, inclusive'));
  }
  errs.push(...validatePodSecurityContext(s, `${path}.securityContext`));
  (s.imagePullSecrets ?? []).forEach((r: any, i: number) => {
    if (!r?.name) errs.push(FieldError.required(`${path}.imagePullSecrets[${i}].name`));
  });
  return errs;
}
