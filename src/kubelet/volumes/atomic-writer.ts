// Writes a volume's files atomically, as upstream's AtomicWriter (pkg/volume/util/atomic_writer.go) does, so a
// container never sees a half-updated configMap/secret/downwardAPI/projected volume:
//   <dir>/..2026_01_02_03_04_05.<random>/   the payload, one folder per version
//   <dir>/..data -> ..2026_...               swapped with rename(2) of a fresh `..data_tmp` symlink
//   <dir>/<top-level name> -> ..data/<name>  the user-visible paths
// Writing an unchanged payload changes nothing; a changed payload appears all at once, and the old version's
// folder and vanished user-visible paths are removed afterwards.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, readdir, readlink, rename, rm, stat, symlink, writeFile, chmod, lstat } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';

export interface FileProjection { data: Buffer; mode: number }
/** Relative path (may contain '/') → content and mode. */
export type Payload = Map<string, FileProjection>;

const DATA = '..data';
const DATA_TMP = '..data_tmp';

/** Upstream's validatePath: relative, no '..' element, not starting with '..', at most 4096 bytes. */
export function validatePayloadPath(p: string): string | undefined {
  if (!p) return 'empty path';
  if (p.length > 4096) return `invalid path: must be less than or equal to 4096 characters`;
  if (p.startsWith('/')) return `invalid path: must be relative path: ${p}`;
  if (p.split('/').includes('..')) return `invalid path: must not contain '..': ${p}`;
  if (p.startsWith('..')) return `invalid path: must not start with '..': ${p}`;
  return undefined;
}

function tsDirPrefix(now: Date): string {
  const z = (n: number, w = 2) => String(n).padStart(w, '0');
  return `..${now.getUTCFullYear()}_${z(now.getUTCMonth() + 1)}_${z(now.getUTCDate())}_${z(now.getUTCHours())}_${z(now.getUTCMinutes())}_${z(now.getUTCSeconds())}.`;
}

async function exists(p: string): Promise<boolean> {
  try { await lstat(p); return true; } catch { return false; }
}

/** Whether the version folder already holds exactly this payload (same paths, bytes and modes). */
async function sameAsCurrent(tsDir: string, payload: Payload): Promise<boolean> {
  const have = new Set<string>();
  const walk = async (d: string, rel: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(join(d, e.name), r); else have.add(r);
    }
  };
  try { await walk(tsDir, ''); } catch { return false; }
  if (have.size !== payload.size) return false;
  for (const [p, f] of payload) {
    if (!have.has(p)) return false;
    try {
      const full = join(tsDir, p);
      if (((await stat(full)).mode & 0o7777) !== f.mode) return false;
      if (!(await readFile(full)).equals(f.data)) return false;
    } catch { return false; }
  }
  return true;
}

/**
 * The process's umask (Linux: /proc/self/status), read once: a file or folder created with a mode the umask does
 * not cut needs no chmod after it. Unknown: every mode is set explicitly.
 */
let umaskValue: number | undefined | null = null;
function umask(): number | undefined {
  if (umaskValue === null) {
    try { umaskValue = parseInt(/^Umask:\s*([0-7]+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 'x', 8); } catch { umaskValue = undefined; }
    if (Number.isNaN(umaskValue)) umaskValue = undefined;
  }
  return umaskValue;
}
/** Whether a path created with `mode` already has exactly that mode. */
function createdExactly(mode: number): boolean {
  const u = umask();
  return u !== undefined && (mode & ~0o777) === 0 && (mode & u) === 0;
}

const NAME_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
/** A new version folder `<prefix><6 random characters>` (mode 0755), as mkdtemp names them. */
async function makeVersionDir(dir: string, prefix: string): Promise<string> {
  for (;;) {
    const bytes = randomBytes(6);
    let suffix = '';
    for (const b of bytes) suffix += NAME_CHARS[b % NAME_CHARS.length];
    const p = join(dir, prefix + suffix);
    try { await mkdir(p, { mode: 0o755 }); } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw e;
    }
    if (!createdExactly(0o755)) await chmod(p, 0o755);
    return p;
  }
}

/**
 * Makes `dir` hold exactly `payload`. Returns true when something was written. `now` names the version folder
 * (the clock's time), the rest of its name is random so two writes in one second never collide.
 */
export async function writeAtomically(dir: string, payload: Payload, now = new Date()): Promise<boolean> {
  for (const p of payload.keys()) {
    const err = validatePayloadPath(p);
    if (err) throw new Error(err);
  }
  // A folder made just now holds no version and no links: its first write needs no look at what is there (about
  // half the file system calls of a rewrite; every pod's first start takes this way).
  const fresh = await mkdir(dir, { recursive: true, mode: 0o755 }) !== undefined;
  const dataLink = join(dir, DATA);
  let oldTsName: string | undefined;
  if (!fresh) { try { oldTsName = await readlink(dataLink); } catch { oldTsName = undefined; } }
  const oldTsDir = oldTsName ? join(dir, oldTsName) : undefined;

  const newTop = new Set([...payload.keys()].map((p) => normalize(p).split(sep)[0]));
  let oldTop: string[] = [];
  if (oldTsDir) { try { oldTop = await readdir(oldTsDir); } catch { oldTop = []; } }

  if (oldTsDir && await sameAsCurrent(oldTsDir, payload)) {
    // Still make sure the user-visible links exist (a crash between swap and links).
    await linkUserVisible(dir, newTop, true);
    return false;
  }

  const tsDir = await makeVersionDir(dir, tsDirPrefix(now));
  // The files are written side by side (nothing sees tsDir before the swap below); each file's own steps in order.
  await Promise.all([...payload].map(async ([p, f]) => {
    const full = join(tsDir, p);
    if (dirname(full) !== tsDir) await mkdir(dirname(full), { recursive: true, mode: 0o755 });
    await writeFile(full, f.data, { mode: f.mode });
    if (!createdExactly(f.mode)) await chmod(full, f.mode); // explicit, so the umask does not change it
  }));
  if (fresh) {
    // Nothing can see the folder's ..data yet: linked directly, no swap needed.
    await symlink(tsDir.slice(dir.length + 1), dataLink);
  } else {
    const tmpLink = join(dir, DATA_TMP);
    await rm(tmpLink, { force: true });
    await symlink(tsDir.slice(dir.length + 1), tmpLink);
    await rename(tmpLink, dataLink);
  }

  await linkUserVisible(dir, newTop, !fresh);
  for (const name of oldTop) if (!newTop.has(name)) await rm(join(dir, name), { force: true, recursive: true });
  if (oldTsDir) await rm(oldTsDir, { recursive: true, force: true });
  return true;
}

/** The user-visible links `<name> -> ..data/<name>`; `check`: some may exist already (they are kept). */
async function linkUserVisible(dir: string, names: Set<string>, check: boolean): Promise<void> {
  await Promise.all([...names].map(async (name) => {
    const p = join(dir, name);
    if (!check || !(await exists(p))) await symlink(join(DATA, name), p);
  }));
}
