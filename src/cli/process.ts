// Liveness of the server process named by server.pid. A pid file can outlive its process (crash, reboot) and the
// pid can be reused by an unrelated process, so on Linux the command line is checked too; zombies count as dead
// (a container's init may never reap a detached server we killed).

import { readFileSync } from 'node:fs';

function procState(pid: number): { state?: string; cmdline?: string } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    return { state, cmdline };
  } catch { return {}; }
}

/** True if `pid` is a live nanokube process (a server, or a `start --foreground`). */
export function isNanokubeRunning(pid: number): boolean {
  try { process.kill(pid, 0); } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (process.platform !== 'linux') return true;
  const { state, cmdline } = procState(pid);
  if (state === undefined) return true; // /proc unreadable: trust kill(0)
  if (state === 'Z' || state === 'X') return false;
  return cmdline === undefined || /nanokube|cli\/main\.js/.test(cmdline);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until the process is gone; false if still alive after `timeoutMs`. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isNanokubeRunning(pid)) return true;
    await sleep(20);
  }
  return !isNanokubeRunning(pid);
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function terminate(pid: number, graceMs: number): Promise<'terminated' | 'killed'> {
  try { process.kill(pid, 'SIGTERM'); } catch { return 'terminated'; }
  if (await waitForExit(pid, graceMs)) return 'terminated';
  try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
  await waitForExit(pid, 5000);
  return 'killed';
}
