// `nanokube image load FILE`: takes the archives `docker save` writes (manifest.json + config + layer tars; newer
// docker also adds oci-layout/index.json) and OCI image-layout archives (oci-layout + index.json + blobs), plain
// or gzip. Every blob is checked against its digest, layers against the config's diff_ids, and each layer is
// unpacked once; the image then runs with exactly its own files.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, normalize } from 'node:path';
import * as tar from 'tar';
import { fileDigest, isGzip, uncompressedDigest } from './layer.js';
import {
  ANNOTATION_IMAGE_NAME, ANNOTATION_REF_NAME, DOCKER_MEDIA_TYPE_LIST, MEDIA_TYPE_CONFIG, MEDIA_TYPE_INDEX, MEDIA_TYPE_LAYER_GZIP,
  MEDIA_TYPE_LAYER_TAR, MEDIA_TYPE_MANIFEST, hostArchitecture, type Descriptor, type OciImageConfig, type OciIndex, type OciManifest,
} from './oci.js';
import { normalizeReference } from './reference.js';
import type { ImageStore } from './store.js';

export interface LoadResult {
  images: { id: string; names: string[] }[];
}

export class LoadError extends Error {}

function readJSONFile<T>(p: string, what: string): T {
  try { return JSON.parse(readFileSync(p, 'utf8')) as T; } catch (e) { throw new LoadError(`${what} is not valid JSON: ${(e as Error).message}`); }
}

function inside(dir: string, rel: string): string {
  const p = normalize(join(dir, rel));
  if (!p.startsWith(dir + '/')) throw new LoadError(`archive names a file outside itself: ${rel}`);
  if (!existsSync(p)) throw new LoadError(`archive lacks ${rel}`);
  return p;
}

async function adoptVerified(store: ImageStore, file: string, digest: string): Promise<number> {
  if (store.hasBlob(digest)) return statSync(store.blobPath(digest)).size;
  const d = await fileDigest(file);
  if (d.digest !== digest) throw new LoadError(`blob ${digest} in the archive has digest ${d.digest}: the archive is corrupt`);
  store.adoptBlob(file, digest);
  return d.size;
}

async function ensureLayers(store: ImageStore, manifest: OciManifest, config: OciImageConfig): Promise<void> {
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== manifest.layers.length) throw new LoadError(`image config lists ${diffIds.length} layers but the manifest ${manifest.layers.length}`);
  for (let i = 0; i < diffIds.length; i++) {
    const got = await uncompressedDigest(store.blobPath(manifest.layers[i]!.digest));
    if (got !== diffIds[i]) throw new LoadError(`layer ${i + 1} has diffID ${got}, but the image config says ${diffIds[i]}: the archive is corrupt`);
    await store.layerDir(diffIds[i]!, manifest.layers[i]!.digest);
  }
}

function nameOf(d: Descriptor): string | undefined {
  const full = d.annotations?.[ANNOTATION_IMAGE_NAME];
  if (full) return normalizeReference(full);
  const ref = d.annotations?.[ANNOTATION_REF_NAME];
  // Some tools write the whole reference in ref.name; a bare tag names nothing on its own.
  if (ref && /[/:]/.test(ref)) { try { return normalizeReference(ref); } catch { return undefined; } }
  return undefined;
}

async function loadOci(store: ImageStore, dir: string): Promise<LoadResult> {
  const index = readJSONFile<OciIndex>(join(dir, 'index.json'), 'index.json');
  const blob = (digest: string) => inside(dir, join('blobs', ...digest.split(':')));
  const byManifest = new Map<string, { desc: Descriptor; names: string[] }>();
  const visit = (d: Descriptor, names: string[]) => {
    if (d.mediaType === MEDIA_TYPE_INDEX || d.mediaType === DOCKER_MEDIA_TYPE_LIST) {
      const nested = readJSONFile<OciIndex>(blob(d.digest), `index ${d.digest}`);
      const arch = hostArchitecture();
      const pick = nested.manifests.find((m) => m.platform?.os === 'linux' && m.platform.architecture === arch)
        ?? nested.manifests.find((m) => !m.platform);
      if (!pick) throw new LoadError(`the archive has no image for linux/${arch}`);
      visit(pick, names);
      return;
    }
    const e = byManifest.get(d.digest) ?? { desc: d, names: [] };
    for (const n of names) if (!e.names.includes(n)) e.names.push(n);
    byManifest.set(d.digest, e);
  };
  for (const d of index.manifests) { const n = nameOf(d); visit(d, n ? [n] : []); }
  if (byManifest.size === 0) throw new LoadError('the archive holds no image (index.json lists no manifests)');
  const out: LoadResult = { images: [] };
  for (const { desc, names } of byManifest.values()) {
    const manifest = readJSONFile<OciManifest>(blob(desc.digest), `manifest ${desc.digest}`);
    if (!manifest.config?.digest || !Array.isArray(manifest.layers)) throw new LoadError(`${desc.digest} is not an image manifest`);
    await adoptVerified(store, blob(manifest.config.digest), manifest.config.digest);
    for (const l of manifest.layers) await adoptVerified(store, blob(l.digest), l.digest);
    const config = store.readJSON<OciImageConfig>(manifest.config.digest);
    await ensureLayers(store, manifest, config);
    const manifestSize = await adoptVerified(store, blob(desc.digest), desc.digest);
    store.tagDescriptor({ mediaType: desc.mediaType || MEDIA_TYPE_MANIFEST, digest: desc.digest, size: manifestSize }, names);
    out.images.push({ id: manifest.config.digest, names });
  }
  return out;
}

interface DockerManifestEntry { Config: string; RepoTags: string[] | null; Layers: string[] }

async function loadDocker(store: ImageStore, dir: string): Promise<LoadResult> {
  const entries = readJSONFile<DockerManifestEntry[]>(join(dir, 'manifest.json'), 'manifest.json');
  if (!Array.isArray(entries) || entries.length === 0) throw new LoadError('manifest.json lists no image');
  const out: LoadResult = { images: [] };
  for (const e of entries) {
    const configFile = inside(dir, e.Config);
    const c = await fileDigest(configFile);
    const config = readJSONFile<OciImageConfig>(configFile, e.Config);
    const layers: Descriptor[] = [];
    for (const rel of e.Layers ?? []) {
      const f = inside(dir, rel);
      const gz = await isGzip(f);
      const d = await fileDigest(f);
      store.adoptBlob(f, d.digest);
      layers.push({ mediaType: gz ? MEDIA_TYPE_LAYER_GZIP : MEDIA_TYPE_LAYER_TAR, digest: d.digest, size: d.size });
    }
    store.adoptBlob(configFile, c.digest);
    const manifest: OciManifest = { schemaVersion: 2, mediaType: MEDIA_TYPE_MANIFEST, config: { mediaType: MEDIA_TYPE_CONFIG, digest: c.digest, size: c.size }, layers };
    await ensureLayers(store, manifest, config);
    const names = (e.RepoTags ?? []).map((t) => normalizeReference(t));
    store.tag(manifest, names);
    out.images.push({ id: c.digest, names });
  }
  return out;
}

export async function loadImageArchive(store: ImageStore, file: string): Promise<LoadResult> {
  if (!existsSync(file)) throw new LoadError(`${file}: no such file`);
  const work = store.tempDir('load');
  const { rmSync } = await import('node:fs');
  try {
    try {
      await tar.x({ file, cwd: work, strict: true, preservePaths: false });
    } catch (e) {
      throw new LoadError(`${file} is not a tar archive (docker save or OCI layout): ${(e as Error).message}`);
    }
    if (existsSync(join(work, 'oci-layout')) && existsSync(join(work, 'index.json'))) return await loadOci(store, work);
    if (existsSync(join(work, 'manifest.json'))) return await loadDocker(store, work);
    throw new LoadError(`${file} is neither a docker save archive (manifest.json) nor an OCI image layout (oci-layout, index.json)`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
