// The Pod Security Standards (upstream k8s.io/pod-security-admission/policy, as of 1.32): the checks of the
// baseline and restricted levels, each versioned by the minor release that introduced or changed it, and their
// evaluation against a pod's metadata and spec. Messages are upstream's, word for word, because users grep for them.
// Check order is upstream's: baseline checks by ID, then restricted ones by ID; a restricted check may replace a
// baseline one (capabilities, hostPath volumes, seccomp).

export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';
/** A policy version: a minor release of 1.x, or 'latest'. */
export type PodSecurityVersion = number | 'latest';
export interface LevelVersion { level: PodSecurityLevel; version: PodSecurityVersion }

/** The newest policy version known (this server speaks Kubernetes 1.32); later versions evaluate as this one. */
export const LATEST_POLICY_MINOR = 32;

export interface CheckResult { allowed: boolean; forbiddenReason?: string; forbiddenDetail?: string }
type Meta = { annotations?: Record<string, string> } | undefined;
type CheckFn = (meta: Meta, spec: any) => CheckResult;
interface VersionedCheck { minimumVersion: number; checkPod: CheckFn; overrides?: string[] }
interface Check { id: string; level: 'baseline' | 'restricted'; versions: VersionedCheck[] }

const ok: CheckResult = { allowed: true };
const fail = (forbiddenReason: string, forbiddenDetail: string): CheckResult => ({ allowed: false, forbiddenReason, forbiddenDetail });
const joinQuote = (items: string[]) => (items.length ? `"${items.join('", "')}"` : '');
const pluralize = (singular: string, plural: string, n: number) => (n === 1 ? singular : plural);
/** Go's sets.String.List(): unique, byte-order sorted. */
const sortedSet = (s: Set<string>) => [...s].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
const containersPhrase = (names: string[]) => `${pluralize('container', 'containers', names.length)} ${joinQuote(names)}`;

/** Init containers, then containers, then ephemeral containers (upstream's visitContainers). */
function visitContainers(spec: any, visit: (c: any) => void): void {
  for (const list of [spec?.initContainers, spec?.containers, spec?.ephemeralContainers]) {
    if (Array.isArray(list)) for (const c of list) if (c && typeof c === 'object') visit(c);
  }
}
const sc = (c: any) => (c?.securityContext && typeof c.securityContext === 'object' ? c.securityContext : undefined);
const podSC = (spec: any) => (spec?.securityContext && typeof spec.securityContext === 'object' ? spec.securityContext : undefined);
const isWindows = (spec: any) => spec?.os?.name === 'windows';

function hostNamespaces(_m: Meta, spec: any): CheckResult {
  const bad: string[] = [];
  if (spec?.hostNetwork === true) bad.push('hostNetwork=true');
  if (spec?.hostPID === true) bad.push('hostPID=true');
  if (spec?.hostIPC === true) bad.push('hostIPC=true');
  return bad.length ? fail('host namespaces', bad.join(', ')) : ok;
}

function privileged(_m: Meta, spec: any): CheckResult {
  const bad: string[] = [];
  visitContainers(spec, (c) => { if (sc(c)?.privileged === true) bad.push(c.name); });
  return bad.length ? fail('privileged', `${containersPhrase(bad)} must not set securityContext.privileged=true`) : ok;
}

const DEFAULT_CAPABILITIES = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);
function capabilitiesBaseline(_m: Meta, spec: any): CheckResult {
  const bad: string[] = [];
  const caps = new Set<string>();
  visitContainers(spec, (c) => {
    let valid = true;
    for (const cap of asArray(sc(c)?.capabilities?.add)) if (!DEFAULT_CAPABILITIES.has(cap)) { valid = false; caps.add(cap); }
    if (!valid) bad.push(c.name);
  });
  return bad.length ? fail('non-default capabilities', `${containersPhrase(bad)} must not include ${joinQuote(sortedSet(caps))} in securityContext.capabilities.add`) : ok;
}
const asArray = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

function hostPathVolumes(_m: Meta, spec: any): CheckResult {
  const bad = (Array.isArray(spec?.volumes) ? spec.volumes : []).filter((v: any) => v?.hostPath != null).map((v: any) => v.name);
  return bad.length ? fail('hostPath volumes', `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)}`) : ok;
}

function hostPorts(_m: Meta, spec: any): CheckResult {
  const bad: string[] = [];
  const ports = new Set<string>();
  visitContainers(spec, (c) => {
    let valid = true;
    for (const p of Array.isArray(c.ports) ? c.ports : []) if (p?.hostPort) { valid = false; ports.add(String(p.hostPort)); }
    if (!valid) bad.push(c.name);
  });
  return bad.length
    ? fail('hostPort', `${containersPhrase(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('hostPort', 'hostPorts', ports.size)} ${sortedSet(ports).join(', ')}`)
    : ok;
}

function appArmorProfile(meta: Meta, spec: any): CheckResult {
  const allowedType = (t: unknown) => t === 'RuntimeDefault' || t === 'Localhost';
  const badSetters: string[] = [];
  const badValues = new Set<string>();
  const p = podSC(spec)?.appArmorProfile;
  if (p && !allowedType(p.type)) { badSetters.push('pod'); badValues.add(String(p.type ?? '')); }
  const bad: string[] = [];
  visitContainers(spec, (c) => {
    const cp = sc(c)?.appArmorProfile;
    if (cp && !allowedType(cp.type)) { bad.push(c.name); badValues.add(String(cp.type ?? '')); }
  });
  if (bad.length) badSetters.push(containersPhrase(bad));
  const annotations: string[] = [];
  for (const [k, v] of Object.entries(meta?.annotations ?? {})) {
    if (k.startsWith('container.apparmor.security.beta.kubernetes.io/') && !(v === '' || v === 'runtime/default' || v.startsWith('localhost/'))) {
      annotations.push(`${k}=${JSON.stringify(v)}`);
    }
  }
  const values = sortedSet(badValues);
  if (annotations.length) { values.push(...annotations.sort()); badSetters.push(pluralize('annotation', 'annotations', annotations.length)); }
  return badSetters.length
    ? fail(pluralize('forbidden AppArmor profile', 'forbidden AppArmor profiles', values.length), `${badSetters.join(' and ')} must not set AppArmor profile type to ${joinQuote(values)}`)
    : ok;
}

function seLinuxOptions(allowedTypes: Set<string>): CheckFn {
  return (_m, spec) => {
    const badSetters: string[] = [];
    const badTypes = new Set<string>();
    let setUser = false, setRole = false;
    const valid = (o: any) => {
      let v = true;
      const type = o.type ?? '';
      if (!allowedTypes.has(type)) { v = false; badTypes.add(type); }
      if (o.user) { v = false; setUser = true; }
      if (o.role) { v = false; setRole = true; }
      return v;
    };
    const po = podSC(spec)?.seLinuxOptions;
    if (po && typeof po === 'object' && !valid(po)) badSetters.push('pod');
    const bad: string[] = [];
    visitContainers(spec, (c) => { const o = sc(c)?.seLinuxOptions; if (o && typeof o === 'object' && !valid(o)) bad.push(c.name); });
    if (bad.length) badSetters.push(containersPhrase(bad));
    if (!badSetters.length) return ok;
    const data: string[] = [];
    if (badTypes.size) data.push(`${pluralize('type', 'types', badTypes.size)} ${joinQuote(sortedSet(badTypes))}`);
    if (setUser) data.push('user may not be set');
    if (setRole) data.push('role may not be set');
    return fail('seLinuxOptions', `${badSetters.join(' and ')} set forbidden securityContext.seLinuxOptions: ${data.join('; ')}`);
  };
}
const SELINUX_TYPES_1_0 = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);
const SELINUX_TYPES_1_31 = new Set([...SELINUX_TYPES_1_0, 'container_engine_t']);

function procMount(_m: Meta, spec: any): CheckResult {
  const bad: string[] = [];
  const types = new Set<string>();
  visitContainers(spec, (c) => {
    const pm = sc(c)?.procMount;
    if (pm != null && pm !== 'Default') { bad.push(c.name); types.add(String(pm)); }
  });
  return bad.length ? fail('procMount', `${containersPhrase(bad)} must not set securityContext.procMount to ${joinQuote(sortedSet(types))}`) : ok;
}

const validSeccomp = (t: unknown) => t === 'Localhost' || t === 'RuntimeDefault';
const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER_ANNOTATION = 'container.seccomp.security.alpha.kubernetes.io/';
function seccompBaseline_1_0(meta: Meta, spec: any): CheckResult {
  const validValue = (v: string) => v === 'runtime/default' || v === 'docker/default' || v.startsWith('localhost/');
  const bad = new Set<string>();
  const a = meta?.annotations ?? {};
  if (SECCOMP_POD_ANNOTATION in a && !validValue(a[SECCOMP_POD_ANNOTATION])) bad.add(`${SECCOMP_POD_ANNOTATION}=${JSON.stringify(a[SECCOMP_POD_ANNOTATION])}`);
  visitContainers(spec, (c) => {
    const k = SECCOMP_CONTAINER_ANNOTATION + c.name;
    if (k in a && !validValue(a[k])) bad.add(`${k}=${JSON.stringify(a[k])}`);
  });
  return bad.size ? fail('seccompProfile', `forbidden ${pluralize('annotation', 'annotations', bad.size)} ${sortedSet(bad).join(', ')}`) : ok;
}
/** seccompProfile at baseline (any explicit profile must be RuntimeDefault or Localhost) or restricted (one must be set). */
function seccomp(required: boolean): CheckFn {
  return (_m, spec) => {
    if (required && isWindows(spec)) return ok;
    const badSetters: string[] = [];
    const badValues = new Set<string>();
    let podSet = false;
    const p = podSC(spec)?.seccompProfile;
    if (p) { if (!validSeccomp(p.type)) { badSetters.push('pod'); badValues.add(String(p.type ?? '')); } else podSet = true; }
    const explicit: string[] = [];
    const implicit: string[] = [];
    visitContainers(spec, (c) => {
      const cp = sc(c)?.seccompProfile;
      if (cp) { if (!validSeccomp(cp.type)) { explicit.push(c.name); badValues.add(String(cp.type ?? '')); } }
      else if (!podSet) implicit.push(c.name);
    });
    if (explicit.length) badSetters.push(containersPhrase(explicit));
    if (badSetters.length) return fail('seccompProfile', `${badSetters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(badValues))}`);
    if (required && implicit.length) return fail('seccompProfile', `pod or ${containersPhrase(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`);
    return ok;
  };
}

const SYSCTLS_1_0 = ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_unprivileged_port_start'];
const SYSCTLS_1_27 = [...SYSCTLS_1_0, 'net.ipv4.ip_local_reserved_ports'];
const SYSCTLS_1_29 = [...SYSCTLS_1_27, 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes'];
const SYSCTLS_1_32 = [...SYSCTLS_1_29, 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'];
function sysctls(allowed: string[]): CheckFn {
  const set = new Set(allowed);
  return (_m, spec) => {
    const list = podSC(spec)?.sysctls;
    const bad = (Array.isArray(list) ? list : []).map((s: any) => s?.name).filter((n: unknown) => !set.has(n as string));
    return bad.length ? fail('forbidden sysctls', bad.join(', ')) : ok;
  };
}

function windowsHostProcess(_m: Meta, spec: any): CheckResult {
  const bad: string[] = [];
  visitContainers(spec, (c) => { if (sc(c)?.windowsOptions?.hostProcess === true) bad.push(c.name); });
  const setters: string[] = [];
  if (podSC(spec)?.windowsOptions?.hostProcess === true) setters.push('pod');
  if (bad.length) setters.push(containersPhrase(bad));
  return setters.length ? fail('hostProcess', `${setters.join(' and ')} must not set securityContext.windowsOptions.hostProcess=true`) : ok;
}

function allowPrivilegeEscalation(windowsExempt: boolean): CheckFn {
  return (_m, spec) => {
    if (windowsExempt && isWindows(spec)) return ok;
    const bad: string[] = [];
    visitContainers(spec, (c) => { if (sc(c)?.allowPrivilegeEscalation !== false) bad.push(c.name); });
    return bad.length ? fail('allowPrivilegeEscalation != false', `${containersPhrase(bad)} must set securityContext.allowPrivilegeEscalation=false`) : ok;
  };
}

function capabilitiesRestricted(windowsExempt: boolean): CheckFn {
  return (_m, spec) => {
    if (windowsExempt && isWindows(spec)) return ok;
    const missingDrop: string[] = [];
    const adding: string[] = [];
    const caps = new Set<string>();
    visitContainers(spec, (c) => {
      const capabilities = sc(c)?.capabilities;
      if (!capabilities) { missingDrop.push(c.name); return; }
      if (!asArray(capabilities.drop).includes('ALL')) missingDrop.push(c.name);
      let added = false;
      for (const cap of asArray(capabilities.add)) if (cap !== 'NET_BIND_SERVICE') { added = true; caps.add(cap); }
      if (added) adding.push(c.name);
    });
    const details: string[] = [];
    if (missingDrop.length) details.push(`${containersPhrase(missingDrop)} must set securityContext.capabilities.drop=["ALL"]`);
    if (adding.length) details.push(`${containersPhrase(adding)} must not include ${joinQuote(sortedSet(caps))} in securityContext.capabilities.add`);
    return details.length ? fail('unrestricted capabilities', details.join('; ')) : ok;
  };
}

const ALLOWED_RESTRICTED_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
const KNOWN_RESTRICTED_VOLUMES = ['hostPath', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'nfs', 'iscsi', 'glusterfs', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'fc', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume', 'scaleIO', 'storageos'];
function restrictedVolumes(_m: Meta, spec: any): CheckResult {
  const bad: string[] = [];
  const types = new Set<string>();
  for (const v of Array.isArray(spec?.volumes) ? spec.volumes : []) {
    if (!v || typeof v !== 'object' || ALLOWED_RESTRICTED_VOLUMES.some((t) => v[t] != null)) continue;
    bad.push(v.name);
    types.add(KNOWN_RESTRICTED_VOLUMES.find((t) => v[t] != null) ?? 'unknown');
  }
  return bad.length
    ? fail('restricted volume types', `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('restricted volume type', 'restricted volume types', types.size)} ${joinQuote(sortedSet(types))}`)
    : ok;
}

function runAsNonRoot(_m: Meta, spec: any): CheckResult {
  const badSetters: string[] = [];
  let podNonRoot = false;
  const p = podSC(spec)?.runAsNonRoot;
  if (p != null) { if (p !== true) badSetters.push('pod'); else podNonRoot = true; }
  const explicit: string[] = [];
  const implicit: string[] = [];
  visitContainers(spec, (c) => {
    const v = sc(c)?.runAsNonRoot;
    if (v != null) { if (v !== true) explicit.push(c.name); } else if (!podNonRoot) implicit.push(c.name);
  });
  if (explicit.length) badSetters.push(containersPhrase(explicit));
  if (badSetters.length) return fail('runAsNonRoot != true', `${badSetters.join(' and ')} must not set securityContext.runAsNonRoot=false`);
  if (implicit.length) return fail('runAsNonRoot != true', `pod or ${containersPhrase(implicit)} must set securityContext.runAsNonRoot=true`);
  return ok;
}

function runAsUser(_m: Meta, spec: any): CheckResult {
  const badSetters: string[] = [];
  if (podSC(spec)?.runAsUser === 0) badSetters.push('pod');
  const bad: string[] = [];
  visitContainers(spec, (c) => { if (sc(c)?.runAsUser === 0) bad.push(c.name); });
  if (bad.length) badSetters.push(containersPhrase(bad));
  return badSetters.length ? fail('runAsUser=0', `${badSetters.join(' and ')} must not set runAsUser=0`) : ok;
}

/** Every check, with upstream's IDs, levels and versions. */
const CHECKS: Check[] = [
  { id: 'appArmorProfile', level: 'baseline', versions: [{ minimumVersion: 0, checkPod: appArmorProfile }] },
  { id: 'capabilities_baseline', level: 'baseline', versions: [{ minimumVersion: 0, checkPod: capabilitiesBaseline }] },
  { id: 'hostNamespaces', level: 'baseline', versions: [{ minimumVersion: 0, checkPod: hostNamespaces }] },
  { id: 'hostPathVolumes', level: 'baseline', versions: [{ minimumVersion: 0, checkPod: hostPathVolumes }] },
  { id: 'hostPorts', level: 'baseline', versions: [{ minimumVersion: 0, checkPod: hostPorts }] },
  { id: 'privileged', level: 'baseline', versions: [{ minimumVersion: 0, checkPod: privileged }] },
  { id: 'procMount', level: 'baseline', versions: [{ minimumVersion: 0, checkPod: procMount }] },
  { id: 'seLinuxOptions', level: 'baseline', versions: [{ minimumVersion: 0, checkPod: seLinuxOptions(SELINUX_TYPES_1_0) }, { minimumVersion: 31, checkPod: seLinuxOptions(SELINUX_TYPES_1_31) }] },
  { id: 'seccompProfile_baseline', level: 'baseline', versions: [{ minimumVersion: 0, checkPod: seccompBaseline_1_0 }, { minimumVersion: 19, checkPod: seccomp(false) }] },
  { id: 'sysctls', level: 'baseline', versions: [{ minimumVersion: 0, checkPod: sysctls(SYSCTLS_1_0) }, { minimumVersion: 27, checkPod: sysctls(SYSCTLS_1_27) }, { minimumVersion: 29, checkPod: sysctls(SYSCTLS_1_29) }, { minimumVersion: 32, checkPod: sysctls(SYSCTLS_1_32) }] },
  { id: 'windowsHostProcess', level: 'baseline', versions: [{ minimumVersion: 0, checkPod: windowsHostProcess }] },
  { id: 'allowPrivilegeEscalation', level: 'restricted', versions: [{ minimumVersion: 8, checkPod: allowPrivilegeEscalation(false) }, { minimumVersion: 25, checkPod: allowPrivilegeEscalation(true) }] },
  { id: 'capabilities_restricted', level: 'restricted', versions: [{ minimumVersion: 22, checkPod: capabilitiesRestricted(false), overrides: ['capabilities_baseline'] }, { minimumVersion: 25, checkPod: capabilitiesRestricted(true), overrides: ['capabilities_baseline'] }] },
  { id: 'restrictedVolumes', level: 'restricted', versions: [{ minimumVersion: 0, checkPod: restrictedVolumes, overrides: ['hostPathVolumes'] }] },
  { id: 'runAsNonRoot', level: 'restricted', versions: [{ minimumVersion: 0, checkPod: runAsNonRoot }] },
  { id: 'runAsUser', level: 'restricted', versions: [{ minimumVersion: 23, checkPod: runAsUser }] },
  { id: 'seccompProfile_restricted', level: 'restricted', versions: [{ minimumVersion: 19, checkPod: seccomp(true), overrides: ['seccompProfile_baseline'] }, { minimumVersion: 25, checkPod: seccomp(true), overrides: ['seccompProfile_baseline'] }] },
];

/** The version of a check in force at policy minor `minor`, if the check exists then. */
const versionAt = (c: Check, minor: number) => [...c.versions].reverse().find((v) => v.minimumVersion <= minor);

/** Runs the checks of a level at a version (upstream's Evaluator.EvaluatePod); privileged runs none. */
export function evaluatePod(lv: LevelVersion, meta: Meta, spec: any): CheckResult[] {
  if (lv.level === 'privileged') return [];
  const minor = lv.version === 'latest' || lv.version > LATEST_POLICY_MINOR ? LATEST_POLICY_MINOR : lv.version;
  const active = CHECKS.map((c) => ({ c, v: versionAt(c, minor) })).filter((x) => x.v && (lv.level === 'restricted' || x.c.level === 'baseline'));
  const overridden = new Set(lv.level === 'restricted' ? active.flatMap((x) => x.v!.overrides ?? []) : []);
  return active.filter((x) => !overridden.has(x.c.id)).map((x) => x.v!.checkPod(meta, spec ?? {}));
}

export interface AggregateResult { allowed: boolean; reasons: string[]; details: string[] }

export function aggregate(results: CheckResult[]): AggregateResult {
  const failed = results.filter((r) => !r.allowed);
  return { allowed: failed.length === 0, reasons: failed.map((r) => r.forbiddenReason || 'unknown forbidden reason'), details: failed.map((r) => r.forbiddenDetail ?? '') };
}

/** "reason (detail), reason (detail)", as upstream's ForbiddenDetail. */
export const forbiddenDetail = (a: AggregateResult) => a.reasons.map((r, i) => (a.details[i] ? `${r} (${a.details[i]})` : r)).join(', ');
/** "reason, reason", as upstream's ForbiddenReason. */
export const forbiddenReason = (a: AggregateResult) => a.reasons.join(', ');

export const levelVersionString = (lv: LevelVersion) => `${lv.level}:${lv.version === 'latest' ? 'latest' : `v1.${lv.version}`}`;
