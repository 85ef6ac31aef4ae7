// Runs a command inside an image being built, as `docker build` runs RUN: the image's layers as overlay lowerdirs
// plus a fresh upper dir that becomes the step's layer, entered in its own mount and PID namespaces (unshare) with
// the overlay as root (unshare --root, a chroot), /proc mounted, the host's /dev and /etc/resolv.conf (and
// /etc/hosts) bound in. Nothing it does reaches the host's files; what it writes lands in the upper dir. Needs
// root; the mounts vanish with the namespace, and the script unmounts them itself so the upper dir is settled
// when this resolves.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { statInImage } from './image-fs.js';
import { overlayOptions } from './overlay.js';

export interface RunInImageOptions {
  /** Unpacked layer folders, lowest first ("/" for the host root). */
  layers: string[];
  /** Empty folders: the new layer (upper), overlay's workdir and the mount point; on the same filesystem. */
  upper: string;
  work: string;
  mountpoint: string;
  argv: string[];
  /** "KEY=value" entries: the whole environment the command sees. */
  env: string[];
  workingDir: string;
  user?: { uid: number; gid: number };
  stdout: Writable;
  stderr: Writable;
}

export class RunNeedsRootError extends Error {
  constructor() {
    super('RUN needs root: it mounts an overlay of the image and enters it with unshare and chroot; run the build as root (sudo), or build without RUN steps');
    this.name = 'RunNeedsRootError';
  }
}

// Setup failures (a mount refused) exit 125, as docker's own failures do, with the reason in $errfile; the
// command's own exit code is passed through.
const SCRIPT = `root="$1"; opts="$2"; hostroot="$3"; errfile="$4"; node="$5"; scrub="$6"; shift 6
setup() { "$@" 2>>"$errfile" || { echo "($*)" >>"$errfile"; exit 125; }; }
if [ -n "$hostroot" ]; then
  setup mount -t tmpfs -o size=1m,mode=755 nanokube-empty "$hostroot/empty"
  setup "$node" --input-type=module -e "import { writeHostRootScrub } from '$scrub'; writeHostRootScrub(process.argv[1]);" "$hostroot/empty"
  setup mount -t overlay -o ro,lowerdir="$hostroot/empty:/" nanokube-hostroot "$hostroot/root"
fi
setup mount -t overlay overlay -o "$opts" "$root"
setup mount -t proc proc "$root/proc"
setup mount --rbind /dev "$root/dev"
for f in /etc/resolv.conf /etc/hosts; do
  if [ -f "$f" ] && [ -f "$root$f" ] && [ ! -L "$root$f" ]; then setup mount --bind "$f" "$root$f"; fi
done
"$@"
rc=$?
umount -R "$root" 2>/dev/null || umount -R -l "$root"
exit $rc
`;

/** Mount points the run needs that the image may lack; made in the upper dir and removed again if still empty. */
const MOUNT_POINTS = ['proc', 'dev'];

export async function runInImage(o: RunInImageOptions): Promise<number> {
  if (process.getuid?.() !== 0) throw new RunNeedsRootError();
  for (const p of [...o.layers, o.upper, o.work]) {
    if (/[:,]/.test(p)) throw new Error(`cannot use ${p} as an overlay layer: its path holds ':' or ','; move NANOKUBE_HOME`);
  }
  const made: string[] = [];
  for (const m of MOUNT_POINTS) {
    if (!statInImage(o.layers, '/' + m)?.st.isDirectory()) { mkdirSync(join(o.upper, m), { recursive: true }); made.push(join(o.upper, m)); }
  }
  const wd = o.workingDir || '/';
  if (!statInImage(o.layers, wd)?.st.isDirectory()) mkdirSync(join(o.upper, wd), { recursive: true });
  // The host root "/" cannot sit beside other layers on its own filesystem (overlayfs refuses a lowerdir inside
  // another: "overlapping lowerdir path"), so it goes in as a read-only overlay view of itself (overlay.ts), whose
  // top layer hides the host's own data (host-root-scrub.ts), written by node inside the RUN's mount namespace.
  let hostRoot = '';
  let lowers = o.layers;
  if (o.layers.includes('/')) {
    hostRoot = join(o.work, '..', 'hostroot');
    mkdirSync(join(hostRoot, 'empty'), { recursive: true });
    mkdirSync(join(hostRoot, 'root'), { recursive: true });
    lowers = o.layers.map((l) => (l === '/' ? join(hostRoot, 'root') : l));
  }
  const opts = overlayOptions(lowers, o.upper, o.work);
  const errFile = join(o.work, '..', `setup-${process.pid}.err`);
  rmSync(errFile, { force: true });
  const userFlags = o.user ? [`--setgid=${o.user.gid}`, `--setuid=${o.user.uid}`] : [];
  const argv = [
    'unshare', '--mount', '--pid', '--fork', '--propagation', 'private', '--',
    '/bin/sh', '-c', SCRIPT, 'nanokube-run', o.mountpoint, opts, hostRoot, errFile, process.execPath, new URL('./host-root-scrub.js', import.meta.url).href,
    '/usr/bin/env', '-i', ...o.env, '/usr/bin/unshare', `--root=${o.mountpoint}`, `--wd=${wd}`, ...userFlags, '--', ...o.argv,
  ];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
  child.stdout.pipe(o.stdout, { end: false });
  child.stderr.pipe(o.stderr, { end: false });
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c, sig) => resolve(c ?? (sig ? 128 + 9 : 1)));
  });
  let setupError = '';
  try { setupError = readFileSync(errFile, 'utf8').trim(); rmSync(errFile, { force: true }); } catch { /* none */ }
  if (code === 125 && setupError) {
    const hint = /upper fs|not supported as upperdir|wrong fs type/i.test(setupError) ? ' (the image store must be on a filesystem overlayfs accepts as upper dir, e.g. ext4 or xfs, not overlayfs or tmpfs-in-a-container; set NANOKUBE_HOME)' : '';
    throw new Error(`cannot set up the image's root filesystem for RUN: ${setupError.replace(/\s*\n\s*/g, '; ')}${hint}`);
  }
  for (const d of made) { try { if (readdirSync(d).length === 0) rmdirSync(d); } catch { /* gone */ } }
  // Docker's RUN does not leave the mount point files it bound in the layer either.
  for (const f of ['etc/resolv.conf', 'etc/hosts']) {
    const p = join(o.upper, f);
    try { if (statSync(p).size === 0 && !statInImage(o.layers, '/' + f)) unlinkSync(p); } catch { /* absent */ }
  }
  if (existsSync(join(o.upper, 'etc')) && readdirSync(join(o.upper, 'etc')).length === 0 && statInImage(o.layers, '/etc') === null) rmdirSync(join(o.upper, 'etc'));
  return code;
}
