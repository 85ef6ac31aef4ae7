// The local image store: an OCI image layout under $NANOKUBE_HOME/images, like minikube's image cache, usable
// without a running cluster.
//   images/oci-layout, images/index.json   the layout (one index entry per image name, as `docker save` writes)
//   images/blobs/sha256/<hex>               content-addressed blobs: manifests, configs, layer tars (+gzip)
//   images/layers/<diffID hex>/             each layer unpacked once, in overlay form, for overlay lowerdirs
//   images/tmp/                             work folders of builds and loads (same filesystem, so results rename in)
// index.json is changed under a lock file (builds and loads may run beside a kubelet reading the store).
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { ImageStoreReader, ResolvedImage } from './types.js';
import {
  ANNOTATION_HOST_ROOT, ANNOTATION_IMAGE_NAME, ANNOTATION_REF_NAME, MEDIA_TYPE_INDEX, MEDIA_TYPE_MANIFEST,
  type Descriptor, type OciImageConfig, type OciIndex, type OciManifest,
} from './oci.js';
import { isImageIdLike, normalizeReference, parseReference } from './reference.js';
import { unpackLayer } from './layer.js';

export interface ImageStoreOptions {
  /** NANOKUBE_HOME; the store lives in its images/ folder. */
  home: string;
  /**
   * Resolve well-known base images (python, node, alpine, debian, ubuntu, busybox at any tag) that are not in the
   * store to the host's root filesystem, adding them to the store as a pull would. Default true.
   */
  hostBaseImages?: boolean;
}

/** An image as the store holds it. */
export interface StoredImage {
  names: string[];
  manifestDigest: string;
  manifest: OciManifest;
  config: OciImageConfig;
  configDigest: string;
}

/** The message for an image the store cannot provide (what ErrImagePull shows). */
export function imageNotPresentMessage(ref: string): string {
  return `image "${ref}" is not in nanokube's image store; build it with \`nanokube image build -t ${ref} DIR\` or load it with \`nanokube image load FILE\``;
}

export class ImageNotFoundError extends Error {
  constructor(readonly ref: string) {
    super(imageNotPresentMessage(ref));
    this.name = 'ImageNotFoundError';
  }
}

export class ImageInUseError extends Error {
  constructor(readonly ref: string) {
    super(`image "${ref}" is in use by a running container (its layers are mounted); delete the pods that use it first`);
    this.name = 'ImageInUseError';
  }
}

/** Every lowerdir of the overlay mounts this process can see (container root filesystems). */
function overlayLowerdirsInUse(): string[] {
  let text = '';
  try { text = readFileSync('/proc/self/mountinfo', 'utf8'); } catch { return []; }
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const [fstype, , opts] = line.slice(sep + 3).split(' ');
    if (fstype !== 'overlay' || !opts) continue;
    const m = /(?:^|,)lowerdir=([^,]*)/.exec(opts.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
    if (m) out.push(...m[1]!.split(':'));
  }
  return out;
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function pidAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

export class ImageStore implements ImageStoreReader {
  readonly root: string;
  readonly home: string;
  private readonly hostBaseImages: boolean;
  /** images() as last read, with the identity of the index.json it came from. */
  private cachedImages?: { stamp: string; images: StoredImage[] };

  constructor(opts: ImageStoreOptions) {
    this.home = opts.home;
    this.root = join(opts.home, 'images');
    this.hostBaseImages = opts.hostBaseImages ?? true;
  }

  private init(): void {
    if (existsSync(join(this.root, 'index.json'))) return;
    for (const d of ['blobs/sha256', 'layers', 'tmp']) mkdirSync(join(this.root, d), { recursive: true });
    if (!existsSync(join(this.root, 'oci-layout'))) writeFileSync(join(this.root, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    this.writeIndex({ schemaVersion: 2, mediaType: MEDIA_TYPE_INDEX, manifests: [] });
  }

  blobPath(digest: string): string {
    const [alg, hex] = digest.split(':');
    if (alg !== 'sha256' || !hex || !/^[0-9a-f]{64}$/.test(hex)) throw new Error(`unsupported digest ${digest}`);
    return join(this.root, 'blobs', 'sha256', hex);
  }

  hasBlob(digest: string): boolean { return existsSync(this.blobPath(digest)); }

  /** A fresh work folder under images/tmp (removed by the caller). */
  tempDir(prefix: string): string {
    this.init();
    const d = join(this.root, 'tmp', `${prefix}-${process.pid}-${randomBytes(4).toString('hex')}`);
    mkdirSync(d, { recursive: true });
    return d;
  }

  /** Moves a file whose digest is known into blobs/ (content-addressed: an existing blob is kept). */
  adoptBlob(file: string, digest: string): void {
    this.init();
    const dst = this.blobPath(digest);
    if (existsSync(dst)) rmSync(file, { force: true });
    else renameSync(file, dst);
  }

  putJSON(value: unknown, mediaType: string): Descriptor {
    this.init();
    const data = Buffer.from(JSON.stringify(value));
    const digest = 'sha256:' + createHash('sha256').update(data).digest('hex');
    const p = this.blobPath(digest);
    if (!existsSync(p)) { const tmp = `${p}.${process.pid}.tmp`; writeFileSync(tmp, data); renameSync(tmp, p); }
    return { mediaType, digest, size: data.length };
  }

  readJSON<T>(digest: string): T {
    return JSON.parse(readFileSync(this.blobPath(digest), 'utf8')) as T;
  }

  /** The unpacked folder of a layer (by diffID); unpacks its blob first if needed. */
  async layerDir(diffId: string, blobDigest: string): Promise<string> {
    const dir = join(this.root, 'layers', diffId.replace(/^sha256:/, ''));
    if (existsSync(dir)) return dir;
    const work = this.tempDir('unpack');
    try {
      await unpackLayer(this.blobPath(blobDigest), join(work, 'layer'));
      mkdirSync(join(this.root, 'layers'), { recursive: true });
      try { renameSync(join(work, 'layer'), dir); } catch (e) { if (!existsSync(dir)) throw e; }
    } finally { rmSync(work, { recursive: true, force: true }); }
    return dir;
  }

  /** Moves a folder in overlay form into layers/ as the unpacked form of diffID (kept if already there). */
  adoptLayerDir(folder: string, diffId: string): string {
    this.init();
    mkdirSync(join(this.root, 'layers'), { recursive: true });
    const dir = join(this.root, 'layers', diffId.replace(/^sha256:/, ''));
    if (!existsSync(dir)) {
      try { renameSync(folder, dir); return dir; } catch (e) { if (!existsSync(dir)) throw e; } // another process won the race
    }
    rmSync(folder, { recursive: true, force: true });
    return dir;
  }

  private readIndex(): OciIndex {
    this.init();
    return JSON.parse(readFileSync(join(this.root, 'index.json'), 'utf8')) as OciIndex;
  }

  private writeIndex(index: OciIndex): void {
    const p = join(this.root, 'index.json');
    const tmp = `${p}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(index, null, 2) + '\n');
    renameSync(tmp, p);
  }

  private withIndexLock<T>(f: (index: OciIndex) => { index?: OciIndex; result: T }): T {
    this.init();
    const lock = join(this.root, 'index.lock');
    for (let i = 0; ; i++) {
      try {
        const fd = openSync(lock, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const holder = Number(readFileSync(lock, 'utf8') || '0');
        if (holder && !pidAlive(holder)) { rmSync(lock, { force: true }); continue; }
        if (i > 2000) throw new Error(`the image store is locked by process ${holder} (${lock})`);
        sleep(5);
      }
    }
    try {
      const r = f(this.readIndex());
      if (r.index) this.writeIndex(r.index);
      return r.result;
    } finally { rmSync(lock, { force: true }); }
  }

  /** Stores a manifest and names it; each name moves from whatever image it named before. */
  tag(manifest: OciManifest, names: string[]): Descriptor {
    return this.tagDescriptor(this.putJSON(manifest, MEDIA_TYPE_MANIFEST), names);
  }

  /** Names a manifest already in blobs/ (kept byte for byte, so its digest stays what the registry or archive said). */
  tagDescriptor(manifestDesc: Descriptor, names: string[]): Descriptor {
    const desc: Descriptor = { mediaType: manifestDesc.mediaType, digest: manifestDesc.digest, size: manifestDesc.size };
    const full = names.map((n) => normalizeReference(n));
    this.withIndexLock((index) => {
      const moved = index.manifests.filter((m) => full.includes(m.annotations?.[ANNOTATION_IMAGE_NAME] ?? '') && m.digest !== desc.digest);
      let manifests = index.manifests.filter((m) => !full.includes(m.annotations?.[ANNOTATION_IMAGE_NAME] ?? '') && !(m.digest === desc.digest && !m.annotations?.[ANNOTATION_IMAGE_NAME]));
      // An image whose last name moved to another stays, unnamed (docker's dangling "<none>" image): a running
      // container may still use its layers. `image rm <ID>` removes it.
      for (const m of moved) {
        if (!manifests.some((o) => o.digest === m.digest)) manifests.push({ mediaType: m.mediaType, digest: m.digest, size: m.size });
      }
      manifests = manifests.filter((m, i, a) => m.annotations?.[ANNOTATION_IMAGE_NAME] || a.findIndex((o) => o.digest === m.digest) === i);
      if (full.length === 0 && !manifests.some((m) => m.digest === desc.digest)) manifests.push(desc);
      for (const name of full) {
        const r = parseReference(name);
        manifests.push({ ...desc, annotations: { [ANNOTATION_IMAGE_NAME]: name, ...(r.tag ? { [ANNOTATION_REF_NAME]: r.tag } : {}) } });
      }
      return { index: { ...index, manifests }, result: undefined };
    });
    return desc;
  }

  /**
   * Every image, one entry per manifest, with all its names. Read again only when index.json is another file than
   * last time (every change, by this process or another, renames a new one into place; blobs are content-addressed
   * and only removed after the index dropped them): a pod start resolves its image several times, and each read
   * was two file reads and a blob check per image.
   */
  images(): StoredImage[] {
    const indexPath = join(this.root, 'index.json');
    let st = statSync(indexPath, { bigint: true, throwIfNoEntry: false });
    if (!st) { this.init(); st = statSync(indexPath, { bigint: true, throwIfNoEntry: false }); }
    const stamp = st ? `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}` : '';
    if (stamp && this.cachedImages?.stamp === stamp) return [...this.cachedImages.images];
    const images = this.readImages();
    this.cachedImages = stamp ? { stamp, images } : undefined;
    return [...images];
  }

  private readImages(): StoredImage[] {
    const byDigest = new Map<string, string[]>();
    for (const m of this.readIndex().manifests) {
      const names = byDigest.get(m.digest) ?? [];
      const n = m.annotations?.[ANNOTATION_IMAGE_NAME];
      if (n) names.push(n);
      byDigest.set(m.digest, names);
    }
    const out: StoredImage[] = [];
    for (const [digest, names] of byDigest) {
      if (!this.hasBlob(digest)) continue;
      const manifest = this.readJSON<OciManifest>(digest);
      if (!this.hasBlob(manifest.config.digest)) continue;
      out.push({ names, manifestDigest: digest, manifest, config: this.readJSON<OciImageConfig>(manifest.config.digest), configDigest: manifest.config.digest });
    }
    return out;
  }

  /** The stored image a reference names (name, name@digest, image ID or an unambiguous ID prefix of ≥ 12 hex), or null. */
  find(ref: string): StoredImage | null {
    const all = this.images();
    if (isImageIdLike(ref)) {
      const hex = ref.replace(/^sha256:/, '');
      const hits = all.filter((i) => i.configDigest.slice(7).startsWith(hex));
      if (hits.length === 1) return hits[0]!;
      if (hits.length > 1) throw new Error(`image ID prefix "${ref}" is ambiguous`);
    }
    let name: string;
    try { name = normalizeReference(ref); } catch (e) { if (isImageIdLike(ref)) return null; throw e; }
    const r = parseReference(name);
    if (r.digest) {
      const repo = `${r.domain}/${r.path}`;
      return all.find((i) => i.manifestDigest === r.digest && (i.names.length === 0 || i.names.some((n) => n.startsWith(repo + ':') || n.startsWith(repo + '@')))) ?? null;
    }
    return all.find((i) => i.names.includes(name)) ?? null;
  }

  /** The runtime's view of a stored image: unpacked layer folders (lowest first), config, ID, names. */
  async toResolved(img: StoredImage): Promise<ResolvedImage> {
    const layers: string[] = [];
    if (img.manifest.annotations?.[ANNOTATION_HOST_ROOT] === 'true') layers.push('/');
    const diffIds = img.config.rootfs?.diff_ids ?? [];
    if (diffIds.length !== img.manifest.layers.length) throw new Error(`image ${img.names[0] ?? img.configDigest}: its config lists ${diffIds.length} layers but its manifest ${img.manifest.layers.length}`);
    for (let i = 0; i < diffIds.length; i++) layers.push(await this.layerDir(diffIds[i]!, img.manifest.layers[i]!.digest));
    const c = img.config.config ?? {};
    return {
      id: img.configDigest,
      repoTags: img.names.filter((n) => !n.includes('@')),
      repoDigests: img.names.map((n) => `${n.replace(/[:@][^/]*$/, '')}@${img.manifestDigest}`).filter((v, i, a) => a.indexOf(v) === i),
      size: imageSize(img),
      config: {
        ...(c.Entrypoint ? { entrypoint: c.Entrypoint } : {}),
        ...(c.Cmd ? { cmd: c.Cmd } : {}),
        ...(c.Env ? { env: c.Env } : {}),
        ...(c.WorkingDir ? { workingDir: c.WorkingDir } : {}),
        ...(c.User ? { user: c.User } : {}),
        ...(c.ExposedPorts ? { exposedPorts: Object.keys(c.ExposedPorts) } : {}),
        ...(c.Labels ? { labels: c.Labels } : {}),
      },
      layers,
    };
  }

  async resolve(ref: string): Promise<ResolvedImage | null> {
    let img = this.find(ref);
    if (!img && this.hostBaseImages) {
      const { hostBaseFor, ensureHostBaseImage } = await import('./host-base.js');
      if (hostBaseFor(ref)) img = await ensureHostBaseImage(this, ref);
    }
    return img ? this.toResolved(img) : null;
  }

  async list(): Promise<ResolvedImage[]> {
    const out: ResolvedImage[] = [];
    for (const img of this.images()) out.push(await this.toResolved(img));
    return out;
  }

  /**
   * Removes a name (or, given an image ID, the image with all its names), then the blobs and unpacked layers no
   * remaining image uses. Throws ImageNotFoundError when the store has no such image.
   */
  async remove(ref: string): Promise<void> {
    const img = this.find(ref);
    if (!img) throw new ImageNotFoundError(ref);
    let byName = false;
    try { byName = !isImageIdLike(ref) || img.names.includes(normalizeReference(ref)); } catch { /* an ID */ }
    const drop = byName && !parseReference(normalizeReference(ref)).digest ? [normalizeReference(ref)] : img.names;
    const lastName = img.names.every((n) => drop.includes(n));
    if (lastName) {
      // As docker refuses to remove an image a container uses: its layer folders are lowerdirs of live mounts.
      const dirs = new Set((img.config.rootfs?.diff_ids ?? []).map((d) => join(this.root, 'layers', d.replace(/^sha256:/, ''))));
      if (overlayLowerdirsInUse().some((d) => dirs.has(d))) throw new ImageInUseError(ref);
    }
    const remaining = this.withIndexLock((index) => {
      const manifests = index.manifests.filter((m) => !(m.digest === img.manifestDigest && (drop.includes(m.annotations?.[ANNOTATION_IMAGE_NAME] ?? '') || drop.length === 0)));
      return { index: { ...index, manifests }, result: manifests };
    });
    if (remaining.some((m) => m.digest === img.manifestDigest)) return; // other names still use it
    // Garbage: what only the removed image used.
    const keepBlobs = new Set<string>();
    const keepLayers = new Set<string>();
    for (const other of this.images()) {
      keepBlobs.add(other.manifestDigest); keepBlobs.add(other.configDigest);
      for (const l of other.manifest.layers) keepBlobs.add(l.digest);
      for (const d of other.config.rootfs?.diff_ids ?? []) keepLayers.add(d);
    }
    for (const b of [img.manifestDigest, img.configDigest, ...img.manifest.layers.map((l) => l.digest)]) {
      if (!keepBlobs.has(b)) rmSync(this.blobPath(b), { force: true });
    }
    for (const d of img.config.rootfs?.diff_ids ?? []) {
      if (!keepLayers.has(d)) rmSync(join(this.root, 'layers', d.replace(/^sha256:/, '')), { recursive: true, force: true });
    }
  }

  /** Removes layers (blob and unpacked folder) that no stored image uses, e.g. those of a build's earlier stages. */
  dropUnusedLayers(candidates: { diffId: string; digest: string }[]): void {
    if (candidates.length === 0) return;
    const usedBlobs = new Set<string>();
    const usedLayers = new Set<string>();
    for (const img of this.images()) {
      for (const l of img.manifest.layers) usedBlobs.add(l.digest);
      for (const d of img.config.rootfs?.diff_ids ?? []) usedLayers.add(d);
    }
    for (const c of candidates) {
      if (!usedBlobs.has(c.digest)) rmSync(this.blobPath(c.digest), { force: true });
      if (!usedLayers.has(c.diffId)) rmSync(join(this.root, 'layers', c.diffId.replace(/^sha256:/, '')), { recursive: true, force: true });
    }
  }

  /** Removes work folders left by builds and loads whose process is gone. */
  cleanTemp(): void {
    const tmp = join(this.root, 'tmp');
    if (!existsSync(tmp)) return;
    for (const e of readdirSync(tmp)) {
      const pid = Number(/-(\d+)-[0-9a-f]{8}$/.exec(e)?.[1]);
      if (pid && !pidAlive(pid)) rmSync(join(tmp, e), { recursive: true, force: true });
    }
  }
}

/** Bytes of an image's blobs (layers + config), as `docker images` counts it; the host root layer counts 0. */
export function imageSize(img: StoredImage): number {
  return img.manifest.layers.reduce((s, l) => s + l.size, 0) + img.manifest.config.size;
}

export function statSize(p: string): number { try { return statSync(p).size; } catch { return 0; } }
