// COPY and ADD into a new layer folder, with docker's rules: sources are relative to the build context (wildcards
// allowed, never outside it, .dockerignore applied); a directory source copies its contents; a destination ending
// in "/" (or an existing directory in the image) receives files by their base name; several sources need a
// directory destination; owners become root (or --chown), modes are kept (or --chmod), mtimes are kept. ADD also
// unpacks a local tar archive (plain or gzip) into the destination; ADD from a URL needs the network and is refused.
import { chmodSync, copyFileSync, existsSync, lchownSync, lutimesSync, mkdirSync, openSync, readSync, closeSync, symlinkSync, utimesSync, type Stats } from 'node:fs';
import { join, posix } from 'node:path';
import * as tar from 'tar';
import type { DockerIgnore } from './dockerignore.js';
import { statInImage } from './image-fs.js';
import type { SourceFs } from './source-fs.js';

export interface CopyOptions {
  /** Where sources come from: the build context, or (COPY --from) a stage or image. */
  source: SourceFs;
  ignore: DockerIgnore | null;
  /** Sources as written (after variable substitution), relative to the context; may hold wildcards. */
  sources: string[];
  /** Absolute destination in the image; `destIsDir` when it was written with a trailing "/". */
  dest: string;
  destIsDir: boolean;
  /** The image's layers so far (lowest first) and the new layer's folder. */
  layers: string[];
  layerDir: string;
  chown?: { uid: number; gid: number };
  chmod?: number;
  add: boolean;
}

export class CopyError extends Error {}

const hasWildcard = (s: string) => /[*?[]/.test(s);

function globToRegExp(p: string): RegExp {
  let re = '^';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') { const e = p.indexOf(']', i + 1); if (e < 0) re += '\\['; else { let cls = p.slice(i + 1, e); if (cls.startsWith('!') || cls.startsWith('^')) cls = '^' + cls.slice(1); re += `[${cls}]`; i = e; } }
    else if (c === '\\' && i + 1 < p.length) re += p[++i]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(re + '$');
}

/** Paths a source names in the source tree (expanding wildcards one path component at a time). */
function expandSource(fs: SourceFs, src: string): string[] {
  const norm = posix.normalize(src.replace(/^\/+/, ''));
  if (norm === '..' || norm.startsWith('../')) throw new CopyError(`forbidden path outside the ${fs.description}: ${src}`);
  if (norm === '.' || !hasWildcard(norm)) return [norm === '.' ? '' : norm.replace(/\/+$/, '')];
  let found = [''];
  for (const part of norm.split('/').filter(Boolean)) {
    const next: string[] = [];
    for (const base of found) {
      const child = (n: string) => (base ? `${base}/${n}` : n);
      if (!hasWildcard(part)) { if (fs.lstat(child(part))) next.push(child(part)); continue; }
      let names: string[] = [];
      try { names = fs.readdir(base); } catch { continue; }
      const re = globToRegExp(part);
      for (const n of names) if (re.test(n)) next.push(child(n));
    }
    found = next;
  }
  return found;
}

interface Meta { uid: number; gid: number }

function setOwner(p: string, st: Stats, o: CopyOptions, meta: Meta): void {
  if (process.getuid?.() !== 0) return;
  lchownSync(p, o.chown?.uid ?? meta.uid, o.chown?.gid ?? meta.gid);
  if (o.chmod !== undefined && !st.isSymbolicLink()) chmodSync(p, o.chmod);
}

/**
 * Makes the folder `imagePath` and its missing parents in the layer, with the image's own metadata where it has
 * them (so a copy into /app does not change /app's owner or mode), else root-owned 0755 as docker makes them.
 */
export function makeDirInLayer(o: Pick<CopyOptions, 'layers' | 'layerDir'>, imagePath: string): void {
  const parts = posix.normalize(imagePath).split('/').filter(Boolean);
  for (let k = 1; k <= parts.length; k++) {
    const rel = parts.slice(0, k).join('/');
    const p = join(o.layerDir, rel);
    if (existsSync(p)) continue;
    const existing = statInImage(o.layers, '/' + rel);
    if (existing && existing.st.isSymbolicLink()) {
      throw new CopyError(`cannot copy to /${parts.join('/')}: /${rel} is a symbolic link in the image; name its target instead`);
    }
    mkdirSync(p, { mode: 0o755 });
    if (existing?.st.isDirectory()) {
      chmodSync(p, existing.st.mode & 0o7777);
      if (process.getuid?.() === 0) lchownSync(p, existing.st.uid, existing.st.gid);
      utimesSync(p, existing.st.atime, existing.st.mtime);
    } else {
      chmodSync(p, 0o755);
    }
  }
}

function copyEntry(o: CopyOptions, rel: string, dst: string, follow: boolean): void {
  const fs = o.source;
  const at = follow ? fs.resolve(rel) : rel;
  const st = at === null ? null : fs.lstat(at);
  if (at === null || !st) throw new CopyError(`${rel}: a symbolic link whose target is missing in the ${fs.description}`);
  if (st.isDirectory()) {
    if (!existsSync(dst)) mkdirSync(dst);
    chmodSync(dst, st.mode & 0o7777);
    for (const name of fs.readdir(at)) {
      const childRel = at ? `${at}/${name}` : name;
      if (o.ignore?.ignores(childRel)) {
        if (!o.ignore.hasExclusions || !fs.lstat(childRel)?.isDirectory()) continue;
      }
      copyEntry(o, childRel, join(dst, name), false);
    }
    setOwner(dst, st, o, { uid: 0, gid: 0 });
    utimesSync(dst, st.atime, st.mtime);
  } else if (st.isSymbolicLink()) {
    symlinkSync(fs.readlink(at), dst);
    setOwner(dst, st, o, { uid: 0, gid: 0 });
    lutimesSync(dst, st.atime, st.mtime);
  } else if (st.isFile()) {
    copyFileSync(fs.hostPath(at), dst);
    chmodSync(dst, st.mode & 0o7777);
    setOwner(dst, st, o, { uid: 0, gid: 0 });
    utimesSync(dst, st.atime, st.mtime);
  } // sockets, fifos and devices are skipped, as docker skips them
}

function archiveKind(file: string): 'tar' | 'gzip' | 'other-compressed' | null {
  const b = Buffer.alloc(512);
  const fd = openSync(file, 'r');
  let n = 0;
  try { n = readSync(fd, b, 0, 512, 0); } finally { closeSync(fd); }
  if (n >= 2 && b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
  if (n >= 3 && b.subarray(0, 3).toString('latin1') === 'BZh') return 'other-compressed';
  if (n >= 6 && b.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'other-compressed';
  if (n >= 262 && b.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
  return null;
}

/** Copies the sources into the layer; returns how many paths it wrote. */
export async function copyIntoLayer(o: CopyOptions): Promise<number> {
  const matches: string[] = [];
  let wildcard = false;
  for (const src of o.sources) {
    if (/^[a-z]+:\/\//i.test(src) || src.startsWith('git@')) {
      throw new CopyError(o.add ? `ADD ${src}: downloading needs the network, which nanokube's builder does not use; put the file in the build context and COPY it` : `COPY ${src}: only files from the build context can be copied`);
    }
    wildcard ||= hasWildcard(src);
    const found = expandSource(o.source, src).filter((rel) => rel === '' || !o.ignore?.ignores(rel));
    const existing = found.filter((rel) => o.source.lstat(rel) !== null);
    if (existing.length === 0 && !(wildcard && found.length === 0 && hasWildcard(src) && o.sources.length > 1)) {
      throw new CopyError(o.source.description === 'build context' ? `file not found in ${o.source.description} or excluded by .dockerignore: ${src}` : `file not found in ${o.source.description}: ${src}`);
    }
    matches.push(...existing);
  }
  const many = matches.length > 1 || o.sources.length > 1;
  const destDirInImage = statInImage(o.layers, o.dest)?.st.isDirectory() ?? false;
  if (many && !o.destIsDir && !destDirInImage) throw new CopyError(`when using ${o.add ? 'ADD' : 'COPY'} with more than one source file, the destination must be a directory and end with a /`);
  let written = 0;
  for (const rel of matches) {
    const resolved = o.source.resolve(rel);
    const st = resolved === null ? null : o.source.lstat(resolved);
    if (!st || resolved === null) throw new CopyError(`${rel}: a symbolic link whose target is missing in the ${o.source.description}`);
    const srcAbs = o.source.hostPath(resolved);
    if (st.isDirectory()) {
      makeDirInLayer(o, o.dest);
      copyEntry(o, rel, join(o.layerDir, o.dest), true);
      written++;
      continue;
    }
    if (o.add) {
      const kind = archiveKind(srcAbs);
      if (kind === 'other-compressed') throw new CopyError(`ADD ${rel}: only plain and gzip tar archives are unpacked here (not bzip2 or xz)`);
      if (kind) {
        makeDirInLayer(o, o.dest);
        const into = join(o.layerDir, o.dest);
        mkdirSync(into, { recursive: true });
        await tar.x({ file: srcAbs, cwd: into, preservePaths: false, umask: 0 });
        written++;
        continue;
      }
    }
    const target = o.destIsDir || destDirInImage || many ? posix.join(o.dest, posix.basename(rel)) : o.dest;
    makeDirInLayer(o, posix.dirname(target));
    copyEntry(o, rel, join(o.layerDir, target), true);
    written++;
  }
  return written;
}
