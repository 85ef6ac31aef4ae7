// Writes a volume's files atomically, as upstream's AtomicWriter (pkg/volume/util/atomic_writer.go) does, so a
// container never sees a half-updated configMap/secret/downwardAPI/projected volume:
//   <dir>/..2026_01_02_03_04_05.<random>/   the payload, one folder per version
//   <dir>/..data -> ..2026_...               swapped with rename(2) of a fresh `..data_tmp` symlink
//   <dir>/<top-level name> -> ..data/<name>  the user-visible paths
// Writing an unchanged payload changes nothing; a changed payload appears all at once, and the old version's
// folder and vanished user-visible paths are removed afterwards.
import { mkdtemp, mkdir, readFile, readdir, readlink, rename, rm, stat, symlink, writeFile, chmod, lstat } from 'node:fs/promises';
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
 * Makes `dir` hold exactly `payload`. Returns true when something was written. `now` names the version folder
 * (the clock's time), the rest of its name is random so two writes in one second never collide.
 */
export async function writeAtomically(dir: string, payload: Payload, now = new Date()): Promise<boolean> {
  for (const p of payload.keys()) {
    const err = validatePayloadPath(p);
    if (err) throw new Error(err);
  }
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const dataLink = join(dir, DATA);
  let oldTsName: string | undefined;
  try { oldTsName = await readlink(dataLink); } catch { oldTsName = undefined; }
  const oldTsDir = oldTsName ? join(dir, oldTsName) : undefined;

  const newTop = new Set([...payload.keys()].map((p) => normalize(p).split(sep)[0]));
  let oldTop: string[] = [];
  if (oldTsDir) { try { oldTop = await readdir(oldTsDir); } catch { oldTop = []; } }

  if (oldTsDir && await sameAsCurrent(oldTsDir, payload)) {
    // Still make sure the user-visible links exist (a crash between swap and links).
    await linkUserVisible(dir, newTop);
    return false;
  }

  const tsDir = await mkdtemp(join(dir, tsDirPrefix(now)));
  await chmod(tsDir, 0o755);
  // The files are written side by side (nothing sees tsDir before the swap below); each file's own steps in order.
  await Promise.all([...payload].map(async ([p, f]) => {
    const full = join(tsDir, p);
    if (dirname(full) !== tsDir) await mkdir(dirname(full), { recursive: true, mode: 0o755 });
    await writeFile(full, f.data);
    await chmod(full, f.mode); // explicit, so the umask does not change it
  }));
  const tmpLink = join(dir, DATA_TMP);
  await rm(tmpLink, { force: true });
  await symlink(tsDir.slice(dir.length + 1), tmpLink);
  await rename(tmpLink, dataLink);

  await linkUserVisible(dir, newTop);
  for (const name of oldTop) if (!newTop.has(name)) await rm(join(dir, name), { force: true, recursive: true });
  if (oldTsDir) await rm(oldTsDir, { recursive: true, force: true });
  return true;
}

async function linkUserVisible(dir: string, names: Set<string>): Promise<void> {
  await Promise.all([...names].map(async (name) => {
    const p = join(dir, name);
    if (!(await exists(p))) await symlink(join(DATA, name), p);
  }));
}
