// Read-only questions about an image's files, answered from its unpacked layer folders (lowest first) the way
// overlayfs would: the topmost layer holding a path wins, and a whiteout there (0/0 character device) hides it.
// Used by the builder (does the COPY destination exist as a directory? which uid is USER "app"?).
import { lstatSync, readFileSync, type Stats } from 'node:fs';
import { join, posix } from 'node:path';

/** The topmost layer's entry for an absolute image path, or null when absent or whited out. */
export function statInImage(layers: string[], path: string): { layer: string; st: Stats } | null {
  const rel = posix.normalize(path).replace(/^\/+/, '');
  const parts = rel === '' || rel === '.' ? [] : rel.split('/');
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i]!;
    // A whiteout of this path or of one of its parents in this layer hides everything below.
    for (let k = 1; k <= parts.length; k++) {
      let st: Stats;
      try { st = lstatSync(join(layer, ...parts.slice(0, k))); } catch { continue; }
      if (st.isCharacterDevice() && st.rdev === 0 && layer !== '/') return null;
      if (k === parts.length) return { layer, st };
    }
    if (parts.length === 0) { try { return { layer, st: lstatSync(layer) }; } catch { /* next */ } }
  }
  return null;
}

export function readFileInImage(layers: string[], path: string): string | null {
  const hit = statInImage(layers, path);
  if (!hit || !hit.st.isFile()) return null;
  try { return readFileSync(join(hit.layer, path), 'utf8'); } catch { return null; }
}

/** Resolves USER's "name[:group]" (names or numbers) against the image's /etc/passwd and /etc/group. */
export function resolveUser(layers: string[], spec: string): { uid: number; gid: number } {
  const [user, group] = spec.split(':') as [string, string | undefined];
  const passwd = (readFileInImage(layers, '/etc/passwd') ?? '').split('\n').map((l) => l.split(':'));
  const groups = (readFileInImage(layers, '/etc/group') ?? '').split('\n').map((l) => l.split(':'));
  let uid: number, gid: number;
  if (/^\d+$/.test(user)) {
    uid = Number(user);
    gid = Number(passwd.find((p) => p[2] === user)?.[3] ?? uid);
  } else {
    const p = passwd.find((e) => e[0] === user);
    if (!p) throw new Error(`unable to find user ${user}: no matching entries in passwd file`);
    uid = Number(p[2]); gid = Number(p[3]);
  }
  if (group !== undefined && group !== '') {
    if (/^\d+$/.test(group)) gid = Number(group);
    else {
      const g = groups.find((e) => e[0] === group);
      if (!g) throw new Error(`unable to find group ${group}: no matching entries in group file`);
      gid = Number(g[2]);
    }
  }
  return { uid, gid };
}
