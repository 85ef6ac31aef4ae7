// What a container on a well-known base image (the host's root filesystem, host-base.ts) must not see of this
// host: the data of its users, services and other clusters. A real python or debian image has an empty /tmp,
// /root and /home, no /var/lib/etcd, no host keys and no /work; so does the host root view (overlay.ts), whose
// topmost read-only layer is a small tmpfs holding this "scrub":
//   - top-level names a Debian-like image does not have (/work, /data, lost+found...): whiteouts;
//   - folders users and services fill (/tmp, /root, /home, /run, /var/log, ...): opaque, so they show empty;
//   - /var/lib: whiteouts for all but the package manager's state (so RUN apt-get and pip still work);
//   - the host's password hashes and private keys (/etc/shadow, /etc/ssh, /etc/ssl/private): hidden.
// Image layers above the view still add files anywhere (COPY into /home/app shows as usual). The names are read
// when the view is mounted; the view is read-only and lasts as long as the runtime or the RUN step that mounted it.
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { mknod } from './mknod.js';

/** The top-level names of a Debian-like image's root; any other entry of the host's "/" is hidden. */
const IMAGE_TOP_LEVEL = new Set(['bin', 'boot', 'dev', 'etc', 'home', 'lib', 'lib32', 'lib64', 'libx32', 'media', 'mnt', 'opt',
  'proc', 'root', 'run', 'sbin', 'srv', 'sys', 'tmp', 'usr', 'var']);

/** Shown empty, as in an image. */
const EMPTIED = ['boot', 'home', 'media', 'mnt', 'root', 'run', 'srv', 'tmp', 'var/backups', 'var/log', 'var/mail', 'var/spool', 'var/tmp',
  'etc/ssh', 'etc/ssl/private'];

/** What /var/lib keeps: the package managers' state. */
const VAR_LIB_KEPT = new Set(['apt', 'dpkg', 'misc', 'pam', 'python', 'ucf']);

/** Files hidden outright. */
const HIDDEN_FILES = ['etc/shadow', 'etc/shadow-', 'etc/gshadow', 'etc/gshadow-'];

/** The host's python3 (Debian's first), or undefined: what python base images and this scrub run. */
export const hostPython = () => ['/usr/bin/python3', '/usr/local/bin/python3'].find((p) => existsSync(p));

const exists = (p: string) => { try { lstatSync(p); return true; } catch { return false; } };
const isDir = (p: string) => { try { return lstatSync(p).isDirectory(); } catch { return false; } };
const entries = (p: string) => { try { return readdirSync(p); } catch { return []; } };

/**
 * Writes the scrub for `hostRoot` (normally "/") into `dir`, an empty folder on a filesystem that takes device nodes
 * and trusted.* extended attributes (tmpfs, ext4). Needs root.
 */
export function writeHostRootScrub(dir: string, hostRoot = '/'): void {
  const whiteout = (rel: string) => { if (!exists(join(dir, rel))) mknod(join(dir, rel)); };
  for (const name of entries(hostRoot)) if (!IMAGE_TOP_LEVEL.has(name)) whiteout(name);
  const opaque: string[] = [];
  for (const rel of EMPTIED) {
    if (!isDir(join(hostRoot, rel))) continue;
    mkdirSync(join(dir, rel), { recursive: true });
    opaque.push(join(dir, rel));
  }
  for (const name of entries(join(hostRoot, 'var/lib'))) {
    if (VAR_LIB_KEPT.has(name)) continue;
    mkdirSync(join(dir, 'var/lib'), { recursive: true });
    whiteout(join('var/lib', name));
  }
  for (const rel of HIDDEN_FILES) {
    if (!exists(join(hostRoot, rel))) continue;
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    whiteout(rel);
  }
  if (!opaque.length) return;
  // Node.js cannot set extended attributes; python3 can (and is on every host that runs python images). Without
  // it, each entry the folders hold now is whited out instead.
  const py = hostPython();
  if (py) {
    execFileSync(py, ['-c', 'import os, sys\nfor p in sys.argv[1:]: os.setxattr(p, "trusted.overlay.opaque", b"y")', ...opaque], { stdio: ['ignore', 'ignore', 'pipe'] });
    return;
  }
  for (const d of opaque) {
    const rel = d.slice(dir.length + 1);
    for (const name of entries(join(hostRoot, rel))) whiteout(join(rel, name));
  }
}
