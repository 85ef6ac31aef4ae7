// Image layers in both of their forms:
//   - the OCI layer tar (a changeset: files, and ".wh.<name>" whiteouts / ".wh..wh..opq" opaque markers for what
//     the layer deletes or replaces from the layers below), stored gzip-compressed as a blob;
//   - the unpacked folder an overlay mount uses as a lowerdir, where overlayfs's own forms stand for the same things
//     (a 0/0 character device for a whiteout, the trusted.overlay.opaque xattr for an opaque directory).
// A layer made by a build step is an overlay upper dir already, so it is packed from its folder; a loaded layer is
// unpacked from its tar. Both directions keep owners, modes, mtimes, symlinks and hard links.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream, lstatSync, mkdirSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { mknod } from './mknod.js';
import { join, dirname, basename, posix } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import * as tar from 'tar';
import { markOpaque, opaqueDirectories } from './xattr.js';

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_WHITEOUT = '.wh..wh..opq';

export interface LayerDigests {
  /** sha256 of the uncompressed tar: the config's rootfs.diff_ids entry. */
  diffId: string;
  /** sha256 of the blob as stored (gzip). */
  digest: string;
  size: number;
}

interface Entry { rel: string; st: Stats; opaque: boolean }

function walk(root: string): Entry[] {
  const dirs: string[] = [];
  const out: { rel: string; st: Stats }[] = [];
  const visit = (rel: string) => {
    const names = readdirSync(join(root, rel)).sort();
    for (const name of names) {
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(root, r));
      out.push({ rel: r, st });
      if (st.isDirectory()) { dirs.push(join(root, r)); visit(r); }
    }
  };
  visit('');
  const opaque = opaqueDirectories(dirs);
  return out.map((e) => ({ ...e, opaque: e.st.isDirectory() && opaque.has(join(root, e.rel)) }));
}

const isOverlayWhiteout = (st: Stats) => st.isCharacterDevice() && st.rdev === 0;

function header(h: Partial<tar.HeaderData> & { path: string; type: tar.types.EntryTypeName }): Buffer {
  const data = { mode: 0o644, uid: 0, gid: 0, size: 0, mtime: new Date(0), uname: '', gname: '', linkpath: '', ...h } as tar.HeaderData;
  const block = Buffer.alloc(512);
  const hd = new tar.Header(data);
  const needPax = hd.encode(block);
  if (!needPax) return block;
  const pax = new tar.Pax({ path: data.path, linkpath: data.linkpath, size: data.size, uid: data.uid, gid: data.gid, mtime: data.mtime } as any).encode();
  return Buffer.concat([pax, block]);
}

/** The OCI layer tar of an overlay-format folder, as a stream of bytes (entries in sorted order, so it is reproducible). */
export function layerTarStream(root: string): Readable {
  const entries = walk(root);
  const links = new Map<string, string>();
  async function* gen(): AsyncGenerator<Buffer> {
    for (const { rel, st, opaque } of entries) {
      const base = { uid: st.uid, gid: st.gid, mode: st.mode & 0o7777, mtime: new Date(Math.floor(st.mtimeMs / 1000) * 1000) };
      if (isOverlayWhiteout(st)) {
        const wh = posix.join(posix.dirname(rel), WHITEOUT_PREFIX + posix.basename(rel));
        yield header({ path: wh.startsWith('./') ? wh.slice(2) : wh, type: 'File', ...base, mode: 0o644 });
      } else if (st.isDirectory()) {
        yield header({ path: rel + '/', type: 'Directory', ...base });
        if (opaque) yield header({ path: `${rel}/${OPAQUE_WHITEOUT}`, type: 'File', ...base, mode: 0o644 });
      } else if (st.isSymbolicLink()) {
        yield header({ path: rel, type: 'SymbolicLink', ...base, linkpath: readlinkSync(join(root, rel)) });
      } else if (st.isFile()) {
        const key = `${st.dev}:${st.ino}`;
        const first = st.nlink > 1 ? links.get(key) : undefined;
        if (first !== undefined) { yield header({ path: rel, type: 'Link', ...base, linkpath: first }); continue; }
        if (st.nlink > 1) links.set(key, rel);
        yield header({ path: rel, type: 'File', ...base, size: st.size });
        let n = 0;
        for await (const chunk of createReadStream(join(root, rel))) { n += (chunk as Buffer).length; yield chunk as Buffer; }
        if (n !== st.size) throw new Error(`${join(root, rel)} changed while it was being packed into a layer`);
        const pad = (512 - (st.size % 512)) % 512;
        if (pad) yield Buffer.alloc(pad);
      } else if (st.isCharacterDevice() || st.isBlockDevice()) {
        const major = Number((BigInt(st.rdev) >> 8n) & 0xfffn), minor = Number((BigInt(st.rdev) & 0xffn) | ((BigInt(st.rdev) >> 12n) & 0xfff00n));
        yield header({ path: rel, type: st.isCharacterDevice() ? 'CharacterDevice' : 'BlockDevice', ...base, devmaj: major, devmin: minor } as any);
      } else if (st.isFIFO()) {
        yield header({ path: rel, type: 'FIFO', ...base });
      } // sockets are not kept in layers, as docker's archive package skips them
    }
    yield Buffer.alloc(1024);
  }
  return Readable.from(gen());
}

class Hasher extends Transform {
  readonly hash: Hash = createHash('sha256');
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk); this.bytes += chunk.length; cb(null, chunk);
  }
}

/** Packs an overlay-format folder into a gzip layer blob at `outFile`; returns its digests. */
export async function packLayer(root: string, outFile: string): Promise<LayerDigests> {
  const raw = new Hasher();
  const compressed = new Hasher();
  await pipeline(layerTarStream(root), raw, createGzip({ level: 6 }), compressed, createWriteStream(outFile));
  return { diffId: 'sha256:' + raw.hash.digest('hex'), digest: 'sha256:' + compressed.hash.digest('hex'), size: compressed.bytes };
}

/** sha256 (and size) of a file as it is: a blob's digest. */
export async function fileDigest(file: string): Promise<{ digest: string; size: number }> {
  const h = new Hasher();
  await pipeline(createReadStream(file), h, async function* (src) { for await (const _ of src) { /* drain */ } });
  return { digest: 'sha256:' + h.hash.digest('hex'), size: h.bytes };
}

/** sha256 of the uncompressed tar inside a (possibly gzip) layer blob: its diffID. */
export async function uncompressedDigest(file: string): Promise<string> {
  const { createGunzip } = await import('node:zlib');
  const h = new Hasher();
  const gz = await isGzip(file);
  if (gz) await pipeline(createReadStream(file), createGunzip(), h, async function* (src) { for await (const _ of src) { /* drain */ } });
  else await pipeline(createReadStream(file), h, async function* (src) { for await (const _ of src) { /* drain */ } });
  return 'sha256:' + h.hash.digest('hex');
}

export async function isGzip(file: string): Promise<boolean> {
  const fh = await import('node:fs/promises').then((m) => m.open(file, 'r'));
  try {
    const b = Buffer.alloc(2);
    await fh.read(b, 0, 2, 0);
    return b[0] === 0x1f && b[1] === 0x8b;
  } finally { await fh.close(); }
}

/**
 * Unpacks a layer tar (plain or gzip) into an empty folder in overlay form: ".wh.<name>" entries become 0/0
 * character devices and ".wh..wh..opq" marks its directory opaque. Whiteouts need root (mknod); without root
 * they are skipped, which is only right for layers that delete nothing.
 */
export async function unpackLayer(blob: string, dest: string): Promise<void> {
  mkdirSync(dest, { recursive: true });
  const whiteouts: string[] = [];
  const opaque: string[] = [];
  await tar.x({
    file: blob, cwd: dest, umask: 0, preservePaths: false, strict: false,
    filter: (path: string) => {
      const p = path.replace(/\/+$/, '');
      const name = basename(p);
      if (name === OPAQUE_WHITEOUT) { opaque.push(join(dest, dirname(p))); return false; }
      if (name.startsWith(WHITEOUT_PREFIX)) { whiteouts.push(join(dest, dirname(p), name.slice(WHITEOUT_PREFIX.length))); return false; }
      return true;
    },
  });
  const root = process.getuid?.() === 0;
  if (!root) return;
  for (const w of whiteouts) { mkdirSync(dirname(w), { recursive: true }); mknod(w); }
  for (const d of opaque) mkdirSync(d, { recursive: true });
  markOpaque(opaque);
}
