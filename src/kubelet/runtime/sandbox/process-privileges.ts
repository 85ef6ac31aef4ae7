// How process mode gives a container's processes the securityContext the kubelet asked for. Node.js cannot
// setuid/setgroups/capset in a child, so the program is started through util-linux programs that change the
// process and then exec it (the same pid, no extra process left running):
//   - `setpriv --reuid U --regid G --groups G,... --bounding-set -all,+cap,... [--no-new-privs] --` sets the user,
//     group and groups (as containerd: the primary group, the user's groups in /etc/group, fsGroup and
//     supplementalGroups), containerd's capability set as the bounding set (a root process execs with exactly those;
//     a non-root one with none, as under runc) and no_new_privs;
//   - readOnlyRootFilesystem: `unshare --mount` and a shell that remounts the host's file systems read-only in that
//     new mount namespace (all but /proc, /sys and /dev) before exec'ing the rest; exec'd processes join it with
//     `nsenter --mount=/proc/<main pid>/ns/mnt`.
// As root on Linux every setting is honoured; a container without any securityContext still gets the default
// capability set, and HOME (when its env has none) is its user's home from /etc/passwd, as runc sets it. Without root the process can only be the node's own user, with no capabilities: runAsUser,
// runAsGroup or groups other than the node's, and readOnlyRootFilesystem, are refused with an error saying so
// (CreateContainerError) rather than ignored; no_new_privs is still set (setpriv needs no privilege for it).
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { ImageRuntimeConfig } from '../../../images/index.js';
import type { ContainerConfig } from '../runtime.js';
import { containerCapabilities } from './capabilities.js';
import { resolveUser } from './oci-spec.js';

/** Remounts every mount but the kernel's virtual ones read-only, then execs its arguments. */
const READ_ONLY_ROOT = 'mount -o remount,bind,ro / || exit 126; '
  + 'while read -r _ _ _ _ mp _; do case "$mp" in /|/proc|/proc/*|/sys|/sys/*|/dev|/dev/*) ;; *) mount -o remount,bind,ro "$mp" 2>/dev/null;; esac; done < /proc/self/mountinfo; '
  + 'exec "$@"';

const found = new Map<string, boolean>();
function have(program: string): boolean {
  let ok = found.get(program);
  if (ok === undefined) { ok = spawnSync(program, ['--version']).status === 0; found.set(program, ok); }
  return ok;
}

export interface ProcessPrivileges {
  /** argv to put before the container's own (empty when nothing is to change). */
  main: string[];
  /** argv to put before an exec'd command, given the main process's pid. */
  exec(mainPid: number): string[];
  /** HOME when the container's env has none: the user's home in /etc/passwd, else "/" (as runc sets it). */
  home?: string;
}

/**
 * The wrappers for a container, or an Error saying which setting cannot be honoured here. `lookupRoot` is where
 * the image's /etc/passwd and /etc/group are (the image's own files, else the host's root).
 */
export function processPrivileges(config: ContainerConfig, image: ImageRuntimeConfig, lookupRoot: string): ProcessPrivileges {
  const sc = config.linux?.securityContext ?? {};
  const root = process.platform === 'linux' && process.getuid?.() === 0;
  if (!root) return unprivileged(config);
  if (!have('setpriv')) {
    if (Object.keys(sc).length) throw new Error('the container\'s securityContext cannot be honoured: setpriv (util-linux) not found');
    return { main: [], exec: () => [] };
  }
  const user = resolveUser(config, image, lookupRoot);
  let home = '/';
  try {
    const entry = fs.readFileSync(path.join(lookupRoot, 'etc/passwd'), 'utf8').split('\n').find((l) => l.split(':')[2] === String(user.uid));
    home = entry?.split(':')[5] || '/';
  } catch { /* no passwd file */ }
  const caps = containerCapabilities(sc).map((c) => `+${c.slice(4).toLowerCase()}`);
  const setpriv = ['setpriv', '--reuid', String(user.uid), '--regid', String(user.gid), '--groups', user.additionalGids.join(','),
    '--bounding-set', ['-all', ...caps].join(','), ...(sc.noNewPrivs ? ['--no-new-privs'] : []), '--'];
  if (!sc.readonlyRootfs) return { main: setpriv, exec: () => setpriv, home };
  for (const p of ['unshare', 'nsenter', 'mount']) if (!have(p)) throw new Error(`readOnlyRootFilesystem cannot be honoured: ${p} (util-linux) not found`);
  return {
    main: ['unshare', '--mount', '--propagation', 'private', '--', '/bin/sh', '-c', READ_ONLY_ROOT, 'nanokube-read-only-root', ...setpriv],
    exec: (pid) => ['nsenter', `--mount=/proc/${pid}/ns/mnt`, '--', ...setpriv],
    home,
  };
}

function unprivileged(config: ContainerConfig): ProcessPrivileges {
  const sc = config.linux?.securityContext ?? {};
  const uid = process.getuid?.();
  const gid = process.getgid?.();
  const groups = new Set([gid, ...(process.getgroups?.() ?? [])]);
  const how = 'start nanokube as root to run pods as other users';
  if (sc.runAsUser !== undefined && sc.runAsUser !== uid) throw new Error(`runAsUser ${sc.runAsUser} cannot be honoured: pods run as plain processes of nanokube's own user (uid ${uid}) here; ${how}`);
  if (sc.runAsGroup !== undefined && sc.runAsGroup !== gid) throw new Error(`runAsGroup ${sc.runAsGroup} cannot be honoured: pods run as plain processes of nanokube's own group (gid ${gid}) here; ${how}`);
  const missing = (sc.supplementalGroups ?? []).filter((g) => !groups.has(g));
  if (missing.length) throw new Error(`fsGroup/supplementalGroups ${missing.join(', ')} cannot be honoured: pods run as plain processes with nanokube's own groups (${[...groups].join(', ')}) here; ${how}`);
  if (sc.readonlyRootfs) throw new Error('readOnlyRootFilesystem cannot be honoured: pods run as plain processes on the host\'s file system here, which only root may remount read-only; start nanokube as root');
  const nnp = sc.noNewPrivs && process.platform === 'linux' && have('setpriv') ? ['setpriv', '--no-new-privs', '--'] : [];
  return { main: nnp, exec: () => nnp };
}

/** Where a process-mode container's users and groups are looked up: its image's own /etc, else the host's. */
export function userLookupRoot(imageFiles: string | null): string {
  return imageFiles && fs.existsSync(path.join(imageFiles, 'etc/passwd')) ? imageFiles : '/';
}
