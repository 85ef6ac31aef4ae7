// securityContext validation with upstream's paths and messages (pkg/apis/core/validation: ValidateSecurityContext
// for containers, validatePodSpecSecurityContext for the pod): user and group ids in 0..2147483647, a known
// fsGroupChangePolicy, shareProcessNamespace not with hostPID, and allowPrivilegeEscalation: false refused beside
// privileged: true or an added CAP_SYS_ADMIN (only that spelling, as upstream). The invalid whole-object values are
// shown as JSON where upstream prints a Go struct.
import { FieldError } from '../../../../api/errors.js';

const MAX_ID = 2147483647;
const idMessage = (v: unknown): string[] => (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_ID ? [] : [`must be between 0 and ${MAX_ID}, inclusive`]);
const FS_GROUP_CHANGE_POLICIES = ['OnRootMismatch', 'Always'];

export function validateContainerSecurityContext(sc: any, path: string): FieldError[] {
  if (sc == null) return [];
  const errs: FieldError[] = [];
  for (const k of ['runAsUser', 'runAsGroup'] as const) {
    if (sc[k] != null) for (const m of idMessage(sc[k])) errs.push(FieldError.invalid(`${path}.${k}`, sc[k], m));
  }
  if (sc.allowPrivilegeEscalation === false) {
    if (sc.privileged === true) errs.push(FieldError.invalid(path, sc, 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'));
    for (const cap of sc.capabilities?.add ?? []) {
      if (cap === 'CAP_SYS_ADMIN') errs.push(FieldError.invalid(path, sc, 'cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN'));
    }
  }
  return errs;
}

export function validatePodSecurityContext(spec: any, path: string): FieldError[] {
  const sc = spec?.securityContext;
  if (sc == null) return [];
  const errs: FieldError[] = [];
  for (const k of ['fsGroup', 'runAsUser', 'runAsGroup'] as const) {
    if (sc[k] != null) for (const m of idMessage(sc[k])) errs.push(FieldError.invalid(`${path}.${k}`, sc[k], m));
  }
  (sc.supplementalGroups ?? []).forEach((g: unknown, i: number) => {
    for (const m of idMessage(g)) errs.push(FieldError.invalid(`${path}.supplementalGroups[${i}]`, g, m));
  });
  if (spec.shareProcessNamespace === true && spec.hostPID === true) {
    errs.push(FieldError.invalid(`${path}.shareProcessNamespace`, true, 'ShareProcessNamespace and HostPID cannot both be enabled'));
  }
  if (sc.fsGroupChangePolicy != null && !FS_GROUP_CHANGE_POLICIES.includes(sc.fsGroupChangePolicy)) {
    errs.push(FieldError.notSupported(`${path}.fsGroupChangePolicy`, sc.fsGroupChangePolicy, FS_GROUP_CHANGE_POLICIES));
  }
  return errs;
}
