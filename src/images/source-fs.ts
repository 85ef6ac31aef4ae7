// The file trees COPY reads from: the build context (a plain folder) or, for COPY --from, an earlier build stage
// or another image, seen through its layers as overlayfs would merge them (topmost layer wins; 0/0 character
// device whiteouts hide a name; an opaque folder hides what lower layers hold under it).
import { lstatSync, readdirSync, readlinkSync, statSync, type Stats } from 'node:fs';
import { join, posix } from 'node:path';
import { opaqueDirectories } from './xattr.js';

export interface SourceFs {
  /** Describes what COPY could not find ("build context", "stage builder"). */
  readonly description: string;
  /** lstat of a path relative to the tree's root ("" for the root); null when absent. */
  lstat(rel: string): Stats | null;
  readdir(rel: string): string[];
  readlink(rel: string): string;
  /** The path after following symbolic links in its last component, kept inside the tree; null when dangling. */
  resolve(rel: string): string | null;
  /** Where a file's bytes are on the host. */
  hostPath(rel: string): string;
}

export class DirFs implements SourceFs {
  constructor(readonly root: string, readonly description = 'build context') {}
  lstat(rel: string): Stats | null { try { return lstatSync(join(this.root, rel)); } catch { return null; } }
  readdir(rel: string): string[] { return readdirSync(join(this.root, rel)).sort(); }
  readlink(rel: string): string { return readlinkSync(join(this.root, rel)); }
  resolve(rel: string): string | null {
    // The context is a host folder: follow links as the host does (docker follows a top-level source link too).
    try { statSync(join(this.root, rel)); return rel; } catch { return null; }
  }
  hostPath(rel: string): string { return join(this.root, rel); }
}

const isWhiteout = (st: Stats, layer: string) => layer !== '/' && st.isCharacterDevice() && st.rdev === 0;

export class ImageFs implements SourceFs {
  private readonly opaque = new Map<string, Set<string>>();
  /** Layers lowest first, as ResolvedImage.layers ("/" for the host root). */
  constructor(private readonly layers: string[], readonly description: string) {}

  private opaqueIn(layer: string): Set<string> {
    let set = this.opaque.get(layer);
    if (set) return set;
    set = new Set();
    if (layer !== '/') {
      const dirs: string[] = [];
      const walk = (rel: string) => {
        for (const e of readdirSync(join(layer, rel), { withFileTypes: true })) {
          if (e.isDirectory()) { const r = rel ? `${rel}/${e.name}` : e.name; dirs.push(join(layer, r)); walk(r); }
        }
      };
      walk('');
      for (const d of opaqueDirectories(dirs)) set.add(d.slice(layer.length + 1));
    }
    this.opaque.set(layer, set);
    return set;
  }

  /** The layer whose entry for rel shows, honouring whiteouts and opaque folders above it. */
  private locate(rel: string): { layer: string; st: Stats } | null {
    const parts = rel.split('/').filter(Boolean);
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const layer = this.layers[i]!;
      let hidden = false;
      for (let k = 1; k <= parts.length; k++) {
        const prefix = parts.slice(0, k).join('/');
        let st: Stats;
        try { st = lstatSync(join(layer, prefix)); } catch { break; }
        if (isWhiteout(st, layer)) return null;
        if (k === parts.length) return { layer, st };
        if (!st.isDirectory()) return null; // a file here shadows everything below
        if (this.opaqueIn(layer).has(prefix)) hidden = true;
      }
      if (parts.length === 0) return { layer, st: lstatSync(layer) };
      if (hidden) return null;
    }
    return null;
  }

  lstat(rel: string): Stats | null { return this.locate(rel)?.st ?? null; }

  readdir(rel: string): string[] {
    const names = new Set<string>();
    const gone = new Set<string>();
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const layer = this.layers[i]!;
      let st: Stats;
      try { st = lstatSync(join(layer, rel)); } catch { continue; }
      if (!st.isDirectory()) break;
      for (const e of readdirSync(join(layer, rel))) {
        if (names.has(e) || gone.has(e)) continue;
        const est = lstatSync(join(layer, rel, e));
        if (isWhiteout(est, layer)) gone.add(e); else names.add(e);
      }
      if (this.opaqueIn(layer).has(rel)) break;
    }
    return [...names].sort();
  }

  readlink(rel: string): string {
    const hit = this.locate(rel);
    if (!hit) throw new Error(`${rel}: not found`);
    return readlinkSync(join(hit.layer, rel));
  }

  resolve(rel: string): string | null {
    let cur = rel;
    for (let n = 0; n < 40; n++) {
      const st = this.lstat(cur);
      if (!st) return null;
      if (!st.isSymbolicLink()) return cur;
      const target = this.readlink(cur);
      cur = posix.normalize(target.startsWith('/') ? target : posix.join(posix.dirname('/' + cur), target)).replace(/^\/+/, '');
      if (cur.startsWith('..')) cur = cur.replace(/^(\.\.\/?)+/, '');
    }
    return null;
  }

  hostPath(rel: string): string {
    const hit = this.locate(rel);
    if (!hit) throw new Error(`${rel}: not found`);
    return join(hit.layer, rel);
  }
}
