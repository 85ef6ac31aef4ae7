// tmpfs mounts for emptyDir medium: Memory (root on Linux only) and finding what is still mounted under a folder,
// so tearDown and the orphan cleanup after a crash leave no mount behind.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const canMountTmpfs = (): boolean => process.platform === 'linux' && process.getuid?.() === 0;

/** Decodes mountinfo's octal escapes (\040 for a space). */
const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

/** Mount points at or below `dir`, deepest first (the order to unmount them in). */
export async function mountsUnder(dir: string): Promise<string[]> {
  let text: string;
  try { text = await readFile('/proc/self/mountinfo', 'utf8'); } catch { return []; }
  const prefix = dir.endsWith('/') ? dir : dir + '/';
  const out = text.split('\n').map((l) => l.split(' ')[4]).filter(Boolean).map(unescape)
    .filter((m) => m === dir || m.startsWith(prefix));
  return [...new Set(out)].sort((a, b) => b.length - a.length);
}

export async function isMountPoint(dir: string): Promise<boolean> {
  return (await mountsUnder(dir)).includes(dir);
}

/** Mounts a tmpfs on dir (mode 0777 as upstream's emptyDir), with size= when a sizeLimit is given. */
export async function mountTmpfs(dir: string, sizeBytes?: number): Promise<void> {
  if (await isMountPoint(dir)) return;
  const opts = ['mode=0777', ...(sizeBytes ? [`size=${sizeBytes}`] : [])].join(',');
  await run('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', dir]);
}

/** Unmounts everything at or below dir (lazily if busy). */
export async function unmountAll(dir: string): Promise<void> {
  for (const m of await mountsUnder(dir)) {
    try { await run('umount', [m]); } catch { await run('umount', ['-l', m]).catch(() => undefined); }
  }
}
