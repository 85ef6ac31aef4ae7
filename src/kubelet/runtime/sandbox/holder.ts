// The pod sandbox's holder: the process that owns the pod's namespaces for its lifetime, as the pause container
// does under containerd. nanokube's is lighter than a container: util-linux `unshare` creates the network
// namespace (bind-mounted on a file, so it can be named to CNI and runc), and new UTS, IPC and PID namespaces, sets
// the hostname, and sleeps (as the PID namespace's PID 1, a shell that reaps orphans, as pause does). Containers join these
// namespaces through /proc/<holder pid>/ns/*. Killing `unshare` kills the holder (--kill-child); the holder being
// PID 1, every process of a shared PID namespace goes with it.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { spawner, type StartedProcess } from './spawner.js';

export interface HolderOptions {
  /** File to bind the new network namespace to, or null for the node's network. */
  netnsFile: string | null;
  /** New UTS namespace with this hostname, or null to keep the node's. */
  hostname: string | null;
  ipc: boolean;
  pid: boolean;
}

export interface Holder {
  /** The `unshare` process (started by the spawner, in its own session). */
  unshare: StartedProcess;
  /** The holder's pid in the node's PID namespace: the one whose /proc/<pid>/ns/* containers join. */
  pid: number;
  /** Its start time (field 22 of /proc/<pid>/stat), to recognise it after a crash without killing a reused pid. */
  startTime: string;
}

export async function startHolder(opts: HolderOptions): Promise<Holder> {
  // Off the event loop: creating a file beside other pods' bound namespaces can wait on the kernel's mount lock.
  if (opts.netnsFile) await (await fsp.open(opts.netnsFile, 'w')).close();
  const args: string[] = [];
  if (opts.netnsFile) args.push(`--net=${opts.netnsFile}`);
  if (opts.hostname !== null) args.push('--uts');
  if (opts.ipc) args.push('--ipc');
  if (opts.pid) args.push('--pid');
  args.push('--fork', '--kill-child', '/bin/sh', '-c',
    (opts.hostname !== null ? 'printf %s "$1" > /proc/sys/kernel/hostname || exit 1; ' : '') +
    // As PID 1 of a shared PID namespace the holder inherits orphans: a shell waiting in a loop reaps them.
    (opts.pid ? 'echo ready; while :; do sleep 86400 & wait; done' : 'echo ready; exec sleep infinity'),
    'nanokube-sandbox', opts.hostname ?? '');
  const unshare = await spawner.start('unshare', args, 'ready').catch((e: Error) => {
    throw new Error(`sandbox holder: ${e.message}`);
  });
  const pid = childOf(unshare.pid);
  if (!pid) { killHolder(unshare.pid, null); throw new Error('sandbox holder: could not find the namespace holder process'); }
  if (opts.netnsFile && !await netnsBound(opts.netnsFile)) {
    killHolder(unshare.pid, null);
    throw new Error(`sandbox holder: the network namespace was not bound to ${opts.netnsFile}`);
  }
  return { unshare, pid, startTime: processStartTime(pid) ?? '' };
}

const NSFS_MAGIC = 0x6e736673;

/**
 * Waits until the namespace file is the bind mount of a network namespace. `unshare --net=FILE --fork` runs the
 * program (which says "ready") while a helper of unshare's may still be binding the namespace onto FILE: a CNI
 * plugin given the file before that fails ("unknown FS magic"), and the pod's sandbox with it (then retried 5 s
 * later). Usually bound at the first look.
 */
async function netnsBound(file: string): Promise<boolean> {
  for (let i = 0; i < 500; i++) {
    try { if ((await fsp.statfs(file)).type === NSFS_MAGIC) return true; } catch { /* not there yet */ }
    await new Promise((r) => setTimeout(r, i < 20 ? 1 : 10));
  }
  return false;
}

/** The single child of `pid` (unshare --fork's child). */
function childOf(pid: number): number | null {
  try {
    const kids = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    if (kids.length) return Number(kids[0]);
  } catch { /* fall back to a scan */ }
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) return Number(e);
    } catch { /* gone */ }
  }
  return null;
}

export function processStartTime(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch { return null; }
}

/** Kills the holder (and so its PID namespace); `startTime` guards against a reused pid after a crash. */
export function killHolder(pid: number, startTime: string | null): void {
  if (startTime !== null && processStartTime(pid) !== startTime) return;
  try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
}
