// A container's security context as the kubelet hands it to the runtime (upstream's
// pkg/securitycontext.DetermineEffectiveSecurityContext and kuberuntime's determineEffectiveSecurityContext and
// verifyRunAsNonRoot):
//   - the pod's securityContext supplies runAsUser, runAsGroup and runAsNonRoot where the container's leaves them
//     unset (the container wins); capabilities, privileged, readOnlyRootFilesystem and allowPrivilegeEscalation
//     exist on the container only;
//   - supplemental groups are the pod's fsGroup, then its supplementalGroups;
//   - no_new_privs is set only when allowPrivilegeEscalation is explicitly false (AddNoNewPrivileges);
//   - runAsNonRoot refuses (CreateContainerConfigError, upstream's text) a container whose user is root: runAsUser
//     0, or no runAsUser and an image USER that is 0 or unset; an image USER that is a name cannot be checked and is
//     refused too. The image USER's uid is read as containerd reports it (the part before ':', numeric or a name).
import type { Container, Pod, SecurityContext } from 'kubernetes-types/core/v1.js';
import { ContainerConfigError } from './envvars/errors.js';
import type { ContainerConfig } from './runtime/runtime.js';

type LinuxSecurityContext = NonNullable<NonNullable<ContainerConfig['linux']>['securityContext']>;

/** The container's securityContext with the pod's runAsUser/runAsGroup/runAsNonRoot under it. */
export function effectiveSecurityContext(pod: Pod, c: Container): SecurityContext {
  const podSc = pod.spec?.securityContext ?? {};
  const sc: SecurityContext = { ...(c.securityContext ?? {}) };
  if (sc.runAsUser == null && podSc.runAsUser != null) sc.runAsUser = podSc.runAsUser;
  if (sc.runAsGroup == null && podSc.runAsGroup != null) sc.runAsGroup = podSc.runAsGroup;
  if (sc.runAsNonRoot == null && podSc.runAsNonRoot != null) sc.runAsNonRoot = podSc.runAsNonRoot;
  return sc;
}

/** The CRI LinuxContainerSecurityContext of a container of the pod. */
export function runtimeSecurityContext(pod: Pod, c: Container): LinuxSecurityContext {
  const sc = effectiveSecurityContext(pod, c);
  const podSc = pod.spec?.securityContext ?? {};
  const groups = [...(podSc.fsGroup != null ? [podSc.fsGroup] : []), ...(podSc.supplementalGroups ?? [])];
  return {
    ...(sc.runAsUser != null ? { runAsUser: sc.runAsUser } : {}),
    ...(sc.runAsGroup != null ? { runAsGroup: sc.runAsGroup } : {}),
    ...(groups.length ? { supplementalGroups: groups } : {}),
    ...(sc.readOnlyRootFilesystem ? { readonlyRootfs: true } : {}),
    ...(sc.privileged ? { privileged: true } : {}),
    ...(sc.capabilities ? { capabilities: { addCapabilities: sc.capabilities.add ?? [], dropCapabilities: sc.capabilities.drop ?? [] } } : {}),
    ...(sc.allowPrivilegeEscalation === false ? { noNewPrivs: true } : {}),
  };
}

/** upstream's format.Pod: name_namespace(uid). */
const podDesc = (pod: Pod) => `${pod.metadata?.name}_${pod.metadata?.namespace ?? 'default'}(${pod.metadata?.uid ?? ''})`;

/** The image USER as containerd's image status reports it: a numeric uid, or a user name, or root when unset. */
export function imageUser(user: string | undefined): { uid?: number; username?: string } {
  const u = (user ?? '').split(':')[0]!.trim();
  if (u === '') return { uid: 0 };
  return /^\d+$/.test(u) ? { uid: Number(u) } : { username: u };
}

/** Throws CreateContainerConfigError when runAsNonRoot is asked and the container would (or might) run as root. */
export function verifyRunAsNonRoot(pod: Pod, c: Container, imageUserField: string | undefined): void {
  const sc = effectiveSecurityContext(pod, c);
  if (!sc.runAsNonRoot) return;
  const fail = (msg: string) => { throw new ContainerConfigError('CreateContainerConfigError', msg); };
  if (sc.runAsUser != null) {
    if (sc.runAsUser === 0) fail(`container's runAsUser breaks non-root policy (pod: "${podDesc(pod)}", container: ${c.name})`);
    return;
  }
  const { uid, username } = imageUser(imageUserField);
  if (uid === undefined && username) fail(`container has runAsNonRoot and image has non-numeric user (${username}), cannot verify user is non-root (pod: "${podDesc(pod)}", container: ${c.name})`);
  if (uid === 0) fail(`container has runAsNonRoot and image will run as root (pod: "${podDesc(pod)}", container: ${c.name})`);
  if (uid !== undefined && uid > 2147483647) fail(`container has runAsNonRoot and image has an invalid user id (${uid}). (Must be 1-(2147483647)): must be between 0 and 2147483647, inclusive (pod: "${podDesc(pod)}", container: ${c.name})`);
}
