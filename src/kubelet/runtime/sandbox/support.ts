// Whether this host can run runc sandboxes: a small module of its own, so callers can ask (tests deciding to skip,
// the kubelet's public surface) without loading the runtimes themselves.
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { findCniBinDir } from './cni.js';

/** Why runc sandboxes cannot run here, or null when they can. */
export function runcUnavailableReason(): string | null {
  if (process.platform !== 'linux') return `${process.platform} is not Linux`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'not running as root';
  if (spawnSync('runc', ['--version']).status !== 0) return 'runc not found (apt-get install runc)';
  if (!findCniBinDir()) return 'CNI plugins not found in /usr/lib/cni or /opt/cni/bin (apt-get install containernetworking-plugins)';
  if (spawnSync('unshare', ['--version']).status !== 0) return 'unshare (util-linux) not found';
  // Root in a container without privileges cannot make namespaces: try, as a pod sandbox would.
  if (spawnSync('unshare', ['--net', '--uts', '--ipc', '--pid', '--fork', 'true']).status !== 0) return 'this process may not create namespaces (an unprivileged container?)';
  if (!fs.readFileSync('/proc/filesystems', 'utf8').includes('overlay')) return 'the kernel has no overlay filesystem';
  return null;
}
