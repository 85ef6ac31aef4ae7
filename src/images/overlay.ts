// Mounting an image's layers as a container root filesystem with overlayfs, for builds (RUN) and runtimes.
//
// The host root "/" as a lowerdir needs care: overlayfs refuses a lowerdir that lies inside another lowerdir
// ("overlapping lowerdir path", ELOOP), and every unpacked layer folder lies inside "/" when they share its
// filesystem. So "/" goes in through a read-only overlay view of itself (lowerdir=<empty tmpfs>:/), a separate
// superblock whose root is no ancestor of the layer folders. The view shows what "/" shows as a lowerdir: the root
// filesystem without the mounts under it (/proc, /dev, ...), and without what host-root-scrub.ts hides (the tmpfs
// is the view's top layer and holds that scrub), so it is used even for an image whose only layer is "/".
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeHostRootScrub } from './host-root-scrub.js';

/** Mount options for layers given lowest first (overlayfs lists them topmost first). */
export function overlayOptions(layers: string[], upper: string, work: string): string {
  for (const p of [...layers, upper, work]) {
    if (/[:,\\]/.test(p)) throw new Error(`cannot use ${p} in an overlay mount: its path holds ':', ',' or '\\'; use a NANOKUBE_HOME without them`);
  }
  return `lowerdir=${[...layers].reverse().join(':')},upperdir=${upper},workdir=${work},index=off,redirect_dir=off,metacopy=off`;
}

function mountedAt(path: string): boolean {
  try {
    return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === path);
  } catch { return false; }
}

/**
 * Mounts (once; idempotent) the read-only view of the host root under `dir` (dir/empty: a tiny tmpfs, dir/root:
 * the view) in this process's mount namespace, and returns dir/root, to stand for "/" in a lowerdir list. Needs
 * root. Runtimes mount it under their own state folder and unmount it with unmountHostRootView on shutdown.
 */
export function mountHostRootView(dir: string): string {
  const empty = join(dir, 'empty');
  const root = join(dir, 'root');
  // Known mounted by this process: no reading of /proc/self/mountinfo (long on a busy node) at every container start.
  if (mountedViews.has(root)) return root;
  if (mountedAt(root)) { mountedViews.add(root); return root; }
  mkdirSync(empty, { recursive: true });
  mkdirSync(root, { recursive: true });
  if (!mountedAt(empty)) execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=755', 'nanokube-empty', empty], { stdio: ['ignore', 'ignore', 'pipe'] });
  writeHostRootScrub(empty);
  execFileSync('mount', ['-t', 'overlay', '-o', `ro,lowerdir=${empty}:/`, 'nanokube-hostroot', root], { stdio: ['ignore', 'ignore', 'pipe'] });
  mountedViews.add(root);
  return root;
}

/** Host root views this process mounted and has not unmounted. */
const mountedViews = new Set<string>();

export function unmountHostRootView(dir: string): void {
  mountedViews.delete(join(dir, 'root'));
  for (const p of [join(dir, 'root'), join(dir, 'empty')]) {
    if (existsSync(p) && mountedAt(p)) execFileSync('umount', ['-l', p], { stdio: ['ignore', 'ignore', 'pipe'] });
  }
}

/**
 * The lowerdir list (lowest first) for an image's layers as the store resolves them: "/" replaced by the host
 * root view, scrubbed of the host's own data (host-root-scrub.ts; mounted under `hostRootDir` on first use).
 */
export function lowerdirsFor(layers: string[], hostRootDir: string): string[] {
  if (!layers.includes('/')) return layers;
  const view = mountHostRootView(hostRootDir);
  return layers.map((l) => (l === '/' ? view : l));
}
